"""The learner's own data set: points drawn on the page, or a CSV file, checked and rescaled.

Two ways in, one result (:class:`CustomData`):

- :func:`check_points`: the points of a ``custom_data`` message, ``[[x1, x2, y], ...]``, drawn
  on the page in the playground's square. Each value is checked and named in the error
  (``points[12][0]``); nothing is rescaled.
- :func:`parse_csv`: the text of an ``upload`` message. A file from anywhere: its values are
  rescaled into the playground's square, and its task (classification or regression) is read
  from its third column.

The CSV rules (``docs/playground-protocol.md`` has them for the page):

- At most ``LIMITS["max_upload_bytes"]`` bytes of UTF-8 text and ``LIMITS["max_samples"]``
  data rows, both checked before any row is parsed (the size first, on the raw text).
- Rows of exactly three cells: ``x1``, ``x2``, then a class label or a regression target,
  separated by commas, semicolons or tabs (one separator for the whole file, detected on its
  first row: the one that splits it into three cells, else the most frequent). Cells may be
  quoted (the :mod:`csv` module reads each row). Blank lines are ignored; line numbers in
  errors count them, as an editor does. With a semicolon or tab separator a decimal comma is
  accepted (``1,5`` is 1.5), as spreadsheets in many languages write numbers.
- An optional header: the first row is a header when none of its cells is a number.
- Task: regression when the header names the third column as a target (``target``,
  ``y_value``, ``value``, ``regression``, ``response``: :data:`TARGET_NAMES`), or when a
  third-column value is not an integer; else classification, and then every label must be 0
  to 3 (an integer label outside that range is an error, not silently a regression).
- Rescaling: each feature column, min..max -> -5..5 (inside the square of side 12, with a
  margin); regression targets min..max -> -1..1; a constant column -> 0.

Why rescale: the network's inputs, the heatmaps and the drawing all live in [-6, 6]^2, and
features such as x1^2 or sin(x1) assume that range; a file in metres or in thousands would
otherwise be a single dot or fall off the map. Why bound before parsing: the server parses in
the session's process, and a text within the message limit could still hold many short rows.

Nothing here writes the data anywhere: the session keeps it in memory only, and errors quote
at most a shortened cell.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..i18n import _
from .config import (
    LIMITS,
    ProtocolError,
    check_json_integer,
    check_json_number,
    describe_json,
)

__all__ = [
    "FEATURE_SPAN",
    "MAX_CLASSES",
    "TARGET_NAMES",
    "CustomData",
    "check_points",
    "parse_csv",
]

#: Uploaded features are rescaled into [-FEATURE_SPAN, FEATURE_SPAN] (the square is [-6, 6]).
FEATURE_SPAN = 5.0

#: Class labels are 0 to MAX_CLASSES - 1.
MAX_CLASSES = 4

#: Header names of the third column that make a file a regression (lower case, trimmed).
TARGET_NAMES = frozenset({"target", "y_value", "value", "regression", "response"})

#: Separators, in the order a tie is broken (a semicolon file may hold decimal commas).
_SEPARATORS = ("\t", ";", ",")

#: A decimal number (no underscores, no hex, no "nan"/"inf": those are handled apart).
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


class CustomData(NamedTuple):
    """A learner's data set, ready to be split.

    Attributes:
        task: ``"classification"`` or ``"regression"``.
        n_classes: ``max(label) + 1``, at least 2; 1 for regression.
        points: The coordinates, float64 ``(n, 2)`` in [-6, 6], rounded to 4 decimals.
        y: int64 class labels 0-3, or float64 targets in [-1, 1] rounded to 4 decimals.
        source: ``"drawn"`` or ``"upload"``.
        rescaled: Whether values were changed to fit (always false for drawn points).
    """

    task: str
    n_classes: int
    points: NDArray[np.float64]
    y: NDArray[Any]
    source: str
    rescaled: bool

    def rows(self) -> list[list[float]]:
        """The points as the ``custom_data`` message sends them: ``[[x1, x2, y], ...]``."""
        y = self.y.tolist()
        return [[a, b, t] for (a, b), t in zip(self.points.tolist(), y, strict=True)]


def _make(task: str, P: NDArray, y: NDArray, source: str, rescaled: bool) -> CustomData:
    P = np.round(np.asarray(P, dtype=np.float64).reshape(-1, 2), 4)
    if task == "classification":
        y = np.asarray(y, dtype=np.int64)
        n_classes = max(2, int(y.max()) + 1)
    else:
        y = np.round(np.asarray(y, dtype=np.float64), 4)
        n_classes = 1
    return CustomData(task, n_classes, P, y, source, rescaled)


# -- points drawn on the page -------------------------------------------------------------------
def check_points(task: str, points: Any, field: str = "points") -> CustomData:
    """Check the points of a ``custom_data`` message and return them as a data set.

    Args:
        task: ``"classification"`` (``y`` a class index 0-3) or ``"regression"`` (``y`` a
            target in [-1, 1]).
        points: ``[[x1, x2, y], ...]``: 1 to ``LIMITS["max_samples"]`` points, the
            coordinates finite numbers in [-6, 6].
        field: The name of ``points`` in error messages.

    Raises:
        ProtocolError: naming the first bad value (``points[12][0]``), with what was
            expected and what was received.
    """
    if task not in ("classification", "regression"):
        raise ProtocolError(
            _("{field} must be one of {choices}; received {value}").format(
                field="task",
                choices="'classification', 'regression'",
                value=describe_json(task),
            ),
            "task",
        )
    limit = LIMITS["max_samples"]
    if not isinstance(points, list) or not 1 <= len(points) <= limit:
        raise ProtocolError(
            _("{field} must be a list of 1 to {limit} [x1, x2, y] points; received {value}").format(
                field=field, limit=limit, value=describe_json(points)
            ),
            field,
        )
    P = np.empty((len(points), 2))
    y: list[float] = []
    for i, point in enumerate(points):
        where = f"{field}[{i}]"
        if not isinstance(point, list) or len(point) != 3:
            raise ProtocolError(
                _("{field} must be a point [x1, x2, y]; received {value}").format(
                    field=where, value=describe_json(point)
                ),
                where,
            )
        P[i, 0] = check_json_number(point[0], f"{where}[0]", -6, 6)
        P[i, 1] = check_json_number(point[1], f"{where}[1]", -6, 6)
        if task == "classification":
            y.append(check_json_integer(point[2], f"{where}[2]", 0, MAX_CLASSES - 1))
        else:
            y.append(check_json_number(point[2], f"{where}[2]", -1, 1))
    return _make(task, P, np.array(y), "drawn", False)


# -- a CSV file ---------------------------------------------------------------------------------
def parse_csv(text: str, field: str = "csv") -> CustomData:
    """Parse the text of a CSV file of ``x1, x2, label`` (or target) rows into a data set.

    The rules are the module's (above): size and row count bounded first, an optional header,
    comma/semicolon/tab, three columns, numbers only, task from the third column, values
    rescaled into the playground's square.

    Raises:
        ProtocolError: with ``field`` (``"csv"``), saying what is wrong and where (line and
            column, counted from 1), what was expected and what was received.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    limit = LIMITS["max_upload_bytes"]
    if size > limit:
        raise ProtocolError(
            _("the file is {size} bytes; files may be at most {limit} bytes").format(
                size=size, limit=limit
            ),
            field,
        )
    lines = [
        (number, line)
        for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1)
        if line.strip()
    ]
    if not lines:
        raise ProtocolError(
            _("the file is empty; expected rows of three numbers: x1, x2, label"), field
        )
    separator = _separator(lines[0][1])
    first = _cells(lines[0][1], separator)
    header = first if not any(_is_number(cell, separator) for cell in first) else None
    rows = lines[1:] if header is not None else lines
    if not rows:
        raise ProtocolError(
            _("the file has a header row but no data rows; expected rows of x1, x2, label"),
            field,
        )
    max_rows = LIMITS["max_samples"]
    if len(rows) > max_rows:
        raise ProtocolError(
            _("the file has {n} data rows; at most {limit} are allowed").format(
                n=len(rows), limit=max_rows
            ),
            field,
        )
    if header is not None:
        _check_width(header, lines[0][0], field)
    values = np.empty((len(rows), 3))
    for i, (number, line) in enumerate(rows):
        cells = _cells(line, separator)
        _check_width(cells, number, field)
        for j, cell in enumerate(cells):
            values[i, j] = _number(cell, separator, number, j + 1, field)
    target = header is not None and header[2].strip().lower() in TARGET_NAMES
    labels = values[:, 2]
    integral = bool(np.all(labels == np.round(labels)))
    if target or not integral:
        task = "regression"
    else:
        task = "classification"
        bad = np.flatnonzero((labels < 0) | (labels > MAX_CLASSES - 1))
        if bad.size:
            raise ProtocolError(
                _(
                    "class labels must be 0 to {high}; line {line} has {value:g} (for a "
                    "regression target, name the third column 'target' in a header row)"
                ).format(high=MAX_CLASSES - 1, line=rows[bad[0]][0], value=labels[bad[0]]),
                field,
            )
    P = np.column_stack(
        [_rescale(values[:, 0], FEATURE_SPAN), _rescale(values[:, 1], FEATURE_SPAN)]
    )
    y = _rescale(labels, 1.0) if task == "regression" else labels
    rescaled = not (np.allclose(P, values[:, :2], rtol=0, atol=1e-9) and np.allclose(y, labels))
    return _make(task, P, y, "upload", rescaled)


