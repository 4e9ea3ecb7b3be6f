"""The whole pipeline, end to end: real Prefect flow, real models, a real DuckDB file."""

import json
import os
import subprocess
import sys

import duckdb
import pytest

from newsetl.flows.pipeline import pipeline
from tests.conftest import REPO
from tests.site_fixture import BODIES, SITE_CHROME_END, SITE_CHROME_MID, write_site

TABLES = ("articles", "removed_lines", "entities", "duplicates", "minhash_bands", "quarantine")
SEED_CHROME = ["Otras noticias destacadas", "Comparte el Post en:", "Más Noticias", "You may also like", "Leave a Comment", "© Thomson Reuters 2026."]


def sql(db, statement, *params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(statement, list(params)).fetchall()


def table_counts(db):
    return {t: sql(db, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    """The seeds run once through the flow, as the README's first command does."""
    seeds = tmp_path_factory.mktemp("input") / "seeds"
    seeds.mkdir()
    for path in (REPO / "seeds").glob("*.txt"):
        (seeds / path.name).write_bytes(path.read_bytes())
    db = tmp_path_factory.mktemp("db") / "news.duckdb"
    result = pipeline(paths=[str(seeds)], db=str(db), batch_size=2)  # several batches on purpose
    return db, seeds, result


def test_five_english_articles(seeded_db):
    db, _, result = seeded_db
    assert result.status == "COMPLETED" and result.counts.articles_new == 5
    assert sql(db, "SELECT language, count(*) FROM articles GROUP BY language") == [("en", 5)]


def test_chrome_is_in_removed_lines_not_in_clean_text(seeded_db):
    db, _, _ = seeded_db
    removed = {r[0] for r in sql(db, "SELECT text FROM removed_lines")}
    assert set(SEED_CHROME) <= removed
    for (clean,) in sql(db, "SELECT clean_text FROM articles"):
        for line in SEED_CHROME:
            assert line not in clean.split("\n\n")


def test_every_body_paragraph_is_kept(seeded_db):
    db, _, _ = seeded_db
    for raw, clean in sql(db, "SELECT raw_text, clean_text FROM articles"):
        kept = set(clean.split("\n\n"))
        paragraphs = [line.strip() for line in raw.splitlines() if len(line.split()) >= 20]
        assert paragraphs and all(p in kept for p in paragraphs)


def test_entities(seeded_db):
    db, _, _ = seeded_db
    found = set(sql(db, "SELECT DISTINCT canonical, label FROM entities"))
    for person in ("Donald Trump", "Vladimir Putin", "Dmitry Peskov"):
        assert (person, "PERSON") in found
    assert any(name.startswith("Volodymyr Zelensk") and label == "PERSON" for name, label in found)
    assert sql(db, "SELECT DISTINCT label FROM entities WHERE text = 'Kyiv'") == [("GPE",)]
    # no entity comes from a removed line: every mention is a slice of clean_text
    assert sql(db, """SELECT count(*) FROM entities e JOIN articles a USING (doc_id)
                      WHERE substring(a.clean_text, e.start_char + 1, e.end_char - e.start_char) <> e.text""") == [(0,)]


def test_one_story_and_no_shared_copy_group(seeded_db):
    db, _, _ = seeded_db
    assert sql(db, "SELECT count(DISTINCT story_id), count(DISTINCT dup_group) FROM articles") == [(1, 5)]
    [(n_articles, n_groups)] = sql(db, "SELECT n_articles, n_copy_groups FROM story_summary")
    assert (n_articles, n_groups) == (5, 5)


def test_runs_row_and_summary(seeded_db):
    db, seeds, result = seeded_db
    [(status, new, inputs)] = sql(db, "SELECT status, articles_new, inputs FROM runs WHERE run_id = ?", result.run_id)
    assert (status, new, inputs) == ("COMPLETED", 5, [str(seeds)])
    summary = {(s, n): c for s, n, c in result.summary}
    assert summary[("articles", "stored")] == 5 and summary[("language", "en")] == 5
    assert summary[("stories", "stories with 2+ articles")] == 1


def test_second_run_adds_nothing(seeded_db):
    db, seeds, _ = seeded_db
    before = table_counts(db)
    again = pipeline(paths=[str(seeds)], db=str(db))
    assert again.counts.articles_new == 0 and again.counts.articles_unchanged == 5
    assert table_counts(db) == before
    refreshed = pipeline(paths=[str(seeds)], db=str(db), full_refresh=True)
    assert refreshed.counts.articles_new == 5  # processed again, rows replaced, nothing duplicated
    assert table_counts(db) == before


def test_bad_inputs_are_quarantined_and_the_rest_is_stored(tmp_path, seeded_db):
    _, seeds, _ = seeded_db
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for path in sorted(seeds.glob("*.txt"))[:2]:
        (mixed / path.name).write_bytes(path.read_bytes())
    (mixed / "image.txt").write_bytes(bytes(range(256)) * 16)
    (mixed / "empty.html").write_text("   \n", encoding="utf-8")
    good = {"id": "j1", "title": "Brief", "text": (seeds / sorted(p.name for p in seeds.glob("*.txt"))[3]).read_text(encoding="utf-8")}
    (mixed / "feed.jsonl").write_text(json.dumps(good) + "\n{not json\n", encoding="utf-8")
    db = tmp_path / "mixed.duckdb"

    result = pipeline(paths=[str(mixed)], db=str(db))
    assert result.counts.articles_new == 3 and result.counts.quarantined == 3
    errors = dict(sql(db, "SELECT regexp_extract(source_uri, '[^/]+$'), error FROM quarantine"))
    assert errors["image.txt"] == "binary content, not text"
    assert errors["empty.html"] == "empty or whitespace-only content"
    assert errors["feed.jsonl#L2"].startswith("malformed JSON line")
    markdown = summary_artifact(result.run_id)
    assert "## Quarantined inputs" in markdown and "image.txt` | ingest | binary content, not text |" in markdown

    stored = table_counts(db)
    again = pipeline(paths=[str(mixed)], db=str(db))
    # Unchanged files, good or bad, are not read again; what was quarantined stays so.
    assert again.counts.articles_new == 0 and again.counts.quarantined == 0 and again.counts.articles_unchanged == 5
    assert table_counts(db) == stored
    (mixed / "image.txt").write_bytes(b"\x00\x01 still binary, but changed")
    third = pipeline(paths=[str(mixed)], db=str(db))
    assert third.counts.quarantined == 1 and third.counts.articles_new == 0
    assert sql(db, "SELECT count(*) FROM quarantine WHERE source_uri LIKE '%image.txt'") == [(2,)]  # one per content


def test_cli_run_prints_summary_and_exit_status_says_quarantined(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text((REPO / "seeds").glob("*.txt").__next__().read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / ".prefect")}
    env.pop("PREFECT_API_URL", None)  # the CLI starts its own temporary API, like a user's shell
    proc = subprocess.run(
        [sys.executable, "-m", "newsetl.flows.cli", "run", "in", "--db", "out.duckdb"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert "newsetl run summary" in proc.stdout and "1 quarantined" in proc.stdout
    assert sql(tmp_path / "out.duckdb", "SELECT count(*) FROM articles") == [(1,)]


def test_a_sites_chrome_is_learnt_from_its_stored_pages(tmp_path):
    site = tmp_path / "gazette"
    write_site(site, range(3))
    db = tmp_path / "site.duckdb"
    pipeline(paths=[str(site)], db=str(db))
    write_site(site, range(3, 4))  # a new page arrives; the earlier ones are unchanged
    again = pipeline(paths=[str(site)], db=str(db))
    assert again.counts.articles_new == 1
    [(clean,)] = sql(db, "SELECT clean_text FROM articles WHERE source_uri LIKE '%page3.txt'")
    title, paragraphs = BODIES[3]
    assert clean.split("\n\n") == [title, *paragraphs]
    learnt = {r[0] for r in sql(db, """SELECT text FROM removed_lines JOIN articles USING (doc_id)
                                       WHERE source_uri LIKE '%page3.txt' AND reason = 'source_chrome'""")}
    assert {SITE_CHROME_MID, *SITE_CHROME_END} <= learnt


def test_a_run_reads_only_the_new_files_of_a_folder_in_as_few_batches_as_they_need(tmp_path):
    site = tmp_path / "gazette"
    write_site(site, range(3))
    db = tmp_path / "site.duckdb"
    pipeline(paths=[str(site)], db=str(db), batch_size=1)
    write_site(site, range(3, 4))  # one new page beside three stored, unchanged ones
    again = pipeline(paths=[str(site)], db=str(db), batch_size=1)
    assert (again.counts.articles_new, again.counts.articles_unchanged) == (1, 3)
    # The unchanged files are left out before batching: one batch (one ingest task), not four.
    assert again.counts.batches == 1
    assert sql(db, "SELECT count(*) FROM articles") == [(4,)]


def summary_artifact(run_id):
    """The markdown of the run summary artifact attached to flow run `run_id`, read through the API."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id)]))
        )
    [summary] = [a for a in artifacts if a.key == "newsetl-run-summary"]
    return summary.data


def test_run_summary_artifact_is_attached_to_the_flow_run(seeded_db):
    _, _, result = seeded_db
    markdown = summary_artifact(result.run_id)
    assert "| en | 5 |" in markdown and "| Donald Trump (person) | 5 |" in markdown  # top names, counted in articles
    for stage in ("inputs", "language", "cleanup", "entities", "dedup", "stored"):
        assert f"| {stage} | 5 |" in markdown
    assert 'newsetl sql "SELECT * FROM story_summary"' in markdown
