"""NER in worker processes: the same entities as in-process NER, and a dead worker costs
one call, not the run."""

import os
import signal
from datetime import datetime, timezone

import pytest
from concurrent.futures.process import BrokenProcessPool

from newsetl.tasks import ner_processes
from newsetl.tasks.entities import extract_entities
from newsetl.tasks.records import Article

TEXTS = [
    "Mayor Anna Kowalski visited Kyiv on Monday with officials from the European Union.",
    "The Toronto Maple Leafs beat the Boston Bruins 4-2 at Scotiabank Arena, coach Craig Berube said.",
    "",
    "Shares of Siemens rose in Frankfurt after the company reported higher orders from China.",
]


def articles():
    return [
        Article(
            doc_id=f"d{i}", source_uri=f"mem://{i}", source="test", raw_text=text, content_hash=str(i), input_format="text",
            fetched_at=datetime.now(timezone.utc), clean_text=text, language="en",
        )
        for i, text in enumerate(TEXTS)
    ]


@pytest.fixture
def small_batches_go_to_processes(monkeypatch):
    monkeypatch.setattr(ner_processes, "MIN_TEXTS_TO_START", 1)
    yield
    ner_processes.shutdown()


def test_entities_from_worker_processes_equal_those_from_this_process(small_batches_go_to_processes):
    here = extract_entities(articles(), processes=0)
    there = extract_entities(articles(), processes=2)
    assert [a.entities for a in there] == [a.entities for a in here]
    assert [a.ner_model for a in there] == [a.ner_model for a in here]
    names = {e.canonical for a in there for e in a.entities}
    assert {"Kyiv", "Anna Kowalski", "Siemens"} <= names
    assert there[2].entities == () and there[2].ner_model is None  # no text, no model run


def test_a_killed_worker_fails_one_call_and_the_next_call_gets_new_workers(small_batches_go_to_processes):
    ner_processes.docs_in_processes("en", TEXTS[:1], 16, 2)
    for process in list(ner_processes._pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
    with pytest.raises(BrokenProcessPool):
        ner_processes.docs_in_processes("en", TEXTS, 16, 2)
    version, docs = ner_processes.docs_in_processes("en", TEXTS, 16, 2)
    assert version and len(docs) == len(TEXTS)
    assert any(ent.label_ == "GPE" for ent in docs[0].ents)


def test_ctrl_c_reaching_the_workers_leaves_the_stop_to_the_run(small_batches_go_to_processes):
    # Ctrl-C signals the terminal's whole process group: a worker that took it died with a
    # KeyboardInterrupt traceback of its own beside the run's one-line "run stopped".
    ner_processes.docs_in_processes("en", TEXTS[:1], 16, 2)
    workers = list(ner_processes._pool._processes.values())
    for process in workers:
        os.kill(process.pid, signal.SIGINT)
    version, docs = ner_processes.docs_in_processes("en", TEXTS, 16, 2)
    assert version and any(ent.label_ == "GPE" for ent in docs[0].ents)
    assert all(process.is_alive() for process in workers)


def test_small_batches_stay_in_process_until_the_pool_is_up():
    assert ner_processes._pool is None
    assert not ner_processes.pool_worth_using(ner_processes.MIN_TEXTS_TO_START - 1)
    assert ner_processes.pool_worth_using(ner_processes.MIN_TEXTS_TO_START)


def test_workers_are_replaced_after_a_number_of_calls_so_memory_stays_flat(small_batches_go_to_processes, monkeypatch):
    monkeypatch.setattr(ner_processes, "MAX_CALLS_PER_WORKER", 2)
    ner_processes.shutdown()
    pool = ner_processes._get_pool(1)
    pids = [pool.submit(os.getpid).result() for _ in range(3)]
    assert pids[0] == pids[1] != pids[2]
    version, docs = ner_processes.docs_in_processes("en", TEXTS, 16, 1)  # the new worker loads the model again
    assert version and any(ent.label_ == "GPE" for ent in docs[0].ents)


def test_workers_do_not_outlive_a_run_killed_with_sigkill(tmp_path):
    import subprocess
    import sys
    import time

    script = (
        "import os, signal\n"
        "from newsetl.tasks import ner_processes\n"
        "pool = ner_processes._get_pool(2)\n"
        "print(*[pool.submit(os.getpid).result() for _ in range(4)], flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"  # no atexit, no shutdown: as under kill -9
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    workers = {int(pid) for pid in out.stdout.split()}
    assert workers, out.stderr
    deadline = time.monotonic() + 10 * ner_processes.PARENT_CHECK_S + 5
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = {pid for pid in workers if _running(pid)}
    assert not alive, f"workers {alive} outlived the killed run"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_workers_yield_the_cpu_to_the_run_process_once_their_model_is_loaded(small_batches_go_to_processes):
    pool = ner_processes._get_pool(1)
    assert pool.submit(ner_processes._load, "en", True).result()  # `newsetl run`'s first worker: loads at the run's priority
    assert pool.submit(os.nice, 0).result() >= min(19, os.nice(0) + ner_processes.WORKER_NICENESS)  # 19: the lowest priority


def test_one_warmed_worker_takes_a_small_batch_and_a_big_run_warms_the_others():
    try:
        ner_processes.start(2, warm=1)  # what `newsetl run` does once it knows something is new
        assert ner_processes.pool_worth_using(1)
        here = extract_entities(articles()[:1], processes=0)
        there = extract_entities(articles()[:1], processes=2)
        assert [a.entities for a in there] == [a.entities for a in here] and there[0].entities
        assert len(ner_processes._pool._processes) == 1  # a worker still loading is waited for, not doubled
        ner_processes.start(2)  # a first batch of MIN_TEXTS_TO_START: the second worker loads too
        ner_processes.docs_in_processes("en", TEXTS, 16, 2)
        assert len(ner_processes._pool._processes) == 2
    finally:
        ner_processes.shutdown()


def test_the_run_process_imports_spacy_and_the_html_feed_and_date_parsers_only_when_used():
    import subprocess
    import sys

    script = (
        "import sys\n"
        "import newsetl.flows.pipeline, newsetl.flows.cli\n"
        "from newsetl.tasks.entity_ids import entity_id\n"
        "from newsetl.tasks.language import stop_words\n"
        "entity_id('Kyiv', 'place', 'en'), stop_words('en')\n"  # entity ids and dedup's stop words need no spaCy
        "print(*sorted(m for m in ('spacy', 'trafilatura', 'feedparser', 'dateparser.search', 'tldextract') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout + out.stderr[-2000:]
