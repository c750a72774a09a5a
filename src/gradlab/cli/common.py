"""What every ``gradlab`` sub-command shares."""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(Exception):
    """A mistake in the command line; reported on stderr with exit status 2."""
