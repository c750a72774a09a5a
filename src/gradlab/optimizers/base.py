"""The optimizer base: lazy state, gradient clipping, learning-rate schedules, save and load.

Each optimizer is one subclass of :class:`Optimizer` that declares its per-parameter state
(``_slots``) and writes one update rule (``_update``); everything else lives here, once:

* ``step(params, grads)`` checks the arrays, builds the state on the first call (keyed by
  position), records ``last_grad_norm``, clips a *copy* of the gradients and applies the
  rule to every parameter in place. The caller's gradient arrays are never written to.
* Clipping, when asked for, happens in this order: ``clip_value`` clamps every element to
  ``[-clip_value, clip_value]`` (``torch.nn.utils.clip_grad_value_``), then ``clip_norm``
  rescales all gradients together by ``min(1, clip_norm / (‖g‖ + 1e-6))`` where ``‖g‖`` is the
  global L2 norm over every array (``torch.nn.utils.clip_grad_norm_``).
* ``on_epoch_begin(epoch)`` sets ``lr`` from the schedule; ``get_config`` / ``from_config``
  and ``get_state`` / ``set_state`` save and restore an optimizer exactly.

Arithmetic stays in the parameters' dtype: hyper-parameters are Python floats (weak scalars
under NumPy 2), and every update runs in place in scratch buffers that the optimizer owns
and reuses across steps.

Packed parameters. When the parameters are consecutive views of one contiguous buffer, and so
are the gradients (``Sequential`` lays its weights out that way), every update rule here is
elementwise, so the step applies it once to the two whole buffers instead of once per array:
the same numbers with a handful of NumPy calls however many layers there are. The state is
always allocated as one buffer per slot with a view per parameter, so ``get_state`` /
``set_state`` see the same per-parameter arrays either way. A rule that is not elementwise
sets :attr:`Optimizer.elementwise` to False and is always applied per array.
"""

from __future__ import annotations

import inspect
import math
import operator
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import check_config, check_int, check_number, check_optional_positive
from ..registry import Registry
from . import schedules as schedules_module

__all__ = ["REGISTRY", "Optimizer", "global_norm", "register"]

Array = NDArray[np.floating]
#: None, a Schedule, a serialized schedule dict or a function epoch -> multiplier.
ScheduleLike = Any

#: Added to the global norm before dividing, exactly as ``torch.nn.utils.clip_grad_norm_``.
CLIP_NORM_EPS = 1e-6

#: The optimizer registry: canonical name -> class. Filled by :func:`register`.
REGISTRY: Registry[type[Optimizer]] = Registry("optimizer")


def register(cls: type[Optimizer]) -> type[Optimizer]:
    """Class decorator: register ``cls`` under ``cls.name`` and ``cls.aliases``."""
    return REGISTRY.add_class(cls)


def global_norm(arrays: Iterable[Array]) -> float:
    """Return the L2 norm of all ``arrays`` taken together, as a Python float.

    Each array's squared norm is one BLAS dot product; when the squares overflow (gradients
    beyond ~1e19 in float32) the norm is recomputed from arrays scaled by their largest
    magnitude, so a finite gradient always has a finite norm. Non-finite entries give
    ``inf`` (an infinity) or ``nan`` (a NaN), like torch.
    """
    arrays = list(arrays)
    total = 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is handled below
        for a in arrays:
            flat = a.reshape(-1)
            total += float(np.dot(flat, flat))
    if math.isfinite(total):
        return math.sqrt(total)
    peaks = [float(np.max(np.abs(a))) for a in arrays if a.size]
    if any(math.isnan(p) for p in peaks):
        return math.nan
    peak = max(peaks)
    if math.isinf(peak):
        return math.inf
    scaled = 0.0
    for a in arrays:
        flat = (a / peak).reshape(-1)
        scaled += float(np.dot(flat, flat))
    return peak * math.sqrt(scaled)


