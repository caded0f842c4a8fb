"""The fast paths of the validation helpers decide exactly as the plain checks would.

`all_finite` proves finiteness with one ``vdot`` and falls back to an entry-by-entry
look; `check_one_hot` compares with 0 and 1 instead of ``np.isin``; `mlp_backward`
skips ``dZ @ W1.T`` and validates ``cache['A0']`` itself. (bench/ measures why.)
"""

from __future__ import annotations

import numpy as np
import pytest
from backproplab import mlp
from backproplab.validate import all_finite, as_float_array, check_one_hot

DTYPES = [np.float16, np.float32, np.float64, np.longdouble]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [0, 7, -1])
def test_all_finite_finds_one_bad_entry(dtype, bad, where) -> None:
    arr = np.ones((3, 5), dtype)
    arr.flat[where] = bad
    assert not all_finite(arr)
    assert not all_finite(arr.T)  # not contiguous


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_finite_accepts_values_whose_squares_overflow(dtype) -> None:
    big = np.finfo(dtype).max
    arr = np.array([[big, -big], [1.0, 0.0]], dtype)
    assert np.isinf(np.vdot(arr, arr))  # the fast path cannot decide ...
    assert all_finite(arr)  # ... and the fallback does
    assert as_float_array(arr, "A", "f") is arr


def test_all_finite_agrees_with_isfinite_on_random_arrays(rng) -> None:
    for _ in range(200):
        arr = rng.choice([0.0, 1.0, -3.5, 1e300, np.nan, np.inf], size=rng.integers(1, 6, size=2))
        assert all_finite(arr) == bool(np.isfinite(arr).all())


@pytest.mark.parametrize(
    "Y, ok",
    [
        ([[1, 0, 0], [0, 0, 1]], True),
        ([[1.0, -0.0]], True),
        ([[0.5, 0.5]], False),
        ([[2.0, -1.0]], False),  # row sum 1, entries not 0/1
        ([[1.0, 1.0]], False),
        ([[0.0, 0.0]], False),
        ([1.0, 0.0], True),  # one row
    ],
)
def test_check_one_hot(Y, ok) -> None:
    Y = np.asarray(Y, float)
    if ok:
        check_one_hot(Y, "Y", "f")
    else:
        with pytest.raises(ValueError, match="one-hot"):
            check_one_hot(Y, "Y", "f")


def test_mlp_backward_validates_the_cached_input(rng) -> None:
    params = {"W1": np.ones((3, 4)), "b1": np.zeros(4), "W2": np.ones((4, 2)), "b2": np.zeros(2)}
    X = rng.standard_normal((5, 3))
    cache = {"A0": X, "Z1": np.zeros((5, 4)), "A1": np.zeros((5, 4)), "Z2": np.zeros((5, 2))}  # no exercise code: runs on the stubs too
    dscores = rng.standard_normal((5, 2))
    with pytest.raises(ValueError, match=r"mlp_backward.*A0.*\(5, 3\)"):
        mlp.mlp_backward(dscores, {**cache, "A0": X[:, :2]}, params)
    with pytest.raises(ValueError, match=r"mlp_backward.*A0.*NaN"):
        mlp.mlp_backward(dscores, {**cache, "A0": np.where(X > 0, np.nan, X)}, params)
