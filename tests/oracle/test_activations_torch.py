"""Every activation PyTorch has, checked against torch (CPU, float64): forward, derivative,
vector-Jacobian product with a random upstream gradient, and the exact values at the kinks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from gradlab import activations

torch = pytest.importorskip("torch")
F = torch.nn.functional

TorchFn = Callable[[Any], Any]

#: name -> torch function with gradlab's default parameters.
TORCH: dict[str, TorchFn] = {
    "step": lambda t: torch.heaviside(t, torch.zeros((), dtype=t.dtype)),
    "linear": lambda t: t * 1.0,
    "sigmoid": torch.sigmoid,
    "hard_sigmoid": F.hardsigmoid,
    "tanh": torch.tanh,
    "hard_tanh": F.hardtanh,
    "softsign": F.softsign,
    "log_sigmoid": F.logsigmoid,
    "exponential": torch.exp,
    "tanh_shrink": F.tanhshrink,
    "relu": F.relu,
    "relu6": F.relu6,
    "leaky_relu": F.leaky_relu,
    "prelu": lambda t: F.prelu(t, torch.tensor([0.25], dtype=t.dtype)),
    "rrelu": lambda t: F.rrelu(t, training=False),
    "elu": F.elu,
    "selu": F.selu,
    "celu": F.celu,
    "threshold": lambda t: F.threshold(t, 0.0, 0.0),
    "soft_shrink": F.softshrink,
    "hard_shrink": F.hardshrink,
    "softplus": F.softplus,
    "gelu": F.gelu,
    "silu": F.silu,
    "hard_silu": F.hardswish,
    "mish": F.mish,
    "softmax": lambda t: torch.softmax(t, dim=-1),
    "log_softmax": lambda t: torch.log_softmax(t, dim=-1),
    "softmin": lambda t: F.softmin(t, dim=-1),
    "glu": lambda t: F.glu(t, dim=-1),
}
#: Activations PyTorch lacks; they are covered by the numerical gradient checks instead.
NO_TORCH = {"squareplus", "sparse_plus", "sparse_sigmoid", "sparsemax"}
#: torch has the function but no autograd rule for it.
NO_TORCH_GRAD = {"step"}

#: Non-default parameters, each with the torch function it must match.
PARAM_CASES: list[tuple[str, dict[str, Any], TorchFn]] = [
    ("relu", {"negative_slope": 0.2}, lambda t: F.leaky_relu(t, 0.2)),
    ("relu", {"max_value": 6.0}, F.relu6),
    ("relu", {"threshold": 1.0}, lambda t: F.threshold(t, 1.0, 0.0)),
    ("relu", {"max_value": 2.0}, lambda t: F.hardtanh(t, 0.0, 2.0)),
    ("leaky_relu", {"negative_slope": 0.2}, lambda t: F.leaky_relu(t, 0.2)),
    ("leaky_relu", {"negative_slope": 1.5}, lambda t: F.leaky_relu(t, 1.5)),
    ("prelu", {"negative_slope": 0.1}, lambda t: F.prelu(t, torch.tensor([0.1], dtype=t.dtype))),
    ("rrelu", {"lower": 0.1, "upper": 0.3}, lambda t: F.rrelu(t, 0.1, 0.3, training=False)),
    ("elu", {"alpha": 0.5}, lambda t: F.elu(t, 0.5)),
    ("elu", {"alpha": 2.0}, lambda t: F.elu(t, 2.0)),
    ("celu", {"alpha": 2.0}, lambda t: F.celu(t, 2.0)),
    ("celu", {"alpha": 0.5}, lambda t: F.celu(t, 0.5)),
    ("softplus", {"beta": 2.0, "threshold": 10.0}, lambda t: F.softplus(t, 2.0, 10.0)),
    ("softplus", {"beta": 0.5}, lambda t: F.softplus(t, 0.5)),
    ("gelu", {"approximate": "tanh"}, lambda t: F.gelu(t, approximate="tanh")),
    ("hard_tanh", {"min_val": -2.0, "max_val": 3.0}, lambda t: F.hardtanh(t, -2.0, 3.0)),
    ("soft_shrink", {"lambd": 1.0}, lambda t: F.softshrink(t, 1.0)),
    ("hard_shrink", {"lambd": 1.0}, lambda t: F.hardshrink(t, 1.0)),
    ("threshold", {"threshold": 1.0, "value": -2.0}, lambda t: F.threshold(t, 1.0, -2.0)),
    ("softmax", {"axis": 0}, lambda t: torch.softmax(t, dim=0)),
    ("log_softmax", {"axis": 0}, lambda t: torch.log_softmax(t, dim=0)),
    ("softmin", {"axis": 0}, lambda t: F.softmin(t, dim=0)),
    ("glu", {"axis": 0}, lambda t: F.glu(t, dim=0)),
]

RTOL, ATOL = 1e-10, 1e-300  # relative accuracy also in the tails (sigmoid(-40) ~ 4e-18)
#: Per-activation gradient tolerances where torch itself is less exact than float64.
#: torch's hardsigmoid backward multiplies by 1/6 rounded to float32 (0.16666667163...);
#: gradlab returns 1/6 in float64 (checked exactly in test_hard_sigmoid_slope_is_exact).
GRAD_RTOL = {"hard_sigmoid": 3e-8}
#: Formulas that cancel (1 - tanh², x - tanh x) lose relative accuracy in torch and gradlab
#: alike; there the two round differently by a few 1e-15, so compare absolutely.
ATOL_FOR = {"tanh": 1e-14, "tanh_shrink": 1e-14, "gelu": 1e-14}


def _cases() -> list[tuple[str, dict[str, Any], TorchFn]]:
    default = [(n, {}, fn) for n, fn in TORCH.items()]
    return default + PARAM_CASES


CASES = _cases()
CASE_IDS = ["-".join([n, *(f"{k}={v}" for k, v in c.items())]) for n, c, _ in CASES]


def _make(name: str, config: dict[str, Any]) -> activations.Activation:
    return activations.get({"name": name, "config": config})


def _torch_vjp(fn: TorchFn, x: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (f(x), g · ∂f/∂x) computed by torch autograd in float64."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    (grad,) = torch.autograd.grad(y, t, grad_outputs=torch.tensor(g, dtype=torch.float64))
    return y.detach().numpy(), grad.numpy()


def _inputs(act: activations.Activation, rng: np.random.Generator) -> np.ndarray:
    """Random inputs over several scales, plus exact kink points for elementwise ones."""
    if not act.elementwise:
        return rng.normal(0.0, 3.0, size=(6, 8))
    kinks = [k.x for k in act.info.kinks]
    x = np.concatenate([rng.normal(0.0, 3.0, 2000), rng.uniform(-60, 60, 200), kinks,
                        [-1e3, -30.0, -1e-9, 0.0, 1e-9, 30.0, 1e3]])
    if act.name == "exponential":
        x = x[x < 700]
    return x


def test_every_activation_is_checked_or_declared_torchless() -> None:
    """A new activation must either get a torch oracle here or be listed as torch-less."""
    assert set(activations.names()) == set(TORCH) | NO_TORCH
    assert not set(TORCH) & NO_TORCH


@pytest.mark.parametrize(("name", "config", "fn"), CASES, ids=CASE_IDS)
def test_forward_matches_torch(name: str, config: dict[str, Any], fn: TorchFn) -> None:
    act = _make(name, config)
    x = _inputs(act, np.random.default_rng(0))
    expected = fn(torch.tensor(x, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(act(x), expected, rtol=RTOL, atol=ATOL_FOR.get(name, ATOL))


@pytest.mark.parametrize(("name", "config", "fn"), CASES, ids=CASE_IDS)
def test_vjp_matches_torch_autograd(name: str, config: dict[str, Any], fn: TorchFn) -> None:
    if name in NO_TORCH_GRAD:
        pytest.skip(f"torch has no autograd rule for {name}")
    act = _make(name, config)
    rng = np.random.default_rng(1)
    x = _inputs(act, rng)
    y = act(x)
    g = rng.normal(size=y.shape)
    _, expected = _torch_vjp(fn, x, g)
    rtol, atol = GRAD_RTOL.get(name, RTOL), ATOL_FOR.get(name, ATOL)
    np.testing.assert_allclose(act.vjp(x, g), expected, rtol=rtol, atol=atol)
    np.testing.assert_allclose(act.vjp(x, g, y), expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize(("name", "config", "fn"), CASES, ids=CASE_IDS)
def test_derivative_matches_torch_autograd(name: str, config: dict[str, Any], fn: TorchFn) -> None:
    act = _make(name, config)
    if not act.elementwise or name in NO_TORCH_GRAD:
        pytest.skip("not elementwise, or no torch gradient")
    x = _inputs(act, np.random.default_rng(2))
    _, expected = _torch_vjp(fn, x, np.ones_like(x))
    rtol, atol = GRAD_RTOL.get(name, RTOL), ATOL_FOR.get(name, ATOL)
    np.testing.assert_allclose(act.derivative(x), expected, rtol=rtol, atol=atol)
    np.testing.assert_allclose(act.derivative(x, act(x)), expected, rtol=rtol, atol=atol)


def test_hard_sigmoid_slope_is_exact() -> None:
    d = activations.get("hard_sigmoid").derivative(np.array([-2.9, 0.0, 2.9]))
    np.testing.assert_array_equal(d, [1 / 6, 1 / 6, 1 / 6])


@pytest.mark.parametrize(("name", "config", "fn"), CASES, ids=CASE_IDS)
def test_kink_derivatives_equal_torch_exactly(name: str, config: dict[str, Any], fn: TorchFn):
    act = _make(name, config)
    kinks = act.info.kinks
    if not kinks or name in NO_TORCH_GRAD:
        pytest.skip("no kinks, or no torch gradient")
    x = np.array([k.x for k in kinks])
    _, expected = _torch_vjp(fn, x, np.ones_like(x))
    got = act.derivative(x)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got, [k.derivative for k in kinks])


VECTOR_CASES = [
    (c, i) for c, i in zip(CASES, CASE_IDS, strict=True) if not _make(*c[:2]).elementwise
]


@pytest.mark.parametrize(("name", "config", "fn"), [c for c, _ in VECTOR_CASES],
                         ids=[i for _, i in VECTOR_CASES])
def test_jacobian_matches_torch(name: str, config: dict[str, Any], fn: TorchFn) -> None:
    act = _make(name, config)
    x = np.random.default_rng(3).normal(0.0, 2.0, size=6)
    expected = torch.autograd.functional.jacobian(fn, torch.tensor(x, dtype=torch.float64))
    np.testing.assert_allclose(act.jacobian(x), expected.numpy(), rtol=RTOL, atol=ATOL)


def test_softmax_of_large_logits_matches_torch_and_is_finite() -> None:
    x = np.array([1010.0, 1000.0, 990.0])
    got = activations.softmax(x)
    np.testing.assert_allclose(got, torch.softmax(torch.tensor(x), -1).numpy(), rtol=1e-14)
    assert np.all(np.isfinite(got))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_forward_close_to_torch_float32(dtype: type) -> None:
    """float32 results stay within float32 rounding of torch's float32 results."""
    x = np.random.default_rng(4).normal(0.0, 3.0, size=(5, 8)).astype(dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for name, fn in TORCH.items():
        got = activations.get(name)(x)
        assert got.dtype == dtype, name
        expected = fn(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol, err_msg=name)
