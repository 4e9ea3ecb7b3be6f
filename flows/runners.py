"""Which Prefect task runner executes the CPU-heavy stages (language, cleanup, entities).

    threads    one process, a thread pool (the default). NER, the costliest stage, runs
               in NER worker processes beside it (tasks/ner_processes.py; by default one
               per CPU on 2+ cores, at a lower priority), and with NER_BATCHES_IN_FLIGHT
               batches submitted, the next batches are detected and cleaned while one
               batch's NER runs. With NER in the run's own
               process (`ner_processes=0`) one thread: more only contend for the GIL
               (measured 1.2x slower with two) unless a stage waits on I/O.
    processes  a pool of local worker processes (real parallelism on one machine)
    dask       a Dask cluster through prefect-dask: an existing one (`address`) or, with
               no address, a LocalCluster started for the run

Whatever the runner, the flow itself reads the inputs, runs dedup and is the only
process that writes DuckDB: workers receive a batch and what storage knows of its
sources, and return the batch annotated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Prefect is imported when a runner is built: `newsetl run` checks its options without it
    from prefect.task_runners import TaskRunner

RUNNER_KINDS = ("threads", "processes", "dask")
# Prefect tasks the runner gets per batch: language, cleanup, metadata settling, entities.
STAGE_TASKS = 4
# Batches submitted ahead when NER runs in worker processes: one in NER, one being detected
# and cleaned, one more so the NER workers never wait for the flow's dedup and writes. A
# batch of 200 articles is a few MB: memory stays bounded.
NER_BATCHES_IN_FLIGHT = 3


@dataclass(frozen=True)
class RunnerChoice:
    """A task runner as the user chose it: kind, number of workers, Dask scheduler address."""

    kind: str = "threads"
    workers: int | None = None
    address: str | None = None
    ner_processes: int = 0  # NER worker processes beside the runner (tasks/ner_processes.py)

    def __post_init__(self) -> None:
        if self.kind not in RUNNER_KINDS:
            raise ValueError(f"unknown task runner {self.kind!r}: choose one of {', '.join(RUNNER_KINDS)}")
        if self.address and self.kind != "dask":
            raise ValueError("a scheduler address only makes sense with the dask task runner")
        if self.ner_processes < 0:
            raise ValueError("NER worker processes cannot be negative (0 runs NER in the run's own process)")
        if self.ner_processes and self.kind != "threads":
            raise ValueError("NER worker processes go with the threads runner: processes and dask workers run NER themselves")

    @property
    def worker_count(self) -> int:
        """Workers to start: given, else one thread (STAGE_TASKS x NER_BATCHES_IN_FLIGHT when
        NER runs in worker processes), or one process or Dask worker per CPU."""
        if self.workers:
            return self.workers
        if self.kind == "threads":
            # A submitted task holds its thread while it waits for the task before it: the
            # four stage tasks of a batch take four threads. With NER in worker processes the
            # threads mostly wait (GIL released), and enough of them let the next batch be
            # detected and cleaned while this one's NER runs (measured: with two threads a
            # batch's chain held both, and nothing overlapped).
            return STAGE_TASKS * NER_BATCHES_IN_FLIGHT if self.ner_processes else 1
        return os.cpu_count() or 1

    @property
    def batches_in_flight(self) -> int:
        """How many batches the flow submits before it waits for the oldest: one per worker
        thread, or NER_BATCHES_IN_FLIGHT with NER in worker processes; with processes or Dask
        at least two, so that a batch's CPU stages overlap the previous batch's dedup and
        write in the flow."""
        if self.kind == "threads":
            return NER_BATCHES_IN_FLIGHT if self.ner_processes and not self.workers else self.worker_count
        return max(2, self.worker_count)


def resolve_ner_processes(kind: str, chosen: int | None) -> int:
    """NER worker processes for a run: as chosen, else (None) one per CPU on 2+ cores with
    the threads runner (tasks/ner_processes.default_processes) and none with processes or
    Dask, whose workers already use the cores."""
    if chosen is not None:
        return chosen
    if kind != "threads":
        return 0
    from newsetl.tasks.ner_processes import default_processes

    return default_processes()


def build_task_runner(choice: RunnerChoice) -> TaskRunner:
    """Return the Prefect task runner for `choice` (prefect-dask is imported only for dask)."""
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    if choice.kind == "threads":
        return ThreadPoolTaskRunner(max_workers=choice.worker_count)
    if choice.kind == "processes":
        return ProcessPoolTaskRunner(max_workers=choice.worker_count)
    from prefect_dask import DaskTaskRunner

    if choice.address:
        return DaskTaskRunner(address=choice.address)
    # One thread per worker process: spaCy and the cleanup rules are CPU-bound Python.
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": choice.worker_count, "threads_per_worker": 1, "dashboard_address": ":0",  # any free port: never clash with another cluster
        },
    )
