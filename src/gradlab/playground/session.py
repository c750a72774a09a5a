"""One playground session: a config, its data, a gradlab model, and the ``state`` it reports.

:class:`Session` is plain Python (no asyncio, no threads): the server runs its methods in a
thread pool, one call at a time per session. Everything random comes from
``np.random.default_rng`` seeded from the config's ``seed`` and two counters (``reset`` draws
the next weights, ``regenerate`` the next data set), so the same seed and the same calls give
the same numbers.

The network is :func:`gradlab.model.mlp`'s, its optimizer :func:`gradlab.optimizers.get`'s and
its L1/L2 penalty :class:`gradlab.callbacks.WeightPenalty` (with the config's ``residual``,
hidden layers sit in :class:`gradlab.layers.Residual` blocks); the session adds what the page
draws: per layer the gradient and weight norms, dead, saturated or inactive units and which
dead layer blocks the gradient, the heatmaps, and one inspected unit's maps. It also takes
single weight edits and the learner's own points (:mod:`.upload`, kept in memory only).
"""

from __future__ import annotations

import copy
import math
import time
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from .. import TrainingDivergedError
from .. import activations as activations_mod
from .. import optimizers as optimizers_mod
from ..callbacks import Callback, Logs, WeightPenalty
from ..diagnostics import SATURATION_THRESHOLD
from ..i18n import _
from ..layers import BatchNorm, Dense, Dropout
from ..layers.residual import flatten_blocks
from ..model import mlp
from .config import (
    DATA_FIELDS,
    DEFAULT_CONFIG,
    LIMITS,
    ProtocolError,
    activation_health,
    check_choice,
    check_json_integer,
    check_json_number,
    merge_config,
)
from .data import feature_matrix, grid_points, make_data, split_custom, train_count
from .messages import (
    MAX_WEIGHT,
    config_message,
    custom_data_message,
    data_message,
    finite,
    inspect_maps,
    neuron_heatmaps,
    output_heatmap,
)
from .presets import preset_config
from .upload import CustomData

__all__ = ["Session"]

Array = NDArray[np.floating]


