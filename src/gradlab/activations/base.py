"""The activation record: forward, derivative or vector-Jacobian product, and metadata.

Every activation is a small class. Its instance carries the parameters (with PyTorch's
defaults where PyTorch has the function, otherwise Keras 3's), computes the forward pass,
the exact derivative (elementwise activations) or the vector-Jacobian product (activations
that mix a whole axis, such as softmax), and describes itself through :attr:`Activation.info`.

Conventions shared by all activations:

* Inputs are converted with :func:`as_float_array`: float arrays keep their dtype (float32 in,
  float32 out), integer and bool arrays become float64, anything else is a ``TypeError``.
* Nothing passed in is ever modified.
* ``derivative(x, y=None)`` and ``vjp(x, grad_out, y=None)`` accept the forward output ``y``
  when the caller already has it; activations whose derivative is a function of the output
  (sigmoid, tanh, elu, ...) then skip recomputing the forward pass.
* At a kink the derivative is PyTorch autograd's value there; each class lists its kinks in
  :attr:`ActivationInfo.kinks` and its docstring says which value is used.
"""

from __future__ import annotations

import inspect
import math
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..i18n import _
from ..registry import Registry

try:  # the ufunc behind np.clip: calling it directly skips np.clip's Python-level wrapper,
    # which costs more than the clip itself on a small batch (3.2 vs 1.7 us on 64 x 64)
    from numpy._core.umath import clip as _clip
except ImportError:  # pragma: no cover - NumPy 1.x keeps it in numpy.core
    try:
        from numpy.core.umath import clip as _clip
    except ImportError:
        _clip = np.clip

#: ``np.clip``'s ufunc, called without ``np.clip``'s Python wrapper (which costs as much as the
#: clip itself on a 64 x 64 batch). Same arguments: ``clip_ufunc(x, low, high, out=...)``.
clip_ufunc = _clip

__all__ = [
    "REGISTRY",
    "Activation",
    "ActivationInfo",
    "ElementwiseActivation",
    "Kink",
    "VectorActivation",
    "above",
    "abs_above",
    "as_float_array",
    "clip_ufunc",
    "largest",
    "mask",
    "negative_part",
    "positive_part",
    "register",
    "select",
    "work_array",
]

INF = math.inf


def as_float_array(x: ArrayLike, name: str = "x") -> NDArray[np.floating]:
    """Return ``x`` as a floating-point ndarray without copying when it already is one.

    Float arrays keep their dtype; integer and bool input becomes float64.

    Raises:
        TypeError: for complex, string, object or other non-real input.
    """
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind == "f":
        return arr
    if kind in "iub":
        return arr.astype(np.float64)
    raise TypeError(
        f"{name} must be real numbers (a float, int or bool array-like); "
        f"got an array of dtype {arr.dtype}"
    )


#: Per-thread work arrays of the kernels (see work_array), at most this many bytes each.
_SCRATCH_MAX_BYTES = 8 << 20
#: Below this a fresh array is cheaper than the lookup (small blocks come from malloc's free
#: lists and do not page-fault).
_SCRATCH_MIN_BYTES = 256 << 10
_SCRATCH = threading.local()


def work_array(like: NDArray[Any], slot: int, dtype: Any = None) -> NDArray[Any]:
    """Return a work array shaped like ``like`` (typed like it, or ``dtype``), contents undefined.

    Slots 0-6 are the kernels' own; :func:`select` uses slot 7 for its mask.

    Up to ``_SCRATCH_MAX_BYTES`` it is a view of a buffer kept per thread and per ``slot``, which
    the next call with that slot overwrites: a kernel may use it for temporaries, never return
    it. Kept buffers are not freed and given back each call, so they neither page-fault nor
    leave the heap's top free for glibc to trim (the next fresh arrays would then page-fault,
    one fault per 4 KiB: more than the arithmetic of a 1M-value call). Larger, or smaller than
    256 KiB (where the lookup costs more than an allocation): a new array.
    """
    dtype = like.dtype if dtype is None else np.dtype(dtype)
    n = like.size * dtype.itemsize
    if n > _SCRATCH_MAX_BYTES or n < _SCRATCH_MIN_BYTES:
        return np.empty(like.shape, dtype)
    bufs = getattr(_SCRATCH, "bufs", None)
    if bufs is None:
        bufs = _SCRATCH.bufs = {}
    buf = bufs.get(slot)
    if buf is None or buf.nbytes < n:
        buf = bufs[slot] = np.empty(n, np.uint8)
    return buf[:n].view(dtype).reshape(like.shape)


