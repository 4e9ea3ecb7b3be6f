"""Benchmark: the whole pipeline's time and peak memory as the input grows.

Runs `newsetl run` in a fresh process per input size on the first N documents of
../shared/bench/dedup/synd_dev/docs.jsonl (real BBC articles with syndicated copies), and
prints a table. Ratios are against the smallest size measured in the same run, so they
hold on a busy machine; "memory stays flat" means the RSS ratio stays near 1 while the
input grows.

    .venv/bin/python bench/pipeline.py [--sizes 200,800,1553] [--batch-size 200]
                                       [--runners threads,processes,dask]

With --runners, the largest input is also run once per task runner (`--task-runner`;
threads as by default, processes and dask with two workers) and a second table gives
each runner's time against threads. Peak RSS
is that of the largest single process (a worker or the flow), not their sum.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO.parent / "shared" / "bench" / "dedup" / "synd_dev" / "docs.jsonl"
MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def run_once(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run `command` in a fresh process; return (wall seconds, peak RSS of any descendant in MB)."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=cwd, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    code, rss_kb = out.stdout.split()
    if code not in ("0", "3"):
        raise SystemExit(f"{command} exited {code}")
    return elapsed, int(rss_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200,800,1553")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--runners", default="", help="also compare these task runners on the largest size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    newsetl = str(Path(sys.executable).with_name("newsetl"))
    env_note = f"batch size {args.batch_size}, {os.cpu_count()} cores"

    rows = []
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-") as tmp:
        work = Path(tmp)
        # Fixed cost: a run over zero new articles (Prefect temporary API, schema, imports).
        (work / "empty.jsonl").write_text("", encoding="utf-8")
        base_s, base_mb = run_once([newsetl, "run", "empty.jsonl", "--db", "empty.duckdb"], work)
        for n in sizes:
            subset = work / f"docs_{n}.jsonl"
            subset.write_text("\n".join(lines[:n]) + "\n", encoding="utf-8")
            seconds, peak_mb = run_once(
                [newsetl, "run", subset.name, "--db", f"db_{n}.duckdb", "--batch-size", str(args.batch_size)], work
            )
            rows.append((n, seconds, peak_mb))
        runner_rows = []
        n = sizes[-1]
        for runner in [r for r in args.runners.split(",") if r]:
            workers = [] if runner == "threads" else ["--workers", "2"]  # threads: the default, one worker
            seconds, peak_mb = run_once(
                [newsetl, "run", f"docs_{n}.jsonl", "--db", f"db_{n}_{runner}.duckdb", "--batch-size",
                 str(args.batch_size), "--task-runner", runner, *workers],
                work,
            )
            runner_rows.append((runner, seconds, peak_mb))

    n0, s0, m0 = rows[0]
    print(f"newsetl pipeline benchmark on synd_dev ({env_note})")
    print(f"fixed cost (empty input): {base_s:.1f} s, peak RSS {base_mb:.0f} MB")
    print(f"{'articles':>9} {'wall s':>8} {'art/s':>7} {'peak MB':>8} {'time/art ratio':>15} {'RSS ratio':>10}")
    for n, seconds, peak_mb in rows:
        per_article = (seconds - base_s) / n
        ratio = per_article / ((s0 - base_s) / n0)
        print(f"{n:>9} {seconds:>8.1f} {n / (seconds - base_s):>7.1f} {peak_mb:>8.0f} {ratio:>15.2f} {peak_mb / m0:>10.2f}")
    if runner_rows:
        print(f"\ntask runners on {sizes[-1]} articles (threads: the default, one worker; the others two workers)")
        print(f"{'runner':>10} {'wall s':>8} {'art/s':>7} {'peak MB':>8} {'time vs threads':>16}")
        threads_s = next((s for r, s, _ in runner_rows if r == "threads"), runner_rows[0][1])
        for runner, seconds, peak_mb in runner_rows:
            print(f"{runner:>10} {seconds:>8.1f} {sizes[-1] / seconds:>7.1f} {peak_mb:>8.0f} {seconds / threads_s:>16.2f}")
    print(json.dumps({"fixed": [base_s, base_mb], "rows": rows, "runners": runner_rows}))


if __name__ == "__main__":
    main()
