"""The optimizer API: registry, validation, clipping, schedules, dtypes, save and restore.

Numerical agreement with torch.optim lives in tests/oracle/test_optimizers_torch.py; these
tests loop over the registry, so a new optimizer is covered as soon as it is registered.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradlab import optimizers
from gradlab.optimizers import schedules

NAMES = optimizers.names()

#: Non-default options that switch on every piece of state and every branch.
RICH: list[tuple[str, dict[str, Any]]] = [
    ("sgd", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("momentum", {"lr": 0.05, "weight_decay": 0.01}),
    ("nesterov", {"lr": 0.05}),
    ("adagrad", {"lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("rmsprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.01}),
    ("adam", {"amsgrad": True, "weight_decay": 0.01}),
    ("adamw", {"amsgrad": True}),
]
CONFIGS = [(name, {}) for name in NAMES] + RICH
CONFIG_IDS = [name + "".join(f"-{k}" for k in kw) for name, kw in CONFIGS]

CURVATURE = np.array([1.0, 3.0, 10.0])


def quadratic(x: np.ndarray) -> tuple[float, np.ndarray]:
    """``f(x) = ½ Σ a_i x_i²`` and its gradient ``a x``."""
    return 0.5 * float(np.sum(CURVATURE * x * x)), CURVATURE * x


def make(name: str, **kwargs: Any) -> optimizers.Optimizer:
    return optimizers.get({"name": name, "config": kwargs})


def problem(dtype: str = "float64", seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(4, 3)).astype(dtype), rng.normal(size=3).astype(dtype)]


def gradients(params: list[np.ndarray], step: int) -> list[np.ndarray]:
    """Deterministic gradients that depend on the parameters and the step."""
    rng = np.random.default_rng(100 + step)
    return [(2.0 * p + rng.normal(size=p.shape)).astype(p.dtype) for p in params]


def train(opt: optimizers.Optimizer, params: list[np.ndarray], steps: range) -> None:
    for k in steps:
        opt.step(params, gradients(params, k))


# ---- registry ------------------------------------------------------------------------------
def test_registry_holds_the_seven_optimizers() -> None:
    assert set(NAMES) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}


@pytest.mark.parametrize("name", NAMES)
def test_registry_round_trips_and_descends(name: str) -> None:
    opt = optimizers.get(name)
    assert isinstance(opt, optimizers.Optimizer) and opt.name == name
    serialized = optimizers.serialize(opt)
    assert serialized == {"name": name, "config": opt.get_config()}
    assert json.loads(json.dumps(serialized)) == serialized
    again = optimizers.deserialize(json.loads(json.dumps(serialized)))
    assert type(again) is type(opt) and again.get_config() == opt.get_config()
    assert type(opt).from_config(opt.get_config()).get_config() == opt.get_config()
    assert set(opt.get_config()) == set(type(opt).defaults())
    assert opt.lr == opt.base_lr == opt.get_config()["lr"] > 0

    x = np.array([1.0, -2.0, 0.5])
    start, _ = quadratic(x)
    for _ in range(10):
        opt.step([x], [quadratic(x)[1]])
    assert quadratic(x)[0] < start
    assert opt.iterations == 10


@pytest.mark.parametrize("name, kwargs", RICH, ids=CONFIG_IDS[len(NAMES) :])
def test_config_round_trip_with_options(name: str, kwargs: dict[str, Any]) -> None:
    opt = make(name, **kwargs, clip_norm=1.5, clip_value=0.5, schedule=optimizers.StepDecay(3))
    config = json.loads(json.dumps(opt.get_config()))
    for key, value in kwargs.items():
        assert config[key] == value
    assert config["schedule"] == {"name": "step", "config": {"step_size": 3, "gamma": 0.1}}
    rebuilt = type(opt).from_config(config)
    assert rebuilt.get_config() == opt.get_config()
    assert rebuilt.schedule == optimizers.StepDecay(3)


def test_get_accepts_instances_classes_and_loose_names() -> None:
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    assert type(optimizers.get(optimizers.RMSprop)) is optimizers.RMSprop
    assert type(optimizers.get("AdamW")) is optimizers.AdamW
    assert type(optimizers.deserialize("sgd")) is optimizers.SGD


@pytest.mark.parametrize(
    "identifier, error, match",
    [
        ("adamm", ValueError, "unknown optimizer 'adamm'; did you mean 'adam'"),
        (3, TypeError, "optimizer must be a name"),
        ({"config": {}}, ValueError, "keys 'name'"),
        ({"name": "adam", "cfg": {}}, ValueError, r"unexpected keys \['cfg'\]"),
        ({"name": "adam", "config": {"momentum": 0.9}}, ValueError, "unexpected argument"),
    ],
)
def test_get_rejects_bad_identifiers(identifier: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        optimizers.get(identifier)


def test_variants_are_parameterisations() -> None:
    """Momentum/Nesterov are SGD, AdamW with no decay is Adam: identical steps."""
    pairs = [
        (optimizers.Momentum(lr=0.1), optimizers.SGD(lr=0.1, momentum=0.9)),
        (optimizers.Nesterov(lr=0.1), optimizers.SGD(lr=0.1, momentum=0.9, nesterov=True)),
        (optimizers.AdamW(lr=0.1, weight_decay=0.0), optimizers.Adam(lr=0.1)),
    ]
    for variant, base in pairs:
        a, b = problem(), problem()
        train(variant, a, range(5))
        train(base, b, range(5))
        for x, y in zip(a, b, strict=True):
            assert np.array_equal(x, y)
    assert "nesterov" not in optimizers.Momentum().get_config()
    assert optimizers.Nesterov().nesterov is True
    # and AdamW's decay really acts where Adam's does not
    a, b = problem(), problem()
    train(optimizers.AdamW(lr=0.1), a, range(3))
    train(optimizers.Adam(lr=0.1), b, range(3))
    assert not np.array_equal(a[0], b[0])


# ---- validation ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, kwargs, error, match",
    [
        ("sgd", {"lr": -0.1}, ValueError, r"lr must be a finite number in \[0, inf\), got -0.1"),
        ("adam", {"lr": math.nan}, ValueError, "lr must be a finite number"),
        ("adam", {"lr": math.inf}, ValueError, "lr must be a finite number"),
        ("sgd", {"lr": "0.1"}, TypeError, "lr must be a real number, got str"),
        ("sgd", {"lr": True}, TypeError, "lr must be a real number, got bool"),
        ("sgd", {"momentum": -0.5}, ValueError, "momentum must be"),
        ("sgd", {"dampening": 1.5}, ValueError, r"dampening must be a finite number in \[0, 1\]"),
        ("sgd", {"weight_decay": -1e-4}, ValueError, "weight_decay must be"),
        ("sgd", {"nesterov": True}, ValueError, "nesterov=True requires momentum > 0"),
        (
            "sgd",
            {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
            ValueError,
            "dampening == 0",
        ),
        ("sgd", {"nesterov": 1}, TypeError, "nesterov must be a bool, got int"),
        ("momentum", {"momentum": -0.9}, ValueError, "momentum must be"),
        ("nesterov", {"momentum": 0.0}, ValueError, "nesterov=True requires momentum > 0"),
        ("nesterov", {"dampening": 0.5}, ValueError, "dampening == 0"),
        ("adagrad", {"lr_decay": -1.0}, ValueError, "lr_decay must be"),
        ("adagrad", {"initial_accumulator_value": -0.1}, ValueError, "initial_accumulator_value"),
        ("adagrad", {"eps": -1e-10}, ValueError, "eps must be"),
        ("rmsprop", {"alpha": 1.5}, ValueError, r"alpha must be a finite number in \[0, 1\]"),
        ("rmsprop", {"alpha": -0.1}, ValueError, "alpha must be"),
        ("rmsprop", {"momentum": -0.1}, ValueError, "momentum must be"),
        ("rmsprop", {"centered": "yes"}, TypeError, "centered must be a bool"),
        (
            "adam",
            {"betas": (1.0, 0.999)},
            ValueError,
            r"betas\[0\] must be a finite number in \[0, 1\)",
        ),
        ("adam", {"betas": (0.9, -0.1)}, ValueError, r"betas\[1\] must be"),
        ("adam", {"betas": (0.9,)}, TypeError, "betas must be a pair"),
        ("adam", {"betas": 0.9}, TypeError, "betas must be a pair"),
        ("adam", {"eps": -1.0}, ValueError, "eps must be"),
        ("adam", {"amsgrad": None}, TypeError, "amsgrad must be a bool"),
        ("adamw", {"weight_decay": -0.01}, ValueError, "weight_decay must be"),
        (
            "adam",
            {"clip_norm": 0.0},
            ValueError,
            r"clip_norm must be a finite number in \(0, inf\)",
        ),
        ("sgd", {"clip_value": -1.0}, ValueError, "clip_value must be"),
        ("sgd", {"clip_value": "big"}, TypeError, "clip_value must be a real number"),
        ("sgd", {"schedule": "cosine"}, TypeError, "schedule 'cosine' needs arguments"),
        ("sgd", {"schedule": 0.5}, TypeError, "schedule must be None, a Schedule"),
    ],
)
def test_invalid_hyperparameters_name_the_argument(
    name: str, kwargs: dict[str, Any], error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        optimizers.REGISTRY.lookup(name)(**kwargs)


def test_lr_assignment_is_validated_and_kept_a_python_float() -> None:
    opt = optimizers.SGD()
    opt.lr = np.float64(0.5)
    assert type(opt.lr) is float and opt.lr == 0.5
    with pytest.raises(ValueError, match="lr must be"):
        opt.lr = -1.0
    with pytest.raises(AttributeError):
        opt.base_lr = 1.0  # type: ignore[misc]


# ---- the step: arrays in, arrays out -------------------------------------------------------
@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("clip", [{}, {"clip_norm": 0.1, "clip_value": 0.05}], ids=["", "clip"])
def test_step_updates_in_place_and_never_writes_grads(
    name: str, kwargs: dict[str, Any], clip: dict[str, float]
) -> None:
    opt = make(name, **kwargs, **clip)
    params = problem()
    views = list(params)
    before = [p.copy() for p in params]
    for k in range(3):
        grads = gradients(params, k)
        copies = [g.copy() for g in grads]
        opt.step(params, grads)
        for g, c in zip(grads, copies, strict=True):
            assert np.array_equal(g, c)
    assert all(p is v for p, v in zip(params, views, strict=True))
    assert all(not np.array_equal(p, b) for p, b in zip(params, before, strict=True))


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=CONFIG_IDS)
def test_float32_stays_float32(name: str, kwargs: dict[str, Any]) -> None:
    opt = make(name, **kwargs, clip_norm=1.0)
    params = problem("float32")
    train(opt, params, range(4))
    assert all(p.dtype == np.float32 for p in params)
    state = opt.get_state()
    arrays = {k: v for k, v in state.items() if "/" in k}
    assert all(v.dtype == np.float32 for v in arrays.values()), {
        k: v.dtype for k, v in arrays.items()
    }
    assert type(opt.last_grad_norm) is float


def test_float32_sgd_step_is_float32_arithmetic() -> None:
    """A float64 detour would round differently: the result is exactly w - f32(lr) * g."""
    rng = np.random.default_rng(3)
    w = rng.normal(size=1000).astype(np.float32)
    g = rng.normal(size=1000).astype(np.float32)
    expected = w - np.float32(0.1) * g
    optimizers.SGD(lr=0.1).step([w], [g])
    assert np.array_equal(w, expected)


def test_state_is_checked_against_the_first_step() -> None:
    opt = optimizers.Adam()
    params = problem()
    opt.step(params, gradients(params, 0))
    with pytest.raises(ValueError, match=r"built for 2 arrays \[float64\[4, 3\], float64\[3\]\]"):
        opt.step(params[:1], gradients(params[:1], 1))
    other = [np.zeros((3, 4)), np.zeros(3)]
    with pytest.raises(ValueError, match=r"got 2 arrays \[float64\[3, 4\], float64\[3\]\]"):
        opt.step(other, gradients(other, 1))
    as32 = [p.astype(np.float32) for p in params]
    with pytest.raises(ValueError, match=r"float32\[4, 3\].*reset\(\)"):
        opt.step(as32, gradients(as32, 1))
    opt.reset()
    opt.step(other, gradients(other, 1))
    assert opt.iterations == 1


@pytest.mark.parametrize(
    "params, grads, error, match",
    [
        ([np.zeros(3)], [np.zeros(3), np.zeros(2)], ValueError, "1 params and 2 grads"),
        ([np.zeros(3)], [np.zeros(4)], ValueError, r"grads\[0\] must match params\[0\]"),
        ([np.zeros(3)], [np.zeros(3, np.float32)], ValueError, "got shape \\(3,\\), dtype float32"),
        ([np.zeros(3, int)], [np.zeros(3, int)], TypeError, r"params\[0\] must be a float ndarray"),
        ([[0.0, 1.0]], [[0.0, 1.0]], TypeError, "got list"),
    ],
)
def test_step_rejects_bad_arrays(params: Any, grads: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        optimizers.SGD().step(params, grads)


def test_step_rejects_read_only_params() -> None:
    w = np.zeros(3)
    w.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        optimizers.SGD().step([w], [np.ones(3)])


# ---- gradient norm and clipping ------------------------------------------------------------
def test_last_grad_norm_is_the_global_norm_before_clipping() -> None:
    opt = optimizers.SGD(clip_norm=0.01, clip_value=0.001)
    assert opt.last_grad_norm is None
    params = problem()
    grads = gradients(params, 0)
    opt.step(params, grads)
    expected = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    assert type(opt.last_grad_norm) is float
    assert opt.last_grad_norm == pytest.approx(expected, rel=1e-14)
    assert opt.last_grad_norm > 0.01


def test_global_norm_survives_float32_overflow_and_reports_non_finite() -> None:
    huge = [np.full(4, 3e20, np.float32), np.array([4e20], np.float32)]
    # From: sqrt(4 * 9e40 + 16e40) = sqrt(52e40)
    assert optimizers.global_norm(huge) == pytest.approx(math.sqrt(52e40), rel=1e-6)
    assert optimizers.global_norm([np.array([1.0, np.inf])]) == math.inf
    assert math.isnan(optimizers.global_norm([np.array([np.inf]), np.array([np.nan])]))
    assert optimizers.global_norm([np.zeros(3), np.zeros((0,))]) == 0.0


def test_clip_norm_applies_the_clipped_gradient() -> None:
    params = [np.array([1.0, 2.0]), np.array([3.0])]
    grads = [np.array([3.0, 0.0]), np.array([4.0])]  # global norm 5
    before = [p.copy() for p in params]
    opt = optimizers.SGD(lr=1.0, clip_norm=2.0)
    opt.step(params, grads)
    update = [b - p for b, p in zip(before, params, strict=True)]
    coef = 2.0 / (5.0 + 1e-6)  # torch.nn.utils.clip_grad_norm_'s coefficient
    np.testing.assert_allclose(np.concatenate(update), coef * np.array([3.0, 0.0, 4.0]), rtol=1e-15)
    assert optimizers.global_norm(update) == pytest.approx(2.0, rel=1e-6)
    assert opt.last_grad_norm == 5.0
    # below the threshold nothing is scaled
    small = [np.array([0.3, 0.0]), np.array([0.4])]
    before = [p.copy() for p in params]
    opt.step(params, small)
    for b, p, g in zip(before, params, small, strict=True):
        assert np.array_equal(b - g, p)


def test_clip_value_comes_before_clip_norm() -> None:
    g = [np.array([5.0, -0.2, 0.1]), np.array([-3.0])]
    w = [np.zeros(3), np.zeros(1)]
    optimizers.SGD(lr=1.0, clip_value=0.5, clip_norm=0.6).step(w, g)
    clipped = np.array([0.5, -0.2, 0.1, -0.5])
    expected = clipped * (0.6 / (np.linalg.norm(clipped) + 1e-6))
    np.testing.assert_allclose(-np.concatenate(w), expected, rtol=1e-15)
    w = [np.zeros(3), np.zeros(1)]
    optimizers.SGD(lr=1.0, clip_value=0.5).step(w, g)
    assert np.array_equal(-np.concatenate(w), clipped)


# ---- save and restore ----------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_state_round_trip_continues_bit_identically(
    name: str, kwargs: dict[str, Any], dtype: str, tmp_path: Path
) -> None:
    config = {**kwargs, "clip_norm": 2.0, "schedule": optimizers.ExponentialDecay(0.9)}
    straight, params = make(name, **config), problem(dtype)
    for epoch in range(2):
        straight.on_epoch_begin(epoch)
        train(straight, params, range(5 * epoch, 5 * epoch + 5))

    first, resumed = make(name, **config), problem(dtype)
    first.on_epoch_begin(0)
    train(first, resumed, range(5))
    np.savez(tmp_path / "opt.npz", **first.get_state())
    np.savez(tmp_path / "params.npz", *resumed)
    saved = json.dumps(optimizers.serialize(first))

    second = optimizers.deserialize(json.loads(saved))
    with np.load(tmp_path / "opt.npz") as state:
        second.set_state(state)
    with np.load(tmp_path / "params.npz") as arrays:
        resumed = [arrays[f"arr_{i}"].copy() for i in range(2)]
    assert second.iterations == 5 and second.lr == first.lr
    second.on_epoch_begin(1)
    train(second, resumed, range(5, 10))
    for a, b in zip(params, resumed, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    for key, value in straight.get_state().items():
        assert np.array_equal(value, second.get_state()[key]), key


def test_get_state_keys() -> None:
    opt = optimizers.Adam(amsgrad=True)
    assert set(opt.get_state()) == {"iterations", "lr"}
    params = problem()
    train(opt, params, range(2))
    state = opt.get_state()
    slots = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    assert set(state) == {"iterations", "lr"} | {f"{s}/{i}" for s in slots for i in (0, 1)}
    assert state["iterations"].shape == () and int(state["iterations"]) == 2
    assert state["exp_avg/0"].shape == (4, 3)
    state["exp_avg/0"][...] = 99.0  # a copy: the optimizer is untouched
    assert not np.any(opt.get_state()["exp_avg/0"] == 99.0)
    assert set(optimizers.SGD().get_state()) == {"iterations", "lr"}


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda s: s.pop("iterations"), "no 'iterations'"),
        (lambda s: s.update(iterations=np.array(1.5)), "0-d int"),
        (lambda s: s.update({"momentum/0": np.zeros(3)}), "unexpected state key 'momentum/0'"),
        (lambda s: s.pop("exp_avg/1"), r"'exp_avg/0' ... 'exp_avg/1'.*got positions \[0\]"),
        (lambda s: s.update({"exp_avg_sq/1": np.zeros(4)}), "must share one float shape"),
    ],
)
def test_set_state_rejects_bad_state(mutate: Callable[[dict[str, Any]], Any], match: str) -> None:
    opt = optimizers.Adam()
    params = problem()
    train(opt, params, range(2))
    state = opt.get_state()
    mutate(state)
    with pytest.raises(ValueError, match=match):
        optimizers.Adam().set_state(state)


def test_set_state_needs_the_same_configuration() -> None:
    opt = optimizers.Adam()
    train(opt, problem(), range(2))
    with pytest.raises(ValueError, match="max_exp_avg_sq/0"):
        optimizers.Adam(amsgrad=True).set_state(opt.get_state())


def test_reset_starts_afresh() -> None:
    used, fresh = optimizers.SGD(lr=0.1, momentum=0.9), optimizers.SGD(lr=0.1, momentum=0.9)
    train(used, problem(seed=1), range(3))
    used.reset()
    assert used.iterations == 0 and set(used.get_state()) == {"iterations", "lr"}
    a, b = problem(), problem()
    train(used, a, range(3))
    train(fresh, b, range(3))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


# ---- schedules -----------------------------------------------------------------------------
def test_on_epoch_begin_sets_lr_from_the_schedule() -> None:
    opt = optimizers.SGD(lr=0.4, schedule=optimizers.StepDecay(step_size=2, gamma=0.5))
    lrs = []
    for epoch in range(5):
        opt.on_epoch_begin(epoch)
        lrs.append(opt.lr)
    assert lrs == [0.4, 0.4, 0.2, 0.2, 0.1]
    assert opt.base_lr == 0.4
    plain = optimizers.SGD(lr=0.4)
    plain.on_epoch_begin(7)
    assert plain.lr == 0.4
    with pytest.raises(ValueError, match="epoch must be an int >= 0"):
        opt.on_epoch_begin(-1)
    with pytest.raises(TypeError, match="epoch must be an int"):
        opt.on_epoch_begin(1.0)  # type: ignore[arg-type]


def test_a_plain_function_becomes_a_lambda_schedule() -> None:
    opt = optimizers.Adam(lr=0.1, schedule=lambda epoch: 0.5**epoch + 1.0)
    assert isinstance(opt.schedule, optimizers.LambdaSchedule)
    assert opt.lr == pytest.approx(0.2)  # like torch's LambdaLR, epoch 0 already applies fn
    opt.on_epoch_begin(1)
    assert opt.lr == pytest.approx(0.15)
    with pytest.raises(ValueError, match="cannot be serialized"):
        opt.get_config()
    with pytest.raises(ValueError, match="cannot be serialized"):
        optimizers.serialize(opt)
    assert "LambdaSchedule" in repr(opt)
    bad = optimizers.SGD(schedule=lambda epoch: -1.0 if epoch else 1.0)
    with pytest.raises(ValueError, match=r"multiplier fn\(1\)"):
        bad.on_epoch_begin(1)


SCHEDULE_EXAMPLES = {
    "step": {"step_size": 2, "gamma": 0.5},
    "exponential": {"gamma": 0.5},
    "cosine": {"T_max": 4, "eta_min": 0.01},
}


@pytest.mark.parametrize("name", schedules.names())
def test_schedule_registry_round_trips(name: str) -> None:
    schedule = schedules.deserialize({"name": name, "config": SCHEDULE_EXAMPLES[name]})
    assert schedule.get_config() == SCHEDULE_EXAMPLES[name]
    assert schedules.deserialize(json.loads(json.dumps(schedules.serialize(schedule)))) == schedule
    assert schedules.get(schedule) is schedule and schedules.get(None) is None
    assert schedule(0, 0.3) == 0.3
    assert schedule(3, 0.3) < 0.3


def test_schedule_registry_names() -> None:
    assert schedules.names() == ["step", "exponential", "cosine"]
    schedule = schedules.deserialize({"name": "step", "config": {"step_size": 2}})
    assert schedule == optimizers.StepDecay(2, gamma=0.1)


@pytest.mark.parametrize(
    "factory, error, match",
    [
        (lambda: optimizers.StepDecay(0), ValueError, "step_size must be an int >= 1"),
        (lambda: optimizers.StepDecay(2.5), TypeError, "step_size must be an int"),
        (lambda: optimizers.StepDecay(2, gamma=-0.5), ValueError, "gamma must be"),
        (lambda: optimizers.ExponentialDecay(0.0), ValueError, "gamma must be"),
        (lambda: optimizers.CosineDecay(0), ValueError, "T_max must be an int >= 1"),
        (lambda: optimizers.CosineDecay(5, eta_min=-1.0), ValueError, "eta_min must be"),
        (lambda: optimizers.LambdaSchedule(3.0), TypeError, "fn must be a function"),
        (lambda: optimizers.CosineDecay(5)(-1, 0.1), ValueError, "epoch must be"),
        (lambda: optimizers.CosineDecay(5)(1, -0.1), ValueError, "base_lr must be"),
        (lambda: schedules.deserialize({"name": "warmup"}), ValueError, "unknown schedule"),
        (
            lambda: schedules.deserialize({"name": "cosine"}),
            ValueError,
            r"needs argument\(s\) \['T_max'\]",
        ),
        (
            lambda: schedules.deserialize({"name": "step", "config": {"T_max": 3}}),
            ValueError,
            "unexpected argument",
        ),
    ],
)
def test_invalid_schedules_raise(factory: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        factory()


def test_cosine_closed_form_values() -> None:
    cosine = optimizers.CosineDecay(T_max=10, eta_min=0.01)
    for epoch in range(31):
        # From: eta_min + (base - eta_min) (1 + cos(pi e / T_max)) / 2
        closed = 0.01 + 0.09 * (1 + math.cos(math.pi * epoch / 10)) / 2
        assert cosine(epoch, 0.1) == pytest.approx(closed, rel=1e-12, abs=1e-15)


def test_repr_shows_non_defaults() -> None:
    assert repr(optimizers.Adam(lr=0.01, amsgrad=True)) == "Adam(lr=0.01, amsgrad=True)"
    assert repr(optimizers.SGD()) == "SGD(lr=0.001)"
