"""Exercises that gradlab grades: write a piece of the engine yourself and have it checked.

Each tutorial notebook ends with tasks such as "write ReLU's backward pass" or "one Adam step
with bias correction". :func:`check` grades an answer against the engine (and, for gradients,
against central differences) and says precisely what is wrong, never just pass or fail::

    >>> import numpy as np
    >>> from gradlab import exercises
    >>> def relu_backward(x, grad_out):
    ...     return grad_out * (x >= 0)          # a common slip: the derivative at 0
    >>> print(exercises.check("relu_backward", relu_backward))  # doctest: +ELLIPSIS
    relu_backward: not yet
      at x = 0 your gradient is 1; expected 0...

:func:`show` prints a task, :func:`names` lists them all and :func:`solution` gives the
reference answer (kept in :mod:`gradlab.exercises.solutions`, apart from the notebooks).
"""

from __future__ import annotations

import inspect
from typing import Any

from ..i18n import _
from . import activations, backprop, dying_relu, gradients, nonlinearity, optimizers, outputs
from ._core import Exercise, Mistake, Report, grade, registry

__all__ = ["Exercise", "Mistake", "Report", "check", "get", "names", "show", "solution"]

_TOPICS = (nonlinearity, activations, backprop, outputs, gradients, dying_relu, optimizers)


def names(tutorial: int | None = None) -> list[str]:
    """Return the exercise names, in tutorial order (only tutorial ``tutorial``'s if given)."""
    found = sorted(registry.values(), key=lambda e: e.tutorial)
    return [e.name for e in found if tutorial is None or e.tutorial == tutorial]


def get(name: str) -> Exercise:
    """Return exercise ``name``.

    Raises:
        KeyError: for an unknown name; the message lists the known ones.
    """
    if not isinstance(name, str) or name not in registry:
        raise KeyError(
            _("no exercise {name}; known: {known}").format(
                name=repr(name), known=", ".join(names())
            )
        )
    return registry[name]


def show(name: str) -> Exercise:
    """Return exercise ``name``; it displays as its task in a notebook and prints as text, in
    the current language (:func:`gradlab.i18n.set_language`)."""
    return get(name)


def check(name: str, answer: Any) -> Report:
    """Grade ``answer`` to exercise ``name`` and return a :class:`Report`.

    The report displays in a notebook (and prints) as "correct" with the checks that passed, or
    "not yet" with the first problem found: the input, what your code gave and what was
    expected. Errors and NumPy warnings raised by your code are reported, not raised.

    Raises:
        KeyError: for an unknown exercise name.
    """
    return grade(get(name), answer)


def solution(name: str) -> str:
    """Return the source code of the reference answer to exercise ``name``."""
    return inspect.getsource(get(name).load_solution())
