"""A name -> class registry shared by every family of gradlab objects.

Activations, initializers, losses, optimizers and claims each keep one :class:`Registry`.

Every family serializes its objects in one shape, ``{"name": <canonical name>, "config":
{...}}`` (:meth:`Registry.pack`), shortened to the bare name when the config holds nothing but
defaults; :meth:`Registry.unpack` reads both forms back.
Entries are registered under their own canonical ``name`` plus explicit aliases; look-ups
ignore case and the separators ``_``, ``-`` and spaces, so ``"LeakyReLU"``, ``"leaky-relu"``
and ``"leaky_relu"`` all find the same entry. An unknown name raises a ``ValueError`` that
names the kind, what was received, the closest known names and the full list.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")

__all__ = ["Registry", "normalize_name"]


def normalize_name(name: str) -> str:
    """Return the look-up key of ``name``: lower case without ``_``, ``-`` or spaces."""
    return "".join(ch for ch in name.lower() if ch not in "_- ")


class Registry(Generic[T]):
    """Hold the entries of one kind (``"activation"``, ``"optimizer"``, ...) by name.

    Args:
        kind: Singular noun used in error messages, e.g. ``"activation"``.

    Example:
        >>> reg = Registry("colour")
        >>> @reg.register("red", aliases=("rouge",))
        ... class Red: ...
        >>> reg.lookup("ROUGE") is Red
        True
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}  # canonical name -> entry, in registration order
        self._keys: dict[str, str] = {}  # normalized name or alias -> canonical name
        self._aliases: dict[str, tuple[str, ...]] = {}

    def register(self, name: str, aliases: tuple[str, ...] = ()) -> Callable[[T], T]:
        """Return a decorator that registers its argument under ``name`` and ``aliases``."""

        def decorator(entry: T) -> T:
            self.add(name, entry, aliases)
            return entry

        return decorator

    def add_class(self, cls: T) -> T:
        """Register a class under its own ``name`` attribute and its ``aliases`` attribute.

        The one way every family registers its classes (a class without a ``name`` attribute,
        such as a layer, is registered under its class name); returns ``cls``, so it works as
        a class decorator::

            @REGISTRY.add_class
            class Tanh(ElementwiseActivation):
                name = "tanh"
        """
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            name = cls.__name__  # type: ignore[attr-defined]
        self.add(name, cls, tuple(getattr(cls, "aliases", ())))
        return cls

    def add(self, name: str, entry: T, aliases: tuple[str, ...] = ()) -> None:
        """Register ``entry`` under the canonical ``name`` and its ``aliases``.

        Raises:
            ValueError: if the name or an alias is already taken (after normalization).
        """
        for label in (name, *aliases):
            key = normalize_name(label)
            if key in self._keys:
                raise ValueError(
                    f"cannot register {self.kind} {name!r}: the name {label!r} is already "
                    f"taken by {self._keys[key]!r}"
                )
        for label in (name, *aliases):
            self._keys[normalize_name(label)] = name
        self._entries[name] = entry
        self._aliases[name] = tuple(aliases)

    def canonical(self, name: str) -> str:
        """Return the canonical name for ``name`` or an alias of it.

        Raises:
            TypeError: if ``name`` is not a string.
            ValueError: if nothing is registered under ``name``; the message suggests the
                closest known names.
        """
        if not isinstance(name, str):
            raise TypeError(f"{self.kind} name must be a str, got {type(name).__name__}: {name!r}")
        key = normalize_name(name)
        if key in self._keys:
            return self._keys[key]
        raise ValueError(self._unknown_message(name))

    def lookup(self, name: str) -> T:
        """Return the entry registered under ``name`` (canonical name or alias)."""
        return self._entries[self.canonical(name)]

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        """Return up to ``n`` canonical names that look like ``name``."""
        by_key = {normalize_name(k): v for k, v in self._keys.items()}
        by_label = {label: canon for canon, al in self._aliases.items() for label in (canon, *al)}
        close = difflib.get_close_matches(name.lower(), list(by_label), n=n, cutoff=0.6)
        close += difflib.get_close_matches(normalize_name(name), list(by_key), n=n, cutoff=0.6)
        found: list[str] = []
        for label in close:
            canon = by_label.get(label) or by_key[label]
            if canon not in found:
                found.append(canon)
        return found[:n]

    def _unknown_message(self, name: str) -> str:
        close = self.suggestions(name)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ";"
        return f"unknown {self.kind} {name!r}{hint} known: {', '.join(self.names())}"

    def names(self) -> list[str]:
        """Return every canonical name in registration order."""
        return list(self._entries)

    def aliases(self, name: str) -> tuple[str, ...]:
        """Return the aliases registered for ``name``."""
        return self._aliases[self.canonical(name)]

    @staticmethod
    def pack(
        name: str, config: Mapping[str, Any], defaults: Mapping[str, Any] | None = None
    ) -> str | dict[str, Any]:
        """Return the serialized form of an entry: ``{"name": name, "config": config}``, or the
        bare ``name`` when ``config`` is empty or equals ``defaults``."""
        if not config or (defaults is not None and dict(config) == dict(defaults)):
            return name
        return {"name": name, "config": dict(config)}

    def unpack(self, blob: Any) -> tuple[T, dict[str, Any]]:
        """Read what :meth:`pack` wrote (a bare name, or ``{"name": ..., "config": {...}}``).

        Returns:
            The registered entry and its config (``{}`` for a bare name).

        Raises:
            ValueError: for an unknown name, a dict without ``"name"`` or with other keys.
            TypeError: for anything that is neither a str nor a dict, or a config that is not a
                dict.
        """
        if isinstance(blob, str):
            return self.lookup(blob), {}
        shape = (
            f"a serialized {self.kind} is a name or a dict with keys 'name' and optionally 'config'"
        )
        if not isinstance(blob, Mapping):
            raise TypeError(f"{shape}; got {type(blob).__name__}: {blob!r}")
        if "name" not in blob:
            raise ValueError(f"{shape}; got {blob!r}")
        unknown = set(blob) - {"name", "config"}
        if unknown:
            raise ValueError(
                f"unexpected keys {sorted(unknown)} in serialized {self.kind} {blob!r}"
            )
        config = blob.get("config") or {}
        if not isinstance(config, Mapping):
            raise TypeError(
                f"the config of a serialized {self.kind} must be a dict, got {config!r}"
            )
        return self.lookup(blob["name"]), dict(config)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalize_name(name) in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
