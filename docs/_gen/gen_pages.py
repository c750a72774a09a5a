"""Generate the site's pages from the code, at build time (mkdocs-gen-files runs this script).

* ``lab/<ID>.md``: one page per registered claim (statement, background, sources, the
  experiment's configs per profile, the verdict rule, figures, the tutorials that mention it
  and how to run it), and the table of claims appended to the hand-written ``lab/index.md``;
  the experiments are not run;
* ``api/<module>.md``: one page per public module, listing every name of its ``__all__``
  (a name re-exported from a module documented elsewhere links there);
* ``cli.md``: the help of ``gradlab`` and of each sub-command, from its argparse parser;
* the table of exercises appended to ``tutorials/index.md``;
* the Korean side (``ko/``): the Korean tutorials that exist in ``docs/ko/tutorials`` (the
  English one where a Korean edition is missing) and the exercises, in Korean, put into the
  hand-written ``ko/index.md``;
* ``SUMMARY.md``: the navigation (mkdocs-literate-nav), with the tutorial notebooks that exist,
  and a "한국어" section with the Korean pages.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import inspect
import json
import logging
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rst_markdown import to_markdown

log = logging.getLogger("mkdocs.plugins.gen_pages")

DOCS = Path(mkdocs_gen_files.config["docs_dir"])
REPO = DOCS.resolve().parent

#: The public modules of the API reference, in the order of the navigation. Modules named in
#: the ``__all__`` of one of these (``gradlab.optimizers.schedules``) get a page as well.
API_MODULES = [
    "gradlab",
    "gradlab.activations",
    "gradlab.layers",
    "gradlab.losses",
    "gradlab.initializers",
    "gradlab.optimizers",
    "gradlab.model",
    "gradlab.callbacks",
    "gradlab.metrics",
    "gradlab.datasets",
    "gradlab.diagnostics",
    "gradlab.gradcheck",
    "gradlab.plots",
    "gradlab.estimators",
    "gradlab.exercises",
    "gradlab.lab",
    "gradlab.lab.claims",
    "gradlab.lab.runner",
    "gradlab.lab.units",
    "gradlab.lab.executors",
    "gradlab.lab.across_seeds",
    "gradlab.lab.grid",
    "gradlab.lab.sweep",
    "gradlab.lab.report",
    "gradlab.lab.trace",
    "gradlab.lab.kit",
    "gradlab.lab.kit.seeds",
    "gradlab.lab.kit.data",
    "gradlab.lab.kit.fitting",
    "gradlab.lab.kit.probes",
    "gradlab.lab.kit.verdicts",
    "gradlab.lab.kit.figures",
    "gradlab.lab.kit.maps",
    "gradlab.playground",
    "gradlab.playground.server",
    "gradlab.cli",
    "gradlab.registry",
]


def write(path: str, text: str, mode: str = "w") -> None:
    with mkdocs_gen_files.open(path, mode, encoding="utf-8") as f:
        f.write(text)


def md_escape(text: str) -> str:
    """Text for a Markdown table cell: pipes and brackets escaped.

    Brackets must be escaped too: a label such as ``on [1, 2] [yes/no]`` is a reference link
    to Markdown, and mkdocs-autorefs reports its target as missing.
    """
    text = str(text).replace("\n", " ")
    for char in "|[]":
        text = text.replace(char, "\\" + char)
    return text


def runtime_resolver(namespace: dict[str, Any]) -> Any:
    """Resolve a role's target from a module's globals (for texts that griffe does not see)."""

    def resolve(name: str) -> str | None:
        head, _, rest = name.partition(".")
        obj = namespace.get(head)
        if obj is None and head == "gradlab":
            obj = importlib.import_module("gradlab")
        if obj is None:
            return None
        for part in rest.split(".") if rest else []:
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        if inspect.ismodule(obj):
            return obj.__name__
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        return f"{module}.{qualname}" if module and qualname else None

    return resolve


# --- tutorials ---------------------------------------------------------------------------------
def tutorials(folder: str = "tutorials") -> list[dict[str, str]]:
    """The notebooks in docs/<folder>: path, page URL stem, title and all their text."""
    found = []
    for path in sorted((DOCS / folder).glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb.get("cells", [])
        texts = ["".join(c.get("source", [])) for c in cells]
        title = path.stem
        for cell, text in zip(cells, texts, strict=True):
            heading = (
                re.search(r"^#\s+(.+)$", text, re.M) if cell["cell_type"] == "markdown" else None
            )
            if heading:
                title = heading[1].strip()
                break
        found.append(
            {"file": path.name, "stem": path.stem, "title": title, "text": "\n".join(texts)}
        )
    return found


def tutorials_index(notebooks: list[dict[str, str]]) -> None:
    """Append the notebooks and the exercises to the hand-written tutorials/index.md."""
    from gradlab import exercises

    lines = ["", "## The notebooks", ""]
    if not notebooks:
        lines.append("*No tutorial notebook is in `docs/tutorials/` yet.*")
    for nb in notebooks:
        lines.append(f"- [{nb['title']}]({nb['file']})")
    lines += ["", "## Exercises by tutorial", ""]
    lines += ["| tutorial | exercise | what to write |", "|---|---|---|"]
    by_number = {int(nb["stem"][:2]): nb for nb in notebooks if nb["stem"][:2].isdigit()}
    for name in exercises.names():
        ex = exercises.get(name)
        nb = by_number.get(ex.tutorial)
        where = f"[{ex.tutorial}]({nb['file']})" if nb else str(ex.tutorial)
        lines.append(f"| {where} | `{name}` | {md_escape(ex.title)}: `{md_escape(ex.signature)}` |")
    write("tutorials/index.md", "\n".join(lines) + "\n", mode="a")


# --- the Korean side ---------------------------------------------------------------------------
#: Where the generated lists go in the hand-written ``ko/index.md`` (appended if missing).
KO_MARKER = "<!-- gen: tutorials -->"


def korean_index(notebooks: list[dict[str, str]], ko_notebooks: list[dict[str, str]]) -> None:
    """Put the Korean tutorials and the exercises, in Korean, into ``ko/index.md``.

    Every tutorial is listed: its Korean edition where ``docs/ko/tutorials`` has one, else the
    English notebook, marked as such, so the page never links to a missing one.
    """
    from gradlab import exercises
    from gradlab.i18n import _, use_language

    korean = {nb["file"]: nb for nb in ko_notebooks}
    english = {nb["file"]: nb for nb in notebooks}
    lines = []
    for file in sorted(korean.keys() | english.keys()):
        if file in korean:
            lines.append(f"- [{korean[file]['title']}](tutorials/{file})")
        else:
            title = english[file]["title"]
            lines.append(f"- [{title}](../tutorials/{file}) (영어, 한국어판 준비 중)")
    if not lines:
        lines.append("*아직 튜토리얼이 없다.*")
    by_number = {int(f[:2]): f for f in korean.keys() | english.keys() if f[:2].isdigit()}
    table = ["| 튜토리얼 | 연습 문제 | 작성할 것 |", "|---|---|---|"]
    with use_language("ko"):
        for name in exercises.names():
            ex = exercises.get(name)
            file = by_number.get(ex.tutorial)
            link = (
                f"tutorials/{file}" if file in korean else f"../tutorials/{file}" if file else None
            )
            where = f"[{ex.tutorial}]({link})" if link else str(ex.tutorial)
            title = md_escape(_(ex.title))
            table.append(f"| {where} | `{name}` | {title}: `{md_escape(ex.signature)}` |")
    generated = "\n".join([*lines, "", "### 연습 문제", "", *table])
    page = (DOCS / "ko" / "index.md").read_text(encoding="utf-8")
    if KO_MARKER in page:
        page = page.replace(KO_MARKER, generated)
    else:
        page += "\n\n## 튜토리얼\n\n" + generated + "\n"
    write("ko/index.md", page)


# --- the lab -----------------------------------------------------------------------------------
def source_line(claim: Any, source: str) -> str:
    from gradlab.lab import SOURCES

    if source in SOURCES:
        part = claim.source_parts.get(source, "")
        return f"- seed article {source}: {SOURCES[source].describe(part)}"
    return f"- paper: {source.removeprefix('paper:')}"


def source_path(module: Any) -> Path:
    """The module's file, relative to the repository (to the installed package's parent
    folder when gradlab is not installed from this checkout)."""
    path = Path(inspect.getfile(module)).resolve()
    for root in (REPO, Path(importlib.import_module("gradlab").__file__).resolve().parents[1]):
        if path.is_relative_to(root):
            return path.relative_to(root)
    return Path(path.name)


def figure_names(claim: Any) -> list[str] | None:
    """The keys of the dict the claim's figures function returns, read from its source."""
    if claim.figures.__name__ == "_no_figures":
        return []
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(claim.figures)))
    except (OSError, TypeError, SyntaxError):
        return None
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
            for key in node.value.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    names.append(key.value)
                else:
                    return None
    return list(dict.fromkeys(names)) or None


