"""Exercises of tutorial 2: activation functions and their derivatives."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations
from ._core import call, exercise, expect_array, fmt

SOLUTIONS = "gradlab.exercises.solutions.activations"


@exercise(
    "relu_backward",
    title="ReLU's backward pass, with the derivative at 0",
    tutorial=2,
    signature="relu_backward(x, grad_out) -> grad_in",
    solution=f"{SOLUTIONS}:relu_backward",
)
def _relu_backward(answer: Any, done: list[str]) -> None:
    r"""Write the backward pass of $f(x) = \max(x, 0)$: given the input `x` and the gradient
    `grad_out` $= \partial L/\partial f$ (same shape), return $\partial L/\partial x$.

    ReLU has a kink at 0 where it has no derivative; the convention here, as in PyTorch, is
    $f'(0) = 0$.
    """
    relu = activations.get("relu")
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    ones = np.ones_like(x)
    got = call(answer, x, ones, what="your relu_backward", on=f"x = {fmt(x)}")
    expect_array(
        got,
        relu.vjp(x, ones),
        what="your gradient",
        at=lambda i: f"x = {fmt(x[i])}",
        hint=_relu_hint(x),
    )
    done.append("the derivative is 0 for x < 0, 0 at x = 0 and 1 for x > 0")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    g = rng.normal(size=(4, 3))
    got = call(answer, x, g, what="your relu_backward", on="a 4 x 3 batch")
    expect_array(
        got,
        relu.vjp(x, g),
        what="your gradient",
        at=lambda i: f"x = {fmt(x[i])}, grad_out = {fmt(g[i])}",
        hint=lambda a, e: (
            "multiply the derivative by grad_out (the chain rule)"
            if np.allclose(a, (x > 0) * 1.0)
            else None
        ),
    )
    done.append("grad_out is multiplied elementwise (the chain rule), on a 4 x 3 batch")


def _relu_hint(x: np.ndarray) -> Any:
    def hint(got: np.ndarray, expected: np.ndarray) -> str | None:
        if got.shape == x.shape and got[x == 0] == 1 and np.allclose(got[x != 0], expected[x != 0]):
            return "the convention here and in PyTorch is f'(0) = 0 (use x > 0, not x >= 0)"
        if np.allclose(got, np.maximum(x, 0)):
            return "that is ReLU itself, not its derivative times grad_out"
        return None

    return hint
