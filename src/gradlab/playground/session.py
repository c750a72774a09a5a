"""One playground session: a config, its data, a gradlab model, and the ``state`` it reports.

:class:`Session` is plain Python (no asyncio, no threads): the server runs its methods in a
thread pool, one call at a time per session. Everything random comes from
``np.random.default_rng`` seeded from the config's ``seed`` and two counters (``reset`` draws
the next weights, ``regenerate`` the next data set), so the same seed and the same calls give
the same numbers.
"""

from __future__ import annotations

import base64
import copy
import math
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import activations as activations_mod
from .. import initializers as initializers_mod
from .. import optimizers as optimizers_mod
from ..callbacks import Callback, Logs
from ..datasets import toy
from ..diagnostics import SATURATION_THRESHOLD
from ..layers import Activation, BatchNorm, Dense, Dropout
from ..model import Sequential
from .. import TrainingDivergedError
from . import protocol
from .protocol import DATASETS, DEFAULT_CONFIG, LIMITS

__all__ = ["RANGE", "Session", "feature_matrix", "grid_points", "make_data"]

#: Coordinates live in [-RANGE, RANGE]^2, as in TensorFlow Playground.
RANGE = 6.0

Array = NDArray[np.floating]

#: Standard deviation of the noise (in gradlab's unit square) at 100 % noise, per data set;
#: gauss also has a floor so that its blobs are blobs at 0 % (as TensorFlow Playground's).
_NOISE_SCALE = {"circle": 0.5, "xor": 0.5, "spiral": 0.5, "gauss": 0.7}
_GAUSS_FLOOR = 0.12

#: TensorFlow Playground's regress-gauss: centres (x, y) and signs.
_REG_GAUSSIANS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=np.float64,
)


def _seed(*parts: int) -> int:
    """A 32-bit seed derived from ``parts`` (SeedSequence mixing, so nearby seeds differ)."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


def make_data(config: dict[str, Any], seed: int) -> dict[str, Any]:
    """Draw the data set of ``config`` and split it.

    Returns:
        ``{"task", "n_classes", "train": (P, y), "test": (P, y)}`` with ``P`` the points in
        ``[-6, 6]^2`` (float64, shape (n, 2)) and ``y`` int64 labels or float64 targets in
        ``[-1, 1]``.
    """
    name = config["dataset"]
    n = config["n_samples"]
    noise = config["noise"] / 100.0
    rng = np.random.default_rng(seed)
    task = DATASETS[name]["task"]
    if task == "classification":
        k = config["classes"]
        std = noise * _NOISE_SCALE[name]
        if name == "circle":
            P, y = toy.circles(n, std, rng, dtype="float64")
        elif name == "xor":
            P, y = toy.xor(n, std, rng, dtype="float64")
        elif name == "gauss":
            P, y = toy.gauss(n, _GAUSS_FLOOR + std, rng, n_classes=k, dtype="float64")
        else:
            P, y = toy.spirals(n, std, rng, n_classes=k, dtype="float64")
        P = np.clip(P * RANGE, -RANGE, RANGE)
        n_classes = k if name in ("gauss", "spiral") else 2
    else:
        # As TensorFlow Playground: uniform points; the label is taken at a point moved by
        # uniform noise of up to noise * 6 per coordinate.
        P = rng.uniform(-RANGE, RANGE, size=(n, 2))
        moved = P + rng.uniform(-RANGE, RANGE, size=(n, 2)) * noise
        if name == "plane":
            y = np.clip((moved[:, 0] + moved[:, 1]) / (2 * RANGE), -1.0, 1.0)
        else:
            y = _reg_gauss(moved)
        n_classes = 1
    order = rng.permutation(n)
    n_train = min(n - 1, max(1, round(n * config["train_ratio"] / 100.0)))
    train, test = order[:n_train], order[n_train:]
    return {
        "task": task,
        "n_classes": n_classes,
        "train": (P[train], y[train]),
        "test": (P[test], y[test]),
    }


def _reg_gauss(P: NDArray[np.float64]) -> NDArray[np.float64]:
    """TensorFlow Playground's regress-gauss label: the strongest signed bump at each point."""
    d = np.hypot(P[:, None, 0] - _REG_GAUSSIANS[:, 0], P[:, None, 1] - _REG_GAUSSIANS[:, 1])
    values = _REG_GAUSSIANS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    pick = np.argmax(np.abs(values), axis=1)
    return values[np.arange(len(P)), pick]