class Optimizer:
    """Base class of every optimizer (see the module docstring for what it does).

    Subclasses set ``name`` and implement :meth:`_update`; they list their state arrays in
    :meth:`_slots`. Constructor arguments are stored as attributes of the same name (``lr``
    as :attr:`base_lr`) and round-trip through :meth:`get_config`.

    Attributes:
        lr: The learning rate used by the next step (a Python float); the schedule sets it
            in :meth:`on_epoch_begin`, and it may be assigned directly.
        base_lr: The ``lr`` given to the constructor.
        iterations: Number of steps taken since construction or :meth:`reset`.
        last_grad_norm: Global L2 norm of the gradients of the last step *before* clipping,
            a Python float (``None`` before the first step).
        schedule: The :class:`~gradlab.optimizers.schedules.Schedule` or ``None``.
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    #: Whether :meth:`_update` treats every element on its own (given the step's scalars), so
    #: that it may run once on packed buffers; see the module docstring.
    elementwise: ClassVar[bool] = True

    def __init__(
        self,
        lr: float,
        *,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        schedule: ScheduleLike = None,
    ) -> None:
        self._base_lr = check_number(lr, "lr", low=0.0)
        self.clip_norm = check_optional_positive(clip_norm, "clip_norm")
        self.clip_value = check_optional_positive(clip_value, "clip_value")
        self.schedule = schedules_module.get(schedule)
        self._lr = self._base_lr
        if self.schedule is not None:
            self.lr = self.schedule(0, self._base_lr)
        self.last_grad_norm: float | None = None
        self.reset()

    # ---- learning rate --------------------------------------------------------------------
    @property
    def lr(self) -> float:
        """The learning rate of the next step."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_number(value, "lr", low=0.0)

    @property
    def base_lr(self) -> float:
        """The learning rate given to the constructor (the schedule scales this one)."""
        return self._base_lr

    def on_epoch_begin(self, epoch: int) -> None:
        """Set :attr:`lr` to the schedule's value for ``epoch`` (counted from 0).

        Without a schedule the learning rate is left as it is (``base_lr`` unless assigned).
        """
        epoch = check_int(epoch, "epoch")
        if self.schedule is not None:
            self.lr = self.schedule(epoch, self._base_lr)

    # ---- the step -------------------------------------------------------------------------
    def step(
        self,
        params: Iterable[Array],
        grads: Iterable[ArrayLike],
        *,
        grad_norm: float | None = None,
    ) -> None:
        """Update every array of ``params`` in place from the matching gradient in ``grads``.

        Args:
            params: The live float parameter arrays (written in place).
            grads: One gradient per parameter, same shape and dtype; never modified.
            grad_norm: ``global_norm(grads)`` when the caller has already computed it (it
                becomes :attr:`last_grad_norm` and drives ``clip_norm``); ``None`` computes it.

        Raises:
            TypeError: if a parameter is not a writeable float ndarray.
            ValueError: if the counts, shapes or dtypes do not match each other or the
                arrays the state was built for on the first step (see :meth:`reset`).
        """
        params = params if isinstance(params, list) else list(params)
        grads = grads if isinstance(grads, list) else list(grads)
        known = self._known
        if (
            known is None
            or len(params) != len(known[0])
            or len(grads) != len(known[1])
            or not all(map(operator.is_, params, known[0]))
            or not all(map(operator.is_, grads, known[1]))
        ):
            # New arrays: check them; remember them (and their packing) for the next steps.
            params, grads = self._check_arrays(params, grads)
            if self._signature is None:
                self._build([(p.shape, p.dtype) for p in params])
            flat = _packing(params, grads) if self._flat_slots and self.elementwise else None
            known = self._known = (params, grads, flat)
        flat = known[2]
        lr = self._lr
        if flat is not None:
            (g,) = self._clip([flat[1]], grad_norm, first=len(params))
            self.iterations += 1
            self._update(len(params), flat[0], g, lr)
            return
        grads = self._clip(grads, grad_norm)
        self.iterations += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self._update(i, p, g, lr)

    def _slots(self) -> dict[str, float]:
        """Return ``{state name: initial value}`` of the per-parameter state arrays."""
        return {}

    def _update(self, i: int, p: Array, g: Array, lr: float) -> None:
        """Apply the update rule to parameter ``p`` (position ``i``) with gradient ``g``.

        ``g`` is the caller's array or a scratch copy: read it, never write it. State arrays
        are ``self._state[slot][i]``; ``self._scratch("tmp", i)`` is free work space.
        """
        raise NotImplementedError

    def _check_arrays(
        self, params: Iterable[Array], grads: Iterable[ArrayLike]
    ) -> tuple[list[Array], list[Array]]:
        params, grads = list(params), [np.asarray(g) for g in grads]
        if len(params) != len(grads):
            raise ValueError(
                f"{type(self).__name__}.step needs one gradient per parameter; got "
                f"{len(params)} params and {len(grads)} grads"
            )
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                what = p.dtype if isinstance(p, np.ndarray) else type(p).__name__
                raise TypeError(
                    f"params[{i}] must be a float ndarray (updated in place), got {what}"
                )
            if not p.flags.writeable:
                raise ValueError(f"params[{i}] is read-only; the optimizer updates it in place")
            if g.shape != p.shape or g.dtype != p.dtype:
                raise ValueError(
                    f"grads[{i}] must match params[{i}] (shape {p.shape}, dtype {p.dtype}); "
                    f"got shape {g.shape}, dtype {g.dtype}"
                )
        sig = self._signature
        if sig is not None and [(p.shape, p.dtype) for p in params] != sig:
            raise ValueError(
                f"{type(self).__name__} state was built for {len(sig)} arrays "
                f"{_describe(sig)}; got {len(params)} arrays "
                f"{_describe([(p.shape, p.dtype) for p in params])}. Call reset() to train "
                "other parameters"
            )
        return params, grads

    def _build(self, signature: list[tuple[tuple[int, ...], np.dtype[Any]]]) -> None:
        """Create the state: per slot, one buffer for all positions (when they share a dtype)
        split into a view per position; position ``len(signature)`` is the whole buffer."""
        self._signature = signature = list(signature)
        n = len(signature)
        self._flat_slots = n > 0 and len({dtype for _, dtype in signature}) == 1
        self._state = {}
        for slot, fill in self._slots().items():
            if not self._flat_slots:
                self._state[slot] = [np.full(shape, fill, dtype=dt) for shape, dt in signature]
                continue
            sizes = [math.prod(shape) for shape, _ in signature]
            flat = np.full(sum(sizes), fill, dtype=signature[0][1])
            ends = np.cumsum(sizes).tolist()
            views = [
                flat[end - size : end].reshape(shape)
                for (shape, _), size, end in zip(signature, sizes, ends, strict=True)
            ]
            self._state[slot] = [*views, flat]
        self._buffers = {"grad": [None] * (n + 1), "tmp": [None] * (n + 1)}

    def _scratch(self, which: str, i: int) -> Array:
        """Return work array ``which`` (``"grad"`` or ``"tmp"``) of position ``i``, made once
        (position ``len(signature)``: the packed whole)."""
        buffers = self._buffers[which]
        buf = buffers[i]
        if buf is None:
            signature = self._signature
            if i == len(signature):  # type: ignore[arg-type]
                size = sum(math.prod(shape) for shape, _ in signature)  # type: ignore[union-attr]
                buf = buffers[i] = np.empty(size, dtype=signature[0][1])  # type: ignore[index]
            else:
                shape, dtype = signature[i]  # type: ignore[index]
                buf = buffers[i] = np.empty(shape, dtype=dtype)
        return buf

    def _clip(self, grads: list[Array], norm: float | None = None, first: int = 0) -> list[Array]:
        """Record ``last_grad_norm`` and return the gradients clipped into scratch buffers
        (``grads[j]`` is position ``first + j``)."""
        if norm is None:
            norm = global_norm(grads)
        self.last_grad_norm = norm
        if self.clip_value is None and self.clip_norm is None:
            return grads
        out = list(grads)
        if self.clip_value is not None:
            v = self.clip_value
            for i, g in enumerate(grads):
                out[i] = np.clip(g, -v, v, out=self._scratch("grad", first + i))
            norm = global_norm(out)
        if self.clip_norm is not None:
            coef = self.clip_norm / (norm + CLIP_NORM_EPS)
            if coef < 1.0:
                for i, g in enumerate(out):
                    out[i] = np.multiply(g, coef, out=self._scratch("grad", first + i))
        return out

    def _add_weight_decay(self, i: int, p: Array, g: Array, weight_decay: float) -> Array:
        """Return ``g + weight_decay * p`` in the ``"grad"`` scratch buffer (torch's L2 decay,
        ``grad.add(param, alpha=weight_decay)``), leaving the caller's ``g`` alone."""
        d = self._scratch("grad", i)
        if g is d:
            t = self._scratch("tmp", i)
            np.multiply(p, weight_decay, out=t)
            d += t
        else:
            np.multiply(p, weight_decay, out=d)
            d += g
        return d

    # ---- state ----------------------------------------------------------------------------
    def reset(self) -> None:
        """Drop the state (moments, step count); the next step starts afresh."""
        self.iterations = 0
        self._signature: list[tuple[tuple[int, ...], np.dtype[Any]]] | None = None
        self._state: dict[str, list[Array]] = {}
        self._buffers: dict[str, list[Any]] = {}
        self._flat_slots = False
        # The arrays of the last step (params, grads, packed whole or None), so the next step
        # with the very same arrays skips the checks.
        self._known: tuple[list[Array], list[Array], tuple[Array, Array] | None] | None = None

    def get_state(self) -> dict[str, np.ndarray]:
        """Return the training state as flat arrays, ready for ``np.savez``.

        Keys: ``"iterations"`` and ``"lr"`` (0-d arrays) and ``"<slot>/<position>"`` for each
        state array, e.g. ``"exp_avg/0"``. The arrays are copies.
        """
        state: dict[str, np.ndarray] = {
            "iterations": np.asarray(self.iterations, dtype=np.int64),
            "lr": np.asarray(self._lr, dtype=np.float64),
        }
        n = len(self._signature or ())
        for slot, arrays in self._state.items():
            for i, a in enumerate(arrays[:n]):
                state[f"{slot}/{i}"] = a.copy()
        return state

    def set_state(self, state: Mapping[str, ArrayLike]) -> None:
        """Restore what :meth:`get_state` returned, so training continues bit-identically.

        Raises:
            ValueError: if keys are missing or unexpected for this optimizer's configuration,
                or the arrays of one position disagree in shape or dtype.
        """
        items = {str(k): np.asarray(state[k]) for k in state}
        if "iterations" not in items:
            raise ValueError(f"state has no 'iterations'; got keys {sorted(items)}")
        iterations = items.pop("iterations")
        if iterations.shape != () or iterations.dtype.kind not in "iu" or iterations < 0:
            raise ValueError(f"state['iterations'] must be a 0-d int >= 0, got {iterations!r}")
        lr = items.pop("lr", None)
        slots = list(self._slots())
        arrays: dict[str, dict[int, np.ndarray]] = {slot: {} for slot in slots}
        for key, value in items.items():
            slot, _, pos = key.rpartition("/")
            if slot not in arrays or not pos.isdigit():
                expected = ", ".join(f"'{s}/<i>'" for s in slots) or "no arrays"
                raise ValueError(
                    f"unexpected state key {key!r}; {self!r} keeps 'iterations', "
                    f"'lr' and {expected}"
                )
            arrays[slot][int(pos)] = value
        counts = {slot: len(by_pos) for slot, by_pos in arrays.items()}
        n = max(counts.values(), default=0)
        for slot, by_pos in arrays.items():
            if sorted(by_pos) != list(range(n)):
                raise ValueError(
                    f"state must hold '{slot}/0' ... '{slot}/{n - 1}' for {self!r}; "
                    f"got positions {sorted(by_pos)}"
                )
        signature = []
        for i in range(n):
            first = arrays[slots[0]][i]
            for slot in slots:
                a = arrays[slot][i]
                if a.dtype.kind != "f" or a.shape != first.shape or a.dtype != first.dtype:
                    raise ValueError(
                        f"state arrays of position {i} must share one float shape and dtype; "
                        f"'{slot}/{i}' has shape {a.shape}, dtype {a.dtype}, "
                        f"'{slots[0]}/{i}' has shape {first.shape}, dtype {first.dtype}"
                    )
            signature.append((first.shape, first.dtype))
        self.reset()
        self.iterations = int(iterations)
        if lr is not None:
            self.lr = float(lr)
        if n:
            self._build(signature)
            for slot in slots:
                for i in range(n):
                    np.copyto(self._state[slot][i], arrays[slot][i])

    # ---- configuration --------------------------------------------------------------------
    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Return every constructor argument with its default value."""
        params = inspect.signature(cls.__init__).parameters
        return {k: p.default for k, p in params.items() if k != "self"}

    def _config(self, *, serialize_schedule: bool) -> dict[str, Any]:
        config: dict[str, Any] = {}
        for key in self.defaults():
            if key == "lr":
                value: Any = self._base_lr
            elif key == "schedule" and serialize_schedule:
                value = None if self.schedule is None else schedules_module.serialize(self.schedule)
            else:
                value = getattr(self, key)
            config[key] = list(value) if isinstance(value, tuple) else value
        return config

    def get_config(self) -> dict[str, Any]:
        """Return every constructor argument as a JSON-friendly dict (``lr`` is ``base_lr``;
        the schedule as ``{"name", "config"}``).

        Raises:
            ValueError: for a :class:`~gradlab.optimizers.schedules.LambdaSchedule`, whose
                function cannot be serialized.
        """
        return self._config(serialize_schedule=True)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Optimizer:
        """Build the optimizer from :meth:`get_config`'s dict (missing keys take defaults)."""
        check_config(config, cls.__name__, cls.defaults())
        return cls(**config)

    def __repr__(self) -> str:
        config = self._config(serialize_schedule=False)
        defaults = {k: list(v) if isinstance(v, tuple) else v for k, v in self.defaults().items()}
        shown = {k: v for k, v in config.items() if k == "lr" or v != defaults[k]}
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({args})"


