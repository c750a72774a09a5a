"""The verdict of a claim made of several parts, each a named check that holds or not.

Every part holds: confirmed. Some fail: nuanced or refuted, and which one is the claim's own
rule, passed as ``refute_when`` and so written where the claim is:

* ``"every part fails"`` — refuted only when no part holds (a claim whose parts are
  independent observations: one that holds is worth reporting as "in part");
* ``"more than half fail"`` — refuted as soon as most parts fail.
"""

from __future__ import annotations

from typing import Any, Literal

from ...i18n import _, ngettext
from ..claim import Verdict

__all__ = ["REFUTE_RULES", "verdict_from_parts"]

RefuteRule = Literal["every part fails", "more than half fail"]

#: The rules ``verdict_from_parts`` knows.
REFUTE_RULES: tuple[str, ...] = ("every part fails", "more than half fail")


def verdict_from_parts(
    parts: dict[str, bool], measured: str, numbers: dict[str, Any], *, refute_when: RefuteRule
) -> Verdict:
    """Judge a claim made of parts: confirmed, nuanced or refuted by the rule ``refute_when``.

    Args:
        parts: ``{description: holds}`` for each part of the claim; the descriptions are
            marked with ``N_()`` where they are written and translated here.
        measured: The sentence of measured numbers (the reason when every part holds; after
            the parts that fail and those that hold otherwise, each part quoted, so that a
            failing part never reads as a finding).
        numbers: The deciding numbers.
        refute_when: ``"every part fails"`` or ``"more than half fail"`` (see the module).

    >>> verdict_from_parts({"a": True, "b": False}, "x", {}, refute_when="every part fails").status
    'nuanced'
    >>> verdict_from_parts({"a": True, "b": False, "c": False}, "x", {},
    ...                    refute_when="more than half fail").status
    'refuted'
    """
    if refute_when not in REFUTE_RULES:
        raise ValueError(
            f"refute_when must be one of {', '.join(map(repr, REFUTE_RULES))}; "
            f"received {refute_when!r}"
        )
    failed = [name for name, ok in parts.items() if not ok]
    if not failed:
        return Verdict("confirmed", measured, numbers)
    if refute_when == "every part fails":
        refuted = len(failed) == len(parts)
    else:
        refuted = len(failed) > len(parts) / 2
    status = "refuted" if refuted else "nuanced"
    held = [name for name, ok in parts.items() if ok]
    failing = "; ".join(f"«{_(name)}»" for name in failed)
    reason = ngettext(
        "Fails ({failed} of {total} part): {names}.",
        "Fails ({failed} of {total} parts): {names}.",
        len(parts),
    ).format(failed=len(failed), total=len(parts), names=failing)
    if held:
        holding = "; ".join(f"«{_(name)}»" for name in held)
        reason += " " + _("Holds: {names}.").format(names=holding)
    return Verdict(status, f"{reason} {measured}", numbers)