def config_table(claim: Any) -> list[str]:
    profiles = ("test", "quick", "full")
    keys: list[str] = []
    for p in profiles:
        keys += [k for k in claim.profiles[p] if k not in keys]

    def cell(p: str, k: str) -> str:
        if k not in claim.profiles[p]:
            return "—"
        value = json.dumps(claim.profiles[p][k], ensure_ascii=False)
        return "`" + value.replace("|", "\\|") + "`"

    rows = ["| key | " + " | ".join(f"`{p}`" for p in profiles) + " |", "|---|---|---|---|"]
    rows += [f"| `{k}` | " + " | ".join(cell(p, k) for p in profiles) + " |" for k in keys]
    return rows


def mentions(claim_id: str, notebooks: list[dict[str, str]]) -> list[dict[str, str]]:
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){claim_id}(?![0-9])")
    return [nb for nb in notebooks if pattern.search(nb["text"])]


def claim_page(claim: Any, notebooks: list[dict[str, str]]) -> str:
    module = inspect.getmodule(claim.experiment)
    resolve = runtime_resolver(vars(module))
    rel = source_path(module)
    doc = to_markdown(inspect.cleandoc(module.__doc__ or ""), resolve)
    cid = claim.id
    out = [
        f"# {cid} · {claim.title}",
        "",
        f"**Family** {claim.family} · **source** `{rel.as_posix()}` · [all claims](index.md)",
        "",
        "## The claim",
        "",
        to_markdown(claim.statement, resolve),
        "",
    ]
    if claim.context:
        out += ["## Background", "", to_markdown(claim.context, resolve), ""]
    out += ["## Sources", "", *(source_line(claim, s) for s in claim.sources), ""]
    out += ["## The experiment", "", doc, ""] if doc else ["## The experiment", ""]
    out += [
        f'`experiment(config, seed)` runs with one of these configs (`lab.get("{cid}")'
        f".config(profile)`): `test` for the test suite, `quick` for "
        "`gradlab reproduce --quick`, `full` for `gradlab reproduce`.",
        "",
        *config_table(claim),
        "",
        "## The verdict rule",
        "",
        "The status (confirmed, refuted or nuanced) and the sentence that explains it are "
        "computed from the measured numbers by this function:",
        "",
        f'??? note "`{claim.verdict.__name__}`, from `{rel.name}`"',
        "",
        "    ```python",
        textwrap.indent(inspect.getsource(claim.verdict).rstrip(), "    "),
        "    ```",
        "",
    ]
    if claim.headline:
        heads = ", ".join(f"`{h}`" for h in claim.headline)
        out += [f"The report's summary table shows the numbers {heads}.", ""]
    if claim.labels:
        out += [
            "### The deciding numbers",
            "",
            "| in `results.json` | what it is [unit] |",
            "|---|---|",
            *(f"| `{key}` | {md_escape(label)} |" for key, label in claim.labels.items()),
            "",
            "Over several seeds (`--seeds`), each is reported as its median with its range; "
            "a claim whose seeds disagree is nuanced, with the tally.",
            "",
        ]
    figs = figure_names(claim)
    out += ["## Figures", ""]
    if figs is None:
        out.append("The figures are named when the experiment runs.")
    elif not figs:
        out.append("This claim draws no figure.")
    else:
        out.append(
            "`gradlab reproduce` saves "
            + ", ".join(f"`figures/{cid}_{f}.png`" for f in figs)
            + " and puts them in the report."
        )
    out.append("")
    found = mentions(cid, notebooks)
    if found:
        out += ["## In the tutorials", ""]
        out += [f"- [{nb['title']}](../tutorials/{nb['file']})" for nb in found]
        out.append("")
    out += [
        "## Run it",
        "",
        "```bash",
        f"gradlab reproduce --only {cid}              # full profile -> report/index.html",
        f"gradlab reproduce --quick --only {cid}      # the fast profile",
        f"gradlab claims show {cid}                   # statement, sources, last verdict",
        "```",
        "",
        "```python",
        "from gradlab import lab",
        "",
        f'result = lab.get("{cid}").run("quick", seed=0)',
        "result.verdict.status, result.verdict.reason, result.verdict.numbers",
        "```",
        "",
    ]
    return "\n".join(out)