def _packing(params: list[Array], grads: list[Array]) -> tuple[Array, Array] | None:
    """Return 1-D views ``(params, grads)`` of the buffers both lists tile, in order, or None."""
    flat_params, flat_grads = _tiled(params), _tiled(grads)
    if flat_params is None or flat_grads is None:
        return None
    return flat_params, flat_grads


def _tiled(arrays: list[Array]) -> Array | None:
    """Return the 1-D view that ``arrays`` cover back to back, if they are views of one
    contiguous 1-D buffer laid out consecutively in list order; else None."""
    if not arrays:
        return None
    base = arrays[0].base
    if not isinstance(base, np.ndarray) or base.ndim != 1 or not base.flags.c_contiguous:
        return None
    start = address = arrays[0].ctypes.data
    for a in arrays:
        if a.base is not base or a.dtype != base.dtype or not a.flags.c_contiguous:
            return None
        if a.size and a.ctypes.data != address:
            return None
        address += a.nbytes
    first = (start - base.ctypes.data) // base.itemsize
    return base[first : first + (address - start) // base.itemsize]


def _describe(signature: list[tuple[tuple[int, ...], np.dtype[Any]]]) -> str:
    return "[" + ", ".join(f"{dtype}{list(shape)}" for shape, dtype in signature) + "]"
