"""Learning-rate schedules counted in epochs, with the exact values of ``torch.optim.lr_scheduler``.

A schedule is a small object with ``schedule(epoch, base_lr) -> lr``; an optimizer built with
``schedule=`` calls it from :meth:`~gradlab.optimizers.Optimizer.on_epoch_begin` at the start of
every epoch (epochs count from 0), so the learning rate of epoch ``e`` is the learning rate
torch's scheduler holds after ``e`` calls of ``scheduler.step()``.

torch's ``StepLR``, ``ExponentialLR`` and ``CosineAnnealingLR`` update the learning rate
*recursively* from the previous one (``lr * gamma``, a ratio of cosines, ...). Mathematically
that equals the closed forms written in the docstrings below, but the floating-point values
differ in the last bits, so gradlab runs the same recursion and returns torch's values exactly.
The recursion is O(epoch) the first time; consecutive epochs continue from a cached value.

>>> from gradlab.optimizers.schedules import CosineDecay
>>> cosine = CosineDecay(T_max=10, eta_min=0.0)
>>> [round(cosine(e, 0.1), 4) for e in (0, 5, 10, 15, 20)]
[0.1, 0.05, 0.0, 0.05, 0.1]

``get`` turns ``None``, a :class:`Schedule`, a serialized dict or a plain callable (wrapped in
:class:`LambdaSchedule`) into a schedule; ``serialize`` / ``deserialize`` round-trip the
registered ones (``names()``: ``"step"``, ``"exponential"``, ``"cosine"``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from .._checks import check_config, check_int, check_number
from ..registry import Registry

__all__ = [
    "REGISTRY",
    "CosineDecay",
    "ExponentialDecay",
    "LambdaSchedule",
    "Schedule",
    "StepDecay",
    "deserialize",
    "get",
    "names",
    "serialize",
]

#: Schedules that can be rebuilt from a name and a JSON config.
REGISTRY: Registry[type[Schedule]] = Registry("schedule")


class Schedule:
    """Base class: map ``(epoch, base_lr)`` to the learning rate of that epoch.

    Subclasses set ``name`` and implement :meth:`_lr`; their ``__init__`` keyword arguments
    are stored as attributes of the same name and round-trip through :meth:`get_config`.
    """

    name: ClassVar[str] = ""

    def __call__(self, epoch: int, base_lr: float) -> float:
        """Return the learning rate of epoch ``epoch`` (counted from 0) for ``base_lr``."""
        epoch = check_int(epoch, "epoch")
        base_lr = check_number(base_lr, "base_lr", low=0.0)
        return float(self._lr(epoch, base_lr))

    def _lr(self, epoch: int, base_lr: float) -> float:
        raise NotImplementedError

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Return every constructor argument with its default (``inspect.Parameter.empty``
        for required ones)."""
        params = inspect.signature(cls.__init__).parameters
        return {k: p.default for k, p in params.items() if k != "self"}

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a JSON-friendly dict."""
        return {k: getattr(self, k) for k in self.defaults()}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Schedule:
        """Build the schedule from :meth:`get_config`'s dict."""
        check_config(config, cls.__name__, cls.defaults())
        missing = [k for k, v in cls.defaults().items() if v is inspect.Parameter.empty]
        missing = [k for k in missing if k not in config]
        if missing:
            raise ValueError(f"{cls.__name__} needs argument(s) {missing}; got {dict(config)!r}")
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.defaults())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.defaults())

    __hash__ = None  # type: ignore[assignment]


class _Recurrence(Schedule):
    """A schedule defined like torch's: ``lr_0 = base_lr``, ``lr_e = next(e, lr_{e-1})``."""

    _cache: tuple[float, int, float] | None = None  # (base_lr, epoch, lr) of the last call

    def _lr(self, epoch: int, base_lr: float) -> float:
        start, lr = 0, base_lr
        cache = self._cache
        if cache is not None and cache[0] == base_lr and cache[1] <= epoch:
            start, lr = cache[1], cache[2]
        for e in range(start + 1, epoch + 1):
            lr = self._next(e, lr, base_lr)
        self._cache = (base_lr, epoch, lr)
        return lr

    def _next(self, epoch: int, lr: float, base_lr: float) -> float:
        raise NotImplementedError


@REGISTRY.add_class
class StepDecay(_Recurrence):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs (torch ``StepLR``).

    .. math::
        \eta_e = \eta_0 \, \gamma^{\lfloor e / \text{step\_size} \rfloor}

    Args:
        step_size: Epochs between two decays, an int >= 1.
        gamma: Multiplicative factor (default ``0.1``), a finite number > 0.

    Example:
        >>> [StepDecay(step_size=2, gamma=0.5)(e, 1.0) for e in range(5)]
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    name = "step"

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_int(step_size, "step_size", low=1)
        self.gamma = check_number(gamma, "gamma", low=0.0, low_open=True)

    def _next(self, epoch: int, lr: float, base_lr: float) -> float:
        return lr * self.gamma if epoch % self.step_size == 0 else lr


@REGISTRY.add_class
class ExponentialDecay(_Recurrence):
    r"""Multiply the learning rate by ``gamma`` every epoch (torch ``ExponentialLR``).

    .. math::
        \eta_e = \eta_0 \, \gamma^{e}

    Args:
        gamma: Multiplicative factor per epoch, a finite number > 0 (no default, as torch).

    Example:
        >>> [ExponentialDecay(gamma=0.5)(e, 1.0) for e in range(4)]
        [1.0, 0.5, 0.25, 0.125]
    """

    name = "exponential"

    def __init__(self, gamma: float) -> None:
        self.gamma = check_number(gamma, "gamma", low=0.0, low_open=True)

    def _next(self, epoch: int, lr: float, base_lr: float) -> float:
        return lr * self.gamma


