"""Every query the READMEs show, run through `newsetl sql` against a realistic database, and
its answer checked for sense — plus the run summary's top names."""

import json
import re
import subprocess
import sys

import duckdb
import pytest

from newsetl.flows.pipeline import pipeline
from tests.conftest import REPO, SEEDS
from tests.site_fixture import write_site

NUMERIC_KINDS = {"date", "time", "money", "percent", "quantity", "number", "ordinal"}
DOCUMENTED_REASONS = set(re.findall(r"^\| `(\w+)` \|", (REPO / "sql" / "README.md").read_text(encoding="utf-8"), re.M))


def documented_queries() -> list[str]:
    """SQL in ```sql blocks, `newsetl sql "..."` lines and `.sql("...")` calls of the READMEs."""
    queries = []
    for readme in (REPO / "README.md", REPO / "sql" / "README.md"):
        text = readme.read_text(encoding="utf-8")
        for lang, block in re.findall(r"```(\w*)\n(.*?)```", text, re.S):
            if lang == "sql":
                queries += [q.strip() for q in block.split(";") if re.sub(r"--[^\n]*", "", q).strip()]
            queries += re.findall(r'newsetl sql "([^"]+)"', block)
            queries += [m[1] for m in re.findall(r"""\.sql\((["'])(.+?)\1\)""", block)]
    return queries


QUERIES = documented_queries()


def test_the_readmes_show_queries():
    # both READMEs' query lists, the sql/ README's examples and the quick-start commands
    assert len(QUERIES) >= 14
    assert any("who_is_in_the_news" in q for q in QUERIES) and any("open_quarantine" in q for q in QUERIES)


@pytest.fixture(scope="module")
def realistic_db(tmp_path_factory):
    """The seeds (one story told by five outlets), a small site of invented pages, a JSONL
    feed with a bad line and a binary file: stored, deduplicated and quarantined rows."""
    root = tmp_path_factory.mktemp("inputs")
    seeds = root / "seeds"
    seeds.mkdir()
    for path in SEEDS.glob("*.txt"):
        (seeds / path.name).write_bytes(path.read_bytes())
    write_site(root / "gazette", range(4))
    feed = {"id": "w1", "source": "wire", "published_at": "2026-01-30T08:00:00Z", "title": "Port strike called off",
            "text": "Port strike called off\n\nDock workers in Rotterdam ended a three-day strike on Friday after the union and "
                    "the port authority agreed a 4% pay rise, union leader Marieke Jansen told reporters at the harbour. "
                    "Ships that had waited off the coast since Tuesday began to unload their cargo on Friday evening."}
    (root / "wire.jsonl").write_text(json.dumps(feed) + "\n{not json\n", encoding="utf-8")
    (root / "scan.txt").write_bytes(bytes(range(256)) * 8)
    db = tmp_path_factory.mktemp("db") / "news.duckdb"
    result = pipeline(paths=[str(seeds), str(root / "gazette"), str(root / "wire.jsonl"), str(root / "scan.txt")], db=str(db))
    assert result.counts.articles_new == 10 and result.counts.quarantined == 2
    return db, result


def run_sql(db, query):
    proc = subprocess.run(
        [sys.executable, "-m", "newsetl.flows.entry", "sql", query, "--db", str(db), "--csv"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, f"{query}\n{proc.stderr}"
    lines = proc.stdout.splitlines()
    return lines[0].split(","), lines[1:]


def kinds_of(db, names):
    with duckdb.connect(str(db), read_only=True) as con:
        return {n: {k for (k,) in con.execute("SELECT DISTINCT kind FROM entities WHERE canonical = ?", [n]).fetchall()} for n in names}


@pytest.mark.parametrize("query", QUERIES, ids=[re.sub(r"\W+", "_", q[:50]) for q in QUERIES])
def test_documented_query_answers_sensibly(realistic_db, query):
    db, _ = realistic_db
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(query).fetchall()
        columns = [d[0] for d in con.description]
    assert rows, f"no answer to {query}"
    assert len(run_sql(db, query)[1]) >= len(rows)  # `newsetl sql` answers it too (CSV: a row per line at least)
    answer = [dict(zip(columns, row)) for row in rows]
    if "who_is_in_the_news" in query:
        names = [r["name"] for r in answer]
        assert all(kinds == {"person"} for kinds in kinds_of(db, names).values()), names
        assert {"Vladimir Putin", "Donald Trump"} & set(names[:5]), names  # the seeds' story is about them
    if "what_is_in_the_news" in query:
        assert all(r["kind"] not in NUMERIC_KINDS for r in answer)
        assert all(re.search(r"[^\W\d_]", r["name"]) and not re.fullmatch(r"[\d\s.,%$-]+", r["name"]) for r in answer)
        assert {"Ukraine", "Kyiv", "Russia", "Kremlin"} & {r["name"] for r in answer}
    if ("who_is_in_the_news" in query or "what_is_in_the_news" in query) and "articles" in columns:
        counts = [r["articles"] for r in answer]
        assert counts == sorted(counts, reverse=True)  # most written about first
    if "FROM entity_summary WHERE kind IN ('date'" in query:
        assert all(r["kind"] in {"date", "money", "percent"} for r in answer)
    if "story_summary" in query and "n_articles" in columns:
        biggest = max(answer, key=lambda r: r["n_articles"])
        assert biggest["n_articles"] >= 5 and biggest["headline"]  # the seeds: one story, five outlets
        if "top_entities" in columns:  # names the story is about, never numbers or dates
            assert {"Donald Trump", "Vladimir Putin", "Ukraine", "Russia", "Kyiv"} & set(biggest["top_entities"])
            assert not any(any(ch.isdigit() for ch in name) for name in biggest["top_entities"])
    if "FROM removed_lines GROUP BY reason" in query:
        assert {r["reason"] for r in answer} <= DOCUMENTED_REASONS and answer[0]["lines"] >= answer[-1]["lines"]
    if "canonical_articles" in query and "title" in columns:
        assert all(r["title"] for r in answer) and all(r["n_copies"] >= 1 for r in answer)
    if "open_quarantine" in query:
        assert {r["stage"] for r in answer} == {"ingest"} and len(answer) == 2
    if "GROUP BY language" in query:
        assert dict((r["language"], r["articles"]) for r in answer).get("en", 0) >= 10
    if "versions->>'cleanup'" in query:
        assert sum(r["articles"] for r in answer) == 10 and all(r["cleanup"] and r["dedup"] for r in answer)


def test_run_summary_top_names_are_names(realistic_db):
    _, result = realistic_db
    top = [name for section, name, _ in result.summary if section == "entity"]
    assert len(top) == 10
    kinds = {name.rsplit(" (", 1)[1].rstrip(")") for name in top}
    assert kinds <= {"person", "organisation", "place", "other"}, top
    counts = [n for section, _, n in result.summary if section == "entity"]
    assert counts == sorted(counts, reverse=True)
    # a name is listed once, whatever kinds the model gave its mentions
    names = [name.rsplit(" (", 1)[0] for name in top]
    assert len(names) == len(set(names)), top