_LARGEST: dict[np.dtype, float] = {}


def largest(dtype: np.dtype) -> float:
    """Return the largest finite value of a float dtype as a Python float (cached).

    Kernels clip to ``±largest`` where ``±inf`` would meet a zero (``0 · inf`` is NaN) but every
    finite value must pass unchanged.
    """
    found = _LARGEST.get(dtype)
    if found is None:
        found = _LARGEST[dtype] = float(np.finfo(dtype).max)
    return found


def positive_part(x: NDArray[np.floating]) -> NDArray[np.floating]:
    """Return ``max(x, 0)`` as a new array (``+0.0`` at and below 0, NaN stays NaN).

    Computed as ``np.clip(x, 0, inf)``: NumPy 2 vectorises ``clip`` with two scalar bounds but
    not ``np.maximum`` with a scalar, which is about three times slower. ``clip`` keeps the
    sign of ``-0.0``; adding ``+0.0`` turns it into ``+0.0`` as ``max`` and torch give.
    """
    y = _clip(x, 0.0, np.inf)
    y += 0.0
    return y


def negative_part(x: NDArray[np.floating]) -> NDArray[np.floating]:
    """Return ``min(x, 0)`` as a new array (``np.clip(x, -inf, 0)``; see :func:`positive_part`)."""
    return np.clip(x, -np.inf, 0.0)


def mask(cond: NDArray[np.bool_], like: NDArray[np.floating]) -> NDArray[np.floating]:
    """Return ``cond`` as 0.0 / 1.0 in the dtype of ``like`` (one cheap cast)."""
    return cond.astype(like.dtype)


def above(x: NDArray[np.floating], threshold: float) -> NDArray[np.floating]:
    """Return ``x > threshold`` as 0.0 / 1.0 in ``x``'s dtype, written by the comparison itself
    (no boolean temporary to cast: about twice as fast as ``(x > t).astype(x.dtype)``)."""
    return np.greater(x, threshold, out=np.empty_like(x))


def abs_above(x: NDArray[np.floating], threshold: float) -> NDArray[np.floating]:
    """Return ``|x| > threshold`` as 0.0 / 1.0 in ``x``'s dtype, in one new array."""
    d = np.abs(x)
    return np.greater(d, threshold, out=d)


#: The unsigned integer of each float's width: :func:`select` blends the bit patterns.
_BITS = {
    np.dtype(np.float16): np.uint16,
    np.dtype(np.float32): np.uint32,
    np.dtype(np.float64): np.uint64,
}


