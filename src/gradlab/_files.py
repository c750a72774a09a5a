"""Files gradlab writes: a new temporary file next to its target, created as ``open`` would.

Used by model saving (:mod:`gradlab.model.saving`) and dataset downloads
(:mod:`gradlab.datasets.vision`), which both write to a temporary name and rename it into place
so that a reader never sees half a file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["create_temp_file"]


def create_temp_file(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """Create a new empty file ``folder/<prefix><8 hex digits><suffix>`` and open it to write.

    The name is new (``O_EXCL``: an existing file is never opened), and the file is created
    with mode ``0o666`` so that the operating system applies the umask, or the folder's default
    ACL, exactly as for a file created by ``open`` — unlike ``tempfile.mkstemp``, whose files
    are ``0o600`` whatever the umask. Nothing reads or changes the umask, so this is safe in a
    threaded program.

    Returns:
        The open file descriptor (the caller closes it) and the file's path.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        path = folder / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue
    raise FileExistsError(f"could not find a free name {prefix}*{suffix} in {folder}")
