"""The machinery of the exercises: a registry, the grader's tools, and the report it returns.

A grader is a function of the learner's answer that raises :class:`Mistake` with a precise
sentence at the first thing that is wrong. The tools here turn the usual ways an answer goes
wrong into such sentences:

* :func:`call` runs the learner's code and turns an exception or a NumPy warning (overflow,
  invalid value) into a sentence that names the input;
* :func:`expect_array` compares a result with the engine's, element by element, and names the
  input at the worst element ("at x = 0 your derivative is 1; expected 0").

A grader has the signature ``grader(answer, done)``: it appends a short description of each
check to the list ``done`` as the check passes, so a report shows what already holds.
"""

from __future__ import annotations

import html
import importlib
import inspect
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "Exercise",
    "Mistake",
    "Report",
    "call",
    "exercise",
    "expect_array",
    "fmt",
    "registry",
]


#: ``grader(answer, done)``: see the module docstring.
Grader = Callable[[Any, list[str]], None]


class Mistake(Exception):
    """What is wrong with an answer, in one or two sentences a learner can act on."""


@dataclass(frozen=True)
class Exercise:
    """One task: what to write, how it is graded and where its solution lives.

    Attributes:
        name: The key of :func:`gradlab.exercises.check` (``"relu_backward"``).
        title: A short title.
        tutorial: The number of the tutorial notebook it belongs to (1-7).
        signature: What to write, as a Python signature.
        task: The statement (Markdown, may hold ``$...$`` math).
        grader: ``grader(answer, done)``; appends each check that passes to ``done``, raises
            :class:`Mistake` at the first that fails.
        solution: ``"module:attribute"`` of the reference answer, in
            :mod:`gradlab.exercises.solutions`.
    """

    name: str
    title: str
    tutorial: int
    signature: str
    task: str
    grader: Grader = field(repr=False)
    solution: str = field(repr=False)

    def load_solution(self) -> Any:
        """Return the reference answer (imported on demand)."""
        module, _, attr = self.solution.partition(":")
        return getattr(importlib.import_module(module), attr)

    def _repr_markdown_(self) -> str:
        return f"**{self.name}** — {self.title}\n\n`{self.signature}`\n\n{self.task}"

    def __str__(self) -> str:
        return f"{self.name}: {self.title}\n  {self.signature}\n\n{self.task}"


#: Every exercise by name, filled by the :func:`exercise` decorator as the topic modules load.
registry: dict[str, Exercise] = {}


def exercise(
    name: str, *, title: str, tutorial: int, signature: str, solution: str
) -> Callable[[Grader], Grader]:
    """Register the decorated grader as exercise ``name``; its docstring is the task."""

    def register(grader: Grader) -> Grader:
        if name in registry:
            raise ValueError(f"exercise {name!r} is registered twice")
        task = inspect.cleandoc(grader.__doc__ or "")
        registry[name] = Exercise(name, title, tutorial, signature, task, grader, solution)
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
        head = f"{self.name}: {'correct' if self.passed else 'not yet'}"
        lines = [head, f"  {self.message}"]
        if self.passed:
            lines += [f"  ✓ {c}" for c in self.checks]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        color, badge = ("#1a7f37", "correct") if self.passed else ("#b35900", "not yet")
        items = "".join(f"<li>✓ {html.escape(c)}</li>" for c in self.checks)
        checks = f"<ul style='margin:4px 0 0 0'>{items}</ul>" if items else ""
        return (
            f"<div style='border-left:4px solid {color};padding:4px 10px'>"
            f"<b>{html.escape(self.name)}</b> "
            f"<span style='color:#fff;background:{color};border-radius:3px;padding:0 6px'>"
            f"{badge}</span><div>{html.escape(self.message)}</div>{checks}</div>"
        )


def fmt(value: Any) -> str:
    """Format a number or a small array for a message: 4 significant digits, lists for arrays."""
    arr = np.asarray(value)
    if arr.ndim == 0:
        v = arr.item()
        return f"{v:.4g}" if isinstance(v, float) else repr(v)
    if arr.size > 8:
        return f"an array of shape {arr.shape}"

    def nested(a: np.ndarray) -> str:
        if a.ndim == 0:
            v = a.item()
            return f"{v:.4g}" if isinstance(v, float) else repr(v)
        return "[" + ", ".join(nested(row) for row in a) + "]"

    return nested(arr)