def _separator(line: str) -> str:
    """The separator of a file whose first row is ``line``: the first of tab, semicolon,
    comma that splits it into three cells, else the most frequent one (comma on a tie), so
    that a row of the wrong width is reported with the count it has."""
    for sep in _SEPARATORS:
        if len(_cells(line, sep)) == 3:
            return sep
    return max(reversed(_SEPARATORS), key=line.count)


def _cells(line: str, separator: str) -> list[str]:
    """The trimmed cells of one row (quotes as the :mod:`csv` module reads them; a row it
    refuses, say with a NUL character, is split plainly and its cells then fail as numbers)."""
    try:
        row = next(csv.reader([line], delimiter=separator), [])
    except csv.Error:
        row = line.split(separator)
    return [cell.strip() for cell in row]


def _check_width(cells: list[str], line: int, field: str) -> None:
    if len(cells) != 3:
        raise ProtocolError(
            _(
                "line {line} has {n} column(s); expected 3: x1, x2, label (or target), "
                "separated by commas, semicolons or tabs"
            ).format(line=line, n=len(cells)),
            field,
        )


def _is_number(cell: str, separator: str) -> bool:
    text = cell.replace(",", ".") if separator != "," else cell
    return bool(_NUMBER.fullmatch(text) or _NON_FINITE.fullmatch(text))


