"""Read and write IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a 4-byte magic number, one big-endian ``uint32`` per dimension, then the data
in C order, big-endian:

=========  =====================================================================
bytes      meaning
=========  =====================================================================
0-1        ``00 00``
2          data type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
           0x0D float32, 0x0E float64
3          number of dimensions ``d``
4 .. 4+4d  the sizes of the dimensions, ``uint32`` big-endian
rest       ``prod(sizes)`` values of the data type, big-endian
=========  =====================================================================

Files may be gzip-compressed (MNIST ships them as ``*.gz``); :func:`read_idx` recognises gzip
by its own magic bytes, :func:`write_idx` compresses when the name ends in ``.gz``.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["read_idx", "write_idx"]

_CODES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF = {dt.newbyteorder("="): code for code, dt in _CODES.items()}
_KNOWN = ", ".join(f"0x{code:02X} ({dt.newbyteorder('=')})" for code, dt in _CODES.items())
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(
            f"{path}: corrupt or truncated gzip data ({exc}); delete the file and fetch it again"
        ) from None


def read_idx(path: str | os.PathLike[str]) -> NDArray:
    """Return the array stored in the IDX file ``path`` (raw or gzip-compressed).

    Args:
        path: The file to read.

    Returns:
        An array of the shape in the file's header and its native-endian dtype (``uint8`` for
        MNIST images and labels).

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        ValueError: if the file is not IDX, has an unknown data type code, or holds fewer or
            more data bytes than its header declares; the message names the file, what was
            expected and what was found.

    Example:
        >>> images = read_idx("train-images-idx3-ubyte.gz")  # doctest: +SKIP
        >>> images.shape, images.dtype  # doctest: +SKIP
        ((60000, 28, 28), dtype('uint8'))
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(
            f"{path}: too short to be an IDX file: expected a 4-byte magic number, found "
            f"{len(data)} bytes"
        )
    code, ndim = data[2], data[3]
    if data[:2] != b"\x00\x00":
        raise ValueError(
            f"{path}: not an IDX file: expected a magic number starting with 00 00, found "
            f"{data[:4].hex(' ')}"
        )
    if code not in _CODES:
        raise ValueError(
            f"{path}: unknown IDX data type code 0x{code:02X}: expected one of {_KNOWN}"
        )
    start = 4 + 4 * ndim
    if len(data) < start:
        raise ValueError(
            f"{path}: truncated IDX header: expected {ndim} dimension sizes ({start} bytes of "
            f"header), found {len(data)} bytes in all"
        )
    shape = struct.unpack(f">{ndim}I", data[4:start])
    dtype = _CODES[code]
    expected = math.prod(shape) * dtype.itemsize
    found = len(data) - start
    if found != expected:
        problem = "truncated" if found < expected else "trailing bytes after the data"
        raise ValueError(
            f"{path}: {problem}: the header declares shape {shape} of "
            f"{dtype.newbyteorder('=')}, i.e. {expected} data bytes, found {found}"
        )
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=start)
    return array.reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike[str], array: ArrayLike) -> Path:
    """Write ``array`` to ``path`` as an IDX file, gzip-compressed when the name ends in ``.gz``.

    Args:
        path: The file to write (its folder must exist).
        array: Values of dtype uint8, int8, int16, int32, float32 or float64, at most 255
            dimensions, each smaller than ``2**32``.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        TypeError: for any other dtype (cast first, e.g. ``labels.astype(np.uint8)``).
        ValueError: for too many dimensions or a dimension too large for IDX.

    Example:
        >>> write_idx(tmp / "labels-idx1-ubyte.gz", np.array([5, 0, 4], np.uint8))  # doctest: +SKIP
        >>> read_idx(tmp / "labels-idx1-ubyte.gz")  # doctest: +SKIP
        array([5, 0, 4], dtype=uint8)
    """
    path = Path(path)
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODE_OF:
        raise TypeError(
            f"array must have an IDX dtype (uint8, int8, int16, int32, float32, float64), got "
            f"{array.dtype}"
        )
    if array.ndim > 255 or any(size >= 2**32 for size in array.shape):
        raise ValueError(
            f"array must have at most 255 dimensions, each < 2**32, for IDX, got shape "
            f"{array.shape}"
        )
    header = bytes([0, 0, _CODE_OF[native], array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    data = header + np.ascontiguousarray(array, dtype=native.newbyteorder(">")).tobytes()
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)  # mtime=0: the same array gives the same bytes
    path.write_bytes(data)
    return path
