"""The lab: every claim of the seed articles as a seeded experiment with a computed verdict.

* :mod:`~gradlab.lab.claim` — what a claim is (:class:`Claim`, :class:`Verdict`, results);
* :mod:`~gradlab.lab.claims` — the claims, ``claims/<family>/<id>_<topic>.py``, and their
  registry (:func:`get`, :func:`names`, :func:`register`);
* :mod:`~gradlab.lab.kit` — what several experiments share (seeds, data, fitting, verdict
  rules, figures);
* :mod:`~gradlab.lab.runner` and :mod:`~gradlab.lab.report` — ``gradlab reproduce``;
  :mod:`~gradlab.lab.trace` — one network's forward and backward pass, matrix by matrix.

The registry is imported on first use of :func:`get`, :func:`names` or :func:`register`, so
importing :mod:`gradlab.lab` (or :mod:`gradlab.lab.trace`) does not run every claim module.

>>> from gradlab import lab
>>> "C2" in lab.names()
True
>>> lab.get("C2").title
'Sigmoid and tanh: ranges and derivative peaks'
"""

from __future__ import annotations

from typing import Any

from .claim import SOURCES, STATUSES, Claim, ClaimResult, Verdict

__all__ = [
    "SOURCES",
    "STATUSES",
    "Claim",
    "ClaimResult",
    "Verdict",
    "get",
    "names",
    "register",
    "reproduce",
]

#: Names served from :mod:`gradlab.lab.claims` on first use.
_FROM_CLAIMS = ("get", "names", "register")


def __getattr__(name: str) -> Any:
    """Import the claims registry when :func:`get`, :func:`names` or :func:`register` is used,
    and :func:`~gradlab.lab.notebook.reproduce` when it is."""
    if name == "reproduce":
        from .notebook import reproduce

        return reproduce
    if name not in _FROM_CLAIMS:
        raise AttributeError(f"module 'gradlab.lab' has no attribute {name!r}")
    from . import claims

    return getattr(claims, name)