def _shorten(cell: str, width: int = 20) -> str:
    return cell if len(cell) <= width else cell[: width - 3] + "..."


def _number(cell: str, separator: str, line: int, column: int, field: str) -> float:
    """The value of one cell, or an error naming its line and column."""
    text = cell.replace(",", ".") if separator != "," else cell
    if _NON_FINITE.fullmatch(text):
        value = math.nan
    elif _NUMBER.fullmatch(text):
        value = float(text)
    else:
        raise ProtocolError(
            _("line {line}, column {column}: expected a number; received {cell!r}").format(
                line=line, column=column, cell=_shorten(cell)
            ),
            field,
        )
    if not math.isfinite(value):
        raise ProtocolError(
            _("line {line}, column {column}: expected a finite number; received {cell!r}").format(
                line=line, column=column, cell=_shorten(cell)
            ),
            field,
        )
    return value


def _rescale(column: Sequence[float] | NDArray, span: float) -> NDArray[np.float64]:
    """Map ``column`` linearly from its min..max onto -span..span (a constant column -> 0)."""
    v = np.asarray(column, dtype=np.float64) / 2  # halves: hi - lo cannot overflow
    lo, hi = float(v.min()), float(v.max())
    if hi == lo:
        return np.zeros_like(v)
    return (v - lo) / (hi - lo) * (2 * span) - span
