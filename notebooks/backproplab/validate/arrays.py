"""The checks the validators are made of: arrays, shapes, one-hot targets, parameter dicts (infrastructure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

__all__ = [
    "weight_list",
    "as_float_array",
    "all_finite",
    "check_same_shape",
    "check_one_hot",
    "check_binary_targets",
    "check_probabilities",
    "check_activation_name",
    "check_dense",
    "check_params",
    "check_lam",
    "check_pair",
    "check_cache",
    "check_product_grad",
]


def _describe(x: object) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}"[:120]


def as_float_array(
    x: object, name: str, func: str, ndim: int | tuple[int, ...] | None = None
) -> np.ndarray:
    """Return `x` as a floating-point ndarray, or raise a clear ``ValueError``.

    Float inputs keep their dtype (float32 stays float32); integer and boolean
    inputs become float64. NaN and infinity are rejected.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{func}(): {name} must be an array; could not convert {_describe(x)}: {exc}") from None
    if arr.dtype.kind != "f":  # float arrays, by far the most common, need no conversion
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise ValueError(f"{func}(): {name} must be a numeric array; got {_describe(x)}")
        if np.issubdtype(arr.dtype, np.complexfloating):
            raise ValueError(f"{func}(): {name} must be real; got dtype {arr.dtype}")
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{func}(): {name} must be {want}; got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.size and not all_finite(arr):
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{func}(): {name} contains {bad}; every entry must be finite")
    return arr


def all_finite(arr: np.ndarray) -> bool:
    """True when no entry of the float array `arr` is NaN or ±infinity.

    A NaN or an infinity anywhere makes the sum of squares NaN or infinite, so a
    finite ``vdot(arr, arr)`` (one BLAS pass, no temporary array) proves every
    entry finite. Only when it is not finite (a NaN, an infinity, or squares too
    large for the dtype) are the entries inspected one by one.
    """
    return bool(np.isfinite(np.vdot(arr, arr))) or bool(np.isfinite(arr).all())


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str, func: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{func}(): {name_a} and {name_b} must have the same shape; got {a.shape} and {b.shape}")


def check_one_hot(Y: np.ndarray, name: str, func: str) -> None:
    """Each row of `Y` must hold exactly one 1 and zeros elsewhere."""
    rows = Y.reshape(1, -1) if Y.ndim == 1 else Y
    ok = ((rows == 0) | (rows == 1)).all() and (rows.sum(axis=-1) == 1).all()
    if not ok:
        raise ValueError(
            f"{func}(): {name} must be one-hot (each row one 1, the rest 0); got values "
            f"{np.unique(rows)[:5]} with row sums {np.unique(rows.sum(axis=-1))[:5]}. "
            "Turn integer labels into one-hot rows with backproplab.data.one_hot(labels, k)."
        )


def check_binary_targets(Y: np.ndarray, name: str, func: str) -> None:
    if not ((Y >= 0) & (Y <= 1)).all():
        raise ValueError(f"{func}(): {name} must hold targets in [0, 1]; got min {Y.min()} and max {Y.max()}")


def check_probabilities(P: np.ndarray, name: str, func: str) -> None:
    if not ((P >= 0) & (P <= 1)).all():
        raise ValueError(f"{func}(): {name} must hold probabilities in [0, 1]; got min {P.min()} and max {P.max()}")


ACTIVATIONS = ("relu", "sigmoid", "tanh")


def check_activation_name(name: object, func: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"{func}(): name must be one of {ACTIVATIONS}; got {name!r}")
    return name  # type: ignore[return-value]


def check_dense(A: np.ndarray, W: np.ndarray, func: str, a_name: str = "A") -> None:
    """`A` is (m, n) and `W` is (n, k)."""
    if A.shape[1] != W.shape[0]:
        raise ValueError(
            f"{func}(): {a_name} is {A.shape} so W must have {A.shape[1]} rows (n, k); got W of shape {W.shape}"
        )