def select(
    cond: NDArray[np.bool_],
    a: Any,
    b: Any,
    *,
    out: NDArray[np.floating] | None = None,
) -> NDArray[np.floating]:
    r"""Return ``a`` where ``cond`` else ``b``, exactly, without branches.

    The two candidates are blended bit by bit: with ``m = cond`` as the integers 0 / 1,

    .. math:: \mathrm{bits}(r) = \mathrm{bits}(b) \oplus \bigl(m \cdot (\mathrm{bits}(a)
              \oplus \mathrm{bits}(b))\bigr)

    is ``bits(a)`` where ``m = 1`` and ``bits(b)`` where ``m = 0``. Every value comes through
    unchanged, ``±inf``, NaN and the sign of zero included, and nothing from the side that is
    not chosen can leak in: the arithmetic blend ``m a + (1 - m) b`` it replaces gave NaN
    (and an "invalid value" warning) wherever the side not chosen was infinite, because
    ``0 · inf`` is NaN. So a caller picks the side NaN should take with its condition (``x > t``
    sends NaN to ``b``, ``x <= t`` to ``a``). Four integer passes, as fast as the arithmetic
    blend and several times faster than ``np.where`` on unpredictable masks.

    Args:
        cond: Boolean array; its shape is the result's.
        a, b: The candidates: arrays of one float dtype, or a Python / NumPy scalar for one of
            them (converted to the other's dtype). At least one must be an array.
        out: Optional destination; may be ``a`` or ``b`` itself (a temporary of the
            caller's), which saves allocating the result. Float dtypes without an integer of
            the same width (``longdouble``) fall back to ``np.where`` and ignore ``out``.
    """
    dtype = a.dtype if isinstance(a, np.ndarray) else np.asarray(b).dtype
    bits = _BITS.get(dtype)
    if bits is None:
        return np.where(cond, a, b).astype(dtype, copy=False)
    ai = np.asarray(a, dtype=dtype).view(bits)
    bi = np.asarray(b, dtype=dtype).view(bits)
    m = work_array(cond, 7, bits)  # kept between calls: a fresh 4 MB array page-faults
    base = bi
    if out is not None and out is b:  # b is overwritten first: a ^ ((1 - m)(a ^ b)) instead
        np.logical_not(cond, out=m)
        base = ai
    else:
        np.copyto(m, cond)
    result = np.bitwise_xor(ai, bi, out=None if out is None else out.view(bits))
    if result.shape != m.shape:  # both candidates scalars: the condition gives the shape
        result = np.broadcast_to(result, m.shape).copy()
    result *= m
    result ^= base
    return result.view(dtype)


@dataclass(frozen=True)
class Kink:
    """A point where the derivative jumps (or the function itself jumps, ``jump=True``).

    Attributes:
        x: Location of the kink.
        derivative: The value that :meth:`Activation.derivative` returns at ``x``; equal to
            PyTorch autograd's value wherever PyTorch has the function.
        left: Limit of the derivative from the left.
        right: Limit of the derivative from the right.
        jump: True when the function value itself is discontinuous at ``x``.
    """

    x: float
    derivative: float
    left: float
    right: float
    jump: bool = False


#: ``Activation.defaults()`` per class.
_DEFAULTS: dict[type, dict[str, Any]] = {}


@dataclass(frozen=True)
class ActivationInfo:
    """What a learner wants to know about an activation, in one record.

    Attributes:
        name: Canonical registry name.
        aliases: Other names that find it.
        elementwise: True when ``y[i]`` depends on ``x[i]`` only.
        output_range: ``(low, high)`` bounds of the output (``±inf`` when unbounded).
        range_closed: Whether each bound is attained (``[`` / ``]``) or only approached.
        monotonic: Non-decreasing over the real line; ``None`` for vector activations.
        zero_centered: For a standard normal input the output mean is near zero (within 0.1
            output standard deviations): odd functions, and SELU by design.
        smooth: Continuously differentiable everywhere (C¹), i.e. no kinks.
        max_abs_derivative: ``sup |f'(x)|`` (for vector activations, the largest Jacobian entry).
        max_abs_derivative_at: Where the supremum is reached, in words.
        max_abs_derivative_x: A point where ``|f'|`` equals the supremum, ``None`` when it is only
            approached.
        kinks: Points where the derivative (or the function) is discontinuous.
        formula: LaTeX of ``f``.
        derivative_formula: LaTeX of ``f'`` (or of the vector-Jacobian product).
        notes: Strengths and weaknesses, in brief.
        torch: The PyTorch equivalent, or ``None`` when PyTorch has none.
    """

    name: str
    aliases: tuple[str, ...]
    elementwise: bool
    output_range: tuple[float, float]
    range_closed: tuple[bool, bool]
    monotonic: bool | None
    zero_centered: bool
    smooth: bool
    max_abs_derivative: float
    max_abs_derivative_at: str
    max_abs_derivative_x: float | None
    kinks: tuple[Kink, ...]
    formula: str
    derivative_formula: str
    notes: str
    torch: str | None = None
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def range_text(self) -> str:
        """The output range in interval notation, e.g. ``(0, 1)`` or ``[0, inf)``."""
        lo, hi = self.output_range
        left = "[" if self.range_closed[0] and math.isfinite(lo) else "("
        right = "]" if self.range_closed[1] and math.isfinite(hi) else ")"
        return f"{left}{_fmt(lo)}, {_fmt(hi)}{right}"


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "-inf" if v < 0 else "inf"
    return f"{v:g}"


