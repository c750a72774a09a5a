"""The metadata each activation states about itself is measured, not trusted: range, monotonicity,
zero-centring, smoothness, the largest derivative and the kinks. Property tests use hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradlab import activations

NAMES = activations.names()
ELEMENTWISE = [n for n in NAMES if activations.get(n).elementwise]
VECTOR = [n for n in NAMES if not activations.get(n).elementwise]
GRID = np.linspace(-100.0, 100.0, 400_001)  # step 5e-4


def _inputs(dtype: type, min_size: int = 1) -> st.SearchStrategy[np.ndarray]:
    width = 32 if dtype == np.float32 else 64
    return hnp.arrays(
        dtype, hnp.array_shapes(min_dims=1, max_dims=2, min_side=min_size, max_side=12),
        elements=st.floats(-1e4, 1e4, width=width, allow_nan=False),
    )


def _in_range(act: activations.Activation, y: np.ndarray) -> bool:
    lo, hi = act.info.output_range
    # Open bounds are reached in floating point (sigmoid(40) == 1.0), so compare closed.
    return bool(np.all((y >= lo) & (y <= hi)))


@pytest.mark.parametrize("name", [n for n in NAMES if n not in ("exponential", "glu")])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_output_stays_in_stated_range_and_dtype(name: str, dtype: type, data) -> None:
    act = activations.get(name)
    x = data.draw(_inputs(dtype))
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        y = act(x)
    assert y.dtype == dtype and y.shape == x.shape
    assert _in_range(act, y), f"{name}: {y.min()} .. {y.max()} outside {act.info.range_text}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_glu_and_exponential_ranges(dtype: type, data) -> None:
    x = data.draw(_inputs(dtype))
    glu_in = np.concatenate([x, x[..., ::-1]], axis=-1)
    assert activations.glu(glu_in).shape[-1] == x.shape[-1]
    small = np.clip(x, -80, 80)
    assert np.all(activations.exponential(small) >= 0)


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if activations.get(n).info.monotonic])
@settings(max_examples=60, deadline=None)
@given(x=hnp.arrays(np.float64, st.integers(2, 50), elements=st.floats(-1e4, 1e4)))
def test_monotonic_where_claimed(name: str, x: np.ndarray) -> None:
    x = np.sort(x)
    y = activations.get(name)(x) if name != "exponential" else np.exp(np.minimum(x, 700))
    assert np.all(np.diff(y) >= 0)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_monotonic_claim_is_exact_both_ways(name: str) -> None:
    """A function claimed non-monotonic must decrease somewhere on the grid, and vice versa."""
    act = activations.get(name)
    x = GRID[np.abs(GRID) < 20]
    decreases = bool(np.any(np.diff(act(x)) < 0))
    assert decreases == (not act.info.monotonic)


def _mean_to_std(name: str) -> float:
    act = activations.get(name)
    z = np.random.default_rng(0).standard_normal(400_000)
    if not act.elementwise:
        z = z.reshape(-1, 8)
    y = act(z)
    return abs(float(y.mean())) / float(y.std())


@pytest.mark.parametrize("name", NAMES)
def test_zero_centered_claim_is_measured(name: str) -> None:
    """Zero-centred means: for N(0, 1) input, |mean| <= 0.1 std of the output."""
    ratio = _mean_to_std(name)
    assert (ratio <= 0.1) == activations.get(name).info.zero_centered, f"mean/std = {ratio:.3f}"


@settings(max_examples=40, deadline=None)
@given(x=hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(-50, 50)))
def test_odd_zero_centered_functions_are_odd(x: np.ndarray) -> None:
    for name in ("tanh", "softsign", "tanh_shrink", "soft_shrink", "hard_shrink", "linear"):
        act = activations.get(name)
        np.testing.assert_allclose(act(-x), -act(x), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_largest_derivative_is_as_stated(name: str) -> None:
    act = activations.get(name)
    info = act.info
    with np.errstate(over="ignore"):
        d = np.abs(act.derivative(GRID))
    if math.isinf(info.max_abs_derivative):
        assert d.max() > 1e20
        return
    assert d.max() == pytest.approx(info.max_abs_derivative, rel=1e-3, abs=1e-12)
    assert d.max() <= info.max_abs_derivative * (1 + 1e-9)
    if info.max_abs_derivative_x is not None:
        at = abs(float(act.derivative(info.max_abs_derivative_x)))
        assert at == pytest.approx(info.max_abs_derivative, rel=1e-9)


def test_sigmoid_derivative_peaks_at_a_quarter_not_point_three() -> None:
    d = activations.get("sigmoid").derivative(GRID)
    assert float(d.max()) == 0.25 and float(GRID[np.argmax(d)]) == 0.0
    assert float(activations.get("tanh").derivative(GRID).max()) == 1.0


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_kinks_are_where_the_derivative_jumps(name: str) -> None:
    act = activations.get(name)
    info = act.info
    eps = 1e-7
    for k in info.kinks:
        assert float(act.derivative(k.x)) == k.derivative
        assert float(act.derivative(k.x - eps)) == pytest.approx(k.left, abs=1e-6)
        assert float(act.derivative(k.x + eps)) == pytest.approx(k.right, abs=1e-6)
        assert (k.left != k.right) or k.jump
        gap = abs(float(act(k.x + eps)) - float(act(k.x - eps)))
        assert (gap > 1e-3) == k.jump
    # Away from the stated kinks the derivative is continuous: on a fine grid, neighbouring
    # values differ by no more than the curvature allows.
    x = GRID[np.abs(GRID) < 10]
    for k in info.kinks:
        x = x[np.abs(x - k.x) > 2e-3]
    d = act.derivative(x)
    jumps = np.abs(np.diff(d)) / np.maximum(1.0, np.abs(d[1:])) * (np.diff(x) < 1e-3)
    assert jumps.max() < 0.01, f"{name}: derivative jumps near x = {x[np.argmax(jumps)]}"
    assert info.smooth == (not info.kinks)


@pytest.mark.parametrize("name", VECTOR)
def test_vector_activation_metadata(name: str) -> None:
    info = activations.get(name).info
    assert info.monotonic is None and not info.elementwise and info.kinks == ()
    jac = activations.get(name).jacobian(np.random.default_rng(1).normal(0, 2, size=8))
    assert np.abs(jac).max() <= info.max_abs_derivative


@pytest.mark.parametrize("name", NAMES)
def test_every_record_is_complete(name: str) -> None:
    info = activations.get(name).info
    assert info.formula and info.derivative_formula and len(info.notes) > 40
    assert info.range_text[0] in "([" and info.range_text[-1] in ")]"
    assert info.max_abs_derivative_at
    doc = type(activations.get(name)).__doc__ or ""
    assert len(doc) > 40
    if info.kinks:  # the derivative used at the kinks, and whose convention it is, is stated
        assert "derivative" in doc.lower() and "pytorch" in doc.lower(), name