def call(fn: Any, *args: Any, what: str, on: str = "", warn: bool = True) -> Any:
    """Call the learner's ``fn(*args)``; turn what goes wrong into a :class:`Mistake`.

    Args:
        fn: The learner's function.
        args: Its arguments (copies are passed, so an answer that writes into its input cannot
            spoil the next check).
        what: How to name the call in a message ("your sigmoid_backward").
        on: The input in words, for messages ("x = [1010, 1000, 990]").
        warn: Treat a NumPy floating-point warning (overflow, invalid value, division by zero)
            as a mistake.
    """
    if not callable(fn):
        raise Mistake(f"expected a function for {what}, got {type(fn).__name__} {fn!r:.60}")
    where = f" on {on}" if on else ""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        try:
            out = fn(*copies)
        except NotImplementedError:
            raise Mistake(
                f"{what} is not written yet: replace `raise NotImplementedError` with your code"
            ) from None
        except Mistake:
            raise
        except Exception as exc:  # the learner's code failed: say where, in their terms
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            line = f" (line {frame.lineno}: {frame.line})" if frame.line else ""
            raise Mistake(f"{what}{where} raised {type(exc).__name__}: {exc}{line}") from None
    numeric = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    if warn and numeric:
        raise Mistake(f"{what}{where} warned: {numeric[0].message}")
    return out


def _as_float_array(value: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mistake(
            f"{what} should be an array of numbers, got {type(value).__name__} {value!r:.60}"
        ) from None
    return arr


def expect_array(
    got: Any,
    expected: Any,
    *,
    what: str,
    at: Callable[[tuple[int, ...]], str] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hint: Callable[[np.ndarray, np.ndarray], str | None] | None = None,
) -> None:
    """Raise :class:`Mistake` unless ``got`` matches ``expected`` (shape, finiteness, values).

    Args:
        got: The learner's result.
        expected: The engine's.
        what: Its name in messages ("your derivative").
        at: Describes the input behind an element index ("x = 0"), for "at x = 0 ...".
        rtol, atol: The tolerance of ``np.isclose``.
        hint: ``hint(got, expected)`` may return a sentence that names the likely cause
            ("the bias correction is missing"); it is appended to the message.
    """
    exp = np.asarray(expected, dtype=np.float64)
    arr = _as_float_array(got, what)
    if arr.shape != exp.shape:
        if arr.size == exp.size and arr.size > 1:
            detail = " (same numbers of elements: reshape it, or check which axis you summed)"
        else:
            detail = ""
        raise Mistake(f"{what} has shape {arr.shape}; expected {exp.shape}{detail}")
    bad_finite = ~np.isfinite(arr) & np.isfinite(exp)
    close = np.isclose(arr, exp, rtol=rtol, atol=atol, equal_nan=True) & ~bad_finite
    if close.all():
        return
    err = np.where(close, 0.0, np.abs(np.nan_to_num(arr - exp, nan=np.inf, posinf=np.inf)))
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
    place = f"at {at(idx)} " if at is not None else (f"at index {idx} " if arr.ndim else "")
    count = int((~close).sum())
    others = f" ({count} of {close.size} values differ)" if close.size > 1 else ""
    message = f"{place}{what} is {fmt(arr[idx])}; expected {fmt(exp[idx])}{others}"
    extra = hint(arr, exp) if hint is not None else None
    raise Mistake(message + (f": {extra}" if extra else ""))


def grade(ex: Exercise, answer: Any) -> Report:
    """Run ``ex``'s grader on ``answer`` and wrap the outcome in a :class:`Report`."""
    done: list[str] = []
    try:
        ex.grader(answer, done)
    except Mistake as m:
        return Report(ex.name, False, str(m), tuple(done))
    n = len(done)
    summary = f"all {n} checks passed" if n != 1 else "the check passed"
    return Report(ex.name, True, summary, tuple(done))


def names_table(exercises: Sequence[Exercise]) -> str:
    """A plain-text table of exercises: name, tutorial, title."""
    width = max((len(e.name) for e in exercises), default=4)
    return "\n".join(f"{e.name:<{width}}  {e.tutorial}  {e.title}" for e in exercises)