def lab_pages(notebooks: list[dict[str, str]]) -> list[tuple[str, str]]:
    from gradlab import lab

    nav, rows = [], ["| claim | what is claimed | family | sources |", "|---|---|---|---|"]
    for cid in lab.names():
        claim = lab.get(cid)
        write(f"lab/{cid}.md", claim_page(claim, notebooks))
        nav.append((f"{cid} {claim.title}", f"lab/{cid}.md"))
        srcs = ", ".join(s if not s.startswith("paper:") else "paper" for s in claim.sources)
        rows.append(f"| [{cid}]({cid}.md) | {md_escape(claim.title)} | {claim.family} | {srcs} |")
    write("lab/index.md", "\n## The claims\n\n" + "\n".join(rows) + "\n", mode="a")
    return nav


# --- API reference -----------------------------------------------------------------------------
def public_modules() -> list[str]:
    """API_MODULES, plus any module named in the ``__all__`` of one of them."""
    found = list(API_MODULES)
    for name in found:
        module = importlib.import_module(name)
        for member in getattr(module, "__all__", []):
            obj = getattr(module, member)
            if (
                inspect.ismodule(obj)
                and obj.__name__.startswith("gradlab")
                and obj.__name__ not in found
            ):
                found.append(obj.__name__)
    return found


