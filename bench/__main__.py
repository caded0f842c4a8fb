"""``python -m bench``: run the benchmarks, print their tables, write bench/results/REPORT.md.

    python -m bench                       # all sections but `make test`
    python -m bench --only step,peak      # some sections
    python -m bench --make-test           # also time the whole maintainers' suite (minutes)
    python -m bench --quick               # fewer rounds: a smoke run, not for the report
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from . import RESULTS
from .env import without_openblas_override

SECTIONS = ("step", "peak", "loop", "notebooks", "memory")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections out of {','.join(SECTIONS)}")
    parser.add_argument("--threads", default="1,2", help="thread counts for both NumPy's BLAS and PyTorch (default 1,2)")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved timing rounds per measurement (default 15)")
    parser.add_argument("--quick", action="store_true", help="3 rounds and one thread count: a smoke run")
    parser.add_argument("--make-test", action="store_true", help="also time `make test` as a whole")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where REPORT.md, results.json and the plots go")
    parser.add_argument("--keep-openblas-env", action="store_true", help="do not remove OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE")
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    args.threads = [int(t) for t in args.threads.split(",")]
    if args.quick:
        args.rounds, args.threads = 3, args.threads[:1]
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    if not args.keep_openblas_env:
        without_openblas_override(["-m", "bench", *argv])  # before NumPy is imported
    from . import blas_peak, loop_vs_batch, memory, notebooks, step_vs_torch
    from .env import can_set_threads, describe
    from .report import Section, table, targets_table

    if not can_set_threads():
        print("threadpoolctl is not installed: thread counts cannot be set; measuring with the default only", file=sys.stderr)
        args.threads = args.threads[:1]
    args.out.mkdir(parents=True, exist_ok=True)
    facts = describe()
    print("\n".join(f"{k}: {v}" for k, v in facts.items()), flush=True)
    runners = {
        "step": lambda: step_vs_torch.run(args.threads, args.rounds, args.out),
        "peak": lambda: blas_peak.run(args.threads, max(3, (2 * args.rounds) // 3), args.out),
        "loop": lambda: loop_vs_batch.run(args.out, args.threads[0], rounds=max(3, args.rounds // 3)),
        "notebooks": lambda: notebooks.run(args.make_test),
        "memory": memory.run,
    }
    sections: list[Section] = []
    start = time.perf_counter()
    for name in args.only:
        print(f"\n== {name}", flush=True)
        section = runners[name]()
        print(section.body, flush=True)
        sections.append(section)
    targets = [t for s in sections for t in s.targets]
    facts["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    facts["run"] = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {time.perf_counter() - start:.0f} s, `python -m bench {' '.join(argv)}`".rstrip()
    report = [
        "# backproplab benchmarks",
        "",
        "Written by `make bench` (`python -m bench`). Every figure is a ratio or share measured side by side in one run "
        "on the machine below; times are the best of interleaved rounds because the machine is shared. No test asserts any of it. "
        "How the numbers are taken, and what was changed in the reference package to reach them: [bench/README.md](../README.md).",
        "",
        table(["", ""], [[k, v] for k, v in facts.items()], left=2),
        "",
        "## Targets",
        "",
        targets_table(targets),
        "",
        *[f"## {s.title}\n\n{s.body}\n" for s in sections],
    ]
    (args.out / "REPORT.md").write_text("\n".join(report))
    (args.out / "results.json").write_text(json.dumps({"facts": facts, **{s.title: s.data for s in sections}}, indent=1, default=str))
    print("\n" + targets_table(targets))
    print(f"\nreport: {args.out / 'REPORT.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
