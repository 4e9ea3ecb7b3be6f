"""The CPU stages on other Prefect task runners: a Dask LocalCluster and local processes
store exactly what the thread runner stores, and so does NER in worker processes."""

import logging
import shutil
from collections import Counter

import duckdb
import pytest

from newsetl.flows import progress
from newsetl.flows.pipeline import pipeline
from newsetl.flows.runners import RunnerChoice
from tests.conftest import REPO
from tests.site_fixture import write_site

SNAPSHOT = {
    "articles": "SELECT doc_id, language, clean_text, is_article, dup_group, story_id FROM articles ORDER BY doc_id",
    "entities": "SELECT doc_id, start_char, text, label FROM entities ORDER BY doc_id, start_char, label",
    "removed_lines": "SELECT doc_id, line_no, reason FROM removed_lines ORDER BY doc_id, line_no",
}


def snapshot(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(statement).fetchall() for name, statement in SNAPSHOT.items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds and four pages of one site: three batches of 4, per-source chrome to learn."""
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "seeds").mkdir()
    for path in (REPO / "seeds").glob("*.txt"):
        shutil.copy(path, folder / "seeds" / path.name)
    write_site(folder / "gazette", range(4))
    return [str(folder / "seeds"), str(folder / "gazette")]


class ProgressRecorder(logging.Handler):
    """Collects what the flow reports to `flows.progress`: per stage, expected and done."""

    def __init__(self):
        super().__init__()
        self.expected, self.done = Counter(), Counter()

    def emit(self, record):
        self.expected[record.stage] += record.expect
        self.done[record.stage] += record.advance


@pytest.fixture(scope="module")
def threads_run(corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp("threads") / "news.duckdb"
    recorder = ProgressRecorder()
    logging.getLogger(progress.LOGGER_NAME).addHandler(recorder)
    try:
        result = pipeline(paths=corpus, db=str(db), batch_size=4, task_runner="threads", workers=2, ner_processes=0)
    finally:
        logging.getLogger(progress.LOGGER_NAME).removeHandler(recorder)
    assert result.status == "COMPLETED" and result.counts.articles_new == 9
    return snapshot(db), recorder


@pytest.fixture(scope="module")
def threads_snapshot(threads_run):
    return threads_run[0]


def test_progress_is_reported_per_stage(threads_run):
    _, recorder = threads_run
    assert set(recorder.done) == set(progress.STAGES)
    for stage in progress.STAGES:
        assert recorder.expected[stage] == recorder.done[stage] == 9, stage


@pytest.mark.parametrize("kind", ["dask", "processes"])
def test_runner_stores_what_threads_store(kind, corpus, threads_snapshot, tmp_path):
    db = tmp_path / "news.duckdb"
    result = pipeline(paths=corpus, db=str(db), batch_size=4, task_runner=kind, workers=2)
    assert result.status == "COMPLETED" and result.counts.articles_new == 9
    stored = snapshot(db)
    assert stored == threads_snapshot
    assert len(stored["entities"]) > 100 and any(reason == "source_chrome" for _, _, reason in stored["removed_lines"])


def test_ner_in_worker_processes_stores_what_ner_in_the_run_process_stores(corpus, threads_snapshot, tmp_path, monkeypatch):
    from newsetl.tasks import ner_processes

    monkeypatch.setattr(ner_processes, "MIN_TEXTS_TO_START", 1)  # batches of 4 would stay in-process
    db = tmp_path / "news.duckdb"
    result = pipeline(paths=corpus, db=str(db), batch_size=4, task_runner="threads", ner_processes=2)
    assert result.status == "COMPLETED" and result.counts.articles_new == 9
    assert snapshot(db) == threads_snapshot
    assert ner_processes._pool is None  # the run stopped its workers


def test_dask_uses_an_existing_cluster_by_address(corpus, threads_snapshot, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:
        db = tmp_path / "news.duckdb"
        result = pipeline(
            paths=corpus, db=str(db), batch_size=4, task_runner="dask", workers=2, dask_address=cluster.scheduler_address
        )
        with distributed.Client(cluster) as client:
            ran_on_cluster = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.task_prefixes))
    assert result.counts.articles_new == 9
    assert snapshot(db) == threads_snapshot
    assert ran_on_cluster > 0


@pytest.mark.parametrize(
    "kind, address, ner, problem",
    [
        ("fibers", None, 0, "unknown task runner"), ("threads", "tcp://127.0.0.1:8786", 0, "only makes sense with the dask"),
        ("dask", None, 2, "go with the threads runner"), ("threads", None, -1, "cannot be negative"),
    ],
)
def test_runner_choice_rejects_nonsense(kind, address, ner, problem):
    with pytest.raises(ValueError, match=problem):
        RunnerChoice(kind, None, address, ner)


def test_with_ner_in_processes_the_next_batches_are_prepared_while_one_is_in_ner():
    with_workers = RunnerChoice("threads", None, None, 1)
    assert with_workers.batches_in_flight >= 2
    # every stage task of every batch in flight can hold a thread while it waits
    assert with_workers.worker_count >= 4 * with_workers.batches_in_flight
    assert RunnerChoice("threads", None, None, 0).batches_in_flight == 1
    assert RunnerChoice("threads", 3, None, 2).worker_count == 3
