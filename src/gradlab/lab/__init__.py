"""The lab: every claim of the seed articles as a seeded experiment with a computed verdict.

>>> from gradlab import lab
>>> "C2" in lab.names()
True
>>> lab.get("C2").title
'Sigmoid and tanh: ranges and derivative peaks'
"""

from __future__ import annotations

from .claim import SOURCES, STATUSES, Claim, ClaimResult, Verdict, get, names, register

__all__ = ["SOURCES", "STATUSES", "Claim", "ClaimResult", "Verdict", "get", "names", "register"]
