"""2. What share of the machine's NumPy GEMM rate one training step reaches on a large layer.

The peak is the best rate of a single NumPy matrix product (into a preallocated
output) over the step's own product shapes and a square one. The step is the
4096→4096→10 network at batch 1024; its useful work is the matrix products a
training step needs (`network.useful_flops`: no gradient w.r.t. X), so the
share counts validation, elementwise work, allocation and Python overhead as
lost time. PyTorch's step is measured against the same NumPy peak, and its own
GEMM rate is shown beside it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np

from .env import TORCH_MISSING, removed_overrides, threads, torch_or_none, user_environment
from .network import TorchStep, check_same_step, make_problem, ours, useful_flops
from .report import NOISY, Section, Target, ms, table
from .timing import compare

SIZES, BATCH, DTYPE = [4096, 4096, 10], 1024, np.float32
TARGET = 0.70


def gemm_shapes(n_in: int, n_out: int, m: int) -> dict[str, tuple[int, int, int]]:
    """(rows, inner, cols) of the products of a layer (n_in → n_out) at batch m, and a square one."""
    return {
        "forward X W": (m, n_in, n_out),
        "backward Xᵀ dZ": (n_in, m, n_out),
        f"square {n_in}": (n_in, n_in, n_in),
    }


def gemm(rows: int, inner: int, cols: int, dtype: type, torch=None):
    """A zero-argument GEMM into a preallocated output (NumPy, or PyTorch if given)."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((rows, inner)).astype(dtype)
    B = rng.standard_normal((inner, cols)).astype(dtype)
    C = np.empty((rows, cols), dtype)
    if torch is None:
        return lambda: np.matmul(A, B, out=C)
    tA, tB, tC = torch.from_numpy(A), torch.from_numpy(B), torch.from_numpy(C)
    return lambda: torch.mm(tA, tB, out=tC)


def system_time(fn, repeat: int = 3) -> float:
    """Least kernel (system) CPU seconds of one call: mostly page faults of freshly allocated arrays."""
    best = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
        fn()
        best = min(best, resource.getrusage(resource.RUSAGE_SELF).ru_stime - before)
    return best


