"""The machinery of the exercises: a registry, the grader's tools, and the report it returns.

A grader is a function of the learner's answer that raises :class:`Mistake` with a precise
sentence at the first thing that is wrong. The tools here turn the usual ways an answer goes
wrong into such sentences, so that every topic module says them the same way:

* :func:`call` runs the learner's code and turns an exception or a NumPy warning (overflow,
  invalid value, division by zero; not a harmless underflow) into a sentence that names the
  input, with an optional ``hint=`` that names the likely cause;
  :func:`call_and_warning` runs it once and hands the warning back, for a grader that first
  looks for a known slip that explains it;
* :func:`unpack` takes apart a returned tuple ``(dx, dW, db)``, or says what came back instead;
* :func:`expect_array` compares a result with the engine's, element by element, and names the
  input at the worst element ("at x = 0 your derivative is 1; expected 0"); its parts
  :func:`as_array` and :func:`expect_shape` (with ``shape_hints=`` for the likely cause of a
  wrong shape) serve graders that compare something else;
* :func:`matching` turns "what each known slip gives on this input" into the hint that names
  the slip a wrong result reproduces;
* :func:`fmt` and :func:`describe` write numbers, arrays and returned values into messages.

A grader has the signature ``grader(answer, done)``: it appends a short description of each
check to the list ``done`` as the check passes, so a report shows what already holds.

Every sentence is in the language of :mod:`gradlab.i18n` when the answer is checked (English
or Korean; the catalog is the ``exercises`` domain): the tools here build their sentences from
templates with named placeholders, and a grader hands them ``what``, ``on``, hints and check
descriptions already translated with ``_()`` (``yours("relu_backward")`` names the learner's
function). The hints of :func:`call` are still picked by the English words of the problem.
"""

from __future__ import annotations

import html
import importlib
import inspect
import math
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..i18n import N_, _

__all__ = [
    "Exercise",
    "Hint",
    "Mistake",
    "Report",
    "as_array",
    "call",
    "call_and_warning",
    "describe",
    "exercise",
    "expect_array",
    "expect_shape",
    "fmt",
    "grade",
    "matching",
    "registry",
    "unpack",
    "with_hint",
    "yours",
]


#: ``grader(answer, done)``: see the module docstring.
Grader = Callable[[Any, list[str]], None]

#: ``hint(got, expected)``: a sentence that names the likely cause of a wrong result, or None.
Hint = Callable[[Any, Any], "str | None"]


class Mistake(Exception):
    """What is wrong with an answer, in one or two sentences a learner can act on."""


@dataclass(frozen=True)
class Exercise:
    """One task: what to write, how it is graded and where its solution lives.

    Attributes:
        name: The key of :func:`gradlab.exercises.check` (``"relu_backward"``).
        title: A short title (in English; :meth:`shown_title` gives it in the current
            language).
        tutorial: The number of the tutorial notebook it belongs to (1-7).
        signature: What to write, as a Python signature.
        task: The statement (Markdown, may hold ``$...$`` math), in English;
            :meth:`shown_task` gives it in the current language.
        grader: ``grader(answer, done)``; appends each check that passes to ``done``, raises
            :class:`Mistake` at the first that fails.
        solution: ``"module:attribute"`` of the reference answer, in
            :mod:`gradlab.exercises.solutions`.
        task_id: The statement as it is written in the source (the message the translations
            are looked up by); empty when the task is the grader's docstring.
    """

    name: str
    title: str
    tutorial: int
    signature: str
    task: str
    grader: Grader = field(repr=False)
    solution: str = field(repr=False)
    task_id: str = field(default="", repr=False, compare=False)

    def load_solution(self) -> Any:
        """Return the reference answer (imported on demand)."""
        module, _sep, attr = self.solution.partition(":")
        return getattr(importlib.import_module(module), attr)

    def shown_title(self) -> str:
        """The title in the current language."""
        return _(self.title)

    def shown_task(self) -> str:
        """The statement in the current language."""
        return inspect.cleandoc(_(self.task_id)) if self.task_id else self.task

    def _repr_markdown_(self) -> str:
        return (
            f"**{self.name}** — {self.shown_title()}\n\n`{self.signature}`\n\n{self.shown_task()}"
        )

    def __str__(self) -> str:
        return f"{self.name}: {self.shown_title()}\n  {self.signature}\n\n{self.shown_task()}"