def home(name: str, obj: Any, modules: dict[str, Any]) -> str:
    """The documented module whose page holds ``obj``: the most specific one exporting it."""
    origin = getattr(obj, "__module__", None) if (inspect.isclass(obj) or callable(obj)) else None
    owners = [
        m
        for m, mod in modules.items()
        if name in getattr(mod, "__all__", ()) and getattr(mod, name, None) is obj
    ]

    def score(m: str) -> tuple[bool, int]:
        return (bool(origin) and (origin == m or origin.startswith(f"{m}.")), len(m))

    return max(owners, key=score)


def canonical(obj: Any) -> str | None:
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    return f"{module}.{qualname}" if module and qualname else None


def static_path(pkg: Any, path: str | None) -> bool:
    """``path`` names a function or class that griffe finds in the source."""
    if not path or not path.startswith(f"{pkg.name}."):
        return False
    try:
        return not pkg[path.removeprefix(f"{pkg.name}.")].is_module
    except Exception:  # griffe does not know it
        return False


def visible(pkg: Any, module_name: str, name: str, obj: Any) -> bool:
    """griffe sees ``module_name.name`` as the object it is at run time.

    Not so for a name made at import time (``activations.relu``, the functional shortcuts),
    one served lazily by a module ``__getattr__`` (``lab.reproduce``), or a function that
    hides a submodule of the same name (``model.mlp`` is the function at run time, the module
    ``model/mlp.py`` for griffe).
    """
    try:
        member = (
            pkg[module_name.removeprefix(pkg.name).lstrip(".")] if module_name != pkg.name else pkg
        )
        member = member.members[name]
    except Exception:
        return False
    return inspect.ismodule(obj) or not member.is_module