def measure(n_threads: int, rounds: int) -> dict:
    torch = torch_or_none()
    problem = make_problem(SIZES, BATCH, DTYPE)
    shapes = gemm_shapes(SIZES[0], SIZES[1], BATCH)
    square = {name: shape for name, shape in shapes.items() if name.startswith("square")}
    with threads(n_threads, torch):
        # The square product gets rounds of its own: interleaved with the steps, it made their fresh
        # weight-sized arrays fault in slowly (the kernel compacting memory for huge pages, seen as
        # system time), which a training loop, step after step, does not see.
        t = compare({f"numpy {name}": gemm(*shape, DTYPE) for name, shape in square.items()}, rounds=max(3, rounds // 2), min_time=0.0)
        fns = {f"numpy {name}": gemm(*shape, DTYPE) for name, shape in shapes.items() if name not in square}
        fns["ours step"] = ours(problem)
        if torch is not None:
            check_same_step(torch, problem)
            fns.update({f"torch {name}": gemm(*shape, DTYPE, torch) for name, shape in shapes.items() if name not in square})
            fns["torch step"] = TorchStep(torch, problem)
        t.update(compare(fns, rounds=rounds, min_time=0.0))
        system = {name: system_time(fns[name]) for name in ("ours step", "torch step") if name in fns}
    flops = {f"{lib} {name}": 2 * r * k * c for name, (r, k, c) in shapes.items() for lib in ("numpy", "torch")}
    flops["ours step"] = flops["torch step"] = useful_flops(SIZES, BATCH)
    rates = {name: flops[name] / timing.best for name, timing in t.items()}
    peak = max(rate for name, rate in rates.items() if name.startswith("numpy"))
    # With one thread, CPU time leaves out the time spent waiting for a core that someone else held.
    cpu_rates = {name: flops[name] / timing.cpu_best for name, timing in t.items()} if n_threads == 1 else None
    cpu_peak = max(rate for name, rate in cpu_rates.items() if name.startswith("numpy")) if cpu_rates else None
    return {"threads": n_threads, "times": t, "rates": rates, "peak": peak, "cpu_rates": cpu_rates, "cpu_peak": cpu_peak, "system": system, "torch": torch is not None}


OVERRIDE_PROBE = """
import json, time, numpy as np
from threadpoolctl import threadpool_info, threadpool_limits
threadpool_limits({threads})
A, B = np.ones((1024, 4096), np.float32), np.ones((4096, 4096), np.float32)
C = np.empty((1024, 4096), np.float32)
best = float("inf")
for _ in range({rounds}):
    t0 = time.perf_counter(); np.matmul(A, B, out=C); best = min(best, time.perf_counter() - t0)
kernel = [lib.get("architecture") for lib in threadpool_info() if lib.get("user_api") == "blas"]
print(json.dumps({{"kernel": kernel[0] if kernel else "?", "rate": 2 * 1024 * 4096 * 4096 / best}}))
"""


def with_user_overrides(n_threads: int, rounds: int) -> dict | None:
    """NumPy's kernel and forward-GEMM rate with and without the environment's OpenBLAS overrides.

    The kernel is chosen when NumPy loads, so each side runs in its own short
    process; the two alternate `rounds` times and each keeps its best rate.
    None when no override was set.
    """
    if not removed_overrides():
        return None
    code = OVERRIDE_PROBE.format(threads=n_threads, rounds=3)
    envs = {"override": user_environment(), "native": dict(os.environ)}
    best: dict[str, dict] = {}
    for r in range(rounds):
        for side in envs if r % 2 == 0 else reversed(list(envs)):
            proc = subprocess.run([sys.executable, "-c", code], env=envs[side], capture_output=True, text=True)
            if proc.returncode != 0:
                return None
            probe = json.loads(proc.stdout)
            if side not in best or probe["rate"] > best[side]["rate"]:
                best[side] = probe
    return best


def run(thread_counts: list[int], rounds: int, out: Path) -> Section:
    results = []
    for n_threads in thread_counts:
        res = measure(n_threads, rounds)
        results.append(res)
        print(f"  threads {n_threads}: NumPy peak {res['peak'] / 1e9:.0f} GFLOP/s, our step {res['rates']['ours step'] / res['peak']:.0%}", flush=True)
    body = [
        f"Network {'→'.join(map(str, SIZES))}, batch {BATCH}, {np.dtype(DTYPE).name}: one step does "
        f"{useful_flops(SIZES, BATCH) / 1e9:.1f} GFLOP of necessary matrix products. "
        "Share = (those FLOP / step time) / NumPy GEMM peak, best of interleaved rounds; noise = median/best − 1.",
        "",
    ]
    if not results[0]["torch"]:
        body += [f"> {TORCH_MISSING}.", ""]
    rows = []
    for res in results:
        for name, timing in res["times"].items():
            cpu_share = f"{res['cpu_rates'][name] / res['cpu_peak']:.0%}" if res["cpu_rates"] else "–"
            rows.append(
                [res["threads"], name, ms(timing.best), f"{res['rates'][name] / 1e9:,.0f}", f"{res['rates'][name] / res['peak']:.0%}", cpu_share, f"{timing.noise:.0%}"]
            )
    body.append(table(["threads", "what", "wall time", "GFLOP/s", "share of NumPy peak", "same in CPU time", "noise"], rows, left=2))
    body += [
        "",
        "Kernel time per step (least of 3; page faults of the new arrays a step allocates): "
        + "; ".join(f"{r['threads']} thread{'s' if r['threads'] > 1 else ''}: " + ", ".join(f"{k} {ms(v)}" for k, v in r["system"].items()) for r in results)
        + ". Our step allocates five new weight-sized arrays (dW1, λW1, W1², lr·g, the new W1) of 64 MiB each; how much "
        "faulting them in costs depends on the kernel's huge-page compaction and so on what else runs.",
    ]
    body += [
        "",
        "'Same in CPU time' (1 thread only): the share computed from process CPU time instead of wall time, which leaves out "
        "the time the thread waited for a core held by other work; with 2 threads CPU time also counts spinning BLAS threads, so it is not shown.",
    ]
    for res in results:
        probe = with_user_overrides(res["threads"], rounds)
        if probe:
            over, native = probe["override"], probe["native"]
            body += [
                "",
                f"With the environment's OpenBLAS overrides ({', '.join(f'{k}={v}' for k, v in removed_overrides().items())}) "
                f"NumPy runs the {over['kernel']} kernel instead of {native['kernel']}: forward X W at {over['rate'] / 1e9:,.0f} "
                f"instead of {native['rate'] / 1e9:,.0f} GFLOP/s with {res['threads']} thread{'s' if res['threads'] > 1 else ''} "
                f"({over['rate'] / native['rate']:.0%}; separate processes, alternated). Tests and CI keep the overrides.",
            ]
    targets = [
        Target(
            f"share of NumPy GEMM peak, 4096×4096 layer, batch 1024, {res['threads']} thread{'s' if res['threads'] > 1 else ''}",
            f"≥ {TARGET:.0%}",
            f"{res['rates']['ours step'] / res['peak']:.0%} (peak {res['peak'] / 1e9:.0f} GFLOP/s)"
            + (f"; in CPU time {res['cpu_rates']['ours step'] / res['cpu_peak']:.0%}" if res["cpu_rates"] else ""),
            res["rates"]["ours step"] / res["peak"] >= TARGET,
            noisy=any(t.noise > NOISY for name, t in res["times"].items() if name.startswith("numpy") or name == "ours step"),
        )
        for res in results
    ]
    data = [
        {"threads": r["threads"], "peak_flops": r["peak"], "seconds": {k: v.best for k, v in r["times"].items()}, "cpu_seconds": {k: v.cpu_best for k, v in r["times"].items()}}
        for r in results
    ]
    return Section("2. Share of the BLAS peak on a large layer", "\n".join(body), targets, {"runs": data})
