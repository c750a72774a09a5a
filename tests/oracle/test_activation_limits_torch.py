"""Every activation at the ends of the float range and at ±inf, against PyTorch (float64).

One test loops over every registered activation with its defaults and over variants with
unusual parameters (slopes above 1, negative and zero, zero and negative thresholds, values
above the threshold, ...), in float32 and float64, at ``±inf``, ``±largest float``, ``±1e20``,
``±1e4``, ``±1`` and 0, with NumPy's floating-point warnings turned into errors. Forward and
derivative (the vector-Jacobian product for activations that mix an axis) are compared with
``torch.nn.functional`` and autograd in float64, rounded to the dtype under test: PyTorch's
value is the expected limit. Where PyTorch returns NaN, ``TORCH_NAN`` below states, per
case, what gradlab returns instead and why (the mathematical limit, or NaN kept as PyTorch's
where the limit would cost a pass in a hot kernel); a NaN from PyTorch that is not listed
there fails the test. Where PyTorch has no such function, the expected values are the
mathematical ones (limits at ``±inf``), from an independent reference written here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import pytest
from test_activations_torch import GRAD_RTOL, NO_TORCH, NO_TORCH_GRAD, TORCH

from gradlab import activations

torch = pytest.importorskip("torch")
F = torch.nn.functional

INF = math.inf
TorchFn = Callable[[Any], Any]


def _values(dtype: type) -> np.ndarray:
    big = float(np.finfo(dtype).max)
    return np.array([-INF, -big, -1e20, -1e4, -1.0, 0.0, 1.0, 1e4, 1e20, big, INF], dtype=dtype)


def _rows(dtype: type) -> np.ndarray:
    """Rows for the activations that mix an axis: each special value among finite ones, and
    the rows where two special values meet (a tie of +inf, only -inf, the whole range)."""
    big = float(np.finfo(dtype).max)
    rows = [[v, -1.0, 0.0, 1.0] for v in _values(dtype)]
    rows += [[1.0, 0.0, v, -1.0] for v in _values(dtype)]  # glu: v in the gate half
    rows += [[INF, INF, 0.0, 1.0], [-INF, -INF, -INF, -INF], [INF, -INF, 0.0, 1.0],
             [-big, big, 0.0, 1.0], [-INF, 1.0, INF, 2.0]]  # fmt: skip
    return np.array(rows, dtype=dtype)


#: Non-default parameters: (name, config, torch function or None where torch has none).
VARIANTS: list[tuple[str, dict[str, Any], TorchFn | None]] = [
    ("relu", {"negative_slope": 0.5}, lambda t: F.leaky_relu(t, 0.5)),
    ("relu", {"negative_slope": 2.0}, lambda t: F.leaky_relu(t, 2.0)),
    ("relu", {"negative_slope": -0.5}, lambda t: F.leaky_relu(t, -0.5)),
    ("relu", {"threshold": -1.0}, lambda t: F.threshold(t, -1.0, 0.0)),
    ("relu", {"threshold": 1.0}, lambda t: F.threshold(t, 1.0, 0.0)),
    ("relu", {"negative_slope": 0.5, "threshold": 1.0},
     lambda t: torch.where(t > 1.0, t, 0.5 * (t - 1.0))),
    ("relu", {"negative_slope": 2.0, "max_value": 6.0},
     lambda t: torch.clamp(F.leaky_relu(t, 2.0), max=6.0)),
    ("leaky_relu", {"negative_slope": 2.0}, lambda t: F.leaky_relu(t, 2.0)),
    ("leaky_relu", {"negative_slope": -0.5}, lambda t: F.leaky_relu(t, -0.5)),
    ("leaky_relu", {"negative_slope": 0.0}, lambda t: F.leaky_relu(t, 0.0)),
    ("leaky_relu", {"negative_slope": 1.0}, lambda t: F.leaky_relu(t, 1.0)),
    ("prelu", {"negative_slope": 2.0}, lambda t: F.prelu(t, torch.tensor([2.0], dtype=t.dtype))),
    ("rrelu", {"lower": 0.5, "upper": 3.0}, lambda t: F.rrelu(t, 0.5, 3.0, training=False)),
    ("elu", {"alpha": 0.0}, lambda t: F.elu(t, 0.0)),
    ("elu", {"alpha": 2.0}, lambda t: F.elu(t, 2.0)),
    ("celu", {"alpha": 0.5}, lambda t: F.celu(t, 0.5)),
    ("celu", {"alpha": 1e-3}, lambda t: F.celu(t, 1e-3)),
    ("threshold", {"threshold": 1.0, "value": -2.0}, lambda t: F.threshold(t, 1.0, -2.0)),
    ("threshold", {"threshold": -1.0, "value": 5.0}, lambda t: F.threshold(t, -1.0, 5.0)),
    ("threshold", {"threshold": 0.0, "value": -1e20}, lambda t: F.threshold(t, 0.0, -1e20)),
    ("softplus", {"beta": 2.0, "threshold": 10.0}, lambda t: F.softplus(t, 2.0, 10.0)),
    ("softplus", {"beta": 0.5}, lambda t: F.softplus(t, 0.5)),
    ("softplus", {"threshold": 0.0}, lambda t: F.softplus(t, 1.0, 0.0)),
    ("softplus", {"threshold": -5.0}, lambda t: F.softplus(t, 1.0, -5.0)),
    ("softplus", {"beta": 100.0}, lambda t: F.softplus(t, 100.0)),
    ("soft_shrink", {"lambd": 0.0}, lambda t: F.softshrink(t, 0.0)),
    ("hard_shrink", {"lambd": 0.0}, lambda t: F.hardshrink(t, 0.0)),
    ("hard_shrink", {"lambd": 2.0}, lambda t: F.hardshrink(t, 2.0)),
    ("hard_tanh", {"min_val": -2.0, "max_val": 3.0}, lambda t: F.hardtanh(t, -2.0, 3.0)),
    ("gelu", {"approximate": "tanh"}, lambda t: F.gelu(t, approximate="tanh")),
    ("squareplus", {"b": 0.5}, None),
    ("squareplus", {"b": 1e-6}, None),
    ("squareplus", {"b": 1e6}, None),
    ("softmax", {"axis": 0}, lambda t: torch.softmax(t, dim=0)),
    ("sparsemax", {"axis": 0}, None),
]  # fmt: skip

CASES = [(n, {}, None if n in NO_TORCH else TORCH[n]) for n in activations.names()] + VARIANTS
IDS = ["-".join([n, *(f"{k}={v}" for k, v in c.items())]) for n, c, _ in CASES]


def _nan(x: np.ndarray) -> np.ndarray:
    return np.full(x.shape, np.nan)


def _zero(x: np.ndarray) -> np.ndarray:
    return np.zeros(x.shape)


def _step01(x: np.ndarray) -> np.ndarray:
    """0 at -inf, 1 at +inf: the derivative's limits of the smooth rectifiers."""
    return (x > 0).astype(float)


