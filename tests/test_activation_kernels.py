"""The float32 kernels behind the fast activation paths: accuracy against float64 SciPy, special
values, and agreement between the derivative computed from ``x`` alone and from ``(x, y)``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from gradlab import activations
from gradlab.activations.smooth import erf_scaled_float32

ERF_ULP_BOUND = 5.1  # measured over every float32 in [0, 7): 5.01 ulp at x = 0.0783


def _float32_range(lo: float, hi: float, step: int) -> np.ndarray:
    """Every ``step``-th float32 in ``[lo, hi)`` (0 <= lo < hi), in order of their bits."""
    a, b = np.array([lo, hi], np.float32).view(np.int32)
    return np.arange(a, b, step, dtype=np.int32).view(np.float32)


def _ulp_error(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|got - ref| in units of the float32 spacing at the float32-rounded reference."""
    spacing = np.spacing(np.abs(ref.astype(np.float32))).astype(np.float64)
    return np.abs(got.astype(np.float64) - ref) / np.maximum(spacing, 2.0**-149)


def _erf_ref(x: np.ndarray) -> np.ndarray:
    return special.erf(x.astype(np.float64) / math.sqrt(2.0))


def test_erf_float32_is_within_its_ulp_bound_on_a_dense_grid() -> None:
    # Every 101st float32 in [0, 7) (10.8 million values, tiny and subnormal ones included),
    # plus every float32 around the worst point found by the exhaustive run.
    x = np.concatenate([_float32_range(0.0, 7.0, 101), _float32_range(0.0780, 0.0786, 1)])
    err = _ulp_error(erf_scaled_float32(x), _erf_ref(x))
    assert err.max() <= ERF_ULP_BOUND, (err.max(), x[err.argmax()])
    assert err.max() > 4.0  # the bound is tight: the worst point is in the grid
    assert err[x > 1e-3].mean() < 1.0


def test_erf_float32_is_odd_and_saturates_exactly() -> None:
    x = _float32_range(0.0, 8.0, 997)
    np.testing.assert_array_equal(erf_scaled_float32(-x), -erf_scaled_float32(x))
    big = np.array([6.0, 7.5, 30.0, 1e4, 1e20, 1e35, 3.4e38, np.inf], np.float32)
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        np.testing.assert_array_equal(erf_scaled_float32(big), np.ones_like(big))
        np.testing.assert_array_equal(erf_scaled_float32(-big), -np.ones_like(big))
        tiny = erf_scaled_float32(np.array([0.0, -0.0, 1e-45, -1e-45, 1e-30], np.float32))
    assert tiny.dtype == np.float32
    np.testing.assert_array_equal(np.signbit(tiny), [False, True, False, True, False])
    # erf(x/√2) = x √(2/π) near 0: the smallest subnormal stays itself
    np.testing.assert_array_equal(tiny, np.float32([0.0, 0.0, 1e-45, -1e-45, 1e-30 * 0.7978846]))
    assert np.isnan(erf_scaled_float32(np.array([np.nan], np.float32))).all()


def _gelu_ref(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x64 = x.astype(np.float64)
    cdf = special.ndtr(x64)
    return x64 * cdf, cdf + x64 * np.exp(-0.5 * x64 * x64) / math.sqrt(2.0 * math.pi)


def test_gelu_float32_stays_at_float32_precision() -> None:
    pos = _float32_range(1e-30, 8.0, 101)
    x = np.concatenate([-pos[::-1], pos])
    act = activations.get("gelu")
    y = act(x)
    assert y.dtype == np.float32
    ref, dref = _gelu_ref(x)
    # Absolute error: a few float32 ulps of the largest terms (x Φ cancels for x < 0, in float64
    # and torch alike; torch's float32 gelu is off by up to 1.3e-6 on this grid).
    assert np.abs(y - ref).max() < 6e-7
    for d in (act.derivative(x), act.derivative(x, y)):
        assert d.dtype == np.float32
        assert np.abs(d - dref).max() < 3e-7
    core = np.abs(x) <= 1.0  # relative error where nothing cancels
    assert _ulp_error(y[core], ref[core]).max() < 6.0


def test_gelu_float32_derivative_from_the_output_matches_the_plain_one() -> None:
    act = activations.get("gelu")
    x = np.concatenate([
        np.random.default_rng(0).normal(0.0, 3.0, 20_000),
        [0.0, -0.0, 1e-45, -1e-45, 1e-38, -1e-38, 1e-20, -1e-20, 2.0**-26, -(2.0**-26),
         1e-7, -1e-7, 0.999, 1.0, 1.001, -1.0, -5.9, -6.0, -7.0, 6.0, 40.0, -40.0,
         1e4, -1e4, 1e30, -1e30, 3.4e38, -3.4e38],
    ]).astype(np.float32)  # fmt: skip
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        y = act(x)
        from_y, plain = act.derivative(x, y), act.derivative(x)
    # Φ + x φ cancels near x = -0.75: there the two differ by an ulp of Φ, absolutely
    np.testing.assert_allclose(from_y, plain, rtol=3e-7, atol=6e-8)
    tiny = np.abs(x) < 1e-7
    np.testing.assert_array_equal(from_y[tiny], 0.5)
    np.testing.assert_array_equal(from_y[x >= 6.0], 1.0)
    assert np.all(np.abs(from_y[x <= -40.0]) < 1e-30)


def test_gelu_float64_keeps_the_scipy_path_bit_for_bit() -> None:
    x = np.random.default_rng(1).normal(0.0, 3.0, 5_000)
    act = activations.get("gelu")
    cdf = special.ndtr(x)
    np.testing.assert_array_equal(act(x), (cdf * x))
    pdf = np.exp(-0.5 * x * x) * (1.0 / math.sqrt(2.0 * math.pi)) * x
    np.testing.assert_array_equal(act.derivative(x, act(x)), cdf + pdf)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_has_no_warnings_for_huge_inputs(dtype: type) -> None:
    big = np.finfo(dtype).max / 2
    x = np.array([-big, -1e4, -6.0, 0.0, 6.0, 1e4, big], dtype)
    act = activations.get("gelu")
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        y = act(x)
        d = act.derivative(x, y)
        d_plain = act.derivative(x)
    np.testing.assert_array_equal(y[x >= 1e4], x[x >= 1e4])
    np.testing.assert_array_equal(d_plain, [0.0, 0.0, d_plain[2], 0.5, d_plain[4], 1.0, 1.0])
    np.testing.assert_allclose(d, d_plain, rtol=1e-6, atol=1e-30)