@REGISTRY.add_class
class CosineDecay(_Recurrence):
    r"""Anneal the learning rate along a cosine from ``base_lr`` to ``eta_min`` in ``T_max``
    epochs, then back up, periodically (torch ``CosineAnnealingLR``, no restarts).

    .. math::
        \eta_e = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min})
                 \left(1 + \cos\left(\pi \, e / T_{max}\right)\right)

    computed with torch's recursion: for ``e >= 1``,
    ``lr_e = lr_{e-1} + (η_0 − η_min)(1 − cos(π/T_max))/2`` when
    ``(e − 1 − T_max) mod 2 T_max = 0``, else
    ``lr_e = η_min + (lr_{e-1} − η_min)(1 + cos(π e/T_max)) / (1 + cos(π (e−1)/T_max))``.

    Args:
        T_max: Half period in epochs, an int >= 1.
        eta_min: Smallest learning rate (default ``0.0``), a finite number >= 0.

    Example:
        >>> CosineDecay(T_max=4)(2, 1.0)
        0.5
    """

    name = "cosine"

    def __init__(self, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = check_int(T_max, "T_max", low=1)
        self.eta_min = check_number(eta_min, "eta_min", low=0.0)

    def _next(self, epoch: int, lr: float, base_lr: float) -> float:
        t_max, eta_min = self.T_max, self.eta_min
        if (epoch - 1 - t_max) % (2 * t_max) == 0:
            return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        return (1 + math.cos(math.pi * epoch / t_max)) / (
            1 + math.cos(math.pi * (epoch - 1) / t_max)
        ) * (lr - eta_min) + eta_min


class LambdaSchedule(Schedule):
    r"""Scale ``base_lr`` by ``fn(epoch)`` (torch ``LambdaLR``).

    .. math::
        \eta_e = \eta_0 \cdot \text{fn}(e)

    An arbitrary Python function cannot be written to JSON, so :meth:`get_config` (and so
    the optimizer's ``get_config`` / ``serialize``) raises ``ValueError`` for this schedule;
    use a registered schedule when the optimizer must be saved. ``LambdaSchedule`` is
    therefore not in the registry.

    Args:
        fn: ``fn(epoch: int) -> float``, the multiplier of ``base_lr`` (finite, >= 0).

    Example:
        >>> LambdaSchedule(lambda e: 1 / (1 + e))(3, 0.1)
        0.025
    """

    name = "lambda"

    def __init__(self, fn: Callable[[int], float]) -> None:
        if not callable(fn) or isinstance(fn, Schedule):
            raise TypeError(
                f"fn must be a function epoch -> multiplier, got {type(fn).__name__}: {fn!r}"
            )
        self.fn = fn

    def _lr(self, epoch: int, base_lr: float) -> float:
        factor = check_number(
            self.fn(epoch), f"the multiplier fn({epoch}) of LambdaSchedule", low=0.0
        )
        return base_lr * factor

    def get_config(self) -> dict[str, Any]:
        raise ValueError(
            f"LambdaSchedule({self.fn!r}) wraps an arbitrary Python function and cannot be "
            f"serialized; use one of the registered schedules ({', '.join(names())}) or "
            "set schedule=None before saving"
        )


def names() -> list[str]:
    """Return the canonical names of the registered schedules."""
    return REGISTRY.names()


def get(
    identifier: Schedule | Mapping[str, Any] | Callable[[int], float] | None,
) -> Schedule | None:
    """Return a schedule for ``None``, a :class:`Schedule`, a serialized dict or a callable.

    A plain callable ``fn(epoch) -> multiplier`` is wrapped in :class:`LambdaSchedule`.

    Raises:
        TypeError: for anything else (a bare name is refused: every schedule needs arguments).
    """
    if identifier is None or isinstance(identifier, Schedule):
        return identifier
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, str):
        raise TypeError(
            f"schedule {identifier!r} needs arguments; pass a dict "
            f"{{'name': {identifier!r}, 'config': {{...}}}} or an instance such as "
            "CosineDecay(T_max=10)"
        )
    if callable(identifier):
        return LambdaSchedule(identifier)
    raise TypeError(
        "schedule must be None, a Schedule, a dict {'name': ..., 'config': {...}} or a "
        f"function epoch -> multiplier; got {type(identifier).__name__}: {identifier!r}"
    )


def serialize(schedule: Schedule) -> dict[str, Any]:
    """Return ``{"name": ..., "config": {...}}``; ``ValueError`` for a :class:`LambdaSchedule`."""
    if not isinstance(schedule, Schedule):
        raise TypeError(f"serialize expects a Schedule, got {type(schedule).__name__}")
    return {"name": schedule.name, "config": schedule.get_config()}


def deserialize(config: Mapping[str, Any]) -> Schedule:
    """Rebuild a schedule from what :func:`serialize` returned."""
    if not isinstance(config, Mapping) or "name" not in config:
        raise ValueError(
            f"a serialized schedule is a dict with keys 'name' and 'config'; got {config!r}"
        )
    unknown = set(config) - {"name", "config"}
    if unknown:
        raise ValueError(f"unexpected keys {sorted(unknown)} in serialized schedule {config!r}")
    return REGISTRY.lookup(config["name"]).from_config(config.get("config") or {})
