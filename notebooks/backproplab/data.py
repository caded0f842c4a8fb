"""Data: MNIST (embedded, downloaded or from a folder), one-hot labels, splits, toy sets.

``load_mnist()`` with no arguments reads the MNIST test set (t10k, 10,000
images) that ships in ``data/mnist/``, checking its MD5 sums: no network needed.
``load_mnist(source="full")`` downloads the official 60k/10k files into a cache
directory (progress bar, MD5 check, temporary file then rename, next mirror on
failure); ``load_mnist(source="/some/folder")`` reads IDX files (``.gz`` or not)
from a folder.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "MNIST_MD5",
    "MIRRORS",
    "load_mnist",
    "read_idx",
    "download",
    "one_hot",
    "train_val_split",
    "make_blobs",
    "make_spirals",
]

MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
PREFIX = {"train": "train", "test": "t10k"}


def _find_embedded() -> Path:
    """``data/mnist`` of the course: beside the package, or one level up."""
    env = os.environ.get("BACKPROPLAB_DATA")
    here = Path(__file__).resolve().parent
    for cand in ([Path(env)] if env else []) + [here / "data" / "mnist", here.parent / "data" / "mnist", here.parent.parent / "data" / "mnist"]:
        if (cand / "t10k-images-idx3-ubyte.gz").exists():
            return cand
    raise FileNotFoundError(
        "The embedded MNIST files (data/mnist/t10k-*.gz) were not found next to the course. "
        "Run from the course folder, or set BACKPROPLAB_DATA to the folder that holds them."
    )


def md5sum(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (``.gz`` or raw) into a uint8 array.

    Raises ``ValueError`` naming the file when the header is not IDX or the
    file is shorter than its header says.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise ValueError(f"{path}: cannot read ({exc}); the file is corrupt or truncated") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated header")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    need = int(np.prod(shape))
    if len(raw) - header != need:
        raise ValueError(f"{path}: expected {need} bytes of data for shape {shape}, found {len(raw) - header}; the file is truncated or corrupt")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _find_file(folder: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"{folder}: neither {stem}.gz nor {stem} found")


def _load_pair(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    prefix = PREFIX[split]
    images = read_idx(_find_file(folder, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find_file(folder, f"{prefix}-labels-idx1-ubyte"))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"{folder}: {split} images {images.shape} and labels {labels.shape} do not match")
    X = images.reshape(len(images), -1).astype(np.float32) / np.float32(255)
    return X, labels.astype(np.int64)


def _progress(total: int | None, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc=desc, disable=not enabled, leave=False)


def download(
    name: str,
    md5: str,
    cache_dir: str | Path,
    mirrors: Sequence[str] = MIRRORS,
    progress: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Fetch `name` into `cache_dir` unless a cached copy with the right MD5 is there.

    The download goes to ``name.part`` (resumed with an HTTP Range request when
    a partial file exists) and is renamed only once its MD5 matches. On any
    failure the next mirror is tried; a corrupt cached file is fetched again.
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / name
    if target.exists():
        if md5sum(target) == md5:
            return target
        target.unlink()  # corrupt or truncated: fetch again
    part = target.with_name(name + ".part")
    errors = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            _fetch(url, part, progress, timeout)
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            errors.append(f"{url}: {exc}")
            continue
        got = md5sum(part)
        if got == md5:
            os.replace(part, target)
            return target
        part.unlink()
        errors.append(f"{url}: MD5 {got} does not match {md5}")
    raise OSError(f"could not download {name} from any mirror:\n  " + "\n  ".join(errors))


def _fetch(url: str, part: Path, progress: bool, timeout: float) -> None:
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code != 416 or not have:  # 416: the partial file is already complete (or too long)
            raise
        return
    with response:
        resumed = have and response.status == 206
        length = response.headers.get("Content-Length")
        total = (int(length) + (have if resumed else 0)) if length else None
        with open(part, "ab" if resumed else "wb") as out, _progress(total, part.name[:-5], progress) as bar:
            bar.update(have if resumed else 0)
            while block := response.read(1 << 16):
                out.write(block)
                bar.update(len(block))


def load_mnist(
    source: str | Path = "embedded",
    split: str | None = None,
    *,
    cache_dir: str | Path | None = None,
    mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images and labels.

    Parameters
    ----------
    source : "embedded", "full" or a folder
        ``"embedded"`` (default): the t10k files shipped with the course, MD5 checked.
        ``"full"``: the official files, downloaded once into `cache_dir`.
        A folder: IDX files named as the official ones, ``.gz`` or not.
    split : "train" or "test", optional
        Defaults to ``"test"`` for the embedded set (the only one it has) and
        ``"train"`` (60,000 images) otherwise.
    cache_dir : path, optional
        Download cache; default ``$BACKPROPLAB_CACHE`` or ``~/.cache/backproplab/mnist``.
    mirrors : list of base URLs, optional
        Default ``$BACKPROPLAB_MNIST_MIRRORS`` (space-separated) or `MIRRORS`.
    checksums : dict, optional
        File name → MD5, default `MNIST_MD5`.

    Returns
    -------
    X : ndarray, shape (m, 784), float32 in [0, 1]
    y : ndarray, shape (m,), int64 labels 0–9
    """
    sums = dict(checksums or MNIST_MD5)
    if source == "embedded":
        if split not in (None, "test"):
            raise ValueError("load_mnist(): the embedded set is the 10,000-image test set; use source='full' for split='train'")
        folder = _find_embedded()
        for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
            got = md5sum(folder / name)
            if got != sums[name]:
                raise ValueError(f"{folder / name}: MD5 {got} does not match {sums[name]}; the embedded file is damaged (re-clone or re-download the course)")
        return _load_pair(folder, "test")
    split = split or "train"
    if split not in PREFIX:
        raise ValueError(f"load_mnist(): split must be 'train' or 'test'; got {split!r}")
    if source == "full":
        cache = Path(cache_dir or os.environ.get("BACKPROPLAB_CACHE") or Path.home() / ".cache" / "backproplab" / "mnist")
        env = os.environ.get("BACKPROPLAB_MNIST_MIRRORS")
        mirrors = mirrors or (env.split() if env else MIRRORS)
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{PREFIX[split]}-{kind}-ubyte.gz"
            download(name, sums[name], cache, mirrors, progress)
        return _load_pair(cache, split)
    folder = Path(source)
    if not folder.is_dir():
        raise ValueError(f"load_mnist(): source must be 'embedded', 'full' or a folder; got {source!r}")
    return _load_pair(folder, split)