#: The two outcomes of a check, as a report shows them.
CORRECT = N_("correct")
NOT_YET = N_("not yet")

#: Every exercise by name, filled by the :func:`exercise` decorator as the topic modules load.
registry: dict[str, Exercise] = {}


def exercise(
    name: str,
    *,
    title: str,
    tutorial: int,
    signature: str,
    solution: str,
    task: str | None = None,
) -> Callable[[Grader], Grader]:
    """Register the decorated grader as exercise ``name``.

    ``title`` and ``task`` are marked for translation with ``N_()`` where they are written
    (``task`` as a triple-quoted Markdown string, indented as a docstring would be); without
    ``task`` the grader's docstring is the task, in English only.
    """

    def register(grader: Grader) -> Grader:
        if name in registry:
            raise ValueError(f"exercise {name!r} is registered twice")
        raw = task if task is not None else (grader.__doc__ or "")
        registry[name] = Exercise(
            name,
            title,
            tutorial,
            signature,
            inspect.cleandoc(raw),
            grader,
            solution,
            task_id=raw if task is not None else "",
        )
        return grader

    return register


@dataclass(frozen=True)
class Report:
    """The outcome of :func:`gradlab.exercises.check`: passed or not, and why.

    Attributes:
        name: The exercise.
        passed: ``True`` when every check passed.
        message: The first problem found, or a summary of what was checked.
        checks: The checks that passed, in order (when one failed: the ones before it).
    """

    name: str
    passed: bool
    message: str
    checks: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        head = f"{self.name}: {_(CORRECT) if self.passed else _(NOT_YET)}"
        lines = [head, f"  {self.message}"]
        if self.passed:
            lines += [f"  ✓ {c}" for c in self.checks]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        color, badge = ("#1a7f37", _(CORRECT)) if self.passed else ("#b35900", _(NOT_YET))
        items = "".join(f"<li>✓ {html.escape(c)}</li>" for c in self.checks)
        checks = f"<ul style='margin:4px 0 0 0'>{items}</ul>" if items else ""
        return (
            f"<div style='border-left:4px solid {color};padding:4px 10px'>"
            f"<b>{html.escape(self.name)}</b> "
            f"<span style='color:#fff;background:{color};border-radius:3px;padding:0 6px'>"
            f"{badge}</span><div>{html.escape(self.message)}</div>{checks}</div>"
        )


def fmt(value: Any, limit: int | None = 8) -> str:
    """Format a number or an array for a message: 4 significant digits, nested lists for arrays.

    Args:
        value: A number, or anything ``np.asarray`` takes.
        limit: An array of more than ``limit`` numbers is written as its shape ("an array of
            shape (4, 3)"); ``None`` writes every number (a small batch, shown row by row).
    """
    arr = np.asarray(value)
    if arr.ndim == 0:
        v = arr.item()
        return f"{v:.4g}" if isinstance(v, float) else repr(v)
    if limit is not None and arr.size > limit:
        return _("an array of shape {shape}").format(shape=arr.shape)

    def nested(a: np.ndarray) -> str:
        if a.ndim == 0:
            v = a.item()
            return f"{v:.4g}" if isinstance(v, float) else repr(v)
        return "[" + ", ".join(nested(row) for row in a) + "]"

    return nested(arr)


def describe(value: Any) -> str:
    """A returned value in a few words, for messages: "an array of shape (2, 2)", "float 1.5"."""
    if isinstance(value, np.ndarray):
        return _("an array of shape {shape}").format(shape=value.shape)
    return f"{type(value).__name__} {value!r:.80}"


def _copy(arg: Any) -> Any:
    """A copy of an argument for the learner's code: arrays, also inside lists and tuples."""
    if isinstance(arg, np.ndarray):
        return arg.copy()
    if type(arg) in (list, tuple):
        return type(arg)(_copy(a) for a in arg)
    return arg


def _is_underflow(caught: warnings.WarningMessage) -> bool:
    return str(caught.message).startswith("underflow encountered")


