"""5. Peak memory of one epoch over full-size MNIST shapes, and proof that `fit` never copies the data.

A fresh subprocess generates a 60,000×784 float32 training set (and one-hot
float32 targets), then runs `backproplab.train.fit` with the reference
`mlp_loss` under tracemalloc, which NumPy reports its allocations to. The
peak of memory allocated *during* `fit` is compared with the data set's size:
a copy of X (even one per epoch) would show up as at least ``X.nbytes``.
Three epochs must peak no higher than one (nothing grows per epoch). The
process's peak resident size during each run is reported too.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tracemalloc

import numpy as np

from . import ROOT
from .report import Section, Target, mib, table

N, D, K, HIDDEN, BATCH = 60_000, 784, 10, 100, 100
COPY_LIMIT = 0.05  # the peak during fit stays below 5% of X.nbytes


def reset_peak_rss() -> bool:
    """Reset the kernel's record of this process's peak resident size (Linux ≥ 4.0); False where impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def peak_rss() -> int:
    """Peak resident size in bytes since the start or the last `reset_peak_rss` (VmHWM on Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def epoch_peaks() -> dict:
    """Run in the subprocess: peaks of fit over 1 and 3 epochs, with and without per-epoch accuracy."""
    from . import solutions_on_path

    solutions_on_path()
    from backproplab.mlp import init_params, mlp_forward, mlp_loss
    from backproplab.train import fit

    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, D), dtype=np.float32)
    labels = rng.integers(0, K, N)
    Y = np.eye(K, dtype=np.float32)[labels]
    params = {k: v.astype(np.float32) for k, v in init_params([D, HIDDEN, K]).items()}
    loss_and_grads = lambda p, x, y: mlp_loss(p, x, y, 1e-3)  # noqa: E731
    predict = lambda p, x: mlp_forward(p, x)[0].argmax(axis=1)  # noqa: E731
    fit(params, loss_and_grads, X[:1000], Y[:1000], lr=0.05, epochs=1, batch_size=BATCH, predict=predict, progress=False)  # imports, caches
    rss = {"data generated": peak_rss()}
    peaks = {}
    for name, epochs, pred in [("1 epoch", 1, None), ("3 epochs", 3, None), ("1 epoch + train accuracy", 1, predict)]:
        resettable = reset_peak_rss()
        tracemalloc.start()
        fit(params, loss_and_grads, X, Y, lr=0.05, epochs=epochs, batch_size=BATCH, predict=pred, progress=False)
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss[name] = peak_rss() if resettable else None
    return {"X_bytes": X.nbytes, "Y_bytes": Y.nbytes, "peak_rss": rss, "peaks": peaks}


def run() -> Section:
    proc = subprocess.run([sys.executable, "-m", "bench.memory"], cwd=ROOT, capture_output=True, text=True, check=True)
    res = json.loads(proc.stdout.splitlines()[-1])
    x = res["X_bytes"]
    data = x + res["Y_bytes"]
    rss = res["peak_rss"]
    peaks = res["peaks"]
    print(f"  peak during one epoch {mib(peaks['1 epoch'])} for X of {mib(x)}", flush=True)
    body = "\n".join(
        [
            f"X is {N:,}×{D} float32 ({mib(x)}), Y one-hot float32 ({mib(res['Y_bytes'])}), network {D}→{HIDDEN}→{K}, batch {BATCH}, "
            "`fit(..., progress=False)` with the reference `mlp_loss`. 'Peak during fit' is tracemalloc's peak of memory allocated "
            "after the data existed.",
            "",
            table(
                ["run", "peak allocated during fit", "share of X", "data + that peak", "process peak RSS during the run"],
                [[name, mib(peak), f"{peak / x:.1%}", mib(data + peak), mib(rss[name]) if rss[name] else "–"] for name, peak in peaks.items()],
            ),
            "",
            f"Process peak RSS with the data generated, before the runs: {mib(rss['data generated'])} "
            "(Python, NumPy and the data; the kernel's peak is reset before each run). RSS also counts tracemalloc's own bookkeeping. "
            "Per-epoch accuracy over all 60,000 rows (`predict`) costs the full-set activations and validation temporaries, not a copy of X.",
        ]
    )
    one, three = peaks["1 epoch"], peaks["3 epochs"]
    targets = [
        Target(
            "fit does not copy the data set (per epoch or at all)",
            f"peak during fit < {COPY_LIMIT:.0%} of X, 3 epochs ≤ 1 epoch + 1 MiB",
            f"{one / x:.1%} of X; 3 epochs {mib(three)} vs 1 epoch {mib(one)}",
            one < COPY_LIMIT * x and three <= one + 2**20,
        )
    ]
    return Section("5. Memory of one epoch at MNIST size", body, targets, res)


if __name__ == "__main__":
    print(json.dumps(epoch_peaks()))
