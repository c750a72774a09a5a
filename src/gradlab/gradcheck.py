"""Check analytic gradients against central differences, in float64.

For every array ``a`` that the analytic backward differentiates (each parameter, and the
input), each element is nudged both ways and the scalar objective recomputed::

    ∂L/∂a_i ≈ (L(a_i + ε) - L(a_i - ε)) / ((a_i + ε) - (a_i - ε))

(the denominator is the step actually taken in floating point, slightly more accurate than
``2ε``). The agreement is reported per array as one relative error,

    rel = ‖num - ana‖₂ / max(‖num‖₂ + ‖ana‖₂, floor)

which is 0 for a perfect match, about 1 when the two are unrelated and exactly 1 when one of
them is zero and the other is not. Taking norms of whole arrays (rather than dividing element
by element) keeps tiny individual gradients from inflating the error. With ``ε = 1e-6`` in
float64 a correct backward typically gives ``rel < 1e-8``; a missing factor gives ``rel`` of
order 0.1-1.

What is differentiated:

* **Layer** — ``gradcheck(layer, x)``: ``L = Σ R ⊙ layer.forward(x, training=True)`` with a
  fixed random upstream gradient ``R ~ N(0, 1)`` drawn from ``np.random.default_rng([seed, 1])``,
  so every output element counts with its own weight (``.sum()`` would hide errors that
  cancel). Analytic: ``backward(R)``. An unbuilt layer is built in float64 with
  ``np.random.default_rng(seed)``.
  Keys: every name in ``layer.params``, and ``"x"`` for the input.
* **Loss** — ``gradcheck(loss, y_pred, y_true)``: ``L = loss.forward(y_pred, y_true)``,
  analytic ``loss.backward()``. Key: ``"y_pred"``. Any object with ``forward(y_pred, y_true)
  -> float`` and ``backward() -> ∂L/∂y_pred`` qualifies.
* **Model** — ``gradcheck(model, X, y)``: ``L`` = the compiled loss of a float64
  :class:`~gradlab.Sequential` on ``(X, y)`` in training mode (fused with the last activation
  exactly as ``fit`` does); analytic: ``model.compute_gradients``. Keys ``"<i>.<param>"``, e.g.
  ``"0.W"``, ``"1.gamma"``.

Determinism: the numeric forwards must compute the same function as the analytic one. Layers
in training mode are deterministic except for their random draws (Dropout's mask, an RReLU
activation's slopes). Before every forward the check rewinds every ``np.random.Generator`` the
layer holds (found among its attributes and theirs) to its state before the analytic forward,
so each forward draws the very same mask or slopes: the mask is held fixed without knowing
which layer draws it (a mask pinned with ``Dropout.set_mask`` is simply used as is). Afterwards
the generators are left as after one forward, BatchNorm's running statistics (which every
training forward updates) are restored, parameters are exactly as before, ``layer.grads``
holds the analytic gradients and the cache is cleared.

>>> import numpy as np
>>> from gradlab import layers
>>> from gradlab.gradcheck import gradcheck
>>> x = np.random.default_rng(0).normal(size=(4, 2))
>>> errs = gradcheck(layers.Dense(3, activation="tanh"), x)
>>> sorted(errs), max(errs.values()) < 1e-8
(['W', 'b', 'x'], True)
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import check_number
from .layers.base import Layer

__all__ = ["gradcheck", "numerical_gradient", "relative_error"]

F64 = NDArray[np.float64]


def relative_error(numeric: ArrayLike, analytic: ArrayLike, floor: float = 1e-12) -> float:
    """Return ``‖num - ana‖ / max(‖num‖ + ‖ana‖, floor)`` (2-norms over all elements).

    Raises:
        ValueError: if the shapes differ.
    """
    num = np.asarray(numeric, dtype=np.float64)
    ana = np.asarray(analytic, dtype=np.float64)
    if num.shape != ana.shape:
        raise ValueError(f"gradient shapes differ: numeric {num.shape}, analytic {ana.shape}")
    scale = max(float(np.linalg.norm(num) + np.linalg.norm(ana)), floor)
    return float(np.linalg.norm(num - ana)) / scale


def numerical_gradient(f: Callable[[], float], a: F64, eps: float = 1e-6) -> F64:
    """Return ``∂f/∂a`` by central differences, nudging ``a`` in place (restored exactly).

    Args:
        f: A function of no arguments that reads ``a`` and returns a scalar.
        a: A float64 array that ``f`` reads (a parameter, or a copy of an input).
        eps: The step.
    """
    if not isinstance(a, np.ndarray) or a.dtype != np.float64:
        got = a.dtype if isinstance(a, np.ndarray) else type(a).__name__
        raise TypeError(f"numerical_gradient needs a float64 array to nudge, got {got}")
    grad = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        old = a[idx]
        a[idx] = old + eps
        up_step, f_up = a[idx], float(f())
        a[idx] = old - eps
        down_step, f_down = a[idx], float(f())
        a[idx] = old
        grad[idx] = (f_up - f_down) / (up_step - down_step)
    return grad


def _upstream_rng(seed: int) -> np.random.Generator:
    """Return the generator of the upstream gradient ``R``: its own stream, ``(seed, 1)``.

    Not ``default_rng(seed)`` itself: a test that draws ``x`` from ``default_rng(0)`` would then
    get ``R = x``, and for BatchNorm ``Σ x ⊙ x̂(x)`` is almost flat in ``x`` (its gradient is
    ~1e-5), so rounding noise would dominate the relative error.
    """
    return np.random.default_rng([seed, 1])


@functools.singledispatch
def gradcheck(
    obj: Any, *inputs: Any, eps: float = 1e-6, seed: int = 0, floor: float = 1e-12
) -> dict[str, float]:
    """Return the relative error of ``obj``'s analytic gradients, per differentiated array.

    ``gradcheck(layer, x)`` checks a :class:`~gradlab.layers.Layer` (keys: its params and
    ``"x"``); ``gradcheck(loss, y_pred, y_true)`` checks a loss (key ``"y_pred"``);
    ``gradcheck(model, X, y)`` checks a whole compiled float64 model (keys ``"0.W"``, ...). See the
    module docstring for the objective, the error formula and how randomness is held fixed.

    Args:
        obj: A layer, a loss or a compiled model.
        inputs: ``x`` for a layer; ``y_pred, y_true`` for a loss; ``X, y`` for a model.
            Inputs are copied to float64.
        eps: Central-difference step (default 1e-6).
        seed: Seeds the upstream gradient ``R`` and, for an unbuilt layer, its parameters.
        floor: Smallest denominator of the relative error (default 1e-12).

    Raises:
        TypeError: for a layer built in float32 (central differences need float64: build it
            with ``dtype="float64"``, or pass it unbuilt), or an object that is neither.
    """
    # Models and losses are recognised by duck typing, so this module needs no import of them.
    eps = check_number(eps, "gradcheck: eps", low=0.0, high=1.0, low_open=True, high_open=True)
    if hasattr(obj, "layers") and hasattr(obj, "compute_gradients"):
        return _gradcheck_model(obj, *inputs, eps=eps, floor=floor)
    if callable(getattr(obj, "forward", None)) and callable(getattr(obj, "backward", None)):
        return _gradcheck_loss(obj, *inputs, eps=eps, floor=floor)
    raise TypeError(
        f"gradcheck expects a Layer, a loss (forward(y_pred, y_true) and backward()) or a "
        f"compiled Sequential, "
        f"got {type(obj).__name__}"
    )


def _gradcheck_loss(loss: Any, *inputs: Any, eps: float, floor: float) -> dict[str, float]:
    if len(inputs) != 2:
        raise TypeError(f"gradcheck(loss, y_pred, y_true) takes 2 inputs, got {len(inputs)}")
    y_pred = np.array(inputs[0], dtype=np.float64)
    y_true = inputs[1]
    loss.forward(y_pred, y_true)
    analytic = np.array(loss.backward(), dtype=np.float64)
    numeric = numerical_gradient(lambda: loss.forward(y_pred, y_true), y_pred, eps)
    return {"y_pred": relative_error(numeric, analytic, floor)}


@gradcheck.register(Layer)
def _gradcheck_layer(
    layer: Layer, *inputs: Any, eps: float = 1e-6, seed: int = 0, floor: float = 1e-12
) -> dict[str, float]:
    eps = check_number(eps, "gradcheck: eps", low=0.0, high=1.0, low_open=True, high_open=True)
    if len(inputs) != 1:
        raise TypeError(f"gradcheck(layer, x) takes one input batch x, got {len(inputs)} inputs")
    x = np.array(inputs[0], dtype=np.float64)  # a copy: it is nudged in place
    if x.ndim != 2:
        raise ValueError(f"gradcheck: x must be a 2-D batch (batch, features), got {x.shape}")
    if not layer.built:
        layer.build(x.shape[1], rng=np.random.default_rng(seed), dtype="float64")
    elif layer.dtype != np.float64:
        raise TypeError(
            f"gradcheck: {layer.describe()} is built in {layer.dtype}; central differences "
            "need float64 (build it with dtype='float64', or pass it unbuilt)"
        )
    needs_input_grad = layer.needs_input_grad
    buffers = {k: v.copy() for k, v in layer.buffers.items()}
    layer.needs_input_grad = True
    try:
        with _replayed_randomness(layer) as replay:
            y = layer.forward(x, training=True)
            upstream = _upstream_rng(seed).standard_normal(y.shape)
            dx = layer.backward(upstream)
            analytic = {k: layer.grads[k].copy() for k in layer.params}
            analytic["x"] = dx

            def objective() -> float:
                replay()
                return float(np.vdot(upstream, layer.forward(x, training=True)))

            errors = {
                k: relative_error(numerical_gradient(objective, p, eps), analytic[k], floor)
                for k, p in layer.params.items()
            }
            errors["x"] = relative_error(numerical_gradient(objective, x, eps), dx, floor)
    finally:
        layer.needs_input_grad = needs_input_grad
        for k, v in buffers.items():
            layer.buffers[k][...] = v
        layer.clear_cache()
    for k, v in analytic.items():
        if k in layer.grads:
            layer.grads[k][...] = v
    return errors


def _gradcheck_model(model: Any, *inputs: Any, eps: float, floor: float) -> dict[str, float]:
    if len(inputs) != 2:
        raise TypeError(f"gradcheck(model, X, y) takes 2 inputs, got {len(inputs)}")
    if not model.built or model.dtype != np.float64:
        raise TypeError(
            "gradcheck: the model must be built in float64 (Sequential(..., input_dim=...,"
            f" dtype='float64')); got {'an unbuilt model' if not model.built else model.dtype}"
        )
    X = np.array(inputs[0], dtype=np.float64)
    y = np.asarray(inputs[1])
    layers = model.layers
    buffers = [{k: v.copy() for k, v in layer.buffers.items()} for layer in layers]
    first_needs = layers[0].needs_input_grad
    try:
        with _replayed_randomness(*layers) as replay:
            model.compute_gradients(X, y)
            analytic = {
                f"{i}.{k}": layer.grads[k].copy()
                for i, layer in enumerate(layers)
                for k in layer.params
            }

            def objective() -> float:
                replay()
                return float(model.loss.forward(model.forward(X, True, logits=model.fused), y))

            errors = {
                f"{i}.{k}": relative_error(
                    numerical_gradient(objective, p, eps), analytic[f"{i}.{k}"], floor
                )
                for i, layer in enumerate(layers)
                for k, p in layer.params.items()
            }
    finally:
        layers[0].needs_input_grad = first_needs
        for layer, saved in zip(layers, buffers, strict=True):
            for k, v in saved.items():
                layer.buffers[k][...] = v
            layer.clear_cache()
    return errors


def _generators(obj: Any) -> list[np.random.Generator]:
    """Return the generators held by ``obj`` or by its attributes' attributes (one level)."""
    found: dict[int, np.random.Generator] = {}
    for value in vars(obj).values():
        if isinstance(value, np.random.Generator):
            found[id(value)] = value
        elif hasattr(value, "__dict__") and not isinstance(value, type):
            for inner in vars(value).values():
                if isinstance(inner, np.random.Generator):
                    found[id(inner)] = inner
    return list(found.values())


@contextlib.contextmanager
def _replayed_randomness(*layers: Layer) -> Iterator[Callable[[], None]]:
    """Yield a function that rewinds every generator of ``layers`` to its state on entry.

    On exit the generators are left as after the first forward (one draw, not hundreds).
    """
    gens = list({id(g): g for layer in layers for g in _generators(layer)}.values())
    start = [g.bit_generator.state for g in gens]
    after_first: list[dict[str, Any]] = []

    def replay() -> None:
        if not after_first:
            after_first.extend(g.bit_generator.state for g in gens)
        for g, s in zip(gens, start, strict=True):
            g.bit_generator.state = s

    try:
        yield replay
    finally:
        for g, s in zip(gens, after_first, strict=False):  # empty if no forward was replayed
            g.bit_generator.state = s
