"""1. One training step of the reference MLP against the same network in PyTorch (CPU).

784→H→10, ReLU, softmax cross-entropy, L2, SGD; same dtype, same batch, same
thread count on both sides. Ratio = PyTorch's time / ours: above 1 we are faster.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .env import TORCH_MISSING, threads, torch_or_none
from .network import TorchStep, check_same_step, make_problem, ours
from .report import NOISY, Section, Target, table, us
from .timing import compare

HIDDEN = (100, 256, 512)
BATCHES = (100, 256)
DTYPES = (np.float32, np.float64)
TARGET_BATCH, TARGET_DTYPE = 100, np.float32


def measure(thread_counts: list[int], rounds: int) -> tuple[list[dict], str | None]:
    """One row per (threads, dtype, batch, H); PyTorch columns are None without PyTorch."""
    torch = torch_or_none()
    rows = []
    for n_threads in thread_counts:
        with threads(n_threads, torch):
            for dtype in DTYPES:
                for m in BATCHES:
                    for H in HIDDEN:
                        problem = make_problem([784, H, 10], m, dtype)
                        steps = {"ours": ours(problem)}
                        if torch is not None:
                            check_same_step(torch, problem)
                            steps["torch"] = TorchStep(torch, problem)
                        t = compare(steps, rounds=rounds)
                        row = {"threads": n_threads, "dtype": np.dtype(dtype).name, "m": m, "H": H, "ours": t["ours"], "torch": t.get("torch")}
                        rows.append(row)
                        print("  " + _line(row), flush=True)
    return rows, None if torch is not None else TORCH_MISSING


def ratio(row: dict) -> float | None:
    return row["torch"].best / row["ours"].best if row["torch"] is not None else None


def _line(row: dict) -> str:
    r = ratio(row)
    return (
        f"threads {row['threads']}  {row['dtype']}  m={row['m']:<4} H={row['H']:<4} ours {us(row['ours'].best):>10}"
        + (f"  torch {us(row['torch'].best):>10}  ratio {r:.2f}" if r is not None else "")
    )


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    thread_counts = sorted({r["threads"] for r in rows})
    fig, axes = plt.subplots(1, len(thread_counts), figsize=(6 * len(thread_counts), 4), sharey=True, squeeze=False)
    for ax, n_threads in zip(axes[0], thread_counts):
        sub = [r for r in rows if r["threads"] == n_threads]
        labels = [f"{r['dtype'][-2:]}\nm={r['m']}\nH={r['H']}" for r in sub]
        values = [ratio(r) for r in sub]
        colors = ["tab:green" if v >= 1 else "tab:red" for v in values]
        ax.bar(range(len(sub)), values, color=colors)
        ax.axhline(1.0, color="k", lw=1)
        ax.set_xticks(range(len(sub)), labels, fontsize=7)
        ax.set_title(f"{n_threads} thread{'s' if n_threads > 1 else ''}")
        ax.set_ylabel("PyTorch time / our time (above 1: ours faster)")
    fig.suptitle("Training step 784→H→10 (ReLU, softmax CE, L2, SGD): reference package vs PyTorch CPU")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(thread_counts: list[int], rounds: int, out: Path) -> Section:
    rows, skipped = measure(thread_counts, rounds)
    headers = ["threads", "dtype", "batch m", "H", "ours", "PyTorch", "ratio PyTorch/ours", "noise ours / torch"]
    body = [
        "Time of one step `mlp_loss` + `sgd_step` (reference package) and of the same step in PyTorch "
        "(`addmm`, `relu`, `cross_entropy` + λ/2 Σ‖W‖², `backward`, `optim.SGD`), best of interleaved rounds. "
        "Before timing, one step from the same start is checked to give the same loss and parameters on both sides. "
        "Noise is median/best − 1 over the rounds (how much other work on the machine disturbed the run).",
        "",
    ]
    if skipped:
        body += [f"> {skipped}.", ""]
    body.append(
        table(
            headers,
            [
                [
                    r["threads"],
                    r["dtype"],
                    r["m"],
                    r["H"],
                    us(r["ours"].best),
                    us(r["torch"].best) if r["torch"] else "skipped",
                    f"{ratio(r):.2f}" if r["torch"] else "–",
                    f"{r['ours'].noise:.0%} / {r['torch'].noise:.0%}" if r["torch"] else f"{r['ours'].noise:.0%}",
                ]
                for r in rows
            ],
        )
    )
    targets = []
    for n_threads in thread_counts:
        key = [r for r in rows if r["threads"] == n_threads and r["m"] == TARGET_BATCH and r["dtype"] == np.dtype(TARGET_DTYPE).name]
        ratios = [ratio(r) for r in key]
        worst = min(ratios) if None not in ratios else None
        targets.append(
            Target(
                f"step vs PyTorch, batch {TARGET_BATCH}, float32, {n_threads} thread{'s' if n_threads > 1 else ''}",
                "ratio ≥ 1.0 for every H",
                ", ".join(f"H={r['H']}: {ratio(r):.2f}" for r in key) if worst is not None else "PyTorch not installed",
                None if worst is None else worst >= 1.0,
                noisy=any(r[side].noise > NOISY for r in key for side in ("ours", "torch") if r[side] is not None),
            )
        )
    if not skipped:
        plot(rows, out / "step_vs_torch.png")
        body += ["", "![ratio per configuration](step_vs_torch.png)"]
    data = [{**r, "ours": r["ours"].best, "torch": r["torch"].best if r["torch"] else None} for r in rows]
    return Section("1. Training step: reference package vs PyTorch CPU", "\n".join(body), targets, {"rows": data})