def call_and_warning(
    fn: Any, *args: Any, what: str, on: str = "", hint: Mapping[str, str] | None = None
) -> tuple[Any, Mistake | None]:
    """Call the learner's ``fn(*args)`` once; return its result and its NumPy warning, if any.

    An exception (``NotImplementedError`` included) is raised at once as a :class:`Mistake`;
    a NumPy floating-point warning comes back as a :class:`Mistake` instead, so that a grader
    can first look for a known slip that explains it, and raise the warning only if none does.
    See :func:`call` for the arguments and for what counts as a warning.

    Returns:
        ``(result, warning)``, ``warning`` being ``None`` when the code warned of nothing.
    """
    if not callable(fn):
        raise Mistake(
            _("expected a function for {what}, got {kind} {value}").format(
                what=what, kind=type(fn).__name__, value=f"{fn!r:.60}"
            )
        )

    def mistake(problem: str, shown: str) -> Mistake:
        """``problem`` in English picks the hint (its keys are English words); ``shown`` is
        the message in the current language."""
        extra = next((s for key, s in (hint or {}).items() if key in problem), None)
        if extra:
            shown = _("{message}. {hint}").format(message=shown, hint=extra)
        return Mistake(shown)

    copies = [_copy(a) for a in args]
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        try:
            out = fn(*copies)
        except NotImplementedError:
            raise Mistake(
                _(
                    "{what} is not written yet: replace `raise NotImplementedError` with your code"
                ).format(what=what)
            ) from None
        except Mistake:
            raise
        except Exception as exc:  # the learner's code failed: say where, in their terms
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            line = (
                _(" (line {lineno}: {code})").format(lineno=frame.lineno, code=frame.line)
                if frame.line
                else ""
            )
            fields = {"what": what, "on": on, "error": type(exc).__name__, "message": exc}
            shown = (
                _("{what} on {on} raised {error}: {message}{line}")
                if on
                else _("{what} raised {error}: {message}{line}")
            ).format(line=line, **fields)
            raise mistake(f"raised {type(exc).__name__}: {exc}", shown) from None
    numeric = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    real = [w for w in numeric if not _is_underflow(w)]
    if not real:
        return out, None
    # An underflow before the fault is often its cause (every exp is 0, then 0 / 0): name both.
    first = str(numeric[0].message) if _is_underflow(numeric[0]) else ""
    warning = numpy_warning(str(real[0].message))
    if first:
        warning = _("{first}, then {then}").format(first=numpy_warning(first), then=warning)
    shown = (_("{what} on {on} warned: {warning}") if on else _("{what} warned: {warning}")).format(
        what=what, on=on, warning=warning
    )
    return out, mistake(f"warned: {first + ', then ' if first else ''}{real[0].message}", shown)


#: NumPy's floating-point warnings, by their English words ("overflow encountered in exp").
_NUMPY_WARNINGS = {
    "overflow": N_("overflow encountered in {function}"),
    "underflow": N_("underflow encountered in {function}"),
    "invalid value": N_("invalid value encountered in {function}"),
    "divide by zero": N_("divide by zero encountered in {function}"),
}


def numpy_warning(text: str) -> str:
    """NumPy's warning ``text`` ("overflow encountered in exp") in the current language."""
    kind, sep, function = text.partition(" encountered in ")
    if sep and kind in _NUMPY_WARNINGS and function:
        return _(_NUMPY_WARNINGS[kind]).format(function=function)
    return text


def call(
    fn: Any,
    *args: Any,
    what: str,
    on: str = "",
    warn: bool = True,
    hint: Mapping[str, str] | None = None,
) -> Any:
    """Call the learner's ``fn(*args)``; turn what goes wrong into a :class:`Mistake`.

    Args:
        fn: The learner's function.
        args: Its arguments. Copies are passed (of arrays, also inside lists and tuples), so an
            answer that writes into its input cannot spoil the next check.
        what: How to name the call in a message ("your sigmoid_backward").
        on: The input in words, for messages ("x = [1010, 1000, 990]").
        warn: Treat a NumPy floating-point warning (overflow, invalid value, division by zero)
            as a mistake. Underflow alone is not one: a stable formula underflows on purpose
            (``exp(-1000)`` is 0, the right answer); an underflow followed by a real fault is
            named with it ("warned: underflow encountered in exp, then invalid value
            encountered in divide").
        hint: Sentences that name the likely cause, by a key to look for in the problem:
            ``"raised ValueError: ..."`` for an exception, ``"warned: overflow encountered in
            exp"`` for a warning. The sentence of the first key found is appended to the
            message (``{"overflow": "Subtract the max first"}``; ``{"raised": ...}`` for any
            exception). Write each sentence as it should read after the problem and a full stop.
    """
    out, warned = call_and_warning(fn, *args, what=what, on=on, hint=hint)
    if warn and warned is not None:
        raise warned
    return out


