"""What the benchmarks run on: BLAS kernel, threads, the optional PyTorch.

Some machines set ``OPENBLAS_CORETYPE`` (and ``OPENBLAS_L2_SIZE``) because old
OpenBLAS builds crash on their processor; a current NumPy then runs a slower,
older kernel. `main` of the benchmarks re-executes itself once without both
variables (`without_openblas_override`) so NumPy's OpenBLAS picks its native
kernel, like PyTorch's MKL does, and the report names both kernels. Nothing
here changes the environment of the tests or CI.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
from collections.abc import Iterator

OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
REMOVED = "BACKPROPLAB_BENCH_REMOVED"  # what the re-executed process was started without
TORCH_MISSING = "PyTorch is not installed (make bench installs its CPU build where one is available): PyTorch rows skipped"


def without_openblas_override(argv: list[str]) -> None:
    """Re-execute this Python process without the OpenBLAS overrides, if any is set.

    Must run before NumPy is imported. The removed settings are passed on in
    ``BACKPROPLAB_BENCH_REMOVED`` so the report can state them, and so
    subprocesses that should see the user's environment (notebooks, ``make
    test``) get them back via `user_environment`.
    """
    removed = {k: os.environ[k] for k in OPENBLAS_OVERRIDES if k in os.environ}
    if not removed or REMOVED in os.environ:
        return
    env = {k: v for k, v in os.environ.items() if k not in removed}
    env[REMOVED] = ";".join(f"{k}={v}" for k, v in removed.items())
    os.execve(sys.executable, [sys.executable, *argv], env)


def removed_overrides() -> dict[str, str]:
    value = os.environ.get(REMOVED, "")
    return dict(item.split("=", 1) for item in value.split(";") if item)


def user_environment() -> dict[str, str]:
    """The environment the benchmarks were started with (overrides restored)."""
    env = {k: v for k, v in os.environ.items() if k != REMOVED}
    env.update(removed_overrides())
    return env


def torch_or_none():
    """The `torch` module, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def blas_libraries() -> list[dict]:
    """threadpoolctl's view of the loaded BLAS and OpenMP libraries ([] without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return threadpool_info()


def numpy_kernel() -> str:
    """e.g. ``"openblas 0.3.29, SkylakeX kernel"``."""
    for lib in blas_libraries():
        if lib.get("user_api") == "blas" and "numpy" in lib.get("filepath", ""):
            return f"{lib['internal_api']} {lib.get('version')}, {lib.get('architecture', '?')} kernel"
    return "unknown (install threadpoolctl to see it)"


def torch_kernel(torch) -> str:
    if torch is None:
        return "not installed"
    config = torch.__config__.show()
    blas = "MKL" if "BLAS_INFO=mkl" in config else "its bundled BLAS"
    capability = next((line.split(":", 1)[1].strip() for line in config.splitlines() if "CPU capability" in line), "?")
    return f"torch {torch.__version__} with {blas}, CPU capability {capability}"


@contextlib.contextmanager
def threads(n: int, torch=None) -> Iterator[None]:
    """Limit NumPy's BLAS (via threadpoolctl) and PyTorch to `n` threads."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        limits = contextlib.nullcontext()
    else:
        limits = threadpool_limits(n)
    before = torch.get_num_threads() if torch is not None else None
    with limits:
        if torch is not None:
            torch.set_num_threads(n)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)


def can_set_threads() -> bool:
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return False
    return True


def describe() -> dict[str, str]:
    """The facts the report prints about this run's machine and libraries."""
    import numpy as np

    torch = torch_or_none()
    removed = removed_overrides()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "machine": f"{platform.machine()}, {_cpu_model()}, {os.cpu_count()} logical CPUs",
        "python": platform.python_version(),
        "numpy": f"numpy {np.__version__}, {numpy_kernel()}",
        "torch": torch_kernel(torch),
        "OpenBLAS overrides": _overrides(removed),
        "load average at start": " ".join(f"{x:.2f}" for x in load) + f" (1, 5, 15 min; above {os.cpu_count()}, work waited for a core)",
    }


def _overrides(removed: dict[str, str]) -> str:
    if removed:
        return "removed for the benchmark process (NumPy runs its native kernel): " + ", ".join(f"{k}={v}" for k, v in removed.items())
    kept = [f"{k}={os.environ[k]}" for k in OPENBLAS_OVERRIDES if k in os.environ]
    return "kept (--keep-openblas-env): " + ", ".join(kept) if kept else "none set"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
