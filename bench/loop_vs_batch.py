"""3. Batched backprop against a loop over single samples, m = 1 … 1024.

`loop_vs_batch` is the one place these numbers come from: give it any
``loss_and_grads(params, X, Y) -> (loss, grads)`` (a batch mean), parameters
and data, and it times the batched call against the per-sample loop that
averages the same gradients, after checking the two agree. Notebook 05 can
call it with its own TestNet functions::

    from bench.loop_vs_batch import loop_vs_batch, plot_speedup
    rows = loop_vs_batch(loss_and_grads, params, X, Y)

It needs only NumPy (and matplotlib for the plot).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np

from .timing import compare

Params = dict[str, np.ndarray]
LossAndGrads = Callable[[Params, np.ndarray, np.ndarray], tuple[float, Params]]
BATCH_SIZES = tuple(2**i for i in range(11))  # 1 … 1024


def per_sample(loss_and_grads: LossAndGrads, params: Params, X: np.ndarray, Y: np.ndarray) -> tuple[float, Params]:
    """The batch's mean loss and gradients, computed one sample (a batch of one) at a time."""
    m = len(X)
    loss = 0.0
    grads = {k: np.zeros_like(p) for k, p in params.items()}
    for i in range(m):
        loss_i, grads_i = loss_and_grads(params, X[i : i + 1], Y[i : i + 1])
        loss += float(loss_i)
        for k in grads:
            grads[k] += grads_i[k]
    return loss / m, {k: g / m for k, g in grads.items()}


def loop_vs_batch(
    loss_and_grads: LossAndGrads,
    params: Params,
    X: np.ndarray,
    Y: np.ndarray,
    batch_sizes: Sequence[int] = BATCH_SIZES,
    rounds: int = 5,
) -> list[dict]:
    """Time the batched call and the per-sample loop on the first m rows, for each m.

    Parameters
    ----------
    loss_and_grads : callable
        ``(params, X, Y) -> (loss, grads)``, the loss being a mean over the rows.
    params : dict of ndarray
    X : ndarray, shape (M, n)
    Y : ndarray, shape (M, k)
        At least ``max(batch_sizes)`` rows.
    batch_sizes : sequence of int
    rounds : int
        Interleaved timing rounds; the best is kept.

    Returns
    -------
    rows : list of dict
        ``{"m", "batch", "loop", "speedup"}``: seconds per call of each, and
        loop / batch.
    """
    if len(X) < max(batch_sizes):
        raise ValueError(f"loop_vs_batch(): X has {len(X)} rows; batch sizes go up to {max(batch_sizes)}")
    rows = []
    for m in batch_sizes:
        Xm, Ym = X[:m], Y[:m]
        loss, grads = loss_and_grads(params, Xm, Ym)
        loop_loss, loop_grads = per_sample(loss_and_grads, params, Xm, Ym)
        rtol = 1e-4 if X.dtype == np.float32 else 1e-9
        np.testing.assert_allclose(loop_loss, float(loss), rtol=rtol, err_msg=f"m={m}: the loop's loss differs")
        for k in grads:
            np.testing.assert_allclose(loop_grads[k], grads[k], rtol=rtol, atol=rtol * np.abs(grads[k]).max(), err_msg=f"m={m}: {k}")
        t = compare(
            {"batch": partial(loss_and_grads, params, Xm, Ym), "loop": partial(per_sample, loss_and_grads, params, Xm, Ym)},
            rounds=rounds,
            min_time=0.01,
        )
        rows.append({"m": m, "batch": t["batch"].best, "loop": t["loop"].best, "speedup": t["loop"].best / t["batch"].best})
    return rows


def plot_speedup(results: dict[str, list[dict]], ax=None):
    """Speedup of the batched call over the loop against m, one line per network; returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for name, rows in results.items():
        ax.plot([r["m"] for r in rows], [r["speedup"] for r in rows], "o-", label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:g}")
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:g}×")
    ax.axhline(1.0, color="k", lw=1)
    ax.set_xlabel("batch size m")
    ax.set_ylabel("loop time / batched time")
    ax.set_title("Batched backprop vs a per-sample loop")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return ax


def run(out: Path, n_threads: int, rounds: int = 5, batch_sizes: Sequence[int] = BATCH_SIZES):
    """The bench section: TestNet 3→4→2 and the MNIST MLP 784→100→10, reference `mlp_loss`, float64."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .env import threads
    from .network import LAM, make_problem, mlp_loss
    from .report import Section, table, us

    loss_and_grads = lambda p, X, Y: mlp_loss(p, X, Y, LAM)  # noqa: E731
    nets = {"TestNet 3→4→2": [3, 4, 2], "MNIST MLP 784→100→10": [784, 100, 10]}
    results = {}
    for name, sizes in nets.items():
        problem = make_problem(sizes, max(batch_sizes), np.float64)
        with threads(n_threads):
            results[name] = loop_vs_batch(loss_and_grads, problem.params, problem.X, problem.Y, batch_sizes, rounds)
        print(f"  {name}: speedup at m={batch_sizes[-1]} {results[name][-1]['speedup']:.0f}×", flush=True)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    plot_speedup(results, ax)
    fig.tight_layout()
    fig.savefig(out / "loop_vs_batch.png", dpi=110)
    plt.close(fig)
    rows = [[m] + [f"{us(results[n][i]['batch'])} / {us(results[n][i]['loop'])} = **{results[n][i]['speedup']:.1f}×**" for n in nets] for i, m in enumerate(batch_sizes)]
    body = "\n".join(
        [
            f"`mlp_loss` (reference, float64, λ = 1e-3, {n_threads} BLAS thread{'s' if n_threads > 1 else ''}) on the first m rows at once, "
            "against a loop calling it on one row at a time and averaging the gradients (checked equal). Cells: batched / loop = speedup. "
            "The code is `bench.loop_vs_batch.loop_vs_batch(loss_and_grads, params, X, Y)`, usable with any loss-and-gradients function.",
            "",
            table(["m"] + list(nets), rows),
            "",
            "![speedup against m](loop_vs_batch.png)",
        ]
    )
    return Section("3. Batched vs per-sample loop", body, [], {name: rows for name, rows in results.items()})