def _bound(value: float) -> str:
    """Write a range bound for a table: ``-inf`` as -∞."""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:g}"


class Activation:
    """Base class of every activation.

    Subclasses set ``name`` (the registry name), optional ``aliases``, and implement the
    forward pass and either :meth:`_df` (elementwise) or :meth:`_vjp` (vector). Parameters are
    the keyword arguments of ``__init__``; they are stored as attributes of the same name and
    round-trip through :meth:`get_config`.
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    elementwise: ClassVar[bool] = True
    torch: ClassVar[str | None] = None

    # ---- public API -----------------------------------------------------------------------
    def __call__(self, x: ArrayLike, *, training: bool = False) -> NDArray[np.floating]:
        """Apply the activation: ``y = f(x)``, same shape and float dtype as ``x``."""
        return _apply(self._f, as_float_array(x))

    def derivative(
        self, x: ArrayLike, y: ArrayLike | None = None, *, training: bool = False
    ) -> NDArray[np.floating]:
        """Return ``f'(x)`` elementwise; ``y = f(x)`` may be passed to save the forward pass."""
        raise TypeError(
            f"{self.name} is not elementwise: its derivative is a Jacobian per row; "
            f"use vjp(x, grad_out) or jacobian(x) for a 1-D x"
        )

    def vjp(
        self,
        x: ArrayLike,
        grad_out: ArrayLike,
        y: ArrayLike | None = None,
        *,
        training: bool = False,
    ) -> NDArray[np.floating]:
        """Return the vector-Jacobian product ``grad_out · ∂f/∂x`` (the backward pass)."""
        raise NotImplementedError

    def jacobian(self, x: ArrayLike) -> NDArray[np.floating]:
        """Return the Jacobian matrix ``J[i, j] = ∂y_i/∂x_j`` for a 1-D ``x``."""
        x = as_float_array(x)
        if x.ndim != 1:
            raise ValueError(f"jacobian needs a 1-D x, got shape {x.shape}")
        y = self(x)
        eye = np.eye(y.shape[0], dtype=y.dtype)
        return np.stack([self.vjp(x, row, y) for row in eye])

    # ---- configuration --------------------------------------------------------------------
    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Return the default value of every parameter."""
        # Cached per class: for a class without an ``__init__`` of its own, inspect parses the
        # text signature of ``object.__init__`` (about 0.3 ms), and ``info`` asks every time.
        found = _DEFAULTS.get(cls)
        if found is None:
            params = inspect.signature(cls.__init__).parameters
            found = _DEFAULTS[cls] = {
                k: p.default
                for k, p in params.items()
                if k != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            }
        return dict(found)

    def get_config(self) -> dict[str, Any]:
        """Return the parameters as a JSON-friendly dict (``cls(**config)`` rebuilds it)."""
        return {k: getattr(self, k) for k in self.defaults()}

    @property
    def info(self) -> ActivationInfo:
        """The metadata record of this activation with its current parameters."""
        return ActivationInfo(
            name=self.name,
            aliases=self.aliases,
            elementwise=self.elementwise,
            torch=self.torch,
            config=self.get_config(),
            **self._info(),
        )

    def __repr__(self) -> str:
        cfg = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({cfg})"

    def _repr_markdown_(self) -> str:
        """What a notebook shows: the formulas (MathJax), range, derivative peak and a plot."""
        info = self.info
        lo, hi = info.output_range
        closed = info.range_closed
        interval = (
            f"{'[' if closed[0] else '('}{_bound(lo)}, {_bound(hi)}{']' if closed[1] else ')'}"
        )
        peak = f"{info.max_abs_derivative:.4g}" if info.max_abs_derivative is not None else "—"
        if info.max_abs_derivative_at:
            peak += f", {info.max_abs_derivative_at}"
        kinks = "; ".join(
            _("x = {x:g}: a jump, f' taken as {d:g}").format(x=k.x, d=k.derivative)
            if k.jump
            else _("x = {x:g}: f' taken as {d:g} (left {left:g}, right {right:g})").format(
                x=k.x, d=k.derivative, left=k.left, right=k.right
            )
            for k in info.kinks
        )
        yes, no, none = _("yes"), _("no"), _("none")
        head = _("| range | largest \\|f'\\| (where) | zero-centred | smooth | kinks |")
        lines = [f"**{self!r}**", "", f"$${info.formula}$$"]
        if info.derivative_formula:
            lines += ["", f"$${info.derivative_formula}$$"]
        lines += [
            "",
            head,
            "|---|---|---|---|---|",
            f"| {interval} | {peak} | {yes if info.zero_centered else no} | "
            f"{yes if info.smooth else no} | {kinks or none} |",
        ]
        if self.elementwise:
            from .._display import figure_img
            from ..plots import activation_figure

            fig = activation_figure([self], derivative=True)
            lines += ["", figure_img(fig, alt=f"{self.name} and its derivative", dpi=50)]
        return "\n".join(lines)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.get_config().items(), key=str))))

    # ---- the layers' training kernels ------------------------------------------------------
    def forward_train(self, x: NDArray[np.floating]) -> NDArray[np.floating]:
        """Return ``f(x)`` in training mode for a float array ``x`` of at least one dimension.

        Layers call this (and :meth:`vjp_train`) in their training pass, on arrays they have
        already checked; it skips the conversions of :meth:`__call__`. Same result as
        ``self(x, training=True)``.
        """
        return self(x, training=True)

    def vjp_train(
        self, x: NDArray[np.floating], grad_out: NDArray[np.floating], y: NDArray[np.floating]
    ) -> NDArray[np.floating]:
        """Return ``vjp(x, grad_out, y, training=True)`` for checked arrays (a new array)."""
        return self.vjp(x, grad_out, y, training=True)

    # ---- hooks for subclasses -------------------------------------------------------------
    def _f(self, x: NDArray[np.floating]) -> NDArray[np.floating]:
        raise NotImplementedError

    def _info(self) -> dict[str, Any]:
        raise NotImplementedError


class ElementwiseActivation(Activation):
    """An activation with ``y[i] = f(x[i])``; subclasses implement ``_f`` and ``_df``.

    ``_df(x, y)`` receives the forward output ``y`` or ``None``; it must not modify either.
    """

    elementwise: ClassVar[bool] = True
    #: Whether the training kernels may call ``_f`` / ``_df`` directly: True unless the class
    #: (or an ancestor below this one) overrides ``__call__``, ``derivative`` or ``vjp``.
    _direct: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if any(name in cls.__dict__ for name in ("__call__", "derivative", "vjp")):
            cls._direct = False

    def derivative(
        self, x: ArrayLike, y: ArrayLike | None = None, *, training: bool = False
    ) -> NDArray[np.floating]:
        x = as_float_array(x)
        y = _check_like(y, x, "y")
        return _apply(self._df, x, y)

    def forward_train(self, x: NDArray[np.floating]) -> NDArray[np.floating]:
        return self._f(x) if self._direct else self(x, training=True)

    def vjp_train(
        self, x: NDArray[np.floating], grad_out: NDArray[np.floating], y: NDArray[np.floating]
    ) -> NDArray[np.floating]:
        if not self._direct:
            return self.vjp(x, grad_out, y, training=True)
        d = self._df(x, y)  # a new array (``_df`` never returns its arguments)
        d *= grad_out
        return d

    def vjp(
        self,
        x: ArrayLike,
        grad_out: ArrayLike,
        y: ArrayLike | None = None,
        *,
        training: bool = False,
    ) -> NDArray[np.floating]:
        x = as_float_array(x)
        grad_out = _check_like(grad_out, x, "grad_out")
        return self.derivative(x, y, training=training) * grad_out

    def jacobian(self, x: ArrayLike) -> NDArray[np.floating]:
        x = as_float_array(x)
        if x.ndim != 1:
            raise ValueError(f"jacobian needs a 1-D x, got shape {x.shape}")
        return np.diag(self.derivative(x))

    def _df(self, x: NDArray[np.floating], y: NDArray[np.floating] | None) -> NDArray[np.floating]:
        raise NotImplementedError


class VectorActivation(Activation):
    """An activation that mixes the entries along ``axis`` (softmax, glu, sparsemax, ...).

    Subclasses implement ``_f(x)`` and ``_vjp(x, grad_out, y)`` working along ``self.axis``.
    """

    elementwise: ClassVar[bool] = False

    def __init__(self, axis: int = -1) -> None:
        if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
            raise TypeError(f"axis must be an int, got {type(axis).__name__}: {axis!r}")
        self.axis = int(axis)

    def __call__(self, x: ArrayLike, *, training: bool = False) -> NDArray[np.floating]:
        x = as_float_array(x)
        self._check_axis(x)
        return self._f(x)

    def vjp(
        self,
        x: ArrayLike,
        grad_out: ArrayLike,
        y: ArrayLike | None = None,
        *,
        training: bool = False,
    ) -> NDArray[np.floating]:
        x = as_float_array(x)
        self._check_axis(x)
        y = self._f(x) if y is None else as_float_array(y, "y")
        grad_out = _check_like(grad_out, y, "grad_out")
        return self._vjp(x, grad_out, y)

    def _check_axis(self, x: NDArray[np.floating]) -> None:
        if x.ndim == 0 or not -x.ndim <= self.axis < x.ndim:
            raise ValueError(
                f"{self.name} works along axis={self.axis}, so x needs at least "
                f"{max(self.axis + 1, -self.axis)} dimension(s); got shape {x.shape}"
            )

    def _vjp(
        self, x: NDArray[np.floating], g: NDArray[np.floating], y: NDArray[np.floating]
    ) -> NDArray[np.floating]:
        raise NotImplementedError


def _apply(fn: Any, x: NDArray[np.floating], *args: Any) -> Any:
    """Run ``fn(x, *args)``; 0-d input is lifted to 1-D so kernels may work in place."""
    if x.ndim == 0:
        lifted = [np.reshape(a, 1) if isinstance(a, np.ndarray) else a for a in args]
        return np.reshape(fn(x.reshape(1), *lifted), ())
    return fn(x, *args)


def _check_like(a: ArrayLike | None, ref: NDArray[np.floating], name: str) -> Any:
    """Validate that ``a`` (if given) is a float array with the shape of ``ref``."""
    if a is None:
        return None
    arr = as_float_array(a, name)
    if arr.shape != ref.shape:
        raise ValueError(f"{name} must have the shape of the output {ref.shape}, got {arr.shape}")
    return arr


#: The activation registry: canonical name -> class. Filled by :func:`register`.
REGISTRY: Registry[type[Activation]] = Registry("activation")


def register(cls: type[Activation]) -> type[Activation]:
    """Class decorator: register ``cls`` under ``cls.name`` and ``cls.aliases``."""
    return REGISTRY.add_class(cls)