def _seed(*parts: int) -> int:
    """A 32-bit seed derived from ``parts`` (SeedSequence mixing, so nearby seeds differ)."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


class _GradientNorms(Callback):
    """Per batch, record the norm of each ``Dense`` kernel's gradient; :meth:`take` the means.

    Put it before :class:`~gradlab.callbacks.WeightPenalty` in the callback list: the norms are
    then those of the loss's gradient, before the penalty is added.
    """

    def __init__(self, dense: list[Dense]) -> None:
        super().__init__()
        self.dense = dense
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


def _optimizer(config: dict[str, Any]) -> optimizers_mod.Optimizer:
    """The optimizer of ``config``: its ``optimizer`` spec, learning rate and clipping norm."""
    params = {k: v for k, v in config["optimizer"].items() if k != "name"}
    if "beta1" in params:  # the page sets Adam's two betas apart; the engine takes the pair
        params["betas"] = (params.pop("beta1"), params.pop("beta2"))
    params.update(lr=config["learning_rate"], clip_norm=config["clip_norm"])
    return optimizers_mod.get({"name": config["optimizer"]["name"], "config": params})


def _activation(name: str, seed: int) -> activations_mod.Activation:
    """The activation ``name``; a random one (rrelu) is seeded like everything else."""
    if "seed" in activations_mod.get(name).get_config():
        return activations_mod.get({"name": name, "config": {"seed": seed}})
    return activations_mod.get(name)


#: Per kind of output: the output layer's activation and the loss.
_OUTPUTS = {
    "regression": (None, "mse"),
    "binary": ("sigmoid", "binary_cross_entropy"),
    "multiclass": ("softmax", "cross_entropy"),
}


class _Hidden(NamedTuple):
    """One hidden layer of the model: its ``Dense``, its ``BatchNorm`` or None, its activation,
    and whether an identity shortcut adds its input to its output."""

    dense: Dense
    bn: BatchNorm | None
    act: activations_mod.Activation
    residual: bool = False


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
        inspected: ``None``, or ``(layer, unit)`` whose maps every ``state`` carries
            (:meth:`inspect`).
    """

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = merge_config(DEFAULT_CONFIG, config or {})
        self.running = False
        self.inspected: tuple[int, int] | None = None
        self._custom: CustomData | None = None  # the learner's own points, in memory only
        self.config = self._with_custom(self.config)
        self._weights_round = 0  # bumped by reset(): the next initial weights
        self._data_round = 0  # bumped by regenerate(): the next data set
        self._grid = grid_points()
        self._build_data()
        self._build_model()

    # -- building ------------------------------------------------------------------------------
    def _build_data(self) -> None:
        c = self.config
        seed = _seed(c["seed"], self._data_round, 1)
        if c["dataset"] == "custom" and self._custom is not None:
            self.data = split_custom(self._custom, c["train_ratio"], seed)
        else:
            self.data = make_data(c, seed)
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
        k = self.data["n_classes"]
        if self.data["task"] == "regression":
            self._kind = "regression"
        else:
            self._kind = "binary" if k == 2 else "multiclass"
        output_activation, loss = _OUTPUTS[self._kind]
        self.model = mlp(
            [spec["units"] for spec in c["layers"]],
            k if self._kind == "multiclass" else 1,
            input_dim=len(c["features"]),
            activation=[
                _activation(spec["activation"], _seed(seed, i, 3))
                for i, spec in enumerate(c["layers"])
            ],
            output_activation=output_activation,
            init=c["initializer"],
            batch_norm=c["batchnorm"],
            residual=c["residual"],
            dropout=c["dropout"],
            seed=seed,
        )
        self._dense = _dense_layers(self.model)
        self._out = self._dense[-1]
        self._hidden = self._hidden_layers()
        if c["init_scale"] != 1.0:
            for layer in self._dense:
                layer.params["W"] *= c["init_scale"]
        self.model.compile(optimizer=_optimizer(c), loss=loss)
        self._norms = _GradientNorms(self._dense)
        # the norms first: they are the loss's gradients, measured before the penalty is added
        self._callbacks: list[Callback] = [self._norms]
        if c["regularization"] != "none":
            self._callbacks.append(WeightPenalty(c["regularization"], c["reg_rate"]))
        self._last_grad: NDArray[np.float64] | None = None
        if self.inspected is not None:  # a unit that no longer exists is forgotten, silently
            layer, unit = self.inspected
            if layer >= len(self._dense) or unit >= self._dense[layer].params["W"].shape[1]:
                self.inspected = None
        self.epoch = 0
        self.steps = 0
        self.diverged: str | None = None
        self._compute_s = 0.0

    def _hidden_layers(self) -> list[_Hidden]:
        """Per hidden layer of the model, its ``Dense``, ``BatchNorm`` and activation, and
        whether it sits in a shortcut block (:class:`~gradlab.layers.Residual`)."""
        flat = flatten_blocks(self.model.layers)
        hidden = []
        for i, (layer, residual) in enumerate(flat):
            if not isinstance(layer, Dense) or layer is self._out:
                continue
            after = flat[i + 1][0]
            if isinstance(after, BatchNorm):  # Dense -> BatchNorm -> Activation
                act = flat[i + 2][0].activation
                hidden.append(_Hidden(layer, after, act, residual))
            else:
                hidden.append(_Hidden(layer, None, layer.activation, residual))
        return hidden

    # -- commands ------------------------------------------------------------------------------
    def apply_config(self, partial: dict[str, Any]) -> dict[str, Any]:
        """Put ``partial``'s top-level keys over the config, validate, rebuild.

        Returns:
            ``{"config": the new normalized config, "data_changed": bool}``.

        Raises:
            ProtocolError: the session is left exactly as it was.
        """
        new = merge_config(self.config, partial)
        return self._set_config(new)

    def apply_preset(self, name: str) -> dict[str, Any]:
        """Replace the config by preset ``name`` over the defaults (as :meth:`apply_config`)."""
        return self._set_config(preset_config(name))

    def _set_config(self, new: dict[str, Any]) -> dict[str, Any]:
        new = self._with_custom(new)
        old = self.config
        if new["seed"] != old["seed"]:
            self._weights_round = self._data_round = 0
        fields = DATA_FIELDS
        if new["dataset"] == old["dataset"] == "custom":  # the points are given: no noise, no n
            fields = tuple(k for k in DATA_FIELDS if k not in ("noise", "n_samples"))
        data_changed = any(new[k] != old[k] for k in fields)
        self.config = new
        if data_changed:
            self._build_data()
        else:
            self._prepare_inputs()
        self._build_model()
        return {"config": copy.deepcopy(new), "data_changed": data_changed}

    def set_custom_data(self, custom: CustomData, field: str = "points") -> None:
        """Train on the learner's own points from now on: the config's data set becomes
        ``"custom"`` (its ``classes`` those of the points), the points are split into training
        and test sets by ``train_ratio`` and the data seed, and the model is rebuilt (epoch 0).

        The points stay in this object's memory only (never written anywhere); they replace
        any earlier ones. ``field`` names the points in an error.

        Raises:
            ProtocolError: when the config cannot train on them (BatchNorm with a single
                training point); the session is then unchanged.
        """
        previous = self._custom
        self._custom = custom
        try:
            new = self._with_custom(merge_config(self.config, {"dataset": "custom"}), field)
        except ProtocolError:
            self._custom = previous
            raise
        self.config = new
        self._build_data()
        self._build_model()

    def _with_custom(self, config: dict[str, Any], field: str | None = None) -> dict[str, Any]:
        """``config`` checked against the learner's points when its data set is ``custom``,
        with their class count (2 for regression, as the other regression sets)."""
        if config["dataset"] != "custom":
            return config
        custom = self._custom
        if custom is None:
            raise ProtocolError(
                _(
                    "config.dataset 'custom' is your own data: draw points or upload a CSV "
                    "first (a 'custom_data' or 'upload' message); this session has none"
                ),
                "config.dataset",
            )
        config = {**config, "classes": custom.n_classes if custom.task == "classification" else 2}
        n_train = train_count(len(custom.y), config["train_ratio"])
        if config["batchnorm"] and n_train < 2:
            raise ProtocolError(
                _(
                    "BatchNorm needs at least 2 training points (the variance of one is 0); "
                    "with {n} point(s) and train_ratio {ratio:g} there is {n_train}: add "
                    "points, raise train_ratio or turn BatchNorm off"
                ).format(n=len(custom.y), ratio=config["train_ratio"], n_train=n_train),
                field or "config.batchnorm",
            )
        return config

    def custom_data_message(self, id: int | None = None) -> dict[str, Any]:
        """The ``custom_data`` message: the learner's points as the session holds them."""
        if self._custom is None:
            raise RuntimeError("custom_data_message() before set_custom_data()")
        return custom_data_message(self._custom, id)

    def reset(self) -> None:
        """New initial weights (the next weight seed), same data, epoch 0."""
        self._weights_round += 1
        self._build_model()

    def regenerate(self) -> None:
        """New data (the next data seed), same architecture (fresh weights), epoch 0."""
        self._data_round += 1
        self._build_data()
        self._build_model()

    def inspect(self, layer: int | None, unit: int | None = None) -> None:
        """Show unit ``unit`` of layer ``layer`` (an index into ``state.layers``, the output
        layer included) in every ``state`` from now on (``layer`` None: stop).

        The choice survives training and configs that keep the unit; a config that removes
        it forgets it.

        Raises:
            ProtocolError: for a layer or unit the network does not have (field ``"layer"``
                or ``"unit"``); the choice is then unchanged.
        """
        if layer is None:
            self.inspected = None
            return
        layer = self._check_layer(layer)
        units = self._dense[layer].params["W"].shape[1]
        unit = check_json_integer(unit, "unit", 0, units - 1)
        self.inspected = (layer, unit)

    def set_weight(self, layer: int, param: str, row: int, col: int, value: float) -> None:
        """Set one weight: ``W[row, col]`` (``row`` the input, ``col`` the unit) or, for
        ``param`` ``"b"``, ``b[col]`` (``row`` must be 0) of layer ``layer`` (an index into
        ``state.layers``) to ``value``.

        The model's arrays are changed in place (a ``Sequential`` keeps every weight in one
        buffer that the optimizer updates: rebinding ``params["W"]`` would cut the layer off
        it), so training goes on from the edited weights with the optimizer's state (momenta,
        Adam's moments) as it was. The next ``state`` shows the new value, and its
        ``grad_norm`` (when no batch runs before it) is the whole training set's gradient at
        the edited weights.

        Raises:
            ProtocolError: naming ``"layer"``, ``"param"``, ``"row"``, ``"col"`` or ``"value"``;
                the weights are then unchanged.
        """
        layer = self._check_layer(layer)
        param = check_choice(param, "param", ["W", "b"])
        W = self._dense[layer].params["W"]
        fan_in, units = W.shape
        if param == "W":
            row = check_json_integer(row, "row", 0, fan_in - 1)
        else:
            row = check_json_integer(row, "row", 0, 0)  # a bias is a row vector
        col = check_json_integer(col, "col", 0, units - 1)
        value = check_json_number(value, "value", -MAX_WEIGHT, MAX_WEIGHT)
        if param == "W":
            W[row, col] = value
        else:
            self._dense[layer].params["b"][col] = value
        self._last_grad = None  # the next state measures the gradient at the new weights

    def _check_layer(self, layer: Any) -> int:
        """Return ``layer`` as an index into ``state.layers`` or raise (field ``"layer"``)."""
        return check_json_integer(layer, "layer", 0, len(self._dense) - 1)

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
                    callbacks=self._callbacks,
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
        return config_message(self.config, id)

    def data_message(self, id: int | None = None) -> dict[str, Any]:
        """The ``data`` message: task, class count, train and test points."""
        return data_message(self.data, id)

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
            z = entry.dense.forward(h, False, apply_activation=False)
            bn = entry.bn
            if bn is not None:
                if training_stats:
                    mean, var = z.mean(axis=0), z.var(axis=0)
                else:
                    mean, var = bn.buffers["running_mean"], bn.buffers["running_var"]
                z = (z - mean) / np.sqrt(var + bn.eps) * bn.params["gamma"] + bn.params["beta"]
            pre.append(z)
            a = entry.act(z)
            post.append(a)
            h = h + a if entry.residual else a  # a shortcut adds the block's input
        logits = self._out.forward(h, False, apply_activation=False)
        return pre, post, logits

    def _loss(self, logits: Array, y: NDArray) -> float:
        if not len(y):  # an empty test set (few points of one's own): no loss, reported null
            return math.nan
        loss = self.model.loss
        out = logits if self.model.fused else self._out.activation(logits)
        try:
            return float(loss.forward(out, y))
        except ValueError:  # the loss refuses non-finite outputs: report null
            return math.nan
        finally:
            loss.clear_cache()

    def _accuracy(self, logits: Array, y: NDArray) -> float | None:
        if self._kind == "regression" or not len(y):
            return None
        pred = (logits[:, 0] > 0).astype(int) if self._kind == "binary" else logits.argmax(1)
        return float(np.mean(pred == y))

    def _grad_norms(self) -> NDArray[np.float64]:
        """Mean kernel-gradient norms since the last state; with no batch since, the last
        ones; for a model that never trained, the gradient of the whole training set."""
        fresh = self._norms.take()
        if fresh is not None:
            self._last_grad = fresh
        if self._last_grad is None:
            probe = copy.deepcopy(self.model)
            for layer, _ in flatten_blocks(probe.layers):
                if isinstance(layer, Dropout):
                    layer.p = 0.0
            dense = _dense_layers(probe)
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
            act = self._hidden[i].act if hidden else dense.activation
            z = pre_tr[i] if hidden else lg_tr
            W = dense.params["W"]
            layers.append(
                {
                    "units": int(W.shape[1]),
                    "activation": act.name,
                    "grad_norm": finite(grads[i]),
                    "weight_norm": finite(math.sqrt(float(np.vdot(W, W)))),
                    **_unit_health(act, z),
                    "blocked_by": None,
                    "residual": hidden and self._hidden[i].residual,
                    "W": [[finite(v) for v in row] for row in W.tolist()],
                    "b": [finite(v) for v in dense.params["b"].tolist()],
                }
            )
        _mark_blocked(layers)

        (_, ytr), (_, yte) = self.data["train"], self.data["test"]
        return {
            "type": "state",
            "id": id,
            "epoch": self.epoch,
            "steps": self.steps,
            "running": self.running,
            "train_loss": finite(self._loss(lg_tr, self._ytr)),
            "test_loss": finite(self._loss(lg_te, self._yte)),
            "train_accuracy": self._accuracy(lg_tr, ytr),
            "test_accuracy": self._accuracy(lg_te, yte),
            "layers": layers,
            "heatmaps": {
                "grid": LIMITS["grid"],
                "neurons": neuron_heatmaps([h[:g2] for h in post]),
                "output": output_heatmap(self._kind, lg_grid),
            },
            "inspect": self._inspect_maps(pre, post, lg_grid),
            "diverged": self.diverged,
        }

    def _inspect_maps(
        self, pre: list[Array], post: list[Array], lg_grid: Array
    ) -> dict[str, Any] | None:
        """``state``'s ``inspect`` from the grid forward the state already ran (its first
        ``grid * grid`` rows): the inspected unit's activation input (after BatchNorm, with
        running statistics, as the heatmaps) and output, and where it is flat."""
        if self.inspected is None:
            return None
        layer, unit = self.inspected
        g2 = len(self._Xgrid)
        if layer < len(self._hidden):
            act = self._hidden[layer].act
            z = pre[layer][:g2, unit : unit + 1]
            out = post[layer][:g2, unit]
        else:  # the output layer: its logit and the model's output (probability or target)
            act = self._out.activation
            z = lg_grid[:, unit : unit + 1]
            out = act(lg_grid.astype(np.float64))[:, unit]
        masks = _flat(act, z)
        flat = masks[1][:, 0] if masks is not None else np.zeros(g2, dtype=bool)
        return inspect_maps(layer, unit, activation_health(act.name), z[:, 0], out, flat)