def as_array(value: Any, what: str) -> np.ndarray:
    """Return ``value`` as a float64 array, or raise a :class:`Mistake` that names ``what``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mistake(
            _("{what} should be an array of numbers, got {kind} {value}").format(
                what=what, kind=type(value).__name__, value=f"{value!r:.60}"
            )
        ) from None
    return arr


def expect_shape(
    arr: np.ndarray,
    shape: tuple[int, ...],
    *,
    what: str,
    shape_of: str | None = None,
    shape_hints: Mapping[tuple[int, ...], str] | None = None,
) -> None:
    """Raise :class:`Mistake` unless ``arr`` has shape ``shape``.

    Args:
        arr: The learner's result, as an array.
        shape: The shape it should have.
        what: Its name in messages ("your dW").
        shape_of: The array whose shape it should have, for "expected (3, 2), the shape of W".
        shape_hints: The likely cause of each wrong shape the result may have, by that shape
            (``{(2, 3): "it is transposed: dW = x.T @ grad_out"}``). Without one, a result
            with the right number of elements is told to reshape or check its axis.
    """
    if arr.shape == shape:
        return
    cause = (shape_hints or {}).get(arr.shape)
    if cause:
        detail = f": {cause}"
    elif arr.size == math.prod(shape) and arr.size > 1:
        detail = _(" (same numbers of elements: reshape it, or check which axis you summed)")
    else:
        detail = ""
    of = _(", the shape of {name}").format(name=shape_of) if shape_of else ""
    raise Mistake(
        _("{what} has shape {got}; expected {expected}{of}{detail}").format(
            what=what, got=arr.shape, expected=shape, of=of, detail=detail
        )
    )


def expect_array(
    got: Any,
    expected: Any,
    *,
    what: str,
    at: Callable[[tuple[int, ...]], str] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hint: Hint | None = None,
    shape_of: str | None = None,
    shape_hints: Mapping[tuple[int, ...], str] | None = None,
) -> None:
    """Raise :class:`Mistake` unless ``got`` matches ``expected`` (shape, finiteness, values).

    Args:
        got: The learner's result.
        expected: The engine's.
        what: Its name in messages ("your derivative").
        at: Describes the input behind an element index ("x = 0"), for "at x = 0 ...".
        rtol, atol: The tolerance of ``np.isclose``.
        hint: ``hint(got, expected)`` may return a sentence that names the likely cause
            ("the bias correction is missing"); it is appended to the message. :func:`matching`
            makes one from the results of known slips.
        shape_of, shape_hints: For a result of the wrong shape; see :func:`expect_shape`.
    """
    exp = np.asarray(expected, dtype=np.float64)
    arr = as_array(got, what)
    expect_shape(arr, exp.shape, what=what, shape_of=shape_of, shape_hints=shape_hints)
    bad_finite = ~np.isfinite(arr) & np.isfinite(exp)
    close = np.isclose(arr, exp, rtol=rtol, atol=atol, equal_nan=True) & ~bad_finite
    if close.all():
        return
    err = np.where(close, 0.0, np.abs(np.nan_to_num(arr - exp, nan=np.inf, posinf=np.inf)))
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
    if at is not None:
        place = at(idx)
    else:
        place = _("index {index}").format(index=idx) if arr.ndim else ""
    count = int((~close).sum())
    others = (
        _(" ({count} of {total} values differ)").format(count=count, total=close.size)
        if close.size > 1
        else ""
    )
    fields = {"what": what, "got": fmt(arr[idx]), "expected": fmt(exp[idx]), "others": others}
    message = (
        _("at {place} {what} is {got}; expected {expected}{others}").format(place=place, **fields)
        if place
        else _("{what} is {got}; expected {expected}{others}").format(**fields)
    )
    extra = hint(arr, exp) if hint is not None else None
    raise Mistake(with_hint(message, extra))


def yours(function: str) -> str:
    """The learner's function ``function`` in messages: "your relu_backward"."""
    return _("your {function}").format(function=function)


