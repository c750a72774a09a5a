"""Claims: a statement from the seed articles, the experiment that tests it, and its verdict.

A :class:`Claim` is configuration plus pure functions. ``experiment(config, seed)`` measures
and returns a results dict; ``verdict(results)`` turns the measured numbers into one of
``confirmed`` / ``refuted`` / ``nuanced`` with the numbers that decided it; ``figures(results)``
draws. Nothing in a verdict is written by hand: the status and the sentence that explains it
are computed from the results.

The claims themselves live one per module in ``claims/<family>/<id>_<topic>.py`` (see
:mod:`gradlab.lab.claims`, which also holds the registry); what several of them share is in
:mod:`gradlab.lab.kit`.

>>> from gradlab import lab
>>> claim = lab.get("C2")
>>> result = claim.run(profile="test", seed=0)
>>> result.verdict.status
'confirmed'

Conventions for experiments:

- ``config`` is a plain dict from one of the claim's profiles (``"test"`` tiny, for the test
  suite; ``"quick"`` for ``gradlab reproduce --quick``; ``"full"``), with any overrides and,
  when the user passes ``--data-dir``, a ``"data_dir"`` key.
- All randomness comes from ``seed`` (several seeds: :func:`gradlab.lab.kit.seeds.spawn_seeds`).
  The same config and seed give the same results, except under the ``"timing"`` key, which
  holds wall-clock measurements and is left out of reproducibility checks.
- Results may hold NumPy arrays and scalars; :func:`to_jsonable` converts them for
  ``results.json``. A ``"tables"`` entry (a list of ``{"title", "columns", "rows"}``) is
  rendered as HTML tables in the report; so are ``results["timing"]["tables"]``, for tables
  of wall-clock measurements.
"""

from __future__ import annotations

import html
import math
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .. import TrainingStalledWarning
from ..i18n import N_, _

__all__ = [
    "SOURCES",
    "STATUSES",
    "Claim",
    "ClaimResult",
    "Source",
    "Verdict",
    "to_jsonable",
]


@dataclass(frozen=True)
class Source:
    """A seed article: its file, its title as the article gives it, and its language.

    Titles are facts about the articles and are shown as written (Korean where the article
    is); the articles' sentences are never quoted.
    """

    file: str
    title: str
    language: str

    def describe(self, part: str = "") -> str:
        """``“title” (Korean, 000_….txt)``, with the part of the article when given, in the
        current language (the title stays as the article gives it)."""
        where = f", {_(part)}" if part else ""
        return f"“{self.title}” ({_(self.language)}, {self.file}{where})"


#: The seed articles, by the three-digit prefix the claims cite them with. Titles come from
#: each file's front matter (``title:``), or its first heading where it has none (003).
SOURCES: dict[str, Source] = {
    "000": Source("000_c77bacea4f3f253a.txt", "활성함수와 순전파&역전파", N_("Korean")),
    "001": Source("001_55cc846a21becbcf.txt", "Activation Function", N_("Korean")),
    "002": Source("002_6142e2c40dc86955.txt", "deep-learning-theory-post2", N_("Korean")),
    "003": Source(
        "003_982e1e29c5c51bd1.txt", "밑바닥부터 시작하는 딥러닝 3장 - 신경망 -", N_("Korean")
    ),
    "004": Source(
        "004_f2976f3eac0ce879.txt", "경사하강법,오차역전파,활성화함수 정리", N_("Korean")
    ),
}

#: The verdicts a claim can get.
STATUSES = ("confirmed", "refuted", "nuanced")
Status = Literal["confirmed", "refuted", "nuanced"]
PROFILES = ("test", "quick", "full")


