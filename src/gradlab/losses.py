"""Losses with PyTorch's conventions, fused with softmax/sigmoid where that keeps them finite.

A loss is used like a layer: ``forward(y_pred, y_true)`` returns the mean loss (a float) and
caches what ``backward()`` needs; ``backward()`` returns ``∂L/∂y_pred``.

========================  =====================================  ============================
name                      input                                  PyTorch
========================  =====================================  ============================
``mse``                   predictions, any shape                 ``nn.MSELoss()``
``cross_entropy``         logits (batch, classes)                ``nn.CrossEntropyLoss()``
``binary_cross_entropy``  logits (batch,) or (batch, k)          ``nn.BCEWithLogitsLoss()``
``nll``                   probabilities (batch, classes)         ``nn.NLLLoss()`` on ``log p``
========================  =====================================  ============================

Cross entropy takes *logits*. Written as softmax followed by ``-log p_y``, a saturated softmax
gives ``p_y = 0`` and ``log 0 = -inf``; folded together it is ``logsumexp(z) - z_y``, which is
finite for any finite logits, and its gradient is simply ``softmax(z) - onehot(y)``. That is why
a model whose last layer applies softmax (or sigmoid) hands the pre-activation to the matching
loss (:attr:`Loss.fuses`). ``nll`` keeps the unfused form on purpose, for teaching.

>>> import numpy as np
>>> from gradlab import losses
>>> ce = losses.get("cross_entropy")
>>> round(ce.forward(np.array([[1010.0, 1000.0, 990.0]]), np.array([0])), 8)
4.54e-05
>>> ce.backward().round(6)
array([[-4.5e-05,  4.5e-05,  0.0e+00]])
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .registry import Registry

__all__ = [
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Loss",
    "MeanSquaredError",
    "NegativeLogLikelihood",
    "get",
    "names",
    "serialize",
]

REGISTRY: Registry[type[Loss]] = Registry("loss")
Array = NDArray[np.floating]


def _as_pred(y_pred: ArrayLike, name: str) -> Array:
    y_pred = np.asarray(y_pred)
    if y_pred.dtype.kind != "f":
        raise TypeError(f"{name}: y_pred must be a float array, got dtype {y_pred.dtype}")
    if not np.all(np.isfinite(y_pred)):
        raise ValueError(f"{name}: y_pred contains NaN or inf")
    return y_pred


def _check_finite_target(y: NDArray[Any], name: str) -> None:
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{name}: y_true must be numeric, got dtype {y.dtype}")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{name}: y_true contains NaN or inf")


def _labels(y: NDArray[Any], n: int, classes: int, name: str) -> NDArray[np.intp]:
    """Return integer class labels in [0, classes) or raise naming what was received."""
    if y.shape != (n,):
        raise ValueError(f"{name}: integer labels must have shape ({n},), got {y.shape}")
    if y.dtype.kind == "f":
        if not np.array_equal(y, np.round(y)):
            raise ValueError(
                f"{name}: labels must be whole numbers, got e.g. {y[y != np.round(y)][0]}"
            )
    if n and (y.min() < 0 or y.max() >= classes):
        raise ValueError(
            f"{name}: labels must lie in [0, {classes - 1}] for {classes} outputs, "
            f"got values from {y.min():g} to {y.max():g}"
        )
    return y.astype(np.intp, copy=False)


def _probabilities(y: NDArray[Any], shape: tuple[int, ...], name: str, what: str) -> NDArray[Any]:
    if y.shape != shape:
        raise ValueError(f"{name}: {what} must have shape {shape}, got {y.shape}")
    if y.size and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            f"{name}: {what} must lie in [0, 1], got values from {y.min():g} to {y.max():g}"
        )
    return y


class Loss:
    """Base class: ``forward(y_pred, y_true) -> float`` caches, ``backward() -> ∂L/∂y_pred``."""

    name: ClassVar[str] = ""
    #: Other names that find the loss in the registry.
    aliases: ClassVar[tuple[str, ...]] = ()
    #: The output activation this loss absorbs when the model ends with it (or None).
    fuses: ClassVar[str | None] = None

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def __call__(self, y_pred: ArrayLike, y_true: ArrayLike) -> float:
        return self.forward(y_pred, y_true)

    def clear_cache(self) -> None:
        """Drop what the last :meth:`forward` kept for :meth:`backward` (frees its arrays)."""
        self._cache = {}

    def forward(self, y_pred: ArrayLike, y_true: ArrayLike) -> float:
        """Return the mean loss and cache what :meth:`backward` needs."""
        return self.forward_train(*self.check(y_pred, y_true))

    def check(self, y_pred: ArrayLike, y_true: ArrayLike) -> tuple[Array, NDArray[Any]]:
        """Validate predictions and targets; return them as :meth:`forward_train` takes them.

        Raises ``TypeError`` / ``ValueError`` naming what is wrong. Targets come back
        converted (integer labels as ``intp``, probabilities in the predictions' dtype, a
        column for one output), so a model converts its targets once per ``fit`` and then
        calls :meth:`forward_train` on batches of them.
        """
        raise NotImplementedError

    def forward_train(self, y_pred: Array, y_true: NDArray[Any]) -> float:
        """:meth:`forward` on arrays as :meth:`check` returns them (or rows of them), unchecked."""
        raise NotImplementedError

    def backward(self) -> Array:
        """Return ``∂L/∂y_pred`` for the last :meth:`forward` (same shape and dtype)."""
        raise NotImplementedError

    def _take(self, *keys: str) -> tuple[Any, ...]:
        if not self._cache:
            raise RuntimeError(f"{self.name}: call forward(y_pred, y_true) before backward()")
        return tuple(self._cache[k] for k in keys)

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments (none for the built-in losses)."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@REGISTRY.add_class
class MeanSquaredError(Loss):
    """Mean squared error over every element, as ``torch.nn.MSELoss()``.

    ``L = (1/N) Σ (ŷ - y)²`` with ``N`` the number of elements; ``∂L/∂ŷ = 2 (ŷ - y) / N``.
    A target of shape ``(batch,)`` is accepted for predictions of shape ``(batch, 1)``.
    """

    name = "mse"
    aliases = ("mean_squared_error",)

    def check(self, y_pred: ArrayLike, y_true: ArrayLike) -> tuple[Array, NDArray[Any]]:
        y_pred = _as_pred(y_pred, self.name)
        y_true = np.asarray(y_true)
        _check_finite_target(y_true, self.name)
        if y_true.shape != y_pred.shape:
            if y_pred.ndim == 2 and y_pred.shape[1] == 1 and y_true.shape == y_pred.shape[:1]:
                y_true = y_true[:, None]
            else:
                raise ValueError(
                    f"mse: y_true must have the predictions' shape {y_pred.shape}, "
                    f"got {y_true.shape}"
                )
        return y_pred, y_true.astype(y_pred.dtype, copy=False)

    def forward_train(self, y_pred: Array, y_true: NDArray[Any]) -> float:
        diff = y_pred - y_true
        self._cache = {"diff": diff}
        return float(np.add.reduce(diff * diff, axis=None)) / diff.size if diff.size else 0.0

    def backward(self) -> Array:
        (diff,) = self._take("diff")
        return diff * (2.0 / max(1, diff.size))


@REGISTRY.add_class
class CrossEntropy(Loss):
    """Softmax cross entropy on logits, as ``torch.nn.CrossEntropyLoss()``.

    For logits ``z`` (batch, C) and integer labels ``y``::

        L = (1/B) Σ_i [ logsumexp(z_i) - z_{i, y_i} ],     ∂L/∂z = (softmax(z) - onehot(y)) / B

    One-hot or probability targets ``t`` (batch, C) are accepted too:
    ``L = -(1/B) Σ_i Σ_c t_ic log softmax(z_i)_c`` and ``∂L/∂z = (softmax(z) · Σ_c t_ic - t) / B``.
    ``logsumexp`` is computed after subtracting each row's maximum, so nothing overflows.
    """

    name = "cross_entropy"
    aliases = ("categorical_crossentropy", "sparse_categorical_crossentropy", "ce")
    fuses = "softmax"

    def check(self, y_pred: ArrayLike, y_true: ArrayLike) -> tuple[Array, NDArray[Any]]:
        z = _as_pred(y_pred, self.name)
        if z.ndim != 2:
            raise ValueError(f"cross_entropy: logits must be 2-D (batch, classes), got {z.shape}")
        y = np.asarray(y_true)
        _check_finite_target(y, self.name)
        if y.ndim == 1:
            return z, _labels(y, *z.shape, self.name)
        return z, _probabilities(y, z.shape, self.name, "one-hot targets").astype(
            z.dtype, copy=False
        )

    def forward_train(self, y_pred: Array, y_true: NDArray[Any]) -> float:
        z, y = y_pred, y_true
        n, c = z.shape
        offsets, ones = self._constants(n, c, z.dtype)
        # Row maxima as a reduction over the first axis of the transposed copy, and row sums
        # as one matrix-vector product: both several times faster than reducing each short
        # row (a handful of classes) on its own.
        shifted = z - np.maximum.reduce(z.T.copy(), axis=0)[:, None]
        if y.ndim == 1:
            # The labels' positions in the flattened rows: ``take`` and 1-D indexing are
            # cheaper than indexing with (rows, labels); then exp overwrites the shifted logits.
            at = np.add(offsets, y)
            picked = float(np.add.reduce(shifted.take(at)))
            exp = np.exp(shifted, out=shifted)
        else:
            exp = np.exp(shifted)
        sums = np.dot(exp, ones)[:, None]
        log_sums = np.log(sums)
        probs = np.divide(exp, sums, out=exp)
        if y.ndim == 1:
            self._cache = {"probs": probs, "labels": y, "at": at}
            return (float(np.add.reduce(log_sums, axis=None)) - picked) / n if n else 0.0
        self._cache = {"probs": probs, "targets": y}
        return float(-(y * (shifted - log_sums)).sum() / max(n, 1))

    def _constants(self, n: int, c: int, dtype: np.dtype) -> tuple[NDArray[np.intp], Array]:
        """Return the row offsets ``arange(n) * c`` into the flattened logits and ``c`` ones,
        made once per shape and dtype (a few kept: the batch size, the last smaller batch,
        evaluation batches); never handed out."""
        store = self.__dict__.setdefault("_constants_by_shape", {})  # also after unpickling
        key = (n, c, dtype)
        consts = store.get(key)
        if consts is None:
            if len(store) >= 8:
                store.clear()
            consts = store[key] = (np.arange(n) * c, np.ones(c, dtype=dtype))
        return consts

    def backward(self) -> Array:
        (probs,) = self._take("probs")
        n = max(1, probs.shape[0])
        if "labels" in self._cache:
            grad = probs.copy()
            grad.reshape(-1)[self._cache["at"]] -= 1  # one label per row: no repeated index
        else:
            t = self._cache["targets"]
            grad = probs * t.sum(axis=1, keepdims=True) - t
        grad /= n
        return grad


@REGISTRY.add_class
class BinaryCrossEntropy(Loss):
    """Sigmoid cross entropy on logits, as ``torch.nn.BCEWithLogitsLoss()``.

    For logits ``z`` and targets ``y`` in [0, 1], mean over every element::

        L = mean[ max(z, 0) - z y + log(1 + exp(-|z|)) ],     ∂L/∂z = (σ(z) - y) / N

    which equals ``-[y log σ(z) + (1-y) log(1-σ(z))]`` without ever taking ``log 0``. One logit
    per sample: ``z`` of shape (batch,) or (batch, 1) with targets (batch,); several independent
    labels: ``z`` and targets of shape (batch, k).
    """

    name = "binary_cross_entropy"
    aliases = ("binary_crossentropy", "bce", "bce_with_logits")
    fuses = "sigmoid"

    def check(self, y_pred: ArrayLike, y_true: ArrayLike) -> tuple[Array, NDArray[Any]]:
        z = _as_pred(y_pred, self.name)
        y = np.asarray(y_true)
        _check_finite_target(y, self.name)
        if y.shape != z.shape and z.ndim == 2 and z.shape[1] == 1 and y.shape == z.shape[:1]:
            y = y[:, None]
        return z, _probabilities(y, z.shape, self.name, "targets").astype(z.dtype, copy=False)

    def forward_train(self, y_pred: Array, y_true: NDArray[Any]) -> float:
        z, y = y_pred, y_true
        # softplus(z) = max(z, 0) + log(1 + exp(-|z|)): exp of a non-positive number, so
        # nothing overflows; then L = mean(softplus(z) - z y) and
        # sigmoid(z) = exp(z - softplus(z)), again the exp of a non-positive number.
        softplus = np.abs(z)
        np.negative(softplus, out=softplus)
        np.exp(softplus, out=softplus)
        np.log1p(softplus, out=softplus)
        softplus += np.clip(z, 0.0, np.inf)  # max(z, 0), see activations.positive_part
        total = float(np.add.reduce(softplus, axis=None)) - float(np.vdot(z, y))
        diff = np.subtract(z, softplus, out=softplus)
        np.exp(diff, out=diff)
        diff -= y
        self._cache = {"diff": diff}
        return total / z.size if z.size else 0.0

    def backward(self) -> Array:
        (diff,) = self._take("diff")
        return diff / max(1, diff.size)


@REGISTRY.add_class
class NegativeLogLikelihood(Loss):
    """``-mean log p_y`` on *probabilities* (e.g. a softmax output), for teaching.

    ``L = -(1/B) Σ_i log p_{i, y_i}``, ``∂L/∂p_{i, y_i} = -1 / (B p_{i, y_i})``, zero elsewhere.
    This is ``torch.nn.NLLLoss()`` applied to ``log p``. Unlike :class:`CrossEntropy` it is not
    fused: a probability that underflowed to 0 gives an infinite loss, which is the lesson. To
    keep training finite the probability is floored at the dtype's smallest normal number
    (``np.finfo(dtype).tiny``), which is documented rather than silent: the loss is then
    ``-log(tiny)`` (about 87 in float32, 708 in float64).
    """

    name = "nll"
    aliases = ("nll_loss", "negative_log_likelihood")

    def check(self, y_pred: ArrayLike, y_true: ArrayLike) -> tuple[Array, NDArray[Any]]:
        p = _as_pred(y_pred, self.name)
        if p.ndim != 2:
            raise ValueError(f"nll: probabilities must be 2-D (batch, classes), got {p.shape}")
        _probabilities(p, p.shape, self.name, "y_pred (probabilities)")
        y = np.asarray(y_true)
        _check_finite_target(y, self.name)
        return p, _labels(y, *p.shape, self.name)

    def forward_train(self, y_pred: Array, y_true: NDArray[Any]) -> float:
        p, labels = y_pred, y_true
        n = p.shape[0]
        picked = np.maximum(p[np.arange(n), labels], np.finfo(p.dtype).tiny)
        self._cache = {"picked": picked, "labels": labels, "shape": p.shape, "dtype": p.dtype}
        return float(-np.log(picked).mean()) if n else 0.0

    def backward(self) -> Array:
        picked, labels, shape, dtype = self._take("picked", "labels", "shape", "dtype")
        grad = np.zeros(shape, dtype=dtype)
        grad[np.arange(shape[0]), labels] = -1.0 / (max(1, shape[0]) * picked)
        return grad




def names() -> list[str]:
    """Return every registered loss's canonical name."""
    return REGISTRY.names()


def get(identifier: str | Loss) -> Loss:
    """Return a new loss for a name or alias (``"ce"``, ``"bce"``, ...) or an instance as is."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str | dict):
        return deserialize(identifier)
    raise TypeError(
        f"loss must be a name or a Loss, got {type(identifier).__name__}: {identifier!r}"
    )


def serialize(loss: Loss) -> str | dict[str, Any]:
    """Return the loss's canonical name (``{"name", "config"}`` if it ever takes arguments)."""
    return REGISTRY.pack(loss.name, {})


def deserialize(config: str | dict[str, Any]) -> Loss:
    """Rebuild a loss from what :func:`serialize` returned."""
    cls, params = REGISTRY.unpack(config)
    return cls(**params)
