"""Toy sets, the train/test split, digits, the IDX reader and the MNIST loaders.

No test touches the network: ``urllib.request.urlopen`` is replaced for every test, by a
function that fails, or by a fake server where a test downloads.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import math
import struct
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from gradlab import datasets
from gradlab.datasets import vision

TOYS = datasets.toy_names()
MULTI = ("spirals", "gauss")  # the sets with n_classes


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(url: str, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"a test tried to open {url}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


# --- toy sets ------------------------------------------------------------------------------


def test_toy_names_and_aliases() -> None:
    assert TOYS == ["xor", "circles", "moons", "spirals", "gauss", "linear"]
    for alias, name in [("two-moons", "moons"), ("Blobs", "gauss"), ("spiral", "spirals")]:
        np.testing.assert_array_equal(
            datasets.load(alias, seed=4)[0], datasets.load(name, seed=4)[0]
        )


def test_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown dataset 'spiralz'; did you mean 'spirals'"):
        datasets.load("spiralz")


def test_every_data_set_has_a_name() -> None:
    assert datasets.names() == ["digits", "mnist", "fashion_mnist", *TOYS]
    assert datasets.IMAGE_SETS == ("digits", "mnist", "fashion_mnist")
    for name in datasets.names():
        assert datasets.get(name) is getattr(datasets, name)
    assert datasets.get("Fashion-MNIST") is datasets.fashion_mnist
    assert datasets.get("two moons") is datasets.moons


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("digts", "digits"),
        ("mnst", "mnist"),
        ("fashion-mnst", "fashion_mnist"),
        ("spiralz", "spirals"),
    ],
)
@pytest.mark.parametrize("lookup", [datasets.get, datasets.load])
def test_unknown_names_list_every_set_with_the_closest_first(lookup, name, closest) -> None:
    with pytest.raises(ValueError) as info:
        lookup(name)
    message = str(info.value)
    assert message.startswith(f"unknown dataset {name!r}; did you mean {closest!r}")
    assert message.endswith(f"known: {', '.join(datasets.names())}")


def test_load_points_image_sets_to_their_own_function() -> None:
    """load returns (X, y); an image set comes split, so load names the call that gives it."""
    with pytest.raises(ValueError, match=r"'digits' is an image set .* datasets\.digits\(\.\.\.\)"):
        datasets.load("Digits")
    with pytest.raises(TypeError, match="dataset name must be a str"):
        datasets.get(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", TOYS)
@pytest.mark.parametrize("dtype", ["float32", "float64", np.float64])
def test_shape_dtype_and_balance(name: str, dtype: object) -> None:
    X, y = datasets.load(name, n_samples=201, dtype=dtype)
    assert X.shape == (201, 2) and X.dtype == np.dtype(dtype)
    assert y.shape == (201,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [101, 100]
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", MULTI)
@pytest.mark.parametrize(("k", "counts"), [(2, [4, 3]), (3, [3, 2, 2]), (4, [2, 2, 2, 1])])
def test_n_classes_balanced(name: str, k: int, counts: list[int]) -> None:
    _, y = datasets.load(name, n_samples=7, n_classes=k)
    assert np.bincount(y).tolist() == counts


@pytest.mark.parametrize("name", TOYS)
def test_seeded(name: str) -> None:
    X1, y1 = datasets.load(name, seed=7)
    X2, y2 = datasets.load(name, seed=7)
    X3, _ = datasets.load(name, seed=8)
    X4, y4 = datasets.load(name, seed=np.random.default_rng(7))
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert np.array_equal(X1, X4) and np.array_equal(y1, y4)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", TOYS)
def test_noise_is_the_std_of_added_gaussian_noise(name: str) -> None:
    # The noise-free points and labels do not depend on noise: X(noise) - X(0) = noise * Z.
    X0, y0 = datasets.load(name, n_samples=4000, noise=0.0, seed=3, dtype="float64")
    spreads = []
    for noise in (0.05, 0.2):
        X, y = datasets.load(name, n_samples=4000, noise=noise, seed=3, dtype="float64")
        assert np.array_equal(y, y0)
        d = X - X0
        assert abs(d.mean()) < 0.1 * noise
        np.testing.assert_allclose(d.std(axis=0), noise, rtol=0.05)
        spreads.append(np.linalg.norm(d, axis=1).mean())
    assert spreads[0] < spreads[1]


def _exact(name: str, **kwargs: object) -> tuple[np.ndarray, np.ndarray]:
    return datasets.load(name, n_samples=1000, noise=0.0, seed=1, dtype="float64", **kwargs)


def test_xor_labels_are_the_sign_product() -> None:
    X, y = _exact("xor")
    assert np.all(np.abs(X) <= 1.0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) * np.sign(X[:, 1]) > 0).astype(int))


@pytest.mark.parametrize("factor", [0.5, 0.2, 0.9])
def test_circles_radii_separate_the_classes(factor: float) -> None:
    X, y = _exact("circles", factor=factor)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() <= factor < (1 + factor) / 2 <= r[y == 0].min()
    assert r.max() <= 1.0


def test_moons_lie_on_their_half_circles() -> None:
    X, y = _exact("moons")
    upper, lower = X[y == 0], X[y == 1] - [1.0, 0.5]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(*lower.T), 1.0, atol=1e-12)
    assert upper[:, 1].min() >= 0.0 and lower[:, 1].max() <= 0.0


@pytest.mark.parametrize("k", [2, 3, 4])
def test_spiral_points_lie_on_their_arm(k: int) -> None:
    X, y = _exact("spirals", n_classes=k, turns=1.5)
    r = np.hypot(X[:, 0], X[:, 1])
    expected = 2 * np.pi * (1.5 * r + y / k)
    off = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - expected)))
    np.testing.assert_allclose(off, 0.0, atol=1e-9)
    assert r.max() <= 1.0


@pytest.mark.parametrize("k", [2, 3, 4])
def test_gauss_points_sit_on_fixed_separated_centres(k: int) -> None:
    X, y = _exact("gauss", n_classes=k)
    centres = datasets.gauss_centres(k)
    assert np.array_equal(X, centres[y])
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1)[~np.eye(k, dtype=bool)]
    assert gaps.min() == pytest.approx(2 * np.sin(np.pi / k))


@pytest.mark.parametrize("angle", [45.0, 0.0, 120.0, -30.0])
def test_linear_set_is_separated_by_the_line(angle: float) -> None:
    X, y = _exact("linear", angle=angle)
    a = np.deg2rad(angle)
    side = X @ [np.cos(a), np.sin(a)]
    np.testing.assert_array_equal(y, (side > 0).astype(int))
    assert np.all(np.abs(X) <= 1.0)


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", TOYS)
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_samples": 0}, ValueError, r"n_samples must be an int >= 1, got 0"),
        ({"n_samples": 2.5}, TypeError, r"n_samples must be an int >= 1, got float 2.5"),
        ({"n_samples": True}, TypeError, r"n_samples must be an int >= 1, got bool True"),
        ({"n_samples": 1}, ValueError, r"n_samples must be at least n_classes=2 .*got 1"),
        ({"noise": -0.1}, ValueError, r"noise must be a finite number in \[0, inf\), got -0\.1"),
        ({"noise": math.nan}, ValueError, r"noise must be a finite number in \[0, inf\), got nan"),
        ({"noise": math.inf}, ValueError, r"noise must be a finite number in \[0, inf\), got inf"),
        ({"noise": "0.1"}, TypeError, r"noise must be a real number, got str '0\.1'"),
        ({"dtype": "int32"}, ValueError, r"dtype must be 'float32' or 'float64', got 'int32'"),
        ({"dtype": "flaot32"}, TypeError, r"dtype must be 'float32' or 'float64', got str 'flaot3"),
        ({"seed": -1}, ValueError, r"seed must be an int >= 0, got -1"),
        ({"seed": 1.5}, TypeError, r"seed must be an int >= 0, got float 1\.5"),
    ],
)
def test_bad_common_arguments(name: str, kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        datasets.load(name, **kwargs)


@pytest.mark.parametrize("name", MULTI)
@pytest.mark.parametrize("k", [1, 5])
def test_bad_n_classes(name: str, k: int) -> None:
    with pytest.raises(ValueError, match=rf"n_classes must be an int in 2\.\.4, got {k}"):
        datasets.load(name, n_classes=k)


@pytest.mark.parametrize(
    ("name", "kwargs", "match"),
    [
        ("circles", {"factor": 1.0}, r"factor must be a finite number in \(0, 1\), got 1\.0"),
        ("circles", {"factor": 0}, r"factor must be a finite number in \(0, 1\), got 0\.0"),
        ("spirals", {"turns": 0.0}, r"turns must be a finite number in \(0, inf\), got 0\.0"),
        ("linear", {"angle": math.nan}, r"angle must be a finite number, got nan"),
    ],
)
def test_bad_shape_parameters(name: str, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        datasets.load(name, **kwargs)


# --- train_test_split ----------------------------------------------------------------------


def test_split_sizes_stratification_and_partition() -> None:
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = np.arange(100)[:, None] * [1, -1]
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, test_size=0.2, seed=0)
    assert len(X_te) == len(y_te) == 20 and len(X_tr) == len(y_tr) == 80
    assert np.bincount(y_te).tolist() == [10, 6, 4]
    rows = np.concatenate([X_tr[:, 0], X_te[:, 0]])
    assert sorted(rows.tolist()) == list(range(100))  # a partition of the rows
    np.testing.assert_array_equal(y[X_tr[:, 0]], y_tr)  # rows keep their labels
    again = datasets.train_test_split(X, y, test_size=0.2, seed=0)
    other = datasets.train_test_split(X, y, test_size=0.2, seed=1)
    assert np.array_equal(again[1], X_te) and not np.array_equal(other[1], X_te)


def test_split_rounds_test_size_up_and_can_skip_stratification() -> None:
    X, y = datasets.load("gauss", n_samples=101, n_classes=3)
    _, X_te, _, y_te = datasets.train_test_split(X, y, test_size=0.25, seed=2)
    assert len(X_te) == math.ceil(0.25 * 101)
    counts = np.bincount(y)
    assert np.all(np.abs(np.bincount(y_te) - counts * 26 / 101) < 1)
    X_tr, X_te, _, _ = datasets.train_test_split(X, y, test_size=0.25, seed=2, stratify=False)
    assert (len(X_tr), len(X_te)) == (75, 26)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.zeros((4, 2)), np.zeros(3)), {}, ValueError, r"same number of rows.*\(4, 2\).*\(3,\)"),
        ((np.zeros((4, 2)), np.zeros((4, 1))), {}, ValueError, r"y must be 1-D.*\(4, 1\)"),
        ((np.zeros((4, 2)), [0, 0, 1, 1]), {"test_size": 0.0}, ValueError, r"test_size .*got 0\.0"),
        ((np.zeros((4, 2)), [0, 0, 1, 1]), {"test_size": 1}, ValueError, r"in \(0, 1\), got 1\.0"),
        ((np.zeros((4, 2)), [0, 0, 1, 1]), {"test_size": math.nan}, ValueError, r"got nan"),
        ((np.zeros((4, 2)), [0, 0, 1, 1]), {"test_size": "0.2"}, TypeError, r"test_size"),
        ((np.zeros((4, 2)), [0, 0, 1, 1]), {"test_size": 0.9}, ValueError, r"no training rows"),
        ((np.zeros((4, 2)), [0, 0, 0, 1]), {}, ValueError, r"class 1 has 1; pass stratify=False"),
    ],
)
def test_split_bad_input(args: tuple, kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        datasets.train_test_split(*args, **kwargs)


# --- digits --------------------------------------------------------------------------------


def test_digits_shapes_range_and_stratification() -> None:
    (X_tr, y_tr), (X_te, y_te) = datasets.digits()
    assert X_tr.shape == (1437, 64) and X_te.shape == (360, 64)
    assert X_tr.dtype == np.float32 and y_tr.dtype == np.int64
    assert X_tr.min() == 0.0 and X_tr.max() == 1.0 and X_te.max() <= 1.0
    counts = np.bincount(np.concatenate([y_tr, y_te]), minlength=10)
    assert np.all(np.abs(np.bincount(y_te, minlength=10) - counts * 360 / 1797) < 1)
    (X_raw, y_raw), _ = datasets.digits(scale=False, dtype="float64")
    assert X_raw.dtype == np.float64 and X_raw.max() == 16.0
    np.testing.assert_array_equal(X_raw / 16, X_tr)  # same seed, same split
    np.testing.assert_array_equal(y_raw, y_tr)
    (_, y_other), _ = datasets.digits(seed=1)
    assert not np.array_equal(y_other, y_tr)


def test_digits_bad_input() -> None:
    expected = r"test_size must be a finite number in \(0, 1\), got 1\.5"
    with pytest.raises(ValueError, match=expected):
        datasets.digits(test_size=1.5)
    with pytest.raises(TypeError, match=r"scale must be a bool, got str 'yes'"):
        datasets.digits(scale="yes")


# --- IDX -----------------------------------------------------------------------------------

IDX_DTYPES = ["uint8", "int8", "int16", "int32", "float32", "float64"]


@pytest.mark.parametrize("dtype", IDX_DTYPES)
@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("shape", [(3,), (5, 28, 28), (2, 3, 4, 1)])
def test_idx_round_trip(tmp_path: Path, dtype: str, suffix: str, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else np.finfo(dtype)
    array = rng.uniform(info.min / 2, info.max / 2, size=shape).astype(dtype)
    path = datasets.write_idx(tmp_path / f"a-idx{suffix}", array)
    back = datasets.read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == shape
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable


def test_idx_bytes_are_the_published_format(tmp_path: Path) -> None:
    # From the MNIST page: magic 0x00000801 for labels, 0x00000803 for images, big-endian.
    datasets.write_idx(tmp_path / "labels", np.array([5, 0, 4], np.uint8))
    assert (tmp_path / "labels").read_bytes() == bytes.fromhex("00000801 00000003 050004")
    datasets.write_idx(tmp_path / "ints", np.array([[1, -2]], ">i4"))
    assert (tmp_path / "ints").read_bytes() == bytes.fromhex(
        "00000c02 00000001 00000002 00000001 fffffffe"
    )
    datasets.write_idx(tmp_path / "labels.gz", np.array([5, 0, 4], np.uint8))
    assert gzip.decompress((tmp_path / "labels.gz").read_bytes()) == bytes.fromhex(
        "00000801 00000003 050004"
    )
    by_hand = bytes.fromhex("00000b01 00000002") + struct.pack(">2h", -2, 300)
    (tmp_path / "shorts").write_bytes(by_hand)
    back = datasets.read_idx(tmp_path / "shorts")
    assert back.dtype == np.int16 and back.tolist() == [-2, 300]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", r"too short to be an IDX file: expected a 4-byte magic number, found 0 bytes"),
        (
            bytes.fromhex("0102080100000001ff"),
            r"not an IDX file: .*starting with 00 00, found 01 02",
        ),
        (bytes.fromhex("0000070100000001ff"), r"unknown IDX data type code 0x07: expected one of"),
        (bytes.fromhex("0000080300000001"), r"truncated IDX header: expected 3 dimension sizes"),
        (
            bytes.fromhex("00000803 00000001 0000001c 0000001c") + bytes(783),
            r"truncated: the header declares shape \(1, 28, 28\) of uint8, i\.e\. 784 data "
            r"bytes, found 783",
        ),
        (bytes.fromhex("00000801 00000002 0102 03"), r"trailing bytes .* 2 data bytes, found 3"),
        (gzip.compress(bytes.fromhex("00000801 00000002 0102"))[:-6], r"corrupt or truncated gzip"),
    ],
)
def test_idx_corrupt_files_name_file_expected_and_found(
    tmp_path: Path, data: bytes, match: str
) -> None:
    path = tmp_path / "broken-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=match) as info:
        datasets.read_idx(path)
    assert str(path) in str(info.value)


def test_idx_write_rejects_other_dtypes(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"IDX dtype \(uint8, .*got int64"):
        datasets.write_idx(tmp_path / "x", np.arange(3, dtype=np.int64))
    with pytest.raises(FileNotFoundError):
        datasets.read_idx(tmp_path / "missing")


# --- MNIST and Fashion-MNIST ---------------------------------------------------------------


def _write_set(folder: Path, suffixes: tuple[str, ...] = ("",) * 4, seed: int = 0) -> list:
    """Write 5 train and 3 test 28x28 images with labels; return the four arrays."""
    rng = np.random.default_rng(seed)
    arrays = [
        rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, size=5, dtype=np.uint8),
        rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, size=3, dtype=np.uint8),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for stem, suffix, array in zip(datasets.FILES, suffixes, arrays, strict=True):
        datasets.write_idx(folder / f"{stem}{suffix}", array)
    return arrays


@pytest.mark.parametrize("loader", [datasets.mnist, datasets.fashion_mnist])
@pytest.mark.parametrize("suffixes", [("",) * 4, (".gz",) * 4, ("", ".gz", ".gz", "")])
def test_mnist_reads_the_idx_files_back(
    tmp_path: Path, loader: object, suffixes: tuple[str, ...]
) -> None:
    images, labels, test_images, test_labels = _write_set(tmp_path, suffixes)
    (X, y), (X_te, y_te) = loader(path=tmp_path)
    assert X.shape == (5, 784) and X.dtype == np.float32 and X_te.shape == (3, 784)
    np.testing.assert_array_equal(X, images.reshape(5, -1).astype(np.float32) / 255)
    assert y.dtype == np.int64 and y.tolist() == labels.tolist()
    assert y_te.tolist() == test_labels.tolist()
    (X, _), (X_te, _) = loader(path=str(tmp_path), flatten=False, normalize=False, dtype="float64")
    assert X.shape == (5, 28, 28) and X.dtype == np.float64
    np.testing.assert_array_equal(X_te, test_images)


def test_mnist_missing_files_message(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        datasets.mnist(path=tmp_path / "nowhere")
    message = str(info.value)
    assert str(tmp_path / "nowhere") in message
    for stem in datasets.FILES:
        assert f"{stem}  (or {stem}.gz)" in message
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/" in message
    assert "mnist(download=True)" in message and "GRADLAB_DATA" in message
    _write_set(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match=r"Missing: t10k-labels-idx1-ubyte\n"):
        datasets.fashion_mnist(path=tmp_path)
    with pytest.raises(FileNotFoundError, match=r"fashion_mnist\(download=True\)"):
        datasets.fashion_mnist(path=tmp_path)


def test_default_folder_follows_gradlab_data_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADLAB_DATA", str(tmp_path / "data"))
    images, *_ = _write_set(tmp_path / "data" / "fashion_mnist")
    (X, _), _ = datasets.fashion_mnist(normalize=False)
    np.testing.assert_array_equal(X, images.reshape(5, -1))
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "data" / "mnist")):
        datasets.mnist()
    monkeypatch.delenv("GRADLAB_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert datasets.default_folder() == tmp_path / "home" / ".gradlab" / "datasets" / "mnist"
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "home")):
        datasets.mnist()


def test_mnist_corrupt_or_mismatched_files(tmp_path: Path) -> None:
    _write_set(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte: truncated"):
        datasets.mnist(path=tmp_path)
    _write_set(tmp_path)
    datasets.write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match=r"files do not match: .*\(3, 28, 28\).*\(2,\)"):
        datasets.mnist(path=tmp_path)
    with pytest.raises(TypeError, match=r"flatten must be a bool"):
        datasets.mnist(path=tmp_path, flatten=None)


def _fake_server(folder: Path, monkeypatch: pytest.MonkeyPatch, mirrors: dict) -> list[str]:
    """Serve the gz files written to ``folder`` at every mirror whose value is True."""
    served = {p.name: p.read_bytes() for p in folder.iterdir()}
    opened: list[str] = []

    def urlopen(url: str, timeout: float | None = None) -> io.BytesIO:
        opened.append(url)
        mirror, name = url.rsplit("/", 1)
        if not mirrors[mirror + "/"]:
            raise urllib.error.URLError("mirror down")
        return io.BytesIO(served[name])

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return opened


def test_download_checks_md5_and_writes_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    images, *_ = _write_set(tmp_path / "remote", (".gz",) * 4)
    md5 = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in (tmp_path / "remote").iterdir()}
    mirrors = {"https://down.test/": False, "https://up.test/": True}
    source = dataclasses.replace(vision._SOURCES["mnist"], md5=md5, mirrors=tuple(mirrors))
    monkeypatch.setitem(vision._SOURCES, "mnist", source)
    opened = _fake_server(tmp_path / "remote", monkeypatch, mirrors)

    local = tmp_path / "local" / "mnist"
    (X, _), _ = datasets.mnist(path=local, download=True, normalize=False)
    np.testing.assert_array_equal(X, images.reshape(5, -1))
    assert sorted(p.name for p in local.iterdir()) == sorted(md5)  # no temporary files left
    assert opened == [
        f"https://{host}.test/{n}.gz" for n in datasets.FILES for host in ("down", "up")
    ]
    opened.clear()
    datasets.mnist(path=local, download=True)
    assert opened == []  # present files are never fetched again


def test_download_checksum_mismatch_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_set(tmp_path / "remote", (".gz",) * 4)
    mirrors = dict.fromkeys(vision._SOURCES["mnist"].mirrors, True)  # the real MD5 sums
    opened = _fake_server(tmp_path / "remote", monkeypatch, mirrors)
    local = tmp_path / "local"
    with pytest.raises(OSError, match=r"checksum mismatch: expected MD5 f68b3c2dcbeaaa9f") as info:
        datasets.mnist(path=local, download=True)
    assert "could not download MNIST file train-images-idx3-ubyte.gz" in str(info.value)
    assert len(opened) == 2  # every mirror was tried
    assert list(local.iterdir()) == []