def with_hint(message: str, hint: str | None) -> str:
    """``message: hint`` (the likely cause after the problem), or ``message`` alone."""
    return _("{message}: {hint}").format(message=message, hint=hint) if hint else message


def _same(a: Any, b: Any, rtol: float, atol: float) -> bool:
    """Whether ``a`` equals ``b`` (numbers, arrays, or lists of them) within the tolerance."""
    if isinstance(b, list | tuple):
        return (
            isinstance(a, list | tuple)
            and len(a) == len(b)
            and all(_same(x, y, rtol, atol) for x, y in zip(a, b, strict=True))
        )
    try:
        x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True))


def matching(
    variants: Iterable[tuple[Any, str]], *, rtol: float = 1e-6, atol: float = 1e-12
) -> Hint:
    """Return a ``hint(got, expected)`` that names the known slips whose result ``got`` is.

    Args:
        variants: Pairs of what a slip gives on this input (a number, an array, or a list of
            arrays) and the sentence that names it, in the order to name them.
        rtol, atol: When a result equals a slip's (as ``np.allclose``, same shape, NaN equal
            to NaN). Use the tolerance of the comparison the hint serves.

    The hint returns the sentence of every slip ``got`` equals, joined by "; or " (several
    slips can give the same numbers on one input), or ``None``. A slip whose result equals
    ``expected`` is no slip on this input and is skipped. It serves as :func:`expect_array`'s
    ``hint=``, and can be called directly: ``matching(slips)(value, expected)``.
    """
    variants = list(variants)

    def hint(got: Any, expected: Any) -> str | None:
        found: list[str] = []
        with np.errstate(all="ignore"):
            for value, sentence in variants:
                if sentence in found or _same(value, expected, rtol, atol):
                    continue
                if _same(got, value, rtol, atol):
                    found.append(sentence)
        return _("; or ").join(found) or None

    return hint


def unpack(
    out: Any, names: Sequence[str], what: str, *, on: str = "", why: str = ""
) -> tuple[Any, ...]:
    """Return the ``len(names)`` parts of the learner's tuple, or say what came back instead.

    Args:
        out: What the learner's function returned.
        names: The names of the parts, in order (``("dx", "dW", "db")``).
        what: How to name the function in a message ("your dense_backward").
        on: The input in words, for "...; on x = 0 it returned ...".
        why: A sentence that says why every part is needed, added when a single value came
            back ("the caller keeps buf for the next step").
    """
    n = len(names)
    if isinstance(out, list | tuple) and len(out) == n:
        return tuple(out)
    listed = ", ".join(names)
    want = (
        _("a pair ({names})").format(names=listed)
        if n == 2
        else _("the {n} arrays ({names})").format(n=n, names=listed)
    )
    if out is None:
        got = _("None (did you forget `return`?)")
    elif isinstance(out, list | tuple):
        got = _("{n} values ({parts})").format(
            n=len(out), parts=", ".join(describe(part) for part in out)
        )
    elif isinstance(out, np.ndarray):
        got = _("one ndarray of shape {shape}").format(shape=out.shape)
    else:
        got = describe(out)
    single = out is not None and not isinstance(out, list | tuple)
    end = f": {why}" if why and single else ""
    raise Mistake(
        (
            _("{what} should return {want}; on {on} it returned {got}{end}")
            if on
            else _("{what} should return {want}; it returned {got}{end}")
        ).format(what=what, want=want, on=on, got=got, end=end)
    )


def grade(ex: Exercise, answer: Any) -> Report:
    """Run ``ex``'s grader on ``answer`` and wrap the outcome in a :class:`Report`."""
    done: list[str] = []
    try:
        ex.grader(answer, done)
    except Mistake as m:
        return Report(ex.name, False, str(m), tuple(done))
    n = len(done)
    summary = _("all {n} checks passed").format(n=n) if n != 1 else _("the check passed")
    return Report(ex.name, True, summary, tuple(done))


def names_table(exercises: Sequence[Exercise]) -> str:
    """A plain-text table of exercises: name, tutorial, title (in the current language)."""
    width = max((len(e.name) for e in exercises), default=4)
    return "\n".join(f"{e.name:<{width}}  {e.tutorial}  {e.shown_title()}" for e in exercises)
