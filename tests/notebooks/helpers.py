"""Run notebooks through a real Jupyter kernel (nbclient) and hand back their outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


def execute(nb: Any, *, cwd: Path, timeout: int = 300) -> Any:
    """Execute ``nb`` in a fresh ``python3`` kernel (in this interpreter) and return it.

    ``MPLBACKEND`` is left as the kernel sets it (matplotlib's inline backend), as a learner's
    Jupyter would have it; nothing runs before the notebook's own cells.
    """
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def outputs(cell: Any) -> list[dict[str, Any]]:
    return list(cell.get("outputs", []))


def problems(nb: Any) -> list[str]:
    """Every error output and every write to stderr, with the start of its cell."""
    found = []
    for cell in nb.cells:
        for out in outputs(cell):
            if out.get("output_type") == "error":
                found.append(f"{cell.source[:60]!r}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"{cell.source[:60]!r}: stderr: {out.get('text', '')[:300]}")
    return found
