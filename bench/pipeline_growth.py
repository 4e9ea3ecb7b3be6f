"""Benchmark: does a full `newsetl run` cost more per new article when the database is bigger?

bench/dedup_growth.py times dedup alone. This one runs the whole pipeline, as a user
would: for each size N (default 1k, 10k, 100k), a database is bulk-loaded with N stored
articles exactly as dedup_growth builds them (replicas of synd_dev documents that share
topic words but no 5-gram, with entities, through the real dedup and write code), as an
archive that grew by PER_DAY articles a day up to now: a bigger database is a longer
archive, and the new articles' story window (±14 days) holds the same recent days of it
(`--dense` puts all N in the last ten days instead: the window then grows with N). Then
`newsetl run` reads the same NEW real synd_dev documents (.txt files, fetched now) into
that database in a fresh process, and the flow's own `stage seconds` line tells how long
dedup and the writes took. Printed per N: the run's wall time, dedup and write ms per new
article, their ratio to the smallest database (same run, same machine, so the ratios hold
on a busy machine), and the peak RSS of all the run's processes.

Each size is built once and run `--repeat` times (default 2) from a fresh copy, the sizes
taking turns; the fastest run of each size counts (the machine's load drifts).

    nice -n 10 .venv/bin/python bench/pipeline_growth.py [--sizes 1000,10000,100000] [--new 600] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import dedup_growth  # noqa: E402
from pipeline import measured, stage_seconds  # noqa: E402

# A large newsroom's or aggregator's daily intake. The new articles' story window (the 14
# days before now) then holds 7,000 stored articles once the archive is that long: the 10k
# archive (20 days) and the 100k one (200 days) give the window the same content, so their
# ratio is the cost of the archive's length alone; 1k (2 days) lies wholly inside it.
PER_DAY = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--new", type=int, default=600, help="new articles per run (the first N synd_dev documents)")
    parser.add_argument("--ner-processes", default=None, help="newsetl run --ner-processes (default: newsetl's default)")
    parser.add_argument("--per-day", type=int, default=PER_DAY, help="stored articles per day of archive")
    parser.add_argument("--dense", action="store_true", help="all N stored articles in the last ten days")
    parser.add_argument("--repeat", type=int, default=2, help="runs per size, interleaved across the sizes; the fastest counts")
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in dedup_growth.DOCS.read_text(encoding="utf-8").splitlines() if line.strip()]
    newsetl = str(Path(sys.executable).with_name("newsetl"))
    options = ["--ner-processes", args.ner_processes] if args.ner_processes is not None else []
    rows = []
    with tempfile.TemporaryDirectory(prefix="newsetl-pipeline-growth-") as tmp:
        work = Path(tmp)
        folder = work / "new"
        folder.mkdir()
        for index, text in enumerate(texts[: args.new]):
            (folder / f"{index:05d}.txt").write_text(text, encoding="utf-8")
        (work / "empty").mkdir()
        measured([newsetl, "run", "empty", "--db", "warm-up.duckdb"], work)  # Prefect's own database, once
        sizes = [int(s) for s in args.sizes.split(",")]
        built = {}
        for n in sizes:
            db = work / f"db_{n}.duckdb"
            # The archive ends now: the new articles are fetched now, and their story lookups
            # reach into its last days as in a live archive (the runs below follow within
            # minutes: nothing of a 14-day window).
            days = 10 if args.dense else n / args.per_day
            dedup_growth.BASE = datetime.now(timezone.utc) - timedelta(days=days, hours=1)
            built[n] = (db, dedup_growth.build(db, texts, n, None if args.dense else args.per_day), db.stat().st_size / 2**20)
        # Each run reads the new articles into a fresh copy of a built database. The sizes
        # take turns, in reverse order every other round, and each size's fastest run counts:
        # this machine's load drifts over the ten minutes the runs take, and one round in
        # size order once gave 1.34 and once 1.81 for the same code.
        runs: dict[int, list[tuple[float, float, float, float]]] = {n: [] for n in sizes}
        for round_ in range(args.repeat):
            for n in sizes if round_ % 2 == 0 else sizes[::-1]:
                copy = work / "run.duckdb"
                shutil.copyfile(built[n][0], copy)
                wall, mb, out = measured([newsetl, "run", "new", "--db", copy.name, *options], work)
                stages = stage_seconds(out)
                runs[n].append((stages.get("dedup", 0.0), stages.get("write", 0.0), wall, mb))
                copy.unlink()
        for n in sizes:
            best = min(runs[n])
            rows.append((n, built[n][1], best[2], best[0], min(r[1] for r in runs[n]), max(r[3] for r in runs[n]), built[n][2]))
    new = args.new
    _, _, _, dedup0, write0, _, _ = rows[0]
    shape = "all in the last ten days" if args.dense else f"{args.per_day:,} a day up to now"
    print(f"## `newsetl run` of {new} new articles into a database of N stored articles ({shape}; {' '.join(options) or 'default settings'})\n")
    print("| stored N | load s | run wall s | dedup ms/article | ratio | write ms/article | ratio | peak RSS MB | db MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, load_s, wall, dedup, write, mb, db_mb in rows:
        print(
            f"| {n:,} | {load_s:.0f} | {wall:.1f} | {1000 * dedup / new:.2f} | {dedup / dedup0:.2f} | "
            f"{1000 * write / new:.2f} | {write / write0:.2f} | {mb:.0f} | {db_mb:.0f} |"
        )
    every = "; ".join(f"{n:,}: " + ", ".join(f"{1000 * r[0] / new:.2f}" for r in runs[n]) for n in sizes)
    print(f"\nfastest of {args.repeat} runs per size (wall: of that run; peak RSS: of all). Dedup ms/article of every run, in run order: {every}")


if __name__ == "__main__":
    main()