def activation_class(name: str) -> type:
    from gradlab import activations

    return type(activations.get(name))


#: Modules whose ``__all__`` holds functions made at import time from a class: the function
#: is documented through that class (the functional shortcuts of ``gradlab.activations``).
APPLIES = {"gradlab.activations": activation_class}


def module_summary(module: Any) -> str:
    """The first paragraph of a module's docstring, for a table cell."""
    summary = (inspect.getdoc(module) or "").split("\n\n")[0].replace("\n", " ")
    return md_escape(to_markdown(summary, runtime_resolver(vars(module))))


def api_pages() -> list[tuple[str, str]]:
    import griffe

    pkg = griffe.load("gradlab", search_paths=[str(REPO / "src")], resolve_aliases=False)
    names = public_modules()
    modules = {n: importlib.import_module(n) for n in names}
    nav, index = [], ["| module | what it holds |", "|---|---|"]
    for mod_name, module in modules.items():
        here, apart, elsewhere, submodules = [], [], [], []
        applied: dict[type, list[str]] = {}
        manual = []
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                submodules.append(obj.__name__)
                continue
            owner = home(name, obj, modules)
            seen = visible(pkg, owner, name, obj)
            if owner != mod_name:
                target = f"{owner}.{name}" if seen else canonical(obj)
                elsewhere.append((name, owner, target))
            elif seen:
                here.append(name)
            elif static_path(pkg, canonical(obj)):
                apart.append(name)
            elif mod_name in APPLIES:
                applied.setdefault(APPLIES[mod_name](name), []).append(name)
            else:
                manual.append(name)
        lines = [f"::: {mod_name}", "    options:"]
        if here:
            lines.append("      members:")
            lines += [f"        - {n}" for n in here]
        else:
            lines.append("      members: false")
        for name in apart:
            lines += [
                "",
                f"[](){{#{mod_name}.{name}}}",
                "",
                f"::: {canonical(getattr(module, name))}",
                "    options:",
                "      heading_level: 2",
                "      show_root_full_path: false",
            ]
        if applied:
            lines += [
                "",
                "## Functional shortcuts",
                "",
                f"`{mod_name}.NAME(x, **params)` applies the activation `NAME` with the "
                "parameters given (its defaults otherwise): each shortcut below is documented "
                "with the class it applies.",
            ]
            for cls, fnames in applied.items():
                path = f"{cls.__module__}.{cls.__qualname__}"
                anchors = "".join(f"[](){{#{mod_name}.{f}}}" for f in fnames)
                calls = ", ".join(f"`{mod_name.rsplit('.', 1)[-1]}.{f}(x)`" for f in fnames)
                lines += [
                    "",
                    anchors,
                    "",
                    f"::: {path}",
                    "    options:",
                    "      heading_level: 3",
                    "      show_root_full_path: false",
                    "      members: false",
                    "",
                    f"Shortcut: {calls}.",
                ]
        for name in manual:
            obj = getattr(module, name)
            doc = to_markdown(inspect.getdoc(obj) or "", runtime_resolver(vars(module)))
            try:
                sig = f"{name}{inspect.signature(obj)}"
            except (TypeError, ValueError):
                sig = name
            lines += [
                "",
                f"## `{name}` {{#{mod_name}.{name}}}",
                "",
                "```python",
                sig,
                "```",
                "",
                doc,
            ]
        if submodules:
            lines += ["", "## Modules", "", "| module | what it holds |", "|---|---|"]
            lines += [f"| [`{m}`][{m}] | {module_summary(modules[m])} |" for m in submodules]
        if elsewhere:
            lines += ["", "## Also exported here", "", "| name | documented in |", "|---|---|"]
            for name, owner, target in elsewhere:
                lines.append(f"| [`{mod_name}.{name}`][{target}] | [`{owner}`][{owner}] |")
        write(f"api/{mod_name}.md", "\n".join(lines) + "\n")
        nav.append((mod_name, f"api/{mod_name}.md"))
        index.append(f"| [`{mod_name}`]({mod_name}.md) | {module_summary(module)} |")
    intro = (
        "# API reference\n\n"
        "Every public module of gradlab and every name in its `__all__`, from the docstrings "
        "(generated at build time: a new public name appears here without editing the docs). "
        "A name that a module re-exports links to the module that documents it.\n\n"
    )
    write("api/index.md", intro + "\n".join(index) + "\n")
    return nav