def one_hot(labels: np.ndarray, k: int | None = None, dtype: type = np.float64) -> np.ndarray:
    """Integer labels ``(m,)`` → one-hot rows ``(m, k)`` (k defaults to max label + 1)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"one_hot(): labels must be a 1-D integer array; got shape {labels.shape}, dtype {labels.dtype}")
    k = int(labels.max()) + 1 if k is None else k
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"one_hot(): labels must lie in 0..{k - 1}; got {labels.min()}..{labels.max()}")
    Y = np.zeros((labels.size, k), dtype=dtype)
    Y[np.arange(labels.size), labels] = 1
    return Y


def train_val_split(X: np.ndarray, y: np.ndarray, val_size: float | int = 0.2, seed: int = 0):
    """Shuffle once (seeded) and split into ``X_train, y_train, X_val, y_val``.

    `val_size` is a fraction in (0, 1) or a number of samples. X and y are
    shuffled with the same permutation.
    """
    if len(X) != len(y):
        raise ValueError(f"train_val_split(): X and y must have the same length; got {len(X)} and {len(y)}")
    n_val = int(round(val_size * len(X))) if isinstance(val_size, float) else int(val_size)
    if not 0 < n_val < len(X):
        raise ValueError(f"train_val_split(): val_size gives {n_val} validation samples out of {len(X)}")
    order = np.random.default_rng(seed).permutation(len(X))
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]


def make_blobs(n_per_class: int = 100, k: int = 3, spread: float = 0.6, seed: int = 0):
    """k Gaussian blobs in 2-D: ``X (k·n, 2)`` float64 and labels ``y (k·n,)``."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(k) / k
    centers = 2 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = np.repeat(np.arange(k), n_per_class)
    return centers[y] + spread * rng.standard_normal((len(y), 2)), y


def make_spirals(n_per_class: int = 100, k: int = 3, noise: float = 0.2, seed: int = 0):
    """k interleaved spirals (CS231n's toy set): not linearly separable."""
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), k)
    y = np.repeat(np.arange(k), n_per_class)
    t = np.linspace(0, 4, n_per_class)[None, :].repeat(k, 0).ravel() + 4 * y + noise * rng.standard_normal(len(y))
    return np.stack([r * np.sin(t), r * np.cos(t)], axis=1), y