@dataclass(frozen=True)
class Verdict:
    """The outcome of a claim: a status, the numbers that decided it and why.

    Attributes:
        status: ``"confirmed"``, ``"refuted"`` or ``"nuanced"`` (holds in part, or only
            under conditions the reason names).
        reason: One or two sentences built from the measured numbers (an f-string, never a
            fixed text), saying which rule fired.
        numbers: The deciding numbers, by name (floats, ints, bools or short strings).
    """

    status: Status
    reason: str
    numbers: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(
                f"Verdict status must be one of {', '.join(STATUSES)}; received {self.status!r}"
            )


@dataclass(frozen=True)
class ClaimResult:
    """One run of a claim's experiment and its verdict."""

    id: str
    profile: str
    seed: int
    config: dict[str, Any]
    results: dict[str, Any]
    verdict: Verdict
    seconds: float
    #: The claim that produced it (for its title and figures in a notebook).
    claim: Claim | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (id, verdict, reason, numbers, config, seed, results)."""
        return to_jsonable(
            {
                "id": self.id,
                "verdict": self.verdict.status,
                "reason": self.verdict.reason,
                "numbers": self.verdict.numbers,
                "profile": self.profile,
                "seed": self.seed,
                "config": self.config,
                "seconds": self.seconds,
                "results": self.results,
            }
        )

    def __repr__(self) -> str:
        numbers = ", ".join(f"{k}={v!r}" for k, v in list(self.verdict.numbers.items())[:3])
        return (
            f"ClaimResult({self.id} {self.verdict.status} on profile {self.profile!r}, "
            f"seed {self.seed}: {numbers})"
        )

    def _repr_html_(self) -> str:
        """The verdict badge, its reason, the deciding numbers and the claim's figures."""
        from .._display import figure_img
        from .._figure import language_fonts
        from .report import badge, numbers_table

        title, figures = "", ""
        labels = None
        if self.claim is not None:
            labels = {k: _(v) for k, v in self.claim.labels.items()}
            title = f" · {html.escape(_(self.claim.title))}"
            with language_fonts():
                figures = "".join(
                    figure_img(fig, alt=f"{self.id} {name}", dpi=60)
                    for name, fig in self.claim.figures(self.results).items()
                )
        return (
            f"<div><h4 style='margin:0'>{html.escape(self.id)}{title} "
            f"{badge(self.verdict.status)}</h4>"
            f"<p>{html.escape(self.verdict.reason)}</p>"
            f"{numbers_table(self.verdict.numbers, labels)}"
            "<p style='color:#555'>"
            + html.escape(
                _("profile {profile}, seed {seed}, {seconds:.1f} s").format(
                    profile=self.profile, seed=self.seed, seconds=self.seconds
                )
            )
            + f"</p>{figures}</div>"
        )


