"""Optimizers with a per-element step size: Adagrad, RMSprop, Adam and AdamW.

Each one divides the (averaged) gradient by the square root of an accumulated squared
gradient, exactly as its ``torch.optim`` namesake: same defaults, ``eps`` added outside the
square root, Adam's bias corrections. :class:`AdamW` is :class:`Adam` with the weight decay
decoupled from the gradient, not a second implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from .._checks import check_bool, check_number
from .base import Array, Optimizer, register

__all__ = ["Adagrad", "Adam", "AdamW", "RMSprop"]


@register
class Adagrad(Optimizer):
    r"""Adagrad: divide by the root of the sum of all past squared gradients.

    With ``γ = lr``, ``η = lr_decay``, ``λ = weight_decay``, ``ε = eps``, step ``t = 1, 2, ...``
    and ``g_t`` the gradient after clipping (as ``torch.optim.Adagrad``)::

        if λ ≠ 0:   g_t ← g_t + λ θ_{t-1}
        γ_t ← γ / (1 + (t − 1) η)
        s_t ← s_{t-1} + g_t²                    s_0 = initial_accumulator_value
        θ_t ← θ_{t-1} − γ_t g_t / (√s_t + ε)

    Args:
        lr: Learning rate ``γ`` (default ``0.01``), finite, >= 0.
        lr_decay: Learning-rate decay ``η`` per step (default ``0``), >= 0.
        weight_decay: L2 penalty ``λ`` added to the gradient (default ``0``), >= 0.
        initial_accumulator_value: Starting value ``s_0`` of the sum (default ``0``), >= 0.
        eps: Added to the denominator ``ε`` (default ``1e-10``), >= 0.
        clip_norm, clip_value, schedule: As in :class:`~gradlab.optimizers.SGD` (default
            ``None``): global-norm clipping after element clipping, and the epoch schedule.

    State: ``sum``.

    Example:
        >>> import numpy as np
        >>> w = np.array([1.0, 1.0])
        >>> Adagrad(lr=0.1).step([w], [np.array([4.0, -0.01])])
        >>> w.round(6)              # the first step moves every weight by about lr
        array([0.9, 1.1])
    """

    name = "adagrad"

    def __init__(
        self,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        schedule: Any = None,
    ) -> None:
        self.lr_decay = check_number(lr_decay, "lr_decay", low=0.0)
        self.weight_decay = check_number(weight_decay, "weight_decay", low=0.0)
        self.initial_accumulator_value = check_number(
            initial_accumulator_value, "initial_accumulator_value", low=0.0
        )
        self.eps = check_number(eps, "eps", low=0.0)
        super().__init__(lr, clip_norm=clip_norm, clip_value=clip_value, schedule=schedule)

    def _slots(self) -> dict[str, float]:
        return {"sum": self.initial_accumulator_value}

    def _update(self, i: int, p: Array, g: Array, lr: float) -> None:
        if self.weight_decay != 0:
            g = self._add_weight_decay(i, p, g, self.weight_decay)
        clr = lr / (1 + (self.iterations - 1) * self.lr_decay)
        s, t = self._state["sum"][i], self._scratch("tmp", i)
        np.multiply(g, g, out=t)
        s += t
        np.sqrt(s, out=t)
        t += self.eps
        np.divide(g, t, out=t)
        t *= clr
        p -= t


@register
class RMSprop(Optimizer):
    r"""RMSprop: divide by the root of an exponential average of squared gradients.

    With ``γ = lr``, ``α = alpha``, ``ε = eps``, ``λ = weight_decay``, ``μ = momentum`` and
    ``g_t`` the gradient after clipping (as ``torch.optim.RMSprop``; all state starts at 0)::

        if λ ≠ 0:     g_t ← g_t + λ θ_{t-1}
        v_t ← α v_{t-1} + (1 − α) g_t²
        if centered:  ḡ_t ← α ḡ_{t-1} + (1 − α) g_t;   d_t ← √max(v_t − ḡ_t², 0) + ε
        else:         d_t ← √v_t + ε
        if μ > 0:     b_t ← μ b_{t-1} + g_t / d_t;     θ_t ← θ_{t-1} − γ b_t
        else:         θ_t ← θ_{t-1} − γ g_t / d_t

    The ``max(·, 0)`` only matters where rounding makes the centred variance slightly
    negative; torch takes the square root anyway and produces NaN there.

    Args:
        lr: Learning rate ``γ`` (default ``0.01``), finite, >= 0.
        alpha: Smoothing constant ``α`` (default ``0.99``), in ``[0, 1]``.
        eps: Added to the denominator ``ε`` (default ``1e-8``), >= 0.
        weight_decay: L2 penalty ``λ`` added to the gradient (default ``0``), >= 0.
        momentum: Momentum factor ``μ`` (default ``0``), >= 0.
        centered: Normalise by the estimated variance instead of the raw second moment
            (default ``False``).
        clip_norm, clip_value, schedule: As in :class:`~gradlab.optimizers.SGD` (default
            ``None``).

    State: ``square_avg``; ``grad_avg`` when centred; ``momentum_buffer`` when ``μ > 0``.

    Example:
        >>> import numpy as np
        >>> w = np.array([1.0])
        >>> RMSprop(lr=0.01).step([w], [np.array([3.0])])
        >>> w.round(4)              # 1 - 0.01 * 3 / sqrt(0.01 * 9)
        array([0.9])
    """

    name = "rmsprop"

    def __init__(
        self,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        schedule: Any = None,
    ) -> None:
        self.alpha = check_number(alpha, "alpha", low=0.0, high=1.0)
        self.eps = check_number(eps, "eps", low=0.0)
        self.weight_decay = check_number(weight_decay, "weight_decay", low=0.0)
        self.momentum = check_number(momentum, "momentum", low=0.0)
        self.centered = check_bool(centered, "centered")
        super().__init__(lr, clip_norm=clip_norm, clip_value=clip_value, schedule=schedule)

    def _slots(self) -> dict[str, float]:
        slots = {"square_avg": 0.0}
        if self.centered:
            slots["grad_avg"] = 0.0
        if self.momentum > 0:
            slots["momentum_buffer"] = 0.0
        return slots

    def _update(self, i: int, p: Array, g: Array, lr: float) -> None:
        if self.weight_decay != 0:
            g = self._add_weight_decay(i, p, g, self.weight_decay)
        alpha = self.alpha
        v, t = self._state["square_avg"][i], self._scratch("tmp", i)
        v *= alpha
        np.multiply(g, g, out=t)
        t *= 1.0 - alpha
        v += t
        if self.centered:
            m = self._state["grad_avg"][i]
            _lerp(m, g, 1.0 - alpha, t)
            np.multiply(m, m, out=t)
            np.subtract(v, t, out=t)
            np.maximum(t, 0.0, out=t)
            np.sqrt(t, out=t)
        else:
            np.sqrt(v, out=t)
        t += self.eps
        np.divide(g, t, out=t)
        if self.momentum > 0:
            buf = self._state["momentum_buffer"][i]
            buf *= self.momentum
            buf += t
            np.multiply(buf, lr, out=t)
        else:
            t *= lr
        p -= t


@register
class Adam(Optimizer):
    r"""Adam: momentum on the gradient, divided by the root of its second moment, with bias
    corrections; ``amsgrad`` keeps the largest second moment seen.

    With ``γ = lr``, ``(β₁, β₂) = betas``, ``ε = eps``, ``λ = weight_decay``, step
    ``t = 1, 2, ...`` and ``g_t`` the gradient after clipping (as ``torch.optim.Adam``;
    ``m_0 = v_0 = v̂_0 = 0``)::

        if λ ≠ 0:   g_t ← g_t + λ θ_{t-1}          (Adam: L2 penalty in the gradient)
                    θ_{t-1} ← (1 − γ λ) θ_{t-1}     (AdamW instead: decoupled decay)
        m_t ← β₁ m_{t-1} + (1 − β₁) g_t
        v_t ← β₂ v_{t-1} + (1 − β₂) g_t²
        v̂_t ← max(v̂_{t-1}, v_t)  if amsgrad,   else   v̂_t ← v_t
        θ_t ← θ_{t-1} − γ / (1 − β₁^t) · m_t / (√v̂_t / √(1 − β₂^t) + ε)

    ``ε`` is added after the bias correction of the root, exactly where torch adds it.

    Args:
        lr: Learning rate ``γ`` (default ``1e-3``), finite, >= 0.
        betas: ``(β₁, β₂)`` decay rates of the two moments (default ``(0.9, 0.999)``), each
            in ``[0, 1)``.
        eps: Added to the denominator ``ε`` (default ``1e-8``), >= 0.
        weight_decay: ``λ`` (default ``0`` for Adam, ``0.01`` for AdamW), >= 0.
        amsgrad: Use the running maximum of ``v_t`` (default ``False``).
        clip_norm, clip_value, schedule: As in :class:`~gradlab.optimizers.SGD` (default
            ``None``).

    State: ``exp_avg``, ``exp_avg_sq``; ``max_exp_avg_sq`` when ``amsgrad``.

    Example:
        >>> import numpy as np
        >>> w = np.array([1.0, 1.0])
        >>> Adam(lr=0.1).step([w], [np.array([100.0, -1.0])])
        >>> w.round(6)              # the first step moves every weight by about lr
        array([0.9, 1.1])
    """

    name = "adam"
    #: AdamW sets this: shrink the weights by ``1 − γλ`` instead of adding ``λθ`` to ``g``.
    decoupled_weight_decay: ClassVar[bool] = False

    def __init__(
        self,
        lr: float = 1e-3,
        betas: Sequence[float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        schedule: Any = None,
    ) -> None:
        if isinstance(betas, str) or not isinstance(betas, Sequence) or len(betas) != 2:
            raise TypeError(
                f"betas must be a pair (beta1, beta2), got {type(betas).__name__}: {betas!r}"
            )
        self.betas = (
            check_number(betas[0], "betas[0]", low=0.0, high=1.0, high_open=True),
            check_number(betas[1], "betas[1]", low=0.0, high=1.0, high_open=True),
        )
        self.eps = check_number(eps, "eps", low=0.0)
        self.weight_decay = check_number(weight_decay, "weight_decay", low=0.0)
        self.amsgrad = check_bool(amsgrad, "amsgrad")
        super().__init__(lr, clip_norm=clip_norm, clip_value=clip_value, schedule=schedule)

    def _slots(self) -> dict[str, float]:
        slots = {"exp_avg": 0.0, "exp_avg_sq": 0.0}
        if self.amsgrad:
            slots["max_exp_avg_sq"] = 0.0
        return slots

    def _update(self, i: int, p: Array, g: Array, lr: float) -> None:
        wd = self.weight_decay
        if wd != 0:
            if self.decoupled_weight_decay:
                p *= 1.0 - lr * wd
            else:
                g = self._add_weight_decay(i, p, g, wd)
        beta1, beta2 = self.betas
        m, v = self._state["exp_avg"][i], self._state["exp_avg_sq"][i]
        t = self._scratch("tmp", i)
        _lerp(m, g, 1.0 - beta1, t)
        v *= beta2
        np.multiply(g, g, out=t)
        t *= 1.0 - beta2
        v += t
        if self.amsgrad:
            v_max = self._state["max_exp_avg_sq"][i]
            np.maximum(v_max, v, out=v_max)
            v = v_max
        step = self.iterations
        step_size = lr / (1.0 - beta1**step)
        bias_correction2_sqrt = (1.0 - beta2**step) ** 0.5
        np.sqrt(v, out=t)
        t /= bias_correction2_sqrt
        t += self.eps
        np.divide(m, t, out=t)
        t *= step_size
        p -= t


@register
class AdamW(Adam):
    r"""AdamW: :class:`Adam` with decoupled weight decay (``weight_decay=0.01`` by default).

    Identical to Adam except for the decay, which shrinks the weights directly instead of
    entering the gradient (so it is not rescaled by the adaptive denominator)::

        θ_{t-1} ← (1 − γ λ) θ_{t-1}
        m_t, v_t, v̂_t as in Adam (from the undecayed gradient g_t)
        θ_t ← θ_{t-1} − γ / (1 − β₁^t) · m_t / (√v̂_t / √(1 − β₂^t) + ε)

    Equal to ``torch.optim.AdamW`` step for step.

    Args:
        lr: Learning rate ``γ`` (default ``1e-3``), finite, >= 0.
        betas: ``(β₁, β₂)`` (default ``(0.9, 0.999)``), each in ``[0, 1)``.
        eps: ``ε`` (default ``1e-8``), >= 0.
        weight_decay: Decoupled decay ``λ`` (default ``0.01``), >= 0.
        amsgrad: Use the running maximum of ``v_t`` (default ``False``).
        clip_norm, clip_value, schedule: As in :class:`~gradlab.optimizers.SGD` (default
            ``None``).

    Example:
        >>> import numpy as np
        >>> w = np.array([2.0])
        >>> AdamW(lr=0.1, weight_decay=0.5).step([w], [np.array([0.0])])
        >>> w                       # only the decay acts: 2 * (1 - 0.1*0.5)
        array([1.9])
    """

    name = "adamw"
    decoupled_weight_decay = True

    def __init__(
        self,
        lr: float = 1e-3,
        betas: Sequence[float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        schedule: Any = None,
    ) -> None:
        super().__init__(
            lr, betas, eps, weight_decay, amsgrad,
            clip_norm=clip_norm, clip_value=clip_value, schedule=schedule,
        )  # fmt: skip


def _lerp(a: Array, b: Array, weight: float, tmp: Array) -> None:
    """``a ← a + weight (b − a)`` in place (torch's ``a.lerp_(b, weight)``)."""
    np.subtract(b, a, out=tmp)
    tmp *= weight
    a += tmp