def feature_matrix(P: NDArray[np.floating], features: list[str]) -> NDArray[np.float64]:
    """Return the input columns ``features`` (canonical order) for points ``P`` (n, 2)."""
    x1, x2 = P[:, 0], P[:, 1]
    columns = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1sq": lambda: x1 * x1,
        "x2sq": lambda: x2 * x2,
        "x1x2": lambda: x1 * x2,
        "sinx1": lambda: np.sin(x1),
        "sinx2": lambda: np.sin(x2),
    }
    return np.column_stack([columns[f]() for f in features]).astype(np.float64)


def grid_points(g: int = LIMITS["grid"]) -> NDArray[np.float64]:
    """The heatmap's ``g * g`` points, row-major: row 0 at x2 = +6, column 0 at x1 = -6."""
    x1 = np.linspace(-RANGE, RANGE, g)
    x2 = np.linspace(RANGE, -RANGE, g)
    X1, X2 = np.meshgrid(x1, x2)
    return np.column_stack([X1.ravel(), X2.ravel()])


def _b64(a: NDArray[np.uint8]) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode("ascii")


def _quantize(values: Array, lo: Array, hi: Array) -> NDArray[np.uint8]:
    """Map ``values`` (rows = points, columns = units) to bytes between ``lo`` and ``hi``."""
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.rint((values - lo) / span * 255.0)
    return np.clip(q, 0, 255).astype(np.uint8)


def _finite(x: float) -> float | None:
    """``x`` as a float, or ``None`` (JSON null) when it is NaN or infinite."""
    x = float(x)
    return x if math.isfinite(x) else None


class _Probe(Callback):
    """Per batch: record the kernel gradient norms, then add the L1/L2 penalty gradients."""

    def __init__(self, dense: list[Dense], regularization: str, rate: float) -> None:
        super().__init__()
        self.dense = dense
        self.regularization = regularization if rate > 0 else "none"
        self.rate = rate
        self.sums = np.zeros(len(dense))
        self.count = 0

    def take(self) -> NDArray[np.float64] | None:
        """Return the mean gradient norms since the last call (None if no batch ran)."""
        if not self.count:
            return None
        mean = self.sums / self.count
        self.sums = np.zeros(len(self.dense))
        self.count = 0
        return mean

    def on_after_backward(self, batch: int, logs: Logs) -> None:
        for i, layer in enumerate(self.dense):
            g = layer.grads["W"].reshape(-1)
            self.sums[i] += math.sqrt(float(np.dot(g, g)))
        self.count += 1
        if self.regularization == "l2":
            for layer in self.dense:
                layer.grads["W"] += self.rate * layer.params["W"]
        elif self.regularization == "l1":
            for layer in self.dense:
                layer.grads["W"] += self.rate * np.sign(layer.params["W"])


def _make_optimizer(config: dict[str, Any]) -> optimizers_mod.Optimizer:
    spec = config["optimizer"]
    lr, clip = config["learning_rate"], config["clip_norm"]
    name = spec["name"]
    if name == "sgd":
        return optimizers_mod.SGD(lr, clip_norm=clip)
    if name == "momentum":
        return optimizers_mod.Momentum(lr, momentum=spec["momentum"], clip_norm=clip)
    if name == "nesterov":
        return optimizers_mod.Nesterov(lr, momentum=spec["momentum"], clip_norm=clip)
    if name == "adagrad":
        return optimizers_mod.Adagrad(lr, eps=spec["eps"], clip_norm=clip)
    if name == "rmsprop":
        return optimizers_mod.RMSprop(lr, alpha=spec["alpha"], eps=spec["eps"], clip_norm=clip)
    return optimizers_mod.Adam(
        lr, betas=(spec["beta1"], spec["beta2"]), eps=spec["eps"], clip_norm=clip
    )


