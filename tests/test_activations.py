"""Activation library: numerical gradient checks, numerics at ±1e4, dtypes, the registry API
and input validation. Tests loop over ``activations.names()``, so a new activation is covered
as soon as it is registered."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import differentiate

from gradlab import activations
from gradlab.activations import Activation

NAMES = activations.names()
ELEMENTWISE = [n for n in NAMES if activations.get(n).elementwise]
VECTOR = [n for n in NAMES if not activations.get(n).elementwise]
EXPECTED_NAMES = {
    "step", "linear", "sigmoid", "hard_sigmoid", "tanh", "hard_tanh", "relu", "relu6",
    "leaky_relu", "prelu", "rrelu", "elu", "selu", "celu", "gelu", "silu", "hard_silu", "mish",
    "softplus", "softsign", "squareplus", "sparse_plus", "sparse_sigmoid", "exponential",
    "log_sigmoid", "tanh_shrink", "soft_shrink", "hard_shrink", "threshold", "softmax",
    "log_softmax", "softmin", "sparsemax", "glu",
}  # fmt: skip

#: Non-default configurations that the gradient checks cover as well.
CONFIGS = [
    ("relu", {"negative_slope": 0.1, "max_value": 4.0, "threshold": 0.5}),
    ("gelu", {"approximate": "tanh"}),
    ("softplus", {"beta": 3.0, "threshold": 5.0}),
    ("squareplus", {"b": 0.5}),
    ("elu", {"alpha": 2.5}),
    ("celu", {"alpha": 0.3}),
    ("hard_tanh", {"min_val": -0.5, "max_val": 2.0}),
]


#: Finite differences stop once their error estimate is below this (float64 round-off).
TOLS = {"atol": 1e-11, "rtol": 1e-9}


def _sample_away_from_kinks(act: Activation, rng: np.random.Generator, n: int = 400):
    x = np.concatenate([rng.normal(0.0, 2.5, n), rng.uniform(-40.0, 40.0, n // 4)])
    for k in act.info.kinks:
        x = x[np.abs(x - k.x) > 0.05]
    return x


def _rel_err(a: np.ndarray, b: np.ndarray) -> float:
    """Largest ``|a - b| / max(1, |a|, |b|)``: relative for big values, absolute for small ones
    (finite differences cannot resolve derivatives below their ~1e-11 round-off)."""
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))))


def test_every_requested_activation_is_registered() -> None:
    assert set(NAMES) == EXPECTED_NAMES
    assert len(NAMES) == 34


@pytest.mark.parametrize(
    ("name", "config"), [(n, {}) for n in ELEMENTWISE] + [c for c in CONFIGS],
    ids=[*ELEMENTWISE, *(f"{n}-{c}" for n, c in CONFIGS)],
)
def test_derivative_matches_central_differences(name: str, config: dict) -> None:
    """f' agrees with scipy's adaptive central differences (float64) to 1e-8."""
    act = activations.get({"name": name, "config": config})
    x = _sample_away_from_kinks(act, np.random.default_rng(10))
    res = differentiate.derivative(act, x, initial_step=1e-3, order=4, tolerances=TOLS)
    assert np.all(res.success), f"finite differences did not converge for {name}"
    assert _rel_err(act.derivative(x), res.df) < 1e-8


@pytest.mark.parametrize("name", VECTOR)
@pytest.mark.parametrize("axis", [0, -1])
def test_vector_jacobian_matches_central_differences(name: str, axis: int) -> None:
    """jacobian() and vjp() agree with scipy's finite-difference Jacobian."""
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 1.5, size=6)
    act = activations.get(name)
    # scipy evaluates f at x with extra trailing dimensions, so the axis-0 variant is needed.
    along0 = activations.get({"name": name, "config": {"axis": 0}})
    res = differentiate.jacobian(along0, x, initial_step=1e-3, order=4, tolerances=TOLS)
    assert np.all(res.success)
    assert _rel_err(act.jacobian(x), res.df) < 1e-8
    # vjp along either axis of a 2-D batch equals g @ J row by row.
    batch = rng.normal(0.0, 1.5, size=(6, 6))
    act_axis = activations.get({"name": name, "config": {"axis": axis}})
    y = act_axis(batch)
    g = rng.normal(size=y.shape)
    rows = batch if axis == -1 else batch.T
    grows = g if axis == -1 else g.T
    expected = np.stack([gr @ act.jacobian(r) for r, gr in zip(rows, grows, strict=True)])
    got = act_axis.vjp(batch, g)
    np.testing.assert_allclose(got if axis == -1 else got.T, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_vjp_is_upstream_times_derivative(name: str) -> None:
    act = activations.get(name)
    rng = np.random.default_rng(12)
    x, g = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    np.testing.assert_allclose(act.vjp(x, g), g * act.derivative(x), rtol=1e-15, atol=0)
    np.testing.assert_allclose(act.jacobian(x[0]), np.diag(act.derivative(x[0])), rtol=1e-15)


# ---- numerics ---------------------------------------------------------------------------------

EXTREMES = [-1e4, -1e3, -100.0, -30.0, -1.0, -1e-7, 0.0, 1e-7, 1.0, 30.0, 100.0, 1e3, 1e4]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", [n for n in NAMES if n != "exponential"])
def test_no_warnings_and_finite_up_to_1e4(name: str, dtype: type) -> None:
    act = activations.get(name)
    x = np.array([*EXTREMES, 2.5], dtype=dtype)  # 14 values: glu needs an even count
    x = x if act.elementwise else x.reshape(2, 7) if name != "glu" else x.reshape(1, 14)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        y = act(x)
        g = np.ones_like(y)
        back = act.vjp(x, g)
        d = act.derivative(x) if act.elementwise else back
    for out in (y, back, d):
        assert out.dtype == dtype
        assert np.all(np.isfinite(out)), f"{name} gave {out}"


def test_exponential_overflow_is_the_true_answer() -> None:
    exp = activations.get("exponential")
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        np.testing.assert_allclose(exp(np.array([-1e4, 0.0, 80.0], np.float32)),
                                   [0.0, 1.0, math.exp(80.0)], rtol=1e-6)
    with np.errstate(over="ignore"):
        assert np.isinf(exp(np.array([1e4]))).all()


def test_softmax_of_large_logits_is_exact() -> None:
    got = activations.softmax(np.array([1010.0, 1000.0, 990.0]))
    # From: the same softmax written with the shifts done by hand in math.exp.
    z = 1.0 + math.exp(-10.0) + math.exp(-20.0)
    expected = [1.0 / z, math.exp(-10.0) / z, math.exp(-20.0) / z]
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    np.testing.assert_allclose(got, [9.99954600e-01, 4.53978686e-05, 2.06106005e-09], rtol=1e-8)


def test_softmax_keeps_order_and_sums_to_one() -> None:
    x = np.random.default_rng(13).normal(0, 5, size=(50, 9))
    s = activations.softmax(x)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(np.argsort(s, axis=-1), np.argsort(x, axis=-1))


def test_sparsemax_projects_onto_the_simplex() -> None:
    x = np.random.default_rng(14).normal(0, 2, size=(40, 7))
    p = activations.sparsemax(x)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    assert (p >= 0).all() and (p == 0).any()
    np.testing.assert_array_equal(activations.sparsemax(np.array([[0.0, 5.0, 1.0]])), [[0, 1, 0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_dtype_is_kept_and_inputs_are_not_mutated(name: str, dtype: type) -> None:
    act = activations.get(name)
    x = np.random.default_rng(15).normal(0, 2, size=(3, 4)).astype(dtype)
    x_copy = x.copy()
    y = act(x)
    g = np.ones_like(y)
    y_copy = y.copy()
    back = act.vjp(x, g, y)
    assert y.dtype == dtype and back.dtype == dtype and back.shape == x.shape
    if act.elementwise:
        assert act.derivative(x, y).dtype == dtype
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(g, np.ones_like(y))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_scalars_lists_and_ints_are_accepted(name: str) -> None:
    act = activations.get(name)
    scalar = act(1.5)
    assert np.shape(scalar) == () and float(scalar) == pytest.approx(float(act(np.array([1.5]))[0]))
    assert np.shape(act.derivative(1.5)) == ()
    assert act([1, 2]).dtype == np.float64


# ---- rrelu ------------------------------------------------------------------------------------


def test_rrelu_training_draws_seeded_slopes_and_uses_them_backward() -> None:
    x = np.linspace(-3, 3, 101)
    a, b = activations.get({"name": "rrelu", "config": {"seed": 7}}), None
    y = a(x, training=True)
    slopes = y[x < 0] / x[x < 0]
    assert slopes.min() >= 1 / 8 and slopes.max() <= 1 / 3 and np.unique(slopes).size > 10
    np.testing.assert_array_equal(y[x > 0], x[x > 0])
    d = a.derivative(x, training=True)
    np.testing.assert_allclose(d[x < 0], slopes, rtol=1e-12)
    np.testing.assert_array_equal(d[x > 0], 1.0)
    b = activations.get({"name": "rrelu", "config": {"seed": 7}})
    np.testing.assert_array_equal(b(x, training=True), y)  # same seed, same numbers
    np.testing.assert_allclose(a(x)[x < 0], x[x < 0] * (1 / 8 + 1 / 3) / 2)  # eval: mean slope
    with pytest.raises(ValueError, match="same shape"):
        a.derivative(np.ones(3), training=True)


# ---- registry, serialization, functional API ---------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_serialize_round_trip(name: str) -> None:
    act = activations.get(name)
    assert act.name == name
    blob = json.loads(json.dumps(activations.serialize(act)))
    assert blob == name
    assert activations.deserialize(blob) == act
    assert activations.get(blob) == act


@pytest.mark.parametrize(("name", "config"), CONFIGS)
def test_serialize_round_trip_with_config(name: str, config: dict) -> None:
    act = activations.get({"name": name, "config": config})
    blob = json.loads(json.dumps(activations.serialize(act)))
    assert blob == {"name": name, "config": {**act.defaults(), **config}}
    assert activations.deserialize(blob) == act


@pytest.mark.parametrize("name", NAMES + list(activations.aliases()))
def test_functional_shortcut_equals_registered_object(name: str) -> None:
    x = np.random.default_rng(16).normal(size=(2, 6))
    np.testing.assert_array_equal(getattr(activations, name)(x), activations.get(name)(x))


def test_aliases_and_lenient_names() -> None:
    assert activations.get("swish").name == "silu"
    assert activations.get("hard_swish").name == "hard_silu"
    assert activations.get("HardSwish").name == "hard_silu"
    assert activations.get("LeakyReLU").name == "leaky_relu"
    assert activations.get("identity").name == "linear"
    assert activations.get(None).name == "linear"
    inst = activations.get("tanh")
    assert activations.get(inst) is inst


def test_functional_keyword_config() -> None:
    got = activations.leaky_relu(np.array([-1.0, 2.0]), negative_slope=0.2)
    np.testing.assert_allclose(got, [-0.2, 2.0])
    np.testing.assert_allclose(activations.relu(np.array([-1.0, 3.0, 9.0]), max_value=6.0),
                               [0.0, 3.0, 6.0])


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(ValueError, match=r"unknown activation 'reluu'; did you mean 'relu'") as e:
        activations.get("reluu")
    assert "known:" in str(e.value) and "sparsemax" in str(e.value)
    with pytest.raises(ValueError, match="did you mean 'sigmoid'"):
        activations.get("sigmod")


@pytest.mark.parametrize(
    ("identifier", "error", "match"),
    [
        (42, TypeError, "activation must be a name"),
        ({"name": "elu", "config": {"beta": 1}}, ValueError, r"unexpected parameter.*alpha"),
        ({"config": {}}, ValueError, "'name'"),
        ({"name": "elu", "cfg": {}}, ValueError, "unexpected keys"),
        ({"name": "elu", "config": {"alpha": float("nan")}}, ValueError, "alpha must be a finite"),
        ({"name": "leaky_relu", "config": {"negative_slope": "x"}}, TypeError, "real number"),
        ({"name": "hard_tanh", "config": {"min_val": 1, "max_val": -1}}, ValueError, "greater"),
        ({"name": "relu", "config": {"max_value": -1.0}}, ValueError, "max_value"),
        ({"name": "gelu", "config": {"approximate": "fast"}}, ValueError, "'none' or 'tanh'"),
        ({"name": "celu", "config": {"alpha": 0.0}}, ValueError, "alpha"),
        ({"name": "softplus", "config": {"beta": -1.0}}, ValueError, "beta"),
        ({"name": "rrelu", "config": {"lower": 0.5, "upper": 0.1}}, ValueError, "upper"),
        ({"name": "softmax", "config": {"axis": 1.5}}, TypeError, "axis"),
    ],
)
def test_bad_configuration_is_rejected_clearly(identifier, error, match) -> None:
    with pytest.raises(error, match=match):
        activations.get(identifier)


def test_bad_inputs_are_rejected_clearly() -> None:
    with pytest.raises(TypeError, match="real numbers"):
        activations.relu(np.array([1 + 2j]))
    with pytest.raises(TypeError, match="real numbers"):
        activations.relu(np.array(["a"]))
    with pytest.raises(ValueError, match="shape of the output"):
        activations.get("tanh").vjp(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="must be even"):
        activations.glu(np.ones((2, 3)))
    with pytest.raises(ValueError, match="axis=-1"):
        activations.softmax(np.float64(1.0))
    with pytest.raises(TypeError, match="not elementwise"):
        activations.get("softmax").derivative(np.ones(3))
    with pytest.raises(ValueError, match="1-D"):
        activations.get("softmax").jacobian(np.ones((2, 2)))


def test_defaults_are_cached_but_returned_as_copies():
    from gradlab.activations import get

    act = get("leaky_relu")
    first = type(act).defaults()
    first["negative_slope"] = 123.0
    assert type(act).defaults()["negative_slope"] == 0.01
    assert act.get_config() == {"negative_slope": 0.01}