def _one_hot(rows: np.ndarray, at: float) -> np.ndarray:
    """The limit of softmax-like rows with exactly one entry equal to ``at``; NaN otherwise."""
    hits = rows == at
    single = hits.sum(axis=-1, keepdims=True) == 1
    return np.where(single, hits.astype(float), np.nan)


#: Where torch returns NaN at these inputs, what gradlab returns: case id -> (forward,
#: derivative) as functions of x, used only at the points where torch is NaN (for the
#: activations that mix an axis: functions of the rows and the upstream gradient g, the
#: second giving the vjp).
TORCH_NAN: dict[str, tuple[Callable[..., np.ndarray], ...]] = {
    # torch: x / (1 + |x|) = inf / inf at ±inf, and so its derivative. gradlab clips x to
    # ±2^60 first (the quotient is ±1 there already): the limits ±1 and 0.
    "softsign": (np.sign, _zero),
    # x Φ(x) at -inf and Φ + x φ at ±inf are 0 · inf in torch and in gradlab's exact kernel:
    # NaN kept, as torch (the limits 0, and 0 / 1, would cost a pass in a hot kernel).
    "gelu": (_nan, _nan),
    # -inf / (1 + e^inf) and σ (1 + x (1 - σ)) at ±inf: NaN kept, as torch (hot kernel).
    "silu": (_nan, _nan),
    # x relu6(x + 3) / 6 at -inf is -inf · 0: NaN kept, as torch (hot kernel).
    "hard_silu": (_nan, _nan),
    # forward x tanh(softplus x) at -inf is -inf · 0: NaN kept, as torch (hot kernel). The
    # derivative's x σ(x) (1 - tanh²) uses x clipped to the largest float, which costs
    # nothing: gradlab gives the limits 0 and 1 where torch gives NaN.
    "mish": (_nan, _step01),
    # torch: 0.5 x (1 + tanh(..)) at -inf is 0 · (-inf), its derivative 0 · inf at ±inf.
    # gradlab clips x to ±30 inside (tanh is ±1 beyond): the limits 0, and 0 / 1.
    "gelu-approximate=tanh": (_zero, _step01),
    # torch: max(x, 0) + 0 · min(x, 0) at -inf is 0 · (-inf). The function is 0 on the whole
    # negative half-line; gradlab returns max(x, 0) for a zero slope: 0.
    "leaky_relu-negative_slope=0.0": (_zero, _zero),
    # torch: x - max = inf - inf in rows with +inf. gradlab: one +inf entry is the limit, the
    # one-hot row (whose Jacobian is 0); ties of +inf and rows of -inf only stay NaN.
    "softmax": (lambda r: _one_hot(r, INF), lambda r, g: 0.0 * _one_hot(r, INF)),
    "softmin": (lambda r: _one_hot(r, -INF), lambda r, g: 0.0 * _one_hot(r, -INF)),
    # log of the one-hot row: 0 there, -inf elsewhere; the vjp is g - onehot Σ g
    "log_softmax": (
        lambda r: np.log(_one_hot(r, INF)),
        lambda r, g: g - _one_hot(r, INF) * g.sum(axis=-1, keepdims=True),
    ),
    # a = ±inf with σ(b) = 0 (or b = inf with σ'(b) = 0): inf · 0, no limit (it depends on
    # how fast each grows); NaN, as torch
    "glu": (lambda r: _nan(r[..., : r.shape[-1] // 2]), lambda r, g: _nan(r)),
}  # fmt: skip


def _mp_softsign_derivative(x: np.ndarray) -> np.ndarray:
    return np.array([float(1 / (1 + abs(mpmath.mpf(float(v)))) ** 2) for v in x])


#: Finite inputs where torch's own value is off, and the correct one used instead: case id ->
#: function (x, torch forward, torch derivative) -> (forward, derivative).
TORCH_INEXACT: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    # torch computes x relu6(x + 3) / 6 as (x · 6) / 6 for x >= 3, which overflows to inf for
    # x > max / 6 (float64 max); f(x) = x there
    "hard_silu": lambda x, y, d: (np.where(x >= 3, x, y), d),
    # torch's autograd of x / (1 + |x|), 1 / (1 + |x|) - |x| / (1 + |x|)², cancels to 0 at
    # |x| = 1e20, where f' = 1 / (1 + |x|)² = 1e-40
    "softsign": lambda x, y, d: (y, np.where(np.isfinite(x), _mp_softsign_derivative(x), d)),
    # torch's celu backward rounds 1 / alpha to float32: f'(0) = e^0 = 1 comes out 1 - 4.7e-8
    "celu-alpha=0.001": lambda x, y, d: (y, np.where(x == 0, 1.0, d)),
}


def _squareplus_ref(b: float) -> Callable[[float], tuple[float, float]]:
    def ref(x: float) -> tuple[float, float]:
        if x == -INF:  # (x + √(x² + b)) / 2 = b / (2 (√(x² + b) - x)) -> 0; f' -> 0
            return 0.0, 0.0
        if x == INF:  # f(x) >= x -> inf; f' = (1 + x / √(x² + b)) / 2 -> 1
            return INF, 1.0
        with mpmath.workdps(60):
            m, r = mpmath.mpf(x), mpmath.sqrt(mpmath.mpf(x) ** 2 + b)
            return float((m + r) / 2), float((1 + m / r) / 2)

    return ref


def _sparse_plus_ref(x: float) -> tuple[float, float]:
    f = 0.0 if x <= -1 else x if x >= 1 else (x + 1.0) ** 2 / 4
    return f, min(max((x + 1.0) / 2, 0.0), 1.0)


def _sparse_sigmoid_ref(x: float) -> tuple[float, float]:
    return min(max((x + 1.0) / 2, 0.0), 1.0), 0.5 if abs(x) < 1 else 0.0


def _sparsemax_row(row: np.ndarray) -> np.ndarray:
    """Projection onto the simplex (sort and threshold), with the limits at ±inf."""
    arr = np.asarray(row, dtype=float)
    if np.isnan(arr).any() or np.all(arr == -INF) or np.sum(arr == INF) > 1:
        return np.full(arr.shape, np.nan)  # no limit
    if np.sum(arr == INF) == 1:  # x_k -> inf: all the mass goes to k
        return (arr == INF).astype(float)
    row = [float(v) for v in row]  # Python floats: an overflow is ±inf, silently
    z = sorted((v for v in row if v != -INF), reverse=True)  # -inf entries get 0
    top = z[0]
    shifted = [v - top for v in z]  # the projection does not change under a shift
    k, total = 1, shifted[0]
    for j in range(1, len(shifted)):
        if 1.0 + (j + 1) * shifted[j] > total + shifted[j]:
            k, total = j + 1, total + shifted[j]
    tau = (total - 1.0) / k
    return np.array([max(v - top - tau, 0.0) if v != -INF else 0.0 for v in row])


def _sparsemax_ref(rows: np.ndarray, g: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    r = np.moveaxis(rows, axis, -1)
    gg = np.moveaxis(g, axis, -1)
    p = np.array([_sparsemax_row(row) for row in r])
    on = p > 0
    mean = np.array([gr[o].mean() if o.any() else np.nan for gr, o in zip(gg, on, strict=True)])
    vjp = np.where(on, gg - mean[:, None], 0.0)
    vjp[np.isnan(p).any(axis=-1)] = np.nan
    return np.moveaxis(p, -1, axis), np.moveaxis(vjp, -1, axis)


def _torch(fn: TorchFn, x: np.ndarray, g: np.ndarray, grad: bool) -> tuple[Any, Any]:
    t = torch.tensor(x.astype(np.float64), requires_grad=grad)
    y = fn(t)
    if not grad:
        return y.detach().numpy(), None
    (gx,) = torch.autograd.grad(y, t, grad_outputs=torch.tensor(g, dtype=torch.float64))
    return y.detach().numpy(), gx.numpy()


def _expected(
    name: str, config: dict, fn: TorchFn | None, x: np.ndarray, g: np.ndarray, case: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return the expected forward and derivative (vjp for vector activations), float64."""
    axis = config.get("axis", -1)
    if fn is None:
        if name == "sparsemax":
            return _sparsemax_ref(x, g, config.get("axis", -1))
        ref = {
            "squareplus": _squareplus_ref(config.get("b", 4.0)),
            "sparse_plus": _sparse_plus_ref,
            "sparse_sigmoid": _sparse_sigmoid_ref,
        }[name]
        pairs = np.array([ref(float(v)) for v in x])
        return pairs[:, 0], pairs[:, 1]
    y, d = _torch(fn, x, g, grad=name not in NO_TORCH_GRAD)
    if d is None:  # the step: no autograd rule in torch; f' = 0 wherever it exists
        d = np.zeros_like(y)
    if case in TORCH_INEXACT:
        y, d = TORCH_INEXACT[case](x, y, d)
    if not (np.isnan(y).any() or np.isnan(d).any()):
        return y, d
    key = case.removesuffix("-axis=0")  # the same limits along either axis
    assert key in TORCH_NAN, (
        f"torch gives NaN for {case} at some of {x.tolist()}; state what gradlab returns "
        "there in TORCH_NAN"
    )
    lim = TORCH_NAN[key]
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, 0 · NaN
        ly = lim[0](x) if x.ndim == 1 else np.moveaxis(lim[0](np.moveaxis(x, axis, -1)), -1, axis)
        if x.ndim == 1:
            ld = lim[1](x)
        else:
            ld = np.moveaxis(lim[1](np.moveaxis(x, axis, -1), np.moveaxis(g, axis, -1)), -1, axis)
    return np.where(np.isnan(y), ly, y), np.where(np.isnan(d), ld, d)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "config", "fn"), CASES, ids=IDS)
def test_limits_at_the_ends_of_the_range_match_torch(
    name: str, config: dict, fn: TorchFn | None, dtype: type
) -> None:
    case = "-".join([name, *(f"{k}={v}" for k, v in config.items())])
    act = activations.get({"name": name, "config": config})
    x = _values(dtype) if act.elementwise else _rows(dtype)
    if config.get("axis", -1) == 0:
        x = x.T  # each column one of the rows
    # exponential keeps its overflow warning on purpose (inf is the true answer, see its
    # docstring): only its values are compared here
    over = "ignore" if name == "exponential" else "raise"
    with np.errstate(over=over, divide="raise", invalid="raise", under="ignore"):
        y = act(x)
        if act.elementwise:
            g = np.ones_like(x, dtype=np.float64)
            got_d = [act.derivative(x), act.derivative(x, y)]
        else:
            g = np.random.default_rng(0).normal(size=y.shape).astype(dtype).astype(np.float64)
            got_d = [act.vjp(x, g.astype(dtype)), act.vjp(x, g.astype(dtype), y)]
    ey, ed = _expected(name, config, fn, x, g, case)
    with np.errstate(over="ignore"):  # a float64 value beyond float32's range rounds to ±inf
        ey, ed = ey.astype(dtype), ed.astype(dtype)
    # Relative to the dtype's precision; absolutely below 1e-30 (float32) / 1e-300 (float64),
    # where float32 GELU's derivative from the output keeps its documented 2^-101 / |x| guard.
    rtol, atol = (2e-6, 1e-30) if dtype == np.float32 else (1e-9, 1e-300)
    if not act.elementwise:
        # the vjp of a row near one-hot, s (g - <g, s>), is a difference of nearly equal
        # terms (the exact Jacobian there is about 0): torch and gradlab round it differently
        atol = 8 * float(np.finfo(dtype).eps)
    grad_rtol = max(rtol, GRAD_RTOL.get(case, 0.0))
    assert y.dtype == dtype
    np.testing.assert_allclose(y, ey, rtol=rtol, atol=atol, err_msg=f"{case} forward")
    for d in got_d:
        assert d.dtype == dtype
        np.testing.assert_allclose(d, ed, rtol=grad_rtol, atol=atol, err_msg=f"{case} derivative")


def test_every_registered_activation_is_in_the_limit_test() -> None:
    assert {n for n, _, _ in CASES} == set(activations.names())
    assert set(TORCH_NAN) <= set(IDS)