def _make_activation(name: str, seed: int) -> activations_mod.Activation:
    if "seed" in activations_mod.get(name).get_config():  # rrelu: seeded like everything else
        return activations_mod.get({"name": name, "config": {"seed": seed}})
    return activations_mod.get(name)


class Session:
    """A training session: config, data, model, and the numbers the page draws.

    Args:
        config: A partial config over the defaults (``None``: the defaults).

    Attributes:
        config: The normalized config in force.
        running: Whether the page asked to play (the server's loop reads it).
        epoch: Epochs trained since the model was built.
        steps: Optimisation steps since the model was built.
        diverged: ``None``, or the message of the divergence that stopped training.
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = protocol.merge_config(DEFAULT_CONFIG, config or {})
        self.running = False
        self._weights_round = 0  # bumped by reset(): the next initial weights
        self._data_round = 0  # bumped by regenerate(): the next data set
        self._grid = grid_points()
        self._build_data()
        self._build_model()

    # -- building ------------------------------------------------------------------------------
    def _build_data(self) -> None:
        c = self.config
        self.data = make_data(c, _seed(c["seed"], self._data_round, 1))
        self._prepare_inputs()

    def _prepare_inputs(self) -> None:
        feats = self.config["features"]
        (Ptr, ytr), (Pte, yte) = self.data["train"], self.data["test"]
        self._Xtr = feature_matrix(Ptr, feats).astype(np.float32)
        self._Xte = feature_matrix(Pte, feats).astype(np.float32)
        self._Xgrid = feature_matrix(self._grid, feats).astype(np.float32)
        regression = self.data["task"] == "regression"
        self._ytr = ytr.astype(np.float32).reshape(-1, 1) if regression else ytr
        self._yte = yte.astype(np.float32).reshape(-1, 1) if regression else yte
        # All inference rows at once: grid, train, test.
        self._Xall = np.concatenate([self._Xgrid, self._Xtr, self._Xte])
        # BatchNorm refuses a batch of one sample: leave one training sample out of the fit
        # when the last batch would hold a single one.
        n, bs = len(self._Xtr), self.config["batch_size"]
        cut = n - 1 if self.config["batchnorm"] and n % bs == 1 else n
        self._fit_X, self._fit_y = self._Xtr[:cut], self._ytr[:cut]

    def _build_model(self) -> None:
        c = self.config
        seed = _seed(c["seed"], self._weights_round, 2)
        init = initializers_mod.get(c["initializer"])
        layers: list[Any] = []
        self._hidden: list[dict[str, Any]] = []  # per hidden layer: its layers and activation
        for i, spec in enumerate(c["layers"]):
            act = _make_activation(spec["activation"], _seed(seed, i, 3))
            entry: dict[str, Any] = {"act": act, "units": spec["units"]}
            if c["batchnorm"]:
                entry["dense"] = Dense(spec["units"], None, kernel_initializer=init)
                entry["bn"] = BatchNorm()
                layers += [entry["dense"], entry["bn"], Activation(act)]
            else:
                entry["dense"] = Dense(spec["units"], act, kernel_initializer=init)
                entry["bn"] = None
                layers.append(entry["dense"])
            if c["dropout"] > 0:
                layers.append(Dropout(c["dropout"]))
            self._hidden.append(entry)
        task, k = self.data["task"], self.data["n_classes"]
        if task == "regression":
            out, loss = Dense(1, None, kernel_initializer=init), "mse"
            self._kind = "regression"
        elif k == 2:
            out, loss = Dense(1, "sigmoid", kernel_initializer=init), "binary_cross_entropy"
            self._kind = "binary"
        else:
            out, loss = Dense(k, "softmax", kernel_initializer=init), "cross_entropy"
            self._kind = "multiclass"
        layers.append(out)
        self._out = out
        self._dense = [h["dense"] for h in self._hidden] + [out]
        self.model = Sequential(layers, input_dim=len(c["features"]), seed=seed)
        if c["init_scale"] != 1.0:
            for layer in self._dense:
                layer.params["W"] *= c["init_scale"]
        self.model.compile(optimizer=_make_optimizer(c), loss=loss)
        self._probe = _Probe(self._dense, c["regularization"], c["reg_rate"])
        self._last_grad: NDArray[np.float64] | None = None
        self.epoch = 0
        self.steps = 0
        self.diverged: str | None = None
        self._compute_s = 0.0

    # -- commands ------------------------------------------------------------------------------
    def apply_config(self, partial: dict[str, Any]) -> dict[str, Any]:
        """Put ``partial``'s top-level keys over the config, validate, rebuild.

        Returns:
            ``{"config": the new normalized config, "data_changed": bool}``.

        Raises:
            ProtocolError: the session is left exactly as it was.
        """
        new = protocol.merge_config(self.config, partial)
        return self._set_config(new)

    def apply_preset(self, name: str) -> dict[str, Any]:
        """Replace the config by preset ``name`` over the defaults (as :meth:`apply_config`)."""
        from .presets import preset_config

        return self._set_config(preset_config(name))

    def _set_config(self, new: dict[str, Any]) -> dict[str, Any]:
        old = self.config
        if new["seed"] != old["seed"]:
            self._weights_round = self._data_round = 0
        data_changed = any(new[k] != old[k] for k in protocol.data_fields())
        self.config = new
        if data_changed:
            self._build_data()
        else:
            self._prepare_inputs()
        self._build_model()
        return {"config": copy.deepcopy(new), "data_changed": data_changed}

    def reset(self) -> None:
        """New initial weights (the next weight seed), same data, epoch 0."""
        self._weights_round += 1
        self._build_model()

    def regenerate(self) -> None:
        """New data (the next data seed), same architecture (fresh weights), epoch 0."""
        self._data_round += 1
        self._build_data()
        self._build_model()

    def step_epoch(self) -> bool:
        """Train one epoch. Returns False (and sets :attr:`diverged`, stops running) when the
        training diverged; the weights are then those before the failed epoch."""
        start = time.perf_counter()
        saved = self.model.get_weights()
        steps_before = self.model.steps
        try:
            with np.errstate(all="ignore"):
                self.model.fit(
                    self._fit_X,
                    self._fit_y,
                    epochs=1,
                    batch_size=self.config["batch_size"],
                    verbose=0,
                    callbacks=[self._probe],
                )
        except TrainingDivergedError as exc:
            self.model.set_weights(saved)
            for layer in self.model.layers:
                layer.clear_cache()
            self.diverged = str(exc)
            self.running = False
            return False
        finally:
            self.steps += self.model.steps - steps_before
            self._compute_s += time.perf_counter() - start
        self.epoch += 1
        self.diverged = None
        return True

    def run_for(self, seconds: float) -> int:
        """Train whole epochs for about ``seconds`` (at least one); return how many ran.

        Stops early when the training diverges.
        """
        start = time.perf_counter()
        done = 0
        while True:
            ok = self.step_epoch()
            done += 1
            if not ok or time.perf_counter() - start >= seconds:
                return done

    # -- messages ------------------------------------------------------------------------------
    def config_message(self, id: int | None = None) -> dict[str, Any]:
        """The ``config`` message."""
        return {"type": "config", "id": id, "config": copy.deepcopy(self.config)}

    def data_message(self, id: int | None = None) -> dict[str, Any]:
        """The ``data`` message: task, class count, train and test points."""
        regression = self.data["task"] == "regression"

        def rows(P: NDArray, y: NDArray) -> list[list[float]]:
            P = np.round(P, 4)
            yy = np.round(y, 4).tolist() if regression else y.astype(int).tolist()
            return [[a, b, t] for (a, b), t in zip(P.tolist(), yy, strict=True)]

        return {
            "type": "data",
            "id": id,
            "task": self.data["task"],
            "n_classes": self.data["n_classes"],
            "train": rows(*self.data["train"]),
            "test": rows(*self.data["test"]),
        }

    def _forward(self, X: Array, training_stats: bool) -> tuple[list[Array], list[Array], Array]:
        """Run the model on ``X`` without changing it (dropout off).

        Returns ``(pre, post, logits)``: per hidden layer the activation's input and output,
        and the output layer's pre-activation. ``training_stats``: BatchNorm normalizes with
        the statistics of ``X`` (as in training) instead of its running statistics.
        """
        pre: list[Array] = []
        post: list[Array] = []
        h = X
        for entry in self._hidden:
            z = entry["dense"].forward(h, False, apply_activation=False)
            bn = entry["bn"]
            if bn is not None:
                if training_stats:
                    mean, var = z.mean(axis=0), z.var(axis=0)
                else:
                    mean, var = bn.buffers["running_mean"], bn.buffers["running_var"]
                z = (z - mean) / np.sqrt(var + bn.eps) * bn.params["gamma"] + bn.params["beta"]
            pre.append(z)
            h = entry["act"](z)
            post.append(h)
        logits = self._out.forward(h, False, apply_activation=False)
        return pre, post, logits

    def _loss(self, logits: Array, y: NDArray) -> float:
        loss = self.model.loss
        out = logits if self.model.fused else self._out.activation(logits)
        try:
            return float(loss.forward(out, y))
        except ValueError:  # the loss refuses non-finite outputs: report null
            return math.nan
        finally:
            loss.clear_cache()

    def _accuracy(self, logits: Array, y: NDArray) -> float | None:
        if self._kind == "regression":
            return None
        pred = (logits[:, 0] > 0).astype(int) if self._kind == "binary" else logits.argmax(1)
        return float(np.mean(pred == y))

    def _grad_norms(self) -> NDArray[np.float64]:
        """Mean kernel-gradient norms since the last state; with no batch since, the last
        ones; for a model that never trained, the gradient of the whole training set."""
        fresh = self._probe.take()
        if fresh is not None:
            self._last_grad = fresh
        if self._last_grad is None:
            probe = copy.deepcopy(self.model)
            for layer in probe.layers:
                if isinstance(layer, Dropout):
                    layer.p = 0.0
            dense = [layer for layer in probe.layers if isinstance(layer, Dense)]
            try:
                probe.compute_gradients(self._fit_X, self._fit_y)
            except ValueError:  # non-finite outputs: no gradient to show
                self._last_grad = np.full(len(dense), math.nan)
            else:
                self._last_grad = np.array(
                    [math.sqrt(float(np.vdot(d.grads["W"], d.grads["W"]))) for d in dense]
                )
        return self._last_grad

    def state(self, id: int | None = None) -> dict[str, Any]:
        """The ``state`` message (see ``docs/playground-protocol.md``)."""
        start = time.perf_counter()
        with np.errstate(all="ignore"):
            message = self._state(id)
        self._compute_s += time.perf_counter() - start
        message["compute_ms"] = round(self._compute_s * 1000.0, 3)
        self._compute_s = 0.0
        return message

    def _state(self, id: int | None) -> dict[str, Any]:
        g2 = len(self._Xgrid)
        n_tr = len(self._Xtr)
        pre, post, logits = self._forward(self._Xall, training_stats=False)
        if self.config["batchnorm"]:
            pre_tr = self._forward(self._Xtr, training_stats=True)[0]
        else:
            pre_tr = [z[g2 : g2 + n_tr] for z in pre]
        lg_grid, lg_tr, lg_te = logits[:g2], logits[g2 : g2 + n_tr], logits[g2 + n_tr :]
        grads = self._grad_norms()

        layers = []
        for i, dense in enumerate(self._dense):
            hidden = i < len(self._hidden)
            act = self._hidden[i]["act"] if hidden else dense.activation
            z = pre_tr[i] if hidden else lg_tr
            dead, saturated = self._unit_health(act, z)
            W = dense.params["W"]
            layers.append(
                {
                    "units": int(W.shape[1]),
                    "activation": act.name,
                    "grad_norm": _finite(grads[i]),
                    "weight_norm": _finite(math.sqrt(float(np.vdot(W, W)))),
                    "dead": dead,
                    "saturated": saturated,
                    "W": [[_finite(v) for v in row] for row in W.tolist()],
                    "b": [_finite(v) for v in dense.params["b"].tolist()],
                }
            )

        neurons = []
        for h in post:
            H = np.nan_to_num(h[:g2].astype(np.float64), nan=0.0, posinf=1e30, neginf=-1e30)
            lo, hi = H.min(axis=0), H.max(axis=0)
            q = _quantize(H, lo, hi).T
            neurons.append(
                [
                    {"lo": float(lo[j]), "hi": float(hi[j]), "data": _b64(q[j])}
                    for j in range(H.shape[1])
                ]
            )
        output: dict[str, Any] = {"kind": self._kind, "classes": None}
        if self._kind == "binary":
            p = 1.0 / (1.0 + np.exp(-lg_grid[:, 0].astype(np.float64)))
            output["data"] = _b64(np.rint(np.nan_to_num(p, nan=0.5) * 255))
        elif self._kind == "regression":
            v = np.clip(np.nan_to_num(lg_grid[:, 0].astype(np.float64)), -1.0, 1.0)
            output["data"] = _b64(np.rint((v + 1.0) / 2.0 * 255))
        else:
            probs = activations_mod.get("softmax")(lg_grid.astype(np.float64))
            probs = np.nan_to_num(probs, nan=1.0 / probs.shape[1])
            output["data"] = _b64(np.rint(probs.max(axis=1) * 255))
            output["classes"] = _b64(probs.argmax(axis=1))

        (_, ytr), (_, yte) = self.data["train"], self.data["test"]
        return {
            "type": "state",
            "id": id,
            "epoch": self.epoch,
            "steps": self.steps,
            "running": self.running,
            "train_loss": _finite(self._loss(lg_tr, self._ytr)),
            "test_loss": _finite(self._loss(lg_te, self._yte)),
            "train_accuracy": self._accuracy(lg_tr, ytr),
            "test_accuracy": self._accuracy(lg_te, yte),
            "layers": layers,
            "heatmaps": {"grid": LIMITS["grid"], "neurons": neurons, "output": output},
            "diverged": self.diverged,
        }

    @staticmethod
    def _unit_health(act: Any, z: Array) -> tuple[list[bool], list[float]]:
        """Per unit: dead (f' == 0 on every sample) and the saturated fraction."""
        units = z.shape[1]
        if not act.info.elementwise:
            return [False] * units, [0.0] * units
        d = np.abs(act.derivative(z.astype(np.float64)))
        dead = np.all(d == 0, axis=0)
        peak = act.info.max_abs_derivative
        if not (peak and math.isfinite(peak)):  # step (f' = 0) or an unbounded derivative
            finite = d[np.isfinite(d)]
            peak = float(finite.max()) if finite.size else 0.0
        if peak > 0:
            saturated = np.mean(d < SATURATION_THRESHOLD * peak, axis=0)
        else:
            saturated = np.ones(units)
        return dead.tolist(), [round(float(s), 4) for s in saturated]
