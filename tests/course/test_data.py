"""MNIST loading: embedded files, downloads from a loopback server, local folders, splits."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from backproplab import data

NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def idx_bytes(array: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes()


@pytest.fixture(scope="module")
def fake_mnist(tmp_path_factory) -> tuple[Path, dict[str, str], dict[str, np.ndarray]]:
    """A generated MNIST look-alike: 12 train and 5 test images, gzipped IDX files and their MD5s."""
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("fake_mnist")
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (12, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 12),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (5, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 5),
    }
    sums = {}
    for stem, arr in arrays.items():
        blob = gzip.compress(idx_bytes(arr), mtime=0)
        (folder / f"{stem}.gz").write_bytes(blob)
        sums[f"{stem}.gz"] = hashlib.md5(blob).hexdigest()
    return folder, sums, arrays


class Mirror:
    """A loopback HTTP server over a folder, with Range support and a request log."""

    def __init__(self, folder: Path, truncate: bool = False, missing: bool = False):
        self.folder, self.truncate, self.missing = folder, truncate, missing
        self.requests: list[tuple[str, str | None]] = []
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                mirror.requests.append((self.path, self.headers.get("Range")))
                path = mirror.folder / self.path.lstrip("/")
                if mirror.missing or not path.exists():
                    self.send_error(404)
                    return
                body = path.read_bytes()
                if mirror.truncate:
                    body = body[: len(body) // 2]
                start = 0
                if rng := self.headers.get("Range"):
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(body):
                        self.send_error(416)
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                self.wfile.write(body[start:])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror(fake_mnist):
    m = Mirror(fake_mnist[0])
    yield m
    m.close()


def load_full(mirrors, cache, sums, split="train"):
    return data.load_mnist("full", split, cache_dir=cache, mirrors=mirrors, checksums=sums, progress=False)


def test_embedded_default() -> None:
    X, y = data.load_mnist()
    assert X.shape == (10000, 784) and X.dtype == np.float32
    assert 0.0 <= X.min() and X.max() == 1.0
    assert y.shape == (10000,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    assert np.bincount(y).min() > 800  # every digit is well represented in t10k


def test_embedded_checksum_detects_damage(tmp_path, monkeypatch) -> None:
    src = data._find_embedded()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(src / name, tmp_path / name)
    with open(tmp_path / "t10k-labels-idx1-ubyte.gz", "r+b") as f:
        f.seek(100)
        f.write(b"\xff\xff")
    monkeypatch.setenv("BACKPROPLAB_DATA", str(tmp_path))
    with pytest.raises(ValueError, match="MD5"):
        data.load_mnist()


def test_download_from_loopback_mirror(fake_mnist, mirror, tmp_path) -> None:
    _, sums, arrays = fake_mnist
    X, y = load_full([mirror.url], tmp_path, sums)
    assert X.shape == (12, 784) and X.dtype == np.float32
    np.testing.assert_array_equal(X * 255, arrays["train-images-idx3-ubyte"].reshape(12, -1))
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte"])
    Xt, yt = load_full([mirror.url], tmp_path, sums, split="test")
    assert Xt.shape == (5, 784) and yt.shape == (5,)
    assert not list(tmp_path.glob("*.part"))
    # a second call uses the verified cache: no new requests
    n = len(mirror.requests)
    load_full([mirror.url], tmp_path, sums)
    assert len(mirror.requests) == n


def test_next_mirror_after_404_and_bad_checksum(fake_mnist, tmp_path) -> None:
    folder, sums, _ = fake_mnist
    dead, broken, good = Mirror(folder, missing=True), Mirror(folder, truncate=True), Mirror(folder)
    try:
        X, _ = load_full([dead.url, broken.url, good.url], tmp_path, sums)
        assert X.shape == (12, 784)
        assert dead.requests and broken.requests and good.requests
    finally:
        for m in (dead, broken, good):
            m.close()


def test_all_mirrors_fail_with_a_clear_error(fake_mnist, tmp_path) -> None:
    folder, sums, _ = fake_mnist
    broken = Mirror(folder, truncate=True)
    try:
        with pytest.raises(OSError, match="(?s)could not download train-images.*MD5"):
            load_full([broken.url], tmp_path, sums)
        assert not (tmp_path / "train-images-idx3-ubyte.gz").exists()  # nothing half-written is kept as final
    finally:
        broken.close()


def test_corrupt_cache_is_fetched_again(fake_mnist, mirror, tmp_path) -> None:
    _, sums, arrays = fake_mnist
    load_full([mirror.url], tmp_path, sums)
    cached = tmp_path / "train-labels-idx1-ubyte.gz"
    cached.write_bytes(cached.read_bytes()[:10])  # truncated cache file
    n = len(mirror.requests)
    _, y = load_full([mirror.url], tmp_path, sums)
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte"])
    assert [p for p, _ in mirror.requests[n:]] == ["/train-labels-idx1-ubyte.gz"]


def test_partial_download_resumes_with_range(fake_mnist, mirror, tmp_path) -> None:
    folder, sums, arrays = fake_mnist
    name = "train-images-idx3-ubyte.gz"
    blob = (folder / name).read_bytes()
    (tmp_path / (name + ".part")).write_bytes(blob[:100])
    X, _ = load_full([mirror.url], tmp_path, sums)
    assert (f"/{name}", "bytes=100-") in mirror.requests
    assert (tmp_path / name).read_bytes() == blob


def test_local_folder_gz_or_raw(fake_mnist, tmp_path) -> None:
    folder, _, arrays = fake_mnist
    for stem in arrays:
        (tmp_path / stem).write_bytes(gzip.decompress((folder / f"{stem}.gz").read_bytes()))
    for source in (folder, tmp_path):
        X, y = data.load_mnist(source, "test")
        np.testing.assert_array_equal(y, arrays["t10k-labels-idx1-ubyte"])
        assert X.shape == (5, 784)


def test_truncated_idx_names_the_file(tmp_path) -> None:
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((3, 28, 28)))[:-10])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.*truncated"):
        data.read_idx(path)
    path.write_bytes(b"not an idx file")
    with pytest.raises(ValueError, match="magic"):
        data.read_idx(path)


def test_bad_source_and_split() -> None:
    with pytest.raises(ValueError, match="source"):
        data.load_mnist("/no/such/folder")
    with pytest.raises(ValueError, match="embedded set"):
        data.load_mnist(split="train")


def test_one_hot() -> None:
    np.testing.assert_array_equal(data.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    assert data.one_hot(np.array([1]), 2, np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="0..2"):
        data.one_hot(np.array([3]), 3)
    with pytest.raises(ValueError, match="integer"):
        data.one_hot(np.array([0.5]), 3)


def test_train_val_split_is_seeded_and_keeps_pairs() -> None:
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    a = data.train_val_split(X, y, 0.3, seed=1)
    b = data.train_val_split(X, y, 0.3, seed=1)
    c = data.train_val_split(X, y, 0.3, seed=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    Xtr, ytr, Xva, yva = a
    assert len(Xva) == 3 and len(Xtr) == 7
    np.testing.assert_array_equal(Xtr[:, 0] // 2, ytr)  # rows and labels shuffled together
    assert sorted(np.concatenate([ytr, yva])) == list(range(10))


def test_toy_sets_seeded() -> None:
    X, y = data.make_spirals(50, 3, seed=0)
    assert X.shape == (150, 2) and np.bincount(y).tolist() == [50, 50, 50]
    np.testing.assert_array_equal(X, data.make_spirals(50, 3, seed=0)[0])
    Xb, yb = data.make_blobs(20, 4, seed=1)
    assert Xb.shape == (80, 2) and set(yb) == {0, 1, 2, 3}