def check_lam(lam: object, func: str, name: str = "lam") -> float:
    """A finite number >= 0 (the L2 strength λ, or a learning rate)."""
    try:
        value = float(lam)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{func}(): {name} must be a number >= 0; got {_describe(lam)}") from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{func}(): {name} must be a finite number >= 0; got {value}")
    return value


def check_params(params: object, func: str, bias_ndim: int = 1) -> int:
    """Check a ``{"W1", "b1", …, "WL", "bL"}`` dict whose layer shapes chain; return L.

    ``bias_ndim`` is 1 for the row-major convention (``b`` is ``(k,)``) and 2 for
    the column convention of notebook 04 (``b`` is ``(n_l, 1)``).
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"{func}(): params must be a dict {{'W1', 'b1', ...}}; got {_describe(params)}")
    L = sum(1 for k in params if isinstance(k, str) and k.startswith("W"))
    want = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
    if L == 0 or set(params) != want:
        raise ValueError(f"{func}(): params must have keys W1, b1, ..., WL, bL; got {sorted(map(str, params))}")
    for l in range(1, L + 1):
        W = as_float_array(params[f"W{l}"], f"params['W{l}']", func, ndim=2)
        b = as_float_array(params[f"b{l}"], f"params['b{l}']", func)
        out = W.shape[0] if bias_ndim == 2 else W.shape[1]
        want_b = (out, 1) if bias_ndim == 2 else (out,)
        if b.shape != want_b:
            raise ValueError(f"{func}(): params['b{l}'] must have shape {want_b} to match W{l} {W.shape}; got {b.shape}")
        if l > 1:
            prev = params[f"W{l - 1}"]
            prev_out = prev.shape[0] if bias_ndim == 2 else prev.shape[1]
            this_in = W.shape[1] if bias_ndim == 2 else W.shape[0]
            if prev_out != this_in:
                raise ValueError(
                    f"{func}(): layer shapes do not chain: W{l - 1} is {prev.shape} but W{l} is {W.shape}"
                )
    return L


def weight_list(weights: object, func: str) -> list[np.ndarray]:
    """One array or an iterable of arrays, each validated."""
    if isinstance(weights, np.ndarray) or not isinstance(weights, Iterable):
        return [as_float_array(weights, "weights", func)]
    return [as_float_array(w, f"weights[{i}]", func) for i, w in enumerate(weights)]


def check_pair(A: object, Y: object, func: str, a_name: str = "A") -> tuple[np.ndarray, np.ndarray]:
    """`A` and `Y` of one shape, `Y` cast to `A`'s dtype (the loss functions' two arguments)."""
    A = as_float_array(A, a_name, func, ndim=(1, 2))
    Y = as_float_array(Y, "Y", func, ndim=(1, 2))
    check_same_shape(A, Y, a_name, "Y", func)
    return A, Y.astype(A.dtype, copy=False)


def check_cache(cache: object, keys: list[str], func: str, maker: str) -> None:
    """`cache` is a dict holding every one of `keys` (what `maker` returned)."""
    missing = [k for k in keys if not isinstance(cache, Mapping) or k not in cache]
    if missing:
        raise ValueError(f"{func}(): cache is missing {missing}; pass what {maker} returned")


def check_product_grad(G, A, W, func: str, g_name: str):
    """The upstream gradient `G` (m, k) of ``A @ W`` with `A` (m, n) and `W` (n, k)."""
    G = as_float_array(G, g_name, func, ndim=2)
    A = as_float_array(A, "A", func, ndim=2)
    W = as_float_array(W, "W" if func == "dense_backward" else "B", func, ndim=2)
    check_dense(A, W, func)
    if G.shape != (A.shape[0], W.shape[1]):
        raise ValueError(f"{func}(): {g_name} must have shape (m, k) = {(A.shape[0], W.shape[1])}; got {G.shape}")
    return G, A, W
