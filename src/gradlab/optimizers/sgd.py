"""Stochastic gradient descent and its momentum variants, exactly as ``torch.optim.SGD``.

:class:`Momentum` and :class:`Nesterov` are not separate algorithms: they are :class:`SGD`
with ``momentum=0.9`` by default and ``nesterov`` fixed, named as the articles name them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_bool, check_number
from .base import Array, Optimizer, register

__all__ = ["SGD", "Momentum", "Nesterov"]


@register
class SGD(Optimizer):
    r"""Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.

    With ``γ = lr``, ``μ = momentum``, ``τ = dampening``, ``λ = weight_decay`` and ``g_t``
    the gradient of step ``t = 1, 2, ...`` after clipping (as ``torch.optim.SGD``)::

        if λ ≠ 0:   g_t ← g_t + λ θ_{t-1}
        if μ ≠ 0:   b_t ← g_t                              if t = 1
                    b_t ← μ b_{t-1} + (1 − τ) g_t          if t > 1
                    g_t ← g_t + μ b_t   if nesterov,   else   g_t ← b_t
        θ_t ← θ_{t-1} − γ g_t

    Note the first momentum step copies the gradient without dampening, as torch does.

    Args:
        lr: Learning rate ``γ`` (default ``1e-3``, torch's), finite, >= 0.
        momentum: Momentum factor ``μ`` (default ``0``), >= 0.
        dampening: Dampening ``τ`` of the momentum (default ``0``), in ``[0, 1]``.
        weight_decay: L2 penalty ``λ`` added to the gradient (default ``0``), >= 0.
        nesterov: Use Nesterov momentum (default ``False``); needs ``momentum > 0`` and
            ``dampening == 0``.
        clip_norm: Rescale all gradients together to this global L2 norm when it is larger
            (default ``None``: off); applied after ``clip_value``.
        clip_value: Clamp every gradient element to ``[-clip_value, clip_value]`` (default
            ``None``: off); applied first.
        schedule: Learning-rate schedule called by :meth:`on_epoch_begin`: a
            :class:`~gradlab.optimizers.schedules.Schedule`, its serialized dict, or a
            function ``epoch -> multiplier`` of ``lr`` (default ``None``: constant).

    State: ``momentum_buffer`` (when ``momentum ≠ 0``).

    Example:
        >>> import numpy as np
        >>> w, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
        >>> opt = SGD(lr=0.1, momentum=0.9)
        >>> opt.step([w], [g]); opt.step([w], [g])
        >>> w                       # 1 - 0.1*0.5 - 0.1*(0.9*0.5 + 0.5)
        array([ 0.855, -2.145])
    """

    name = "sgd"

    def __init__(
        self,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        schedule: Any = None,
    ) -> None:
        self.momentum = check_number(momentum, "momentum", low=0.0)
        self.dampening = check_number(dampening, "dampening", low=0.0, high=1.0)
        self.weight_decay = check_number(weight_decay, "weight_decay", low=0.0)
        self.nesterov = check_bool(nesterov, "nesterov")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening == 0 (as torch.optim.SGD); "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        super().__init__(lr, clip_norm=clip_norm, clip_value=clip_value, schedule=schedule)

    def _slots(self) -> dict[str, float]:
        return {"momentum_buffer": 0.0} if self.momentum != 0 else {}

    def _update(self, i: int, p: Array, g: Array, lr: float) -> None:
        if self.weight_decay != 0:
            g = self._add_weight_decay(i, p, g, self.weight_decay)
        t = self._scratch("tmp", i)
        mu = self.momentum
        if mu != 0:
            buf = self._state["momentum_buffer"][i]
            if self.iterations == 1:
                np.copyto(buf, g)
            else:
                buf *= mu
                if self.dampening:
                    np.multiply(g, 1.0 - self.dampening, out=t)
                    buf += t
                else:
                    buf += g
            if self.nesterov:
                np.multiply(buf, mu, out=t)
                t += g
                g = t
            else:
                g = buf
        np.multiply(g, lr, out=t)
        p -= t


@register
class Momentum(SGD):
    r"""SGD with classical (heavy-ball) momentum: :class:`SGD` with ``momentum=0.9``.

    With ``γ = lr``, ``μ = momentum``, ``τ = dampening``, ``λ = weight_decay``::

        g_t ← g_t + λ θ_{t-1}                          (if λ ≠ 0)
        b_t ← g_t  (t = 1),   b_t ← μ b_{t-1} + (1 − τ) g_t  (t > 1)
        θ_t ← θ_{t-1} − γ b_t

    Equal to ``torch.optim.SGD(params, lr, momentum=0.9)`` step for step.

    Args:
        lr: Learning rate ``γ`` (default ``1e-3``), finite, >= 0.
        momentum: Momentum factor ``μ`` (default ``0.9``), >= 0.
        dampening: Dampening ``τ`` (default ``0``), in ``[0, 1]``.
        weight_decay: L2 penalty ``λ`` (default ``0``), >= 0.
        clip_norm, clip_value, schedule: As in :class:`SGD` (default ``None``).

    Example:
        >>> import numpy as np
        >>> w = np.array([1.0])
        >>> opt = Momentum(lr=0.1)
        >>> for _ in range(2): opt.step([w], [np.array([1.0])])
        >>> w                       # 1 - 0.1*1 - 0.1*(0.9 + 1)
        array([0.71])
    """

    name = "momentum"

    def __init__(
        self,
        lr: float = 1e-3,
        momentum: float = 0.9,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        *,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        schedule: Any = None,
    ) -> None:
        super().__init__(
            lr, momentum, dampening, weight_decay, nesterov=False,
            clip_norm=clip_norm, clip_value=clip_value, schedule=schedule,
        )  # fmt: skip


@register
class Nesterov(SGD):
    r"""SGD with Nesterov momentum: :class:`SGD` with ``momentum=0.9, nesterov=True``.

    With ``γ = lr``, ``μ = momentum``, ``λ = weight_decay`` (torch's formulation, which
    looks ahead through the momentum buffer instead of evaluating the gradient elsewhere)::

        g_t ← g_t + λ θ_{t-1}                          (if λ ≠ 0)
        b_t ← g_t  (t = 1),   b_t ← μ b_{t-1} + g_t    (t > 1)
        θ_t ← θ_{t-1} − γ (g_t + μ b_t)

    Equal to ``torch.optim.SGD(params, lr, momentum=0.9, nesterov=True)`` step for step.

    Args:
        lr: Learning rate ``γ`` (default ``1e-3``), finite, >= 0.
        momentum: Momentum factor ``μ`` (default ``0.9``), > 0.
        dampening: Must stay ``0`` (Nesterov momentum has no dampening); kept for symmetry
            with torch's arguments.
        weight_decay: L2 penalty ``λ`` (default ``0``), >= 0.
        clip_norm, clip_value, schedule: As in :class:`SGD` (default ``None``).

    Example:
        >>> import numpy as np
        >>> w = np.array([1.0])
        >>> opt = Nesterov(lr=0.1)
        >>> opt.step([w], [np.array([1.0])])
        >>> w                       # 1 - 0.1*(1 + 0.9*1)
        array([0.81])
    """

    name = "nesterov"

    def __init__(
        self,
        lr: float = 1e-3,
        momentum: float = 0.9,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        *,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        schedule: Any = None,
    ) -> None:
        super().__init__(
            lr, momentum, dampening, weight_decay, nesterov=True,
            clip_norm=clip_norm, clip_value=clip_value, schedule=schedule,
        )  # fmt: skip
