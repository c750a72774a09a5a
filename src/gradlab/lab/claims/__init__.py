"""The claims and their registry: one claim per module, in one folder per family.

The tree is ``claims/<family>/<id>_<topic>.py``, for instance
``claims/gradients/c04_exploding_gradients.py`` holds C4 and ``claims/papers/p03_...`` P3: the
id, lower case and zero-padded, then a few words of what the claim is about. Each module
defines its claim as ``CLAIM``; importing this package imports every module below it and
registers its ``CLAIM`` with the family named by its folder, so a new claim (or a new family)
needs no edit here. What several claims use is in :mod:`gradlab.lab.kit`.

>>> from gradlab.lab import claims
>>> claims.get("c4").family
'gradients'
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

from ...registry import Registry
from ..claim import Claim

__all__ = ["REGISTRY", "get", "names", "register"]

REGISTRY: Registry = Registry("claim")


def register(claim: Claim) -> Claim:
    """Add ``claim`` to the registry under its id and return it."""
    REGISTRY.add(claim.id, claim)
    return claim


def get(claim_id: str) -> Claim:
    """Return the registered claim ``claim_id`` (case-insensitive: ``"c2"`` works)."""
    if not isinstance(claim_id, str):
        raise TypeError(f"claim id must be a string such as 'C2'; received {claim_id!r}")
    return REGISTRY.lookup(claim_id.upper())


def names() -> list[str]:
    """Every registered claim id, in order (C1, C2, ..., C21, then P1, ...)."""
    return sorted(REGISTRY.names(), key=_order)


def _order(claim_id: str) -> tuple[int, int]:
    prefix, number = claim_id[0], claim_id[1:]
    return ({"C": 0, "P": 1}.get(prefix, 2), int(number) if number.isdigit() else 0)


def _register_all() -> None:
    """Import every ``<family>/<module>.py`` below this package and register its ``CLAIM``."""
    for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        family, _, name = info.name.removeprefix(f"{__name__}.").partition(".")
        if info.ispkg or not name or name.startswith("_"):
            continue
        module = importlib.import_module(info.name)
        module.CLAIM = register(dataclasses.replace(module.CLAIM, family=family))


_register_all()