def _no_figures(results: dict[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Claim:
    """A claim from the articles, with the experiment that tests it.

    Attributes:
        id: ``"C1"`` ... ``"C21"`` for the article claims, ``"P1"`` ... for paper results.
        title: A few words for tables (``"Sigmoid derivative peaks at 0.25"``).
        statement: The claim in the project's own words, as the articles make it.
        sources: Seed article prefixes (keys of :data:`SOURCES`), or paper references.
        experiment: ``(config, seed) -> results``; pure and seeded.
        verdict: ``results -> Verdict``, computed from the numbers only.
        figures: ``results -> {name: matplotlib Figure}``; the runner saves each as
            ``<id>_<name>.png``.
        profiles: Config dicts for ``"test"``, ``"quick"`` and ``"full"``.
        context: Background a reader needs (where a figure in an article comes from, what a
            term means), in the project's own words.
        family: The folder of ``claims/`` the claim's module lives in (``"activations"``,
            ``"gradients"``, ...), set when the claim is registered.
        headline: Keys of the verdict's numbers that the report's summary table shows
            (default: the first one).
        labels: Each deciding number in words with its unit in brackets, by key
            (``"log10_ratio_sigmoid_glorot": "gradient of the first hidden layer over the
            last, sigmoid with Glorot init [log10]"``); the key stays in ``results.json``.
        source_parts: For each seed article cited, the part of it the claim comes from (its
            section heading as the article writes it, or a description).
    """

    id: str
    title: str
    statement: str
    sources: tuple[str, ...]
    experiment: Callable[[dict[str, Any], int], dict[str, Any]]
    verdict: Callable[[dict[str, Any]], Verdict]
    profiles: Mapping[str, Mapping[str, Any]]
    figures: Callable[[dict[str, Any]], dict[str, Any]] = _no_figures
    context: str = ""
    family: str = ""
    headline: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    source_parts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [p for p in PROFILES if p not in self.profiles]
        if missing:
            raise ValueError(
                f"claim {self.id} needs config profiles {', '.join(PROFILES)}; "
                f"missing {', '.join(missing)}"
            )
        unknown = [s for s in self.sources if s not in SOURCES and not s.startswith("paper:")]
        if unknown:
            raise ValueError(
                f"claim {self.id}: unknown source(s) {unknown}; expected keys of SOURCES "
                f"({', '.join(SOURCES)}) or 'paper:<reference>'"
            )

    @property
    def source_files(self) -> list[str]:
        """The cited sources, seed articles by file name."""
        return [SOURCES[s].file if s in SOURCES else s.removeprefix("paper:") for s in self.sources]

    @property
    def source_lines(self) -> list[str]:
        """The cited sources for a reader: each article's title, language, file and the part
        the claim comes from (:attr:`source_parts`); papers by their reference."""
        return [
            SOURCES[s].describe(self.source_parts.get(s, ""))
            if s in SOURCES
            else s.removeprefix("paper:")
            for s in self.sources
        ]

    def label(self, key: str) -> str:
        """The deciding number ``key`` in words with its unit (:attr:`labels`), else ``key``."""
        return self.labels.get(key, key)

    def _repr_markdown_(self) -> str:
        """The claim as a notebook shows it: statement, sources, background, how to run it
        (in the current language)."""
        lines = [
            f"**{self.id} · {_(self.title)}** ({self.family})",
            "",
            _(self.statement),
            "",
            _("*Sources:* {sources}").format(sources="; ".join(self.source_lines)),
        ]
        if self.context:
            lines += ["", _("*Background:* {text}").format(text=_(self.context))]
        lines += [
            "",
            _(
                'Run it: `gradlab.lab.get("{id}").run("quick", seed=0)`, or '
                "`gradlab reproduce --only {id}` in a terminal."
            ).format(id=self.id),
        ]
        return "\n".join(lines)

    def config(self, profile: str = "quick", **overrides: Any) -> dict[str, Any]:
        """Return a copy of the ``profile`` config with ``overrides`` applied."""
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}; received {profile!r}")
        return {**self.profiles[profile], **overrides}

    def run(self, profile: str = "quick", seed: int = 0, **overrides: Any) -> ClaimResult:
        """Run the experiment with the ``profile`` config and judge it."""
        config = self.config(profile, **overrides)
        start = time.perf_counter()
        with warnings.catch_warnings():
            # Stalled and exploding runs are what several claims measure (C3, C4, C6, C11...):
            # outcomes recorded in the results, not accidents to warn the reader about.
            warnings.simplefilter("ignore", TrainingStalledWarning)
            results = self.experiment(dict(config), int(seed))
        verdict = self.verdict(results)
        return ClaimResult(
            id=self.id,
            profile=profile,
            seed=int(seed),
            config=config,
            results=results,
            verdict=verdict,
            seconds=time.perf_counter() - start,
            claim=self,
        )


def to_jsonable(value: Any) -> Any:
    """Convert NumPy arrays/scalars (recursively) to plain Python; non-finite floats to None.

    >>> to_jsonable({"a": np.float32(0.5), "b": np.arange(3), "c": float("nan")})
    {'a': 0.5, 'b': [0, 1, 2], 'c': None}
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