# --- command line ------------------------------------------------------------------------------
def cli_page() -> None:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"  # argparse wraps its help to the terminal's width
    try:
        from gradlab.cli import build_parser

        parser = build_parser()
        out = [
            "# Command line",
            "",
            "`gradlab` (also `python -m gradlab`) and each of its commands, with the help "
            "they print (`gradlab COMMAND --help`), generated from the argument parser.",
            "",
        ]
        for prog, sub in walk_parsers(parser):
            depth = prog.count(" ")
            heading = "#" * min(depth + 1, 4)
            out += [
                f"{heading} `{prog}`" if depth else "## `gradlab`",
                "",
                "```text",
                sub.format_help().rstrip(),
                "```",
                "",
            ]
        write("cli.md", "\n".join(out))
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def walk_parsers(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(parser.prog, parser)]
    seen = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    found += walk_parsers(sub)
    return found


# --- playground --------------------------------------------------------------------------------
def playground_presets() -> None:
    """Append the presets to the hand-written playground.md."""
    from gradlab.playground import presets

    rows = ["", "## Presets", "", "| preset | what it shows |", "|---|---|"]
    rows += [
        f"| **{md_escape(p['title'])}** (`{p['name']}`) | {md_escape(p['description'])} |"
        for p in presets.PRESETS
    ]
    write("playground.md", "\n".join(rows) + "\n", mode="a")


# --- navigation --------------------------------------------------------------------------------
def summary(
    notebooks: list[dict[str, str]],
    lab: list[tuple[str, str]],
    api: list[tuple[str, str]],
    ko_notebooks: list[dict[str, str]],
) -> None:
    lines = [
        "- [Getting started](index.md)",
        "- Tutorials",
        "    - [Overview](tutorials/index.md)",
        *(f"    - [{nb['title']}](tutorials/{nb['file']})" for nb in notebooks),
        "- The lab",
        "    - [Overview](lab/index.md)",
        *(f"    - [{title}]({path})" for title, path in lab),
        "- Playground",
        "    - [The page](playground.md)",
        "    - [Protocol](playground-protocol.md)",
        "- [Command line](cli.md)",
        "- API reference",
        "    - [Overview](api/index.md)",
        *(f"    - [{title}]({path})" for title, path in api),
        "- 한국어",
        "    - [시작하기](ko/index.md)",
    ]
    if ko_notebooks:
        lines.append("    - 튜토리얼")
        lines += [f"        - [{nb['title']}](ko/tutorials/{nb['file']})" for nb in ko_notebooks]
    lines.append("    - [용어집](ko/glossary.md)")
    write("SUMMARY.md", "\n".join(lines) + "\n")


notebooks = tutorials()
ko_notebooks = tutorials("ko/tutorials")
tutorials_index(notebooks)
korean_index(notebooks, ko_notebooks)
lab_nav = lab_pages(notebooks)
api_nav = api_pages()
cli_page()
playground_presets()
summary(notebooks, lab_nav, api_nav, ko_notebooks)