def _dense_layers(model: Any) -> list[Dense]:
    """The model's ``Dense`` layers, input side first, those in shortcut blocks included."""
    return [layer for layer, _ in flatten_blocks(model.layers) if isinstance(layer, Dense)]


def _flat(act: Any, z: Array) -> tuple[NDArray[np.bool_], NDArray[np.bool_]] | None:
    """Per point and unit (the shape of ``z``, the activation's input): whether ``f'(z) == 0``
    and whether ``z`` is on a flat part, ``|f'(z)| < SATURATION_THRESHOLD * max|f'|``.

    ``max|f'|`` is the activation's own peak slope (its metadata); for a step (``f' = 0``)
    or an unbounded derivative, the largest finite ``|f'|`` seen. ``None`` for an activation
    that is not element-wise (softmax), which has no per-unit derivative.
    """
    if not act.info.elementwise:
        return None
    d = np.abs(act.derivative(z.astype(np.float64)))
    peak = act.info.max_abs_derivative
    if not (peak and math.isfinite(peak)):  # step (f' = 0) or an unbounded derivative
        finite_d = d[np.isfinite(d)]
        peak = float(finite_d.max()) if finite_d.size else 0.0
    flat = d < SATURATION_THRESHOLD * peak if peak > 0 else np.ones(d.shape, dtype=bool)
    return d == 0, flat


