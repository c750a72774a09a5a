"""``Sequential``: a stack of layers with Keras-style compile, fit, evaluate and predict.

Training one mini-batch is the textbook loop, written out in :meth:`Sequential.train_on_batch`:

1. forward through every layer, each caching what its backward needs;
2. the loss and its gradient ``∂L/∂output`` (fused with a final softmax/sigmoid when the loss is
   the matching cross entropy, so nothing overflows);
3. backward through the layers in reverse, each turning ``∂L/∂y`` into ``∂L/∂x`` and filling
   its parameter gradients (the chain rule);
4. the optimizer updates every parameter in place.

Saving and loading live in :mod:`gradlab.model.saving`.

Speed without special cases: the training loop checks its data once per ``fit`` (the targets
come back converted for the loss), then calls each layer's ``forward_train`` /
``backward_train`` (the same kernels as ``forward`` / ``backward`` without the per-call
checks); all parameters live in one contiguous buffer and all gradients in another (each
layer keeps views), so the finiteness check is one dot product and the optimizer updates every
weight with a few NumPy calls however deep the network is.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from .. import layers as layers_mod
from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as optimizers_mod
from .._checks import check_dtype, check_int, check_seed
from ..callbacks import Callback, History, ProgressBar
from ..diagnostics import diagnose_divergence
from ..layers import Layer
from ..layers.base import set_stacked_weights
from ..optimizers import global_norm
from .inputs import check_arrays, check_callbacks, checks_targets
from .loop import QUIET, TrainingDivergedError, TrainingLoop, TrainingStalledWarning, all_finite
from .saving import save_model
from .stall import StallMonitor, chance_loss
from .summary import ModelSummary, render_summary, render_summary_html

__all__ = ["Sequential"]

Array = NDArray[np.floating]


class Sequential:
    """A feed-forward stack of layers, trained by back-propagation.

    Args:
        layers: The layers, input to output.
        input_dim: Number of input features. Given, the model is built at once (weights drawn);
            otherwise it is built on the first call to ``fit``/``predict``.
        seed: Seeds every random number the model draws (initial weights, shuffling, dropout
            masks). The same seed gives bit-identical weights and training.
        dtype: ``"float32"`` (default) or ``"float64"``. Inputs are converted to it once, at
            the boundary; no layer upcasts.
        name: A label for summaries.

    Example:
        >>> import numpy as np
        >>> from gradlab import Sequential, layers, datasets
        >>> X, y = datasets.xor(200, noise=0.05, seed=0)
        >>> model = Sequential([layers.Dense(8, "tanh"), layers.Dense(2)], input_dim=2, seed=0)
        >>> model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
        >>> history = model.fit(X, y, epochs=2, batch_size=32, verbose=0)
        >>> len(history.history["loss"])
        2
    """

    def __init__(
        self,
        layers: Iterable[Layer] | None = None,
        *,
        input_dim: int | None = None,
        seed: int | None = 0,
        dtype: DTypeLike = "float32",
        name: str | None = None,
    ) -> None:
        self.layers: list[Layer] = []
        self.dtype = check_dtype(dtype)
        self.seed = check_seed(seed)
        seq = np.random.SeedSequence(seed)
        init_seq, shuffle_seq = seq.spawn(2)
        self.init_rng = np.random.default_rng(init_seq)  # draws the initial weights
        self.rng = np.random.default_rng(shuffle_seq)
        self.name = name
        self.input_dim: int | None = None
        self.built = False
        self.compiled = False
        self.stop_training = False
        self.optimizer: optimizers_mod.Optimizer | None = None
        self.loss: losses_mod.Loss | None = None
        self.metric_names: list[str] = []
        self.history: History | None = None
        self.steps = 0  # optimisation steps taken, over every call to fit
        for layer in layers or []:
            self.add(layer)
        if input_dim is not None:
            self.build(input_dim)

    # -- structure ------------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append a layer (before the model is built)."""
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects a Layer, got {type(layer).__name__}: {layer!r}"
            )
        if self.built:
            raise RuntimeError("cannot add layers to a built model; create a new Sequential")
        self.layers.append(layer)

    def build(self, input_dim: int) -> None:
        """Create every layer's weights for inputs of ``input_dim`` features."""
        if not self.layers:
            raise ValueError("Sequential has no layers; pass a list of layers or call add()")
        dim = check_int(input_dim, "input_dim", low=1)
        for layer in self.layers:
            if layer.built and (layer.input_dim != dim or layer.dtype != self.dtype):
                raise ValueError(
                    f"{layer.describe()} is already built for {layer.input_dim} features of "
                    f"{layer.dtype}; the model feeds it {dim} features of {self.dtype}"
                )
            if not layer.built:
                layer.build(dim, rng=self.init_rng, dtype=self.dtype)
            dim = layer.output_dim
        self.layers[0].needs_input_grad = False
        self.input_dim = int(input_dim)
        self.built = True
        self._pack_weights()

    def _pack_weights(self) -> None:
        """Move every parameter into one contiguous buffer and every gradient into another.

        Each layer's ``params[k]`` / ``grads[k]`` becomes a view of its slice (values kept), so
        layers read and write them as before while the model checks all gradients with one
        dot product and the optimizer updates all weights at once (see
        :mod:`gradlab.optimizers.base`). Arrays taken from a layer before the model was built
        are copies after it.
        """
        entries = [(layer, k) for layer in self.layers for k in layer.params]
        sizes = [layer.params[k].size for layer, k in entries]
        flat_params = np.empty(sum(sizes), dtype=self.dtype)
        flat_grads = np.zeros(sum(sizes), dtype=self.dtype)
        start = 0
        for (layer, k), size in zip(entries, sizes, strict=True):
            shape = layer.params[k].shape
            view = flat_params[start : start + size].reshape(shape)
            view[...] = layer.params[k]
            layer.params[k] = view
            layer.grads[k] = flat_grads[start : start + size].reshape(shape)
            start += size
        self._params = [layer.params[k] for layer, k in entries]
        self._grads = [layer.grads[k] for layer, k in entries]
        self._flat_params, self._flat_grads = flat_params, flat_grads

    def _packed(self) -> bool:
        """Whether the layers still hold the views of the two buffers (a copy or unpickled
        model holds separate arrays, and a layer's array may have been replaced)."""
        arrays = [(layer.params[k], layer.grads[k]) for layer in self.layers for k in layer.params]
        return len(arrays) == len(self._params) and all(
            p is mine and g is grad and p.base is self._flat_params and g.base is self._flat_grads
            for (p, g), mine, grad in zip(arrays, self._params, self._grads, strict=True)
        )

    @property
    def output_dim(self) -> int:
        self.require_built()
        return self.layers[-1].output_dim

    def count_params(self) -> int:
        """Return the number of trainable scalars."""
        return sum(layer.count_params() for layer in self.layers)

    # -- compile --------------------------------------------------------------------------
    def compile(
        self,
        optimizer: Any = "adam",
        loss: Any = "cross_entropy",
        metrics: Sequence[str] | None = None,
    ) -> None:
        """Choose the optimizer, the loss and the metrics to report.

        Args:
            optimizer: A name (``"adam"``), ``{"name", "config"}`` or an optimizer instance.
            loss: ``"mse"``, ``"cross_entropy"``, ``"binary_cross_entropy"``, ``"nll"`` or a
                Loss. When the last layer's activation is the one the loss absorbs (softmax
                for cross entropy, sigmoid for binary cross entropy) the two are fused.
            metrics: Names such as ``["accuracy"]``.
        """
        self.optimizer = optimizers_mod.get(optimizer)
        self.loss = losses_mod.get(loss)
        if isinstance(metrics, str):
            metrics = [metrics]
        self._metrics = [metrics_mod.get(m) for m in (metrics or [])]
        self.metric_names = [fn.__name__ for fn in self._metrics]
        self.compiled = True

    @property
    def fused(self) -> bool:
        """Whether the last layer's activation is folded into the loss during training."""
        last = self.layers[-1] if self.layers else None
        act = getattr(last, "activation", None)
        return bool(self.loss is not None and act is not None and act.name == self.loss.fuses)

    def _output_kind(self) -> str:
        """``"probs"`` if outputs are probabilities, ``"logits"`` if the loss expects logits."""
        last_act = getattr(self.layers[-1], "activation", None)
        if last_act is not None and last_act.name in ("softmax", "sigmoid"):
            return "probs"
        if self.loss is not None and self.loss.fuses:
            return "logits"
        return "values"

    # -- forward / backward -----------------------------------------------------------
    def forward(self, X: Array, training: bool = False, *, logits: bool = False) -> Array:
        """Run the layers; with ``logits=True`` the last layer's activation is left out."""
        h = X
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            if i == last and logits and hasattr(layer, "activation"):
                h = layer.forward(h, training, apply_activation=False)
            else:
                h = layer.forward(h, training)
        return h

    def backward(self, grad: Array) -> Array | None:
        """Back-propagate ``∂L/∂output`` through every layer, filling their ``grads``."""
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def compute_gradients(self, X: Array, y: ArrayLike) -> float:
        """Fill every layer's ``grads`` for one batch and return its loss (no update)."""
        self.require_compiled()
        out = self.forward(X, training=True, logits=self.fused)
        loss = self.loss.forward(out, y)
        self.backward(self.loss.backward())
        self._last_output = out
        return loss

    def train_on_batch(self, X: ArrayLike, y: ArrayLike) -> float:
        """Run one optimisation step on a batch and return its loss (before the step)."""
        self.require_compiled()
        X, y, targets = self._prepare(X, y, "train_on_batch", targets=True)
        loop = self._training_loop([])
        with np.errstate(**QUIET):
            loss = self._train_step(X, targets, loop, epoch=0, batch=0, logs={})
            self._check_weights(X, loss, epoch=0, batch=0)
        self.steps += 1
        return loss

    def _training_loop(self, callbacks: list[Callback]) -> TrainingLoop:
        """Bind what every training step calls: layer kernels, loss and callback hooks."""
        if not self._packed():
            self._pack_weights()
        forwards: list[Callable[[Array], Array]] = [layer.forward_train for layer in self.layers]
        if self.fused:  # the loss applies the last layer's activation itself
            last: Any = self.layers[-1]
            logits = getattr(last, "forward_train_logits", None)
            if logits is None:

                def logits(x: Array, layer: Any = last) -> Array:
                    return layer.forward(x, True, apply_activation=False)

            forwards[-1] = logits
        backwards = [layer.backward_train for layer in reversed(self.layers)]
        loss = self.loss
        loss_forward = loss.forward_train if checks_targets(loss) else loss.forward
        return TrainingLoop(forwards, backwards, loss_forward, loss.backward, callbacks)

    def _train_step(
        self, X: Array, y: NDArray, loop: TrainingLoop, *, epoch: int, batch: int, logs: dict
    ) -> float:
        """Forward, loss, backward, checks, update. Runs under ``np.errstate(**QUIET)``:
        overflow shows up as inf/NaN, which the checks turn into a diagnosis instead of a
        stream of RuntimeWarnings (callbacks still run under the caller's error state)."""
        out = X
        for forward in loop.forwards:
            out = forward(out)
        if not all_finite(out):
            raise TrainingDivergedError(
                diagnose_divergence(self, X, None, epoch=epoch, batch=batch)
            )
        loss = loop.loss_forward(out, y)
        grad = loop.loss_backward()
        for backward in loop.backwards:
            grad = backward(grad)
        self._last_output = out
        flat = self._flat_grads
        squares = float(np.dot(flat, flat))
        norm = math.sqrt(squares) if math.isfinite(squares) else global_norm([flat])
        if not (math.isfinite(loss) and math.isfinite(norm)):
            raise TrainingDivergedError(
                diagnose_divergence(self, X, loss, epoch=epoch, batch=batch)
            )
        logs["loss"] = loss
        if loop.after_backward:
            loop.call(loop.after_backward, batch, logs)
            norm = None  # a callback may have changed the gradients
        self.optimizer.step(self._params, self._grads, grad_norm=norm)
        return loss

    def _starting_loss(self, X: Array, y: NDArray) -> float:
        """Return the loss the network starts ``fit`` from: a training-mode forward pass (as
        the epochs' losses are measured) over at most 2048 evenly spaced rows, through a copy
        of the layers so that no cache, running statistic or random generator moves."""
        rows = slice(None, None, -(-len(X) // 2048))
        probe = copy.copy(self)
        probe.layers = copy.deepcopy(self.layers)
        with np.errstate(**QUIET):
            out = probe.forward(X[rows], training=True, logits=self.fused)
            loss = self.loss.forward(out, y[rows])
        self.loss.clear_cache()
        return float(loss)

    def _check_weights(self, X: Array, loss: float, *, epoch: int, batch: int) -> None:
        """Raise the divergence diagnosis if an update overflowed the weights."""
        if not all_finite(self._flat_params):
            raise TrainingDivergedError(
                diagnose_divergence(self, X, loss, epoch=epoch, batch=batch)
            )

    # -- fit ------------------------------------------------------------------------------
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        epochs: int = 1,
        batch_size: int = 32,
        shuffle: bool = True,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        validation_split: float = 0.0,
        callbacks: Sequence[Callback] | None = None,
        verbose: int = 1,
    ) -> History:
        """Train for ``epochs`` passes over ``(X, y)`` in shuffled mini-batches.

        Each epoch draws a permutation from the model's seeded generator and visits every
        sample once (without replacement); the last batch may be smaller.

        Args:
            X: Inputs, shape (samples, features).
            y: Targets: integer labels or one-hot rows for ``cross_entropy``, 0/1 for
                ``binary_cross_entropy``, values for ``mse``.
            epochs, batch_size: Passes over the data and samples per update.
            shuffle: Shuffle the samples every epoch.
            validation_data: ``(X_val, y_val)`` scored at the end of each epoch (``val_*``).
            validation_split: Fraction of the data, taken from the end before shuffling (as
                Keras), held out for validation. Ignored when ``validation_data`` is given.
            callbacks: Extra :class:`~gradlab.callbacks.Callback` objects.
            verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch.

        Returns:
            The :class:`~gradlab.callbacks.History` (also kept as ``model.history``).

        Raises:
            TrainingDivergedError: when the loss or a gradient becomes NaN/inf; the message
                names the epoch, the batch, the first layer that went non-finite and remedies.

        Warns:
            TrainingStalledWarning: once, when the run stays finite but does not learn: for
                3 epochs in a row the mean training loss stays at or above the loss the
                network started from, or above chance (the loss of the best constant
                prediction) without a new best; or the weights' global norm grows 1000-fold
                (10-fold while the loss stays within 5% of its start). See
                :class:`~gradlab.model.stall.StallMonitor`; ``history.stalled`` keeps the text.
        """
        self.require_compiled()
        epochs = check_int(epochs, "epochs", low=1)
        batch_size = check_int(batch_size, "batch_size", low=1)
        if verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
        X, y, targets = self._prepare(X, y, "fit", targets=True)
        if validation_data is None and validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(f"validation_split must be in (0, 1), got {validation_split!r}")
            cut = len(X) - round(len(X) * validation_split)
            if cut < 1 or cut == len(X):
                raise ValueError(
                    f"validation_split={validation_split} leaves {cut} of {len(X)} samples for "
                    "training; both parts need at least one sample"
                )
            validation_data = (X[cut:], y[cut:])
            X, y, targets = X[:cut], y[:cut], targets[:cut]
        if validation_data is not None:
            if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
                raise TypeError("validation_data must be a tuple (X_val, y_val)")
            Xv, yv = self._prepare(*validation_data, "validation_data")[:2]
        n = len(X)
        steps = -(-n // batch_size)
        history = History()
        history.params = {"epochs": epochs, "batch_size": batch_size, "steps": steps, "samples": n}
        cbs: list[Callback] = [history, *check_callbacks(callbacks)]
        if verbose:
            cbs.append(ProgressBar(verbose))
        for cb in cbs:
            cb.set_model(self)
        self.stop_training = False
        self.history = history
        start_logs = {"epochs": epochs, "steps": steps, "samples": n}
        for cb in cbs:
            cb.on_train_begin(start_logs)
        loop = self._training_loop(cbs)
        stall = StallMonitor()
        long_enough = epochs >= stall.patience  # else only the weight rules can apply
        stall.begin(
            global_norm([self._flat_params]),
            self._starting_loss(X, y) if long_enough else None,
            chance_loss(self.loss.name, targets, self.output_dim) if long_enough else None,
        )
        for epoch in range(epochs):
            self.optimizer.on_epoch_begin(epoch)
            for cb in cbs:
                cb.on_epoch_begin(epoch, {})
            # Each batch gathers its rows (no permuted copy of the whole data set per epoch);
            # without shuffling the batches are views.
            order = self.rng.permutation(n) if shuffle else None
            loss_sum, metric_sums = 0.0, [0.0] * len(self._metrics)
            with np.errstate(**QUIET):
                for batch in range(steps):
                    start = batch * batch_size
                    if order is None:
                        rows: Any = slice(start, start + batch_size)
                        xb, tb = X[rows], targets[rows]
                    else:
                        rows = order[start : start + batch_size]
                        xb, tb = X.take(rows, axis=0), targets.take(rows, axis=0)
                    size = len(xb)
                    logs: dict[str, Any] = {"batch": batch, "size": size, "step": self.steps}
                    if loop.batch_begin:
                        loop.call(loop.batch_begin, batch, logs)
                    loss = self._train_step(xb, tb, loop, epoch=epoch, batch=batch, logs=logs)
                    loss_sum += loss * size
                    if self._metrics:
                        yb = y[rows]
                        scores, threshold = self._scores(self._last_output)
                        for k, metric in enumerate(self._metrics):
                            metric_sums[k] += metric(yb, scores, threshold=threshold) * size
                    self.steps += 1
                    if loop.batch_end:
                        loop.call(loop.batch_end, batch, logs)
                    if self.stop_training:
                        break
                self._check_weights(xb, loss, epoch=epoch, batch=batch)
            seen = min(n, (batch + 1) * batch_size)
            epoch_logs: dict[str, Any] = {"loss": loss_sum / seen}
            for name, total in zip(self.metric_names, metric_sums, strict=True):
                epoch_logs[name] = total / seen
            if validation_data is not None:
                for key, value in self._evaluate(Xv, yv).items():
                    epoch_logs[f"val_{key}"] = value
            epoch_logs["lr"] = self.optimizer.lr
            stalled = stall.check(
                epoch, epoch_logs["loss"], global_norm([self._flat_params]), self.optimizer.lr
            )
            if stalled is not None:
                history.stalled = stalled
                warnings.warn(stalled, TrainingStalledWarning, stacklevel=2)
            for cb in cbs:
                cb.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        for cb in cbs:
            cb.on_train_end({})
        for layer in self.layers:
            layer.clear_cache()
        return history

    # -- inference ------------------------------------------------------------------------
    def predict(self, X: ArrayLike, batch_size: int = 1024) -> Array:
        """Return the network's output (after the last activation) for every row of ``X``."""
        X = self._prepare(X, None, "predict")[0]
        batch_size = check_int(batch_size, "batch_size", low=1)
        outs = [self.forward(X[i : i + batch_size]) for i in range(0, max(len(X), 1), batch_size)]
        return np.concatenate(outs) if len(X) else outs[0]

    def predict_proba(self, X: ArrayLike, batch_size: int = 1024) -> Array:
        """Return class probabilities: softmax rows, or sigmoid values for a binary output."""
        self.require_compiled()
        kind = self._output_kind()
        out = self.predict(X, batch_size)
        if kind == "probs":
            return out
        if kind == "logits":
            from .. import activations

            return activations.get(self.loss.fuses)(out)
        raise TypeError(
            f"predict_proba needs a classification model (a softmax/sigmoid output or a cross "
            f"entropy loss); this one ends in {self.layers[-1].describe()} with loss "
            f"{self.loss.name!r}"
        )

    def evaluate(self, X: ArrayLike, y: ArrayLike, batch_size: int = 1024) -> dict[str, float]:
        """Return ``{"loss": ..., <metric>: ...}`` on ``(X, y)`` in inference mode."""
        self.require_compiled()
        X, y = self._prepare(X, y, "evaluate")[:2]
        return self._evaluate(X, y, batch_size)

    def _evaluate(self, X: Array, y: NDArray, batch_size: int = 1024) -> dict[str, float]:
        n = len(X)
        totals = np.zeros(1 + len(self._metrics))
        for i in range(0, n, batch_size):
            xb, yb = X[i : i + batch_size], y[i : i + batch_size]
            out = self.forward(xb, training=False, logits=self.fused)
            totals[0] += self.loss.forward(out, yb) * len(xb)
            scores, threshold = self._scores(out)
            for k, metric in enumerate(self._metrics, start=1):
                totals[k] += metric(yb, scores, threshold=threshold) * len(xb)
        self.loss.clear_cache()
        results = totals / max(n, 1)
        return {"loss": float(results[0])} | {
            name: float(v) for name, v in zip(self.metric_names, results[1:], strict=True)
        }

    def _scores(self, out: Array) -> tuple[Array, float]:
        """Return what metrics see (outputs, probabilities or logits) and the binary threshold."""
        logits = self.fused or self._output_kind() == "logits"
        return out, (0.0 if logits else 0.5)

    # -- weights ---------------------------------------------------------------------------
    def get_weights(self) -> list[Array]:
        """Return copies of every layer's weights (params then buffers), in layer order."""
        self.require_built()
        return [w.copy() for layer in self.layers for w in layer.weights]

    def set_weights(self, weights: Sequence[ArrayLike]) -> None:
        """Copy ``weights`` (as :meth:`get_weights` lists them) into the layers."""
        self.require_built()
        set_stacked_weights(self.layers, weights, "set_weights")

    def save(self, path: str) -> None:
        """Write weights, optimizer state and config to one ``.npz`` file, atomically."""
        save_model(self, path)

    # -- summary ------------------------------------------------------------------------------
    def summary_rows(self, batch_size: int = 32) -> list[dict[str, Any]]:
        """Return one row per layer: name, output shape, params, bytes cached for backward.

        The cached bytes are measured by a training forward pass of ``batch_size`` zero rows
        through a copy of the model (the model's own random state is not touched).
        """
        self.require_built()
        probe = copy.deepcopy(self.layers)
        h = np.zeros((batch_size, self.input_dim), dtype=self.dtype)
        rows = []
        seen: set[tuple[int, int]] = set()  # (address, size) of arrays already counted
        for layer in probe:
            input_bytes = h.nbytes
            h = layer.forward(h, training=True)
            arrays = list(layer.cached_arrays().values())
            keys = {(a.__array_interface__["data"][0], a.nbytes) for a in arrays}
            rows.append(
                {
                    "layer": layer.describe(),
                    "output_shape": (None, layer.output_dim),
                    "params": layer.count_params(),
                    "cached_bytes": layer.cached_bytes(),
                    # a layer's cached input is often the previous layer's cached output
                    "new_cached_bytes": sum(size for _, size in keys - seen),
                    "input_bytes": input_bytes,
                    "output_bytes": h.nbytes,
                }
            )
            seen |= keys
        return rows

    def summary(self, batch_size: int = 32, print_fn: Any = None) -> None:
        """Print a table of layers, shapes, parameter counts and bytes cached for backward.

        As in Keras, the table is printed once and nothing is returned. In a Jupyter notebook
        it is displayed as an HTML table; ``print_fn`` receives the text instead (to log it,
        or to keep it: ``model.summary(print_fn=lines.append)``).

        Args:
            batch_size: The batch the cached bytes are measured for.
            print_fn: Called with the text instead of printing it.
        """
        rows = self.summary_rows(batch_size)
        text = render_summary(self, rows, batch_size)
        if print_fn is not None:
            print_fn(text)
            return
        from .._display import display, in_notebook

        if in_notebook():
            display(ModelSummary(text, render_summary_html(self, rows, batch_size)))
        else:
            print(text)

    def _repr_html_(self) -> str:
        """The summary table when the model is built, else its layers (for notebooks)."""
        import html

        if self.built:
            return render_summary_html(self, self.summary_rows(), 32)
        return f"<code>{html.escape(repr(self))}</code> (not built yet: no shapes to show)"

    # -- helpers -------------------------------------------------------------------------------
    def _prepare(
        self, X: Any, y: Any, where: str, *, targets: bool = False
    ) -> tuple[Array, NDArray | None, NDArray | None]:
        """Validate ``X`` (and ``y``), build on first use, convert ``X`` to the model's dtype.

        Returns ``(X, y, targets)``: ``targets`` is ``y`` as the loss's ``forward_train``
        takes it (labels as ``intp``, values in the model's dtype), or ``y`` itself for a loss
        that checks its targets on every call; ``None`` unless asked for.
        """
        X, y = check_arrays(X, y, where, self.dtype)
        if not self.built:
            self.build(X.shape[1])
        if X.shape[1] != self.input_dim:
            raise ValueError(
                f"{where}: X has {X.shape[1]} features, but the model was built for "
                f"{self.input_dim}"
            )
        converted = y
        if y is not None and self.loss is not None and len(y):
            fill = 1.0 / self.output_dim if self.loss.name == "nll" else 0.0
            probe = np.broadcast_to(np.asarray(fill, self.dtype), (len(y), self.output_dim))
            try:
                if checks_targets(self.loss):
                    converted = self.loss.check(probe, y)[1]
                else:
                    self.loss.forward(probe, y)
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"{where}: y does not fit the model's output: {exc}") from None
            finally:
                self.loss.clear_cache()
        return X, y, (converted if targets else None)

    def require_built(self) -> None:
        """Raise ``RuntimeError`` unless the model has its weights (``input_dim`` is known)."""
        if not self.built:
            raise RuntimeError("the model is not built yet: pass input_dim= or call fit/build")

    def require_compiled(self) -> None:
        """Raise ``RuntimeError`` unless :meth:`compile` has been called."""
        if not self.compiled:
            raise RuntimeError("call compile(optimizer=..., loss=...) before training")

    def get_config(self) -> dict[str, Any]:
        """Return the architecture as JSON-friendly data."""
        return {
            "name": self.name,
            "input_dim": self.input_dim,
            "seed": self.seed,
            "dtype": self.dtype.name,
            "layers": [layers_mod.serialize(layer) for layer in self.layers],
        }

    def __repr__(self) -> str:
        inner = ", ".join(layer.describe() for layer in self.layers)
        return f"Sequential([{inner}], input_dim={self.input_dim})"
