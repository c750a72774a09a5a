"""Image classification sets: scikit-learn's 8x8 digits, MNIST and Fashion-MNIST.

``digits`` is bundled with scikit-learn and needs no network. MNIST and Fashion-MNIST are read
from the four standard IDX files in a folder of yours; they are downloaded only when you pass
``download=True``, and then checked against their published MD5 sums (the ones torchvision
uses) before they are kept.

Where the files are looked for when ``path=None``: ``$GRADLAB_DATA/<name>`` when the environment
variable ``GRADLAB_DATA`` is set, else ``~/.gradlab/datasets/<name>``, with ``<name>`` ``mnist``
or ``fashion_mnist``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import http.client
import os
import sys
import urllib.request
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .._checks import check_bool, check_dtype, check_number
from .._files import create_temp_file
from ._checks import Seed
from .idx import read_idx
from .split import train_test_split

__all__ = ["FILES", "default_folder", "digits", "fashion_mnist", "mnist"]

Pair = tuple[NDArray[np.floating], NDArray[np.int64]]
Split = tuple[Pair, Pair]

FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
"""The four IDX files of MNIST and Fashion-MNIST; each may also be gzipped (``+ ".gz"``)."""


@dataclasses.dataclass(frozen=True)
class _Source:
    title: str
    folder: str
    mirrors: tuple[str, ...]
    md5: dict[str, str]  # "<file>.gz" -> MD5 of the published gzip file
    homepage: str


# From torchvision.datasets.MNIST / FashionMNIST (``mirrors`` and ``resources``).
_SOURCES = {
    "mnist": _Source(
        title="MNIST",
        folder="mnist",
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        md5={
            "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
            "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
            "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
        },
        homepage=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/ (or http://yann.lecun.com/exdb/mnist/)"
        ),
    ),
    "fashion_mnist": _Source(
        title="Fashion-MNIST",
        folder="fashion_mnist",
        mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        md5={
            "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
        },
        homepage="https://github.com/zalandoresearch/fashion-mnist",
    ),
}


@functools.cache
def _load_digits() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    from sklearn.datasets import load_digits  # imported here: scikit-learn takes a second

    X, y = load_digits(return_X_y=True)
    X.flags.writeable = y.flags.writeable = False
    return X, y


def digits(
    test_size: float = 0.2, seed: Seed = 0, *, dtype: DTypeLike = "float32", scale: bool = True
) -> Split:
    """Return scikit-learn's 8x8 handwritten digits, split into stratified train and test parts.

    1797 grey images of the digits 0-9 (about 180 each) with pixel values 0..16, flattened
    row by row to 64 features. With ``scale`` the pixels are divided by 16, into ``[0, 1]``.
    The split is :func:`~gradlab.datasets.train_test_split` with ``stratify=True``.

    Args:
        test_size: Fraction of the images for the test part, in ``(0, 1)``. Default 0.2
            (1437 train, 360 test).
        seed: Seed (or ``Generator``) for the split. Default 0.
        dtype: Floating dtype of the images. Default ``"float32"``.
        scale: Divide the pixels by 16. Default True.

    Returns:
        ``((X_train, y_train), (X_test, y_test))``: ``X`` of shape ``(n, 64)`` in ``dtype``,
        ``y`` of shape ``(n,)`` int64 labels 0-9.

    Example:
        >>> (X_train, y_train), (X_test, y_test) = digits(seed=0)
        >>> X_train.shape, X_test.shape, float(X_train.max())
        ((1437, 64), (360, 64), 1.0)
    """
    test_size = check_number(
        test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True
    )
    dt = check_dtype(dtype)
    scale = check_bool(scale, "scale")
    X, y = _load_digits()
    X = X.astype(dt)
    if scale:
        X /= 16
    X_train, X_test, y_train, y_test = train_test_split(X, y.astype(np.int64), test_size, seed)
    return (X_train, y_train), (X_test, y_test)


def default_folder(name: str = "mnist") -> Path:
    """Return where ``mnist()`` / ``fashion_mnist()`` look when ``path=None``.

    That is ``$GRADLAB_DATA/<name>`` if the environment variable is set and not empty, else
    ``~/.gradlab/datasets/<name>``.
    """
    root = os.environ.get("GRADLAB_DATA")
    base = Path(root).expanduser() if root else Path.home() / ".gradlab" / "datasets"
    return base / name


def _find(folder: Path) -> dict[str, Path | None]:
    """Map each of :data:`FILES` to its raw or gzipped copy in ``folder`` (raw first)."""
    found: dict[str, Path | None] = {}
    for stem in FILES:
        candidates = [folder / stem, folder / f"{stem}.gz"]
        found[stem] = next((p for p in candidates if p.is_file()), None)
    return found


def _missing_message(source: _Source, folder: Path, missing: list[str], func: str) -> str:
    lines = "\n".join(f"  {stem}  (or {stem}.gz)" for stem in FILES)
    return (
        f"{source.title} files not found in {folder}\n"
        f"Missing: {', '.join(missing)}\n"
        f"Expected these four IDX files there, each raw or gzipped:\n{lines}\n"
        f"Get them from {source.homepage} and put them in that folder, or call "
        f"{func}(download=True) to download them there and check their MD5 sums; pass "
        "path=... or set GRADLAB_DATA to use another folder."
    )


def _fetch(url: str, dest: Path, md5: str) -> None:
    """Download ``url`` to ``dest`` via a temporary file, keeping it only if its MD5 matches."""
    # Created as open() creates files (mode 0o666 less the umask), not 0o600 as mkstemp does.
    fd, tmp = create_temp_file(dest.parent, f".{dest.name}.", ".part")
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != md5:
            raise OSError(f"checksum mismatch: expected MD5 {md5}, got {digest.hexdigest()}")
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _download(source: _Source, folder: Path, missing: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stem in missing:
        name = f"{stem}.gz"
        errors = []
        for mirror in source.mirrors:
            url = mirror + name
            print(f"gradlab: downloading {url} -> {folder}", file=sys.stderr)
            try:
                _fetch(url, folder / name, source.md5[name])
                break
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"  {url}: {exc}")
        else:
            raise OSError(
                f"could not download {source.title} file {name} into {folder}:\n"
                + "\n".join(errors)
                + f"\nDownload it by hand from {source.homepage} and put it in {folder}."
            )


def _load_idx_set(
    key: str,
    path: str | os.PathLike[str] | None,
    download: bool,
    flatten: bool,
    normalize: bool,
    dtype: DTypeLike,
) -> Split:
    source = _SOURCES[key]
    dt = check_dtype(dtype)
    download = check_bool(download, "download")
    flatten = check_bool(flatten, "flatten")
    normalize = check_bool(normalize, "normalize")
    folder = default_folder(source.folder) if path is None else Path(path).expanduser()
    files = _find(folder)
    missing = [stem for stem, found in files.items() if found is None]
    if missing:
        if not download:
            raise FileNotFoundError(_missing_message(source, folder, missing, key))
        _download(source, folder, missing)
        files = _find(folder)

    parts: list[Pair] = []
    for images_stem, labels_stem in ((FILES[0], FILES[1]), (FILES[2], FILES[3])):
        images, labels = read_idx(files[images_stem]), read_idx(files[labels_stem])
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"{source.title} files do not match: expected images of shape (n, rows, cols) "
                f"and labels of shape (n,), found {images.shape} in {files[images_stem]} and "
                f"{labels.shape} in {files[labels_stem]}"
            )
        X = images.astype(dt)
        if normalize:
            X /= 255
        if flatten:
            X = X.reshape(len(X), -1)
        parts.append((X, labels.astype(np.int64)))
    return parts[0], parts[1]


def mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    download: bool = False,
    flatten: bool = True,
    normalize: bool = True,
    dtype: DTypeLike = "float32",
) -> Split:
    """Return MNIST (60000 train, 10000 test handwritten digits) read from its IDX files.

    The folder must hold ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each raw or with ``.gz``
    (the raw file wins when both exist). Nothing is downloaded unless ``download=True``.

    Args:
        path: Folder with the files. Default ``None``: ``$GRADLAB_DATA/mnist`` if
            ``GRADLAB_DATA`` is set, else ``~/.gradlab/datasets/mnist``.
        download: Fetch missing files (about 11 MB) from the standard mirrors into the folder,
            check their MD5 sums and keep them, written atomically. Default False.
        flatten: Return images of shape ``(n, 784)``; else ``(n, 28, 28)``. Default True.
        normalize: Divide the pixels 0..255 by 255, into ``[0, 1]``. Default True.
        dtype: Floating dtype of the images. Default ``"float32"``.

    Returns:
        ``((X_train, y_train), (X_test, y_test))``, ``y`` int64 labels 0-9. For the raw
        ``uint8`` arrays use :func:`~gradlab.datasets.read_idx`.

    Raises:
        FileNotFoundError: if files are missing and ``download`` is False; the message names
            the folder, the files and where to get them.
        OSError: if a download fails or its checksum does not match (nothing is kept then).
        ValueError: if a file is corrupt or truncated.

    Example:
        >>> (X_train, y_train), (X_test, y_test) = mnist(download=True)  # doctest: +SKIP
        >>> X_train.shape, y_test.shape  # doctest: +SKIP
        ((60000, 784), (10000,))
    """
    return _load_idx_set("mnist", path, download, flatten, normalize, dtype)


def fashion_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    download: bool = False,
    flatten: bool = True,
    normalize: bool = True,
    dtype: DTypeLike = "float32",
) -> Split:
    """Return Fashion-MNIST (Zalando's 28x28 clothing images, 10 classes) from its IDX files.

    A drop-in replacement for :func:`mnist` with the same file names, shapes and arguments;
    ``path=None`` means ``$GRADLAB_DATA/fashion_mnist`` or ``~/.gradlab/datasets/fashion_mnist``.
    Labels: 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt,
    7 sneaker, 8 bag, 9 ankle boot.

    Args:
        path: Folder with the four IDX files (raw or ``.gz``). Default ``None`` (see above).
        download: Fetch missing files (about 30 MB), check their MD5 sums, keep them.
            Default False.
        flatten: Return images of shape ``(n, 784)``; else ``(n, 28, 28)``. Default True.
        normalize: Divide the pixels 0..255 by 255, into ``[0, 1]``. Default True.
        dtype: Floating dtype of the images. Default ``"float32"``.

    Returns:
        ``((X_train, y_train), (X_test, y_test))`` with 60000 and 10000 images.

    Example:
        >>> (X_train, y_train), _ = fashion_mnist(download=True)  # doctest: +SKIP
        >>> X_train.shape  # doctest: +SKIP
        (60000, 784)
    """
    return _load_idx_set("fashion_mnist", path, download, flatten, normalize, dtype)