def _unit_health(act: Any, z: Array) -> dict[str, Any]:
    """A layer's ``health``, ``dead``, ``saturated`` and ``inactive`` from its pre-activations
    ``z`` on the training points (rows).

    ``dead``: ``f'(z) == 0`` on every point. The flat fraction (share of points on a flat
    part) goes to ``saturated`` for a bounded activation and to ``inactive`` for a rectifier
    (:func:`~.config.activation_health`), the other list all zeros: a ReLU is never said to
    saturate. With no training point (or softmax) everything is false/zero.
    """
    units = z.shape[1]
    health = activation_health(act.name)
    masks = _flat(act, z) if len(z) else None
    zeros = [0.0] * units
    if masks is None:
        return {"health": health, "dead": [False] * units, "saturated": zeros, "inactive": zeros}
    zero, flat = masks
    fraction = [round(float(f), 4) for f in flat.mean(axis=0)]
    return {
        "health": health,
        "dead": np.all(zero, axis=0).tolist(),
        "saturated": zeros if health == "inactive" else fraction,
        "inactive": fraction if health == "inactive" else zeros,
    }


def _mark_blocked(layers: list[dict[str, Any]]) -> None:
    """Set ``blocked_by`` of each layer entry: the nearest later hidden layer with no live
    unit and no shortcut, or ``None``.

    Backpropagation multiplies the gradient by ``f'(z)`` at each layer on its way back; a
    hidden layer whose every unit is dead (``f' = 0`` on every training point) passes nothing
    back, so every layer before it gets a zero gradient whatever its own units do. With an
    identity shortcut (``y = x + block(x)``) the gradient also flows around the block
    (``∂y/∂x = I + ∂block/∂x``), so a dead block blocks nothing. The output layer (last) is
    never a blocker.
    """
    blocker = None
    for j in range(len(layers) - 1, -1, -1):
        layers[j]["blocked_by"] = blocker
        entry = layers[j]
        hidden = j < len(layers) - 1
        if hidden and not entry["residual"] and entry["dead"] and all(entry["dead"]):
            blocker = j
