"""Relative accuracy of the activations whose textbook formulas cancel or overflow, against
60-digit references (mpmath), and the exact blend (``select``) the kernels build on.

Errors are measured in ulps of the dtype under test: ``|got - ref| / spacing(ref)``, with the
reference rounded to that dtype for the spacing (so subnormal results are held to their own,
coarser, spacing). Bounds sit about one ulp above the worst value measured on this machine
with and without NumPy's AVX kernels (``NPY_DISABLE_CPU_FEATURES``).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from gradlab import activations
from gradlab.activations.base import select

DTYPES = [np.float32, np.float64]


def _ulps(got: np.ndarray, ref: np.ndarray, dtype: type) -> np.ndarray:
    with np.errstate(over="ignore"):
        spacing = np.spacing(np.abs(ref.astype(dtype))).astype(np.float64)
    return np.abs(got.astype(np.float64) - ref) / spacing


def _digits(x: float) -> int:
    """Working precision for x - tanh x and friends: the cancellation eats 2 |log10 x| digits."""
    return 40 + int(max(0.0, -2.0 * math.log10(abs(x)))) if x else 40


# ---- select: the exact blend ------------------------------------------------------------------

SPECIALS = [-np.inf, -1e30, -1.5, -0.0, 0.0, 1e-40, 2.5, 1e30, np.inf, np.nan]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
def test_select_returns_either_side_bit_for_bit(dtype: type) -> None:
    """Every pairing of special values (±inf, NaN, ±0, tiny, huge) comes through unchanged, with
    no warning: the arithmetic blend m a + (1 - m) b gave NaN where the other side was inf."""
    with np.errstate(over="ignore", under="ignore"):  # 1e30 is inf in float16
        v = np.array(SPECIALS, dtype=dtype)
    a, b = np.meshgrid(v, v)
    cond = np.random.default_rng(0).random(a.shape) < 0.5
    want = np.where(cond, a, b)
    with np.errstate(all="raise"):
        got = select(cond, a, b)
        got_scalar_b = select(cond, a, -np.inf)
        got_scalar_a = select(cond, np.inf, b)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got.tobytes(), want.tobytes())
    np.testing.assert_array_equal(got_scalar_b, np.where(cond, a, -np.inf))
    np.testing.assert_array_equal(got_scalar_a, np.where(cond, np.inf, b))


@pytest.mark.parametrize("into", ["a", "b"])
def test_select_can_write_into_either_candidate(into: str) -> None:
    x = np.array([-np.inf, -1.0, -0.0, 0.0, 2.0, np.inf, np.nan])
    a, b = x * 2.0, x - 5.0
    want = np.where(x > 0, a, b)
    got = select(x > 0, a, b, out=a if into == "a" else b)
    np.testing.assert_array_equal(got.tobytes(), want.tobytes())
    assert np.shares_memory(got, a if into == "a" else b)


# ---- tanh_shrink: x - tanh x ------------------------------------------------------------------


def _tanh_shrink_ref(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    f, d = [], []
    for v in x.astype(np.float64):
        with mpmath.workdps(_digits(v)):
            m = mpmath.mpf(float(v))
            t = mpmath.tanh(m)
            f.append(float(m - t))
            d.append(float(t * t))
    return np.array(f), np.array(d)


def _log_grid(dtype: type, hi: float, n: int) -> np.ndarray:
    lo = float(np.finfo(dtype).tiny) ** (1 / 3)  # x³/3 stays a normal number
    mag = np.geomspace(lo, hi, n)
    return np.concatenate([-mag[::-1], mag]).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_shrink_is_accurate_to_a_few_ulp_relative(dtype: type) -> None:
    """x - tanh x cancels near 0 (its relative error was 3 eps / x²: 1e-4 at 0.02 in float32,
    and 0 or garbage below 2^-12); the series form keeps a few ulps everywhere."""
    x = np.concatenate([_log_grid(dtype, 1e4, 1500), np.linspace(1.3, 2.1, 401, dtype=dtype)])
    act = activations.get("tanh_shrink")
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        y, d = act(x), act.derivative(x)
    f_ref, d_ref = _tanh_shrink_ref(x)
    assert y.dtype == dtype and d.dtype == dtype
    err = _ulps(y, f_ref, dtype)
    assert err.max() <= 5.0, (err.max(), x[err.argmax()])  # measured: 4.2 (float32), 3 (float64)
    assert np.median(err) <= 1.0
    err_d = _ulps(d, d_ref, dtype)  # tanh² x: no cancellation, tanh is relatively accurate
    assert err_d.max() <= 5.0, (err_d.max(), x[err_d.argmax()])  # measured: 3.9, 3


@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_shrink_is_odd_monotone_and_exact_at_the_ends(dtype: type) -> None:
    act = activations.get("tanh_shrink")
    grids = [
        np.linspace(-0.1, 0.1, 200_001, dtype=dtype),  # step 1e-6 around 0
        np.geomspace(1e-12, 2.0, 400_001).astype(dtype),  # ratio 1 + 7e-5, tiny values
        np.linspace(1.49, 1.51, 20_001, dtype=dtype),  # across the switch to x - tanh x
    ]
    for x in grids:
        x = np.unique(x)
        y = act(x)
        assert np.all(np.diff(y) >= 0), x[:-1][np.diff(y) < 0][:5]
        np.testing.assert_array_equal(act(-x), -y)
    with np.errstate(all="raise"):
        ends = act(np.array([-np.inf, -0.0, 0.0, np.inf, np.nan], dtype))
    np.testing.assert_array_equal(ends, [-np.inf, 0.0, 0.0, np.inf, np.nan])
    assert np.signbit(ends[1]) and not np.signbit(ends[2])


def test_tanh_shrink_coefficients_are_the_fit_they_claim() -> None:
    """The series coefficients in shrink.py reproduce g(s) = (x - tanh x) / x³ on [0, 2.25]
    to well under an ulp, evaluated in 60 digits (a check on the constants themselves)."""
    from gradlab.activations.shrink import _TANH_SHRINK

    for dtype, consts in _TANH_SHRINK.items():
        k, pole = mpmath.mpf(float(consts[0])), mpmath.mpf(float(consts[1]))
        coefs = [mpmath.mpf(float(c)) for c in consts[2]]
        eps = float(np.finfo(dtype).eps)
        with mpmath.workdps(60):
            for s in mpmath.linspace(mpmath.mpf("1e-6"), mpmath.mpf("2.25"), 200):
                x = mpmath.sqrt(s)
                g = (x - mpmath.tanh(x)) / x**3
                approx = k / (s + pole) + sum(c * s**j for j, c in enumerate(coefs))
                assert abs(approx / g - 1) < eps / 50, (dtype, s)


# ---- squareplus: (x + √(x² + b)) / 2 ----------------------------------------------------------


def _squareplus_ref(x: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    f, d = [], []
    with mpmath.workdps(60):
        for v in x.astype(np.float64):
            m = mpmath.mpf(float(v))
            r = mpmath.sqrt(m * m + b)
            if m < 0:  # the same values, written without cancellation for the reference too
                f.append(float(b / (2 * (r - m))))
                d.append(float(b / (2 * r * (r - m))))
            else:
                f.append(float((m + r) / 2))
                d.append(float((1 + m / r) / 2))
    return np.array(f), np.array(d)


@pytest.mark.parametrize("b", [4.0, 0.5, 1e-6, 1e6])
@pytest.mark.parametrize("dtype", DTYPES)
def test_squareplus_is_accurate_over_the_whole_float_range(dtype: type, b: float) -> None:
    """x² overflowed (float32: NaN from x <= -1e20, inf or 0 beyond 1.8e19) and x + √(x² + b)
    cancelled for x < 0; now a few ulps from the smallest normal to the largest float, with the
    tail b / (4|x|) down into the subnormals."""
    fi = np.finfo(dtype)
    logs = np.linspace(math.log10(fi.tiny), math.log10(fi.max), 2000)
    with np.errstate(over="ignore"):  # 10 ** log10(max) rounds up to inf: clipped to max
        mag = np.minimum(10.0**logs, float(fi.max)).astype(dtype)
    x = np.sort(np.concatenate([-mag, [0.0, -1e20, 1e20], mag]).astype(dtype))
    act = activations.get({"name": "squareplus", "config": {"b": b}})
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        y, d = act(x), act.derivative(x)
    f_ref, d_ref = _squareplus_ref(x, b)
    err, err_d = _ulps(y, f_ref, dtype), _ulps(d, d_ref, dtype)
    assert err.max() <= 3.0, (err.max(), x[err.argmax()])  # measured: 2.0
    assert err_d.max() <= 6.0, (err_d.max(), x[err_d.argmax()])  # measured: 4.4 (float32)
    assert np.all(y >= 0) and np.all(d >= 0)  # 0 only where b / (4|x|) underflows
    assert np.all(np.diff(y) >= 0) and np.all(np.diff(d) >= 0)  # increasing, convex


@pytest.mark.parametrize("dtype", DTYPES)
def test_squareplus_limits_at_infinity(dtype: type) -> None:
    act = activations.get("squareplus")
    x = np.array([-np.inf, np.inf, np.nan], dtype)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(act(x), [0.0, np.inf, np.nan])
        np.testing.assert_array_equal(act.derivative(x), [0.0, 1.0, np.nan])


# ---- GELU in float64: Φ without 1 + erf --------------------------------------------------------


def test_gelu_float64_keeps_its_relative_accuracy_in_the_left_tail() -> None:
    """x Φ(x) with Φ = (1 + erf(x/√2)) / 2 cancels for x < -1 and is 0 below -8.3; with
    scipy.special.ndtr it keeps its relative accuracy down to where x Φ(x) underflows
    (x ≈ -38). In the tail Φ's condition number is about x² (a relative change u of x moves
    Φ by x² u), so that is the error allowed there, in ulps; the old form was off by 100 %."""
    x = -np.geomspace(0.5, 37.0, 400)
    act = activations.get("gelu")
    with mpmath.workdps(40):
        ref = np.array([float(mpmath.mpf(v) * mpmath.ncdf(mpmath.mpf(v))) for v in x])
        dref = np.array(
            [
                float(mpmath.ncdf(mpmath.mpf(v)) + mpmath.mpf(v) * mpmath.npdf(mpmath.mpf(v)))
                for v in x
            ]
        )
    allowed = 4.0 + 2.0 * x * x
    assert np.all(_ulps(act(x), ref, np.float64) <= allowed)
    d = act.derivative(x)
    tail = x < -2.0  # away from the derivative's zero at -0.75, where Φ + x φ cancels itself
    assert np.all(_ulps(d[tail], dref[tail], np.float64) <= 4 * allowed[tail])


# ---- NaN in, NaN out -------------------------------------------------------------------------

NAN_CASES = [(n, {}) for n in activations.names() if activations.get(n).elementwise] + [
    ("relu", {"threshold": 1.0}), ("relu", {"negative_slope": 2.0}),
    ("leaky_relu", {"negative_slope": 2.0}), ("threshold", {"threshold": 1.0, "value": 3.0}),
    ("softplus", {"beta": 2.0}), ("elu", {"alpha": 2.0}), ("squareplus", {"b": 0.5}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "config"), NAN_CASES)
def test_nan_input_gives_nan_forward(name: str, config: dict) -> None:
    """The exact blend sends NaN to the side each kernel chose: never silently to a number
    (the step alone maps NaN to 0, as torch.heaviside)."""
    act = activations.get({"name": name, "config": config})
    with np.errstate(all="raise"):
        y = act(np.array([np.nan, 1.0], np.float32))
    assert np.isnan(y[0]) != (name == "step")


@pytest.mark.parametrize(
    ("name", "config"),
    [
        ("softplus", {}),
        ("softplus", {"beta": 2.0}),
        ("selu", {}),
        ("elu", {"alpha": 2.0}),
        ("squareplus", {}),
        ("tanh_shrink", {}),
        ("sparse_plus", {}),
    ],
)
def test_nan_input_gives_nan_derivative_where_the_kernel_blends(name: str, config: dict) -> None:
    act = activations.get({"name": name, "config": config})
    d = act.derivative(np.array([np.nan, 1.0]))
    assert np.isnan(d[0]) and np.isfinite(d[1])
