"""Stories are events: entity- and time-aware clustering, its anchored window, the story
lookups in storage, the story_summary view and `restory`. Articles here are invented."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import duckdb

from newsetl.flows.restory import restory
from newsetl.tasks import store
from newsetl.tasks.dedup import dedup_against_store, dedup_batch, name_counts, name_key, story_reach
from newsetl.tasks.records import Article, Entity, Neighbour, StoredNeighbours, content_hash

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)

QUAKE = (
    "Strong earthquake shakes {place}\n\n"
    "A strong earthquake of magnitude {mag} shook {place} on {day}, damaging houses and cutting power to "
    "thousands of homes, the national seismology institute said. Rescue teams searched collapsed buildings "
    "in the old town of {place} through the night, and the regional governor {person} said schools would stay "
    "closed while engineers inspected them.\n\n"
    "Aftershocks rattled {place} for hours. Residents slept in cars and parks, afraid to return to cracked "
    "apartments, while hospitals treated dozens of people for injuries from falling debris."
)


OTHER_QUAKE = (
    "Quake in {place} leaves families homeless\n\n"
    "Hundreds of families in {place} spent {day} night outdoors after an earthquake measuring {mag} destroyed "
    "their homes, firefighters said. The mayor, {person}, asked the army for tents and field kitchens and said "
    "the damage to the cathedral and the bridge over the river was severe.\n\n"
    "Geologists warned that further tremors were likely in the coming days and urged people not to go back "
    "into damaged buildings until inspectors had declared them safe."
)


def quake(doc_id: str, place: str, person: str, *, when: datetime, published: bool = True, mag: str = "six",
          day: str = "Sunday", template: str = QUAKE, fetched: datetime | None = None) -> Article:
    """An invented earthquake report, with the entities NER would find in it; published at
    `when` (or undated, fetched then) and fetched at `fetched` (default: years later)."""
    text = template.format(place=place, person=person, mag=mag, day=day)
    entities = []
    for name, label, kind in ((place, "GPE", "place"), (person, "PERSON", "person"), (day, "DATE", "date")):
        start = text.find(name)
        while start >= 0:
            entities.append(Entity(name, label, start, start + len(name), name, kind))
            start = text.find(name, start + 1)
    return Article(
        doc_id=doc_id, source_uri=f"test://{doc_id}", source="wire", raw_text=text, content_hash=content_hash(text),
        input_format="text", fetched_at=when if not published else (fetched or T0 + timedelta(days=3650)),
        published_at=when if published else None, title=text.split("\n\n")[0], language="en", clean_text=text,
        entities=tuple(sorted(entities, key=lambda e: e.start_char)), ner_model="test",
    )


def stories(articles: list[Article], **kwargs) -> dict[str, str]:
    return {a.doc_id: a.story_id for a in dedup_batch(articles, StoredNeighbours(), **kwargs).articles}


def test_same_kind_of_event_in_two_places_makes_two_stories():
    batch = [
        quake("a1", "Lorca", "Ana Ruiz", when=T0),
        quake("a2", "Lorca", "Ana Ruiz", when=T0 + timedelta(hours=5), mag="5.9"),
        quake("b1", "Norcia", "Paolo Verdi", when=T0 + timedelta(days=2), day="Tuesday", template=OTHER_QUAKE),
        quake("b2", "Norcia", "Paolo Verdi", when=T0 + timedelta(days=2, hours=3), day="Tuesday", mag="6.1", template=OTHER_QUAKE),
    ]
    s = stories(batch)
    assert s["b1"] == s["b2"]
    assert s["a1"] == s["a2"]
    assert s["b1"] != s["a1"]


def test_same_kind_of_event_years_apart_stays_apart():
    # Same place, same wording: only the years differ.
    earlier = quake("y2019", "Lorca", "Ana Ruiz", when=datetime(2019, 5, 5, tzinfo=timezone.utc))
    later = quake("y2023", "Lorca", "Ana Ruiz", when=datetime(2023, 5, 5, tzinfo=timezone.utc))
    # An undated one, fetched in 2026, may belong to either: it joins one on content and
    # bridges nothing.
    undated = quake("undated", "Lorca", "Ana Ruiz", when=datetime(2026, 5, 5, tzinfo=timezone.utc), published=False)
    s = stories([later, undated, earlier])
    assert s["y2019"] != s["y2023"]
    assert s["undated"] in (s["y2019"], s["y2023"])
    # Against storage too: a stored story from 2019 is never joined in 2023.
    stored = Neighbour("y2019", "y2019", "y2019", earlier.clean_text, "en", earlier.published_at,
                       tuple(name_key(e.canonical) for e in earlier.entities), earlier.published_at, earlier.published_at)
    [result] = dedup_batch([later], StoredNeighbours(story_pool=[stored])).articles
    assert result.story_id == "y2023"


def test_an_undated_article_joins_its_event_from_the_same_crawl_whatever_its_fetch_time():
    # An archive of 2012 reports crawled in 2026, some without dates: the fetch time is not the event's time.
    crawl = datetime(2026, 1, 1, tzinfo=timezone.utc)
    first = quake("p1", "Lorca", "Ana Ruiz", when=datetime(2012, 5, 11, tzinfo=timezone.utc), fetched=crawl)
    second = quake("p2", "Lorca", "Ana Ruiz", when=datetime(2012, 5, 12, tzinfo=timezone.utc), mag="5.1", template=OTHER_QUAKE, fetched=crawl)
    undated = quake("u", "Lorca", "Ana Ruiz", when=crawl + timedelta(hours=1), published=False, mag="5.2")
    # A dated report of the same kind of event in 2026 is another event, undated member or not.
    recent = quake("r", "Lorca", "Ana Ruiz", when=datetime(2026, 1, 2, tzinfo=timezone.utc), mag="4.8")
    s = stories([recent, undated, second, first])
    assert s["u"] == s["p1"] == s["p2"]
    assert s["r"] != s["p1"]


def test_an_undated_article_falls_back_to_its_fetch_time_and_does_not_reach_back_years():
    # Stories stored as they happened in 2012; in 2026 an undated report of the same kind is
    # read (not a copy: other words). Its time is its fetch time: it starts a story of its
    # own instead of joining one of 14 years before, stored or in its batch.
    then = datetime(2012, 5, 11, tzinfo=timezone.utc)
    first = quake("p1", "Lorca", "Ana Ruiz", when=then, fetched=then + timedelta(hours=2))
    undated = quake("u", "Lorca", "Ana Ruiz", when=datetime(2026, 1, 1, tzinfo=timezone.utc), published=False, template=OTHER_QUAKE)
    assert stories([first, undated])["u"] == "u"
    stored = Neighbour("p1", "p1", "p1", first.clean_text, "en", then, tuple(name_key(e.canonical) for e in first.entities),
                       then, then, None, first.fetched_at, first.fetched_at)
    [result] = dedup_batch([undated], StoredNeighbours(story_pool=[stored])).articles
    assert result.story_id == "u"
    # Fetched within the window of the story's reports, it joins on content as before.
    soon = replace(undated, doc_id="soon", fetched_at=then + timedelta(days=10))
    assert stories([first, soon])["soon"] == "p1"


def test_an_undated_article_was_published_by_its_fetch_time_so_it_bounds_its_story():
    fetched = datetime(2019, 6, 1, tzinfo=timezone.utc)
    undated = quake("u", "Lorca", "Ana Ruiz", when=fetched, published=False)
    soon = quake("soon", "Lorca", "Ana Ruiz", when=fetched + timedelta(days=9), mag="5.8")
    late = quake("late", "Lorca", "Ana Ruiz", when=fetched + timedelta(days=20), mag="5.7")
    years = quake("years", "Lorca", "Ana Ruiz", when=datetime(2023, 6, 1, tzinfo=timezone.utc), mag="5.6")
    s = stories([years, late, soon, undated], window_days=14)
    # u was out by June 1st: a report 9 days later can be about its event, 20 days or years later not.
    assert s["soon"] == s["u"]
    assert s["late"] != s["u"] and s["years"] != s["u"]


def test_stored_undated_members_neither_stretch_nor_bridge_a_story(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    # A 2012 report and an undated one crawled together in 2026, then a new dated one.
    crawl = datetime(2026, 1, 1, tzinfo=timezone.utc)
    dated = quake("p1", "Lorca", "Ana Ruiz", when=datetime(2012, 5, 11, tzinfo=timezone.utc), fetched=crawl)
    undated = quake("u", "Lorca", "Ana Ruiz", when=crawl + timedelta(minutes=5), published=False, template=OTHER_QUAKE)
    recent = quake("r", "Lorca", "Ana Ruiz", when=datetime(2026, 1, 2, tzinfo=timezone.utc), mag="4.8")
    for batch in ([dated], [undated], [recent]):  # one batch at a time: each meets the others through storage
        _write(db, dedup_against_store(batch, str(db), window_days=14), run_id=batch[0].doc_id)
    s = _stored_stories(db)
    assert s["u"] == s["p1"] and s["r"] != s["p1"]
    _, rows = store.query(db, "SELECT story_id, max(published_at) - min(published_at) FROM articles GROUP BY story_id")
    assert all(span is None or span <= timedelta(days=14) for _, span in rows)
    # The lookup gives the story's dated span and the fetch time of its undated member.
    neighbours = store.dedup_neighbours(db, ["q"], [], [], {"q": story_reach(dated, timedelta(days=14))},
                                        {"q": ["lorca", "earthquake", "ruiz"]}, entity_kinds=("place",), name_key=name_key)
    p1 = next(n for n in neighbours.story_pool if n.doc_id == "p1")
    assert (p1.story_first, p1.story_last, p1.story_undated_until) == (dated.published_at, dated.published_at, undated.fetched_at)


def test_the_window_is_anchored_on_the_first_article_not_sliding():
    # One report every 5 days about the same event: each is near the previous one, but a
    # story spans at most the window from its first article.
    chain = [quake(f"d{k}", "Lorca", "Ana Ruiz", when=T0 + timedelta(days=5 * k)) for k in range(7)]
    result = dedup_batch(chain, StoredNeighbours(), window_days=14).articles
    seen = {a.doc_id: a.published_at for a in result}
    members: dict[str, list[datetime]] = {}
    for a in result:
        members.setdefault(a.story_id, []).append(seen[a.doc_id])
    assert len(members) > 1
    assert all(max(times) - min(times) <= timedelta(days=14) for times in members.values())
    assert {a.doc_id: a.story_id for a in result}["d2"] == "d0"  # day 10 still joins day 0


def test_entity_ids_replace_canonical_names_when_ner_gives_them():
    @dataclass(frozen=True)
    class LinkedEntity(Entity):
        entity_id: str | None = None

    kyiv_en = LinkedEntity("Kyiv", "GPE", 0, 4, "Kyiv", "place", entity_id="Q1899")
    kyiv_de = LinkedEntity("Kiew", "LOC", 0, 4, "Kiew", "place", entity_id="Q1899")
    assert name_counts([kyiv_en]) == name_counts([kyiv_de])
    assert name_counts([Entity("Kyiv", "GPE", 0, 4, "Kyiv", "place")]) != name_counts([Entity("Kiew", "LOC", 0, 4, "Kiew", "place")])
    # Numbers are not names of an event.
    assert not name_counts([Entity("dozens", "CARDINAL", 0, 6, "dozens", "number")])


def _write(db, result, run_id="run"):
    store.write_batch(db, run_id, result.articles, result.decisions, result.band_rows,
                      story_term_rows=result.story_term_rows, doc_terms=result.doc_terms, term_counts=result.term_counts, sketches=result.sketches)


def _stored_stories(db) -> dict[str, str]:
    return dict(store.query(db, "SELECT doc_id, story_id FROM articles")[1])


def test_stored_stories_come_back_with_their_names_and_span_and_never_exceed_the_window(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    articles = [quake(f"d{k}", "Lorca", "Ana Ruiz", when=T0 + timedelta(days=4 * k)) for k in range(8)]
    articles += [quake(f"n{k}", "Norcia", "Paolo Verdi", when=T0 + timedelta(days=4 * k, hours=2), day="Tuesday", template=OTHER_QUAKE) for k in range(8)]
    for k in range(0, len(articles), 3):  # small batches: later ones only meet earlier ones through storage
        _write(db, dedup_against_store(sorted(articles, key=lambda a: a.published_at)[k : k + 3], str(db), window_days=14))
    _, rows = store.query(db, "SELECT story_id, max(published_at) - min(published_at) FROM articles GROUP BY story_id")
    assert all(span <= timedelta(days=14) for _, span in rows)
    s = _stored_stories(db)
    assert s["d1"] == s["d0"] and s["n1"] == s["n0"] and s["d0"] != s["n0"]
    # The lookup carries the entity names and the story's span.
    neighbours = store.dedup_neighbours(
        db, ["q"], [], [], {"q": story_reach(quake("q", "Lorca", "Ana Ruiz", when=T0 + timedelta(days=1)), timedelta(days=14))},
        {"q": ["lorca", "earthquake", "ruiz"]},
        entity_kinds=("place", "person"), name_key=name_key,
    )
    d0 = next(n for n in neighbours.story_pool if n.doc_id == "d0")
    assert "@lorca" in d0.name_keys and "@ana ruiz" in d0.name_keys
    assert d0.story_first == T0 and d0.story_last >= T0 + timedelta(days=4)


def test_stored_names_are_keyed_like_the_batch_names_by_entity_id(tmp_path):
    """A stored article's names come back under the keys the batch uses: the entity id when
    NER gives one (Kiew in a stored German report is the Kyiv of a new English one)."""
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    stored = quake("de1", "Kiew", "Ana Ruiz", when=T0)
    stored = replace(stored, entities=tuple(
        replace(e, entity_id="geonames:703448" if e.kind == "place" else None) for e in stored.entities
    ))
    _write(db, dedup_against_store([stored], str(db)))
    neighbours = store.dedup_neighbours(
        db, ["q"], [], [], {"q": story_reach(stored, timedelta(days=14))}, {"q": ["kiew", "earthquake", "ruiz"]},
        entity_kinds=("place", "person"), name_key=name_key,
    )
    (n,) = [n for n in neighbours.story_pool if n.doc_id == "de1"]
    assert set(n.name_keys) == set(name_counts([e for e in stored.entities if e.kind in ("place", "person")]))
    assert name_key("Kyiv", "geonames:703448") in n.name_keys and "@kiew" not in n.name_keys
    assert "@ana ruiz" in n.name_keys  # no id: the canonical name, folded as for the batch


def test_story_summary_headline_is_a_real_headline_and_latest_stories_come_first(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    a = replace(quake("a", "Lorca", "Ana Ruiz", when=T0), title=None)
    b = replace(quake("b", "Lorca", "Ana Ruiz", when=T0 + timedelta(hours=1)), title="Valley Daily News")
    c = replace(quake("c", "Lorca", "Ana Ruiz", when=T0 + timedelta(hours=2)), title="Lorca counts the damage")
    other = replace(quake("o", "Norcia", "Paolo Verdi", when=T0 + timedelta(days=3), day="Tuesday", template=OTHER_QUAKE), title="Valley Daily News")
    _write(db, dedup_batch([a, b, c, other], StoredNeighbours()))
    _, rows = store.query(db, "SELECT story_id, headline, n_articles FROM story_summary")
    assert [r[0] for r in rows] == ["o", "a"]  # last activity first
    headline = dict((r[0], r[1]) for r in rows)
    # The canonical has no title and b's title is the site's name (it heads two different stories' articles).
    assert headline["a"] == "Lorca counts the damage"
    # A story whose only title is the site's name still gets it rather than nothing.
    assert headline["o"] == "Valley Daily News"


def test_story_summary_spans_the_dated_members_and_ties_on_last_activity_go_to_the_bigger_story(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    crawl = datetime(2026, 1, 1, tzinfo=timezone.utc)  # a 2012 report and an undated one, crawled together
    dated = quake("p1", "Lorca", "Ana Ruiz", when=datetime(2012, 5, 11, tzinfo=timezone.utc), fetched=crawl)
    undated = quake("u", "Lorca", "Ana Ruiz", when=crawl, published=False, template=OTHER_QUAKE)
    # Two stories whose last member is seen at the same time: the bigger one first.
    pair = [quake("n1", "Norcia", "Paolo Verdi", when=T0 - timedelta(hours=1), day="Tuesday", template=OTHER_QUAKE),
            quake("n2", "Norcia", "Paolo Verdi", when=T0, day="Tuesday", mag="6.1", template=OTHER_QUAKE)]
    single = replace(quake("s", "Soria", "Lena Torres", when=T0, day="Friday"), raw_text="x", clean_text=(
        "Floods close the harbour in Soria\n\nStorm surges flooded the harbour of Soria on Friday and the port "
        "authority closed it to shipping, Lena Torres of the coast guard said, as ferries waited offshore."))
    _write(db, dedup_batch([dated, undated, *pair, single], StoredNeighbours()))
    _, rows = store.query(db, "SELECT story_id, n_articles, first_seen, last_seen FROM story_summary")
    assert [(r[0], r[1]) for r in rows[:2]] == [("n1", 2), ("s", 1)]
    (p1_row,) = [r for r in rows if r[0] == "p1"]
    assert p1_row[1] == 2 and p1_row[2] == p1_row[3] == dated.published_at  # 2012, not 2012-2026


def test_restory_gives_the_result_of_a_fresh_run_in_time_order(tmp_path):
    articles = [quake(f"d{k}", "Lorca", "Ana Ruiz", when=T0 + timedelta(days=4 * k)) for k in range(6)]
    articles += [quake(f"n{k}", "Norcia", "Paolo Verdi", when=T0 + timedelta(days=4 * k, hours=2), day="Tuesday", template=OTHER_QUAKE) for k in range(6)]
    in_time_order = sorted(articles, key=lambda a: a.published_at)
    fresh = tmp_path / "fresh.duckdb"
    store.migrate(fresh)
    for k in range(0, len(in_time_order), 4):
        _write(fresh, dedup_against_store(in_time_order[k : k + 4], str(fresh)))
    expected = _stored_stories(fresh)

    db = tmp_path / "news.duckdb"
    store.migrate(db)
    _write(db, dedup_batch(articles[::-1], StoredNeighbours(), window_days=10_000))  # one story spanning weeks: an older model
    assert len(set(_stored_stories(db).values())) < len(set(expected.values()))
    result = restory(db, batch_size=4)
    assert _stored_stories(db) == expected
    assert result.articles == len(articles) and result.stories == len(set(expected.values()))
    with duckdb.connect(str(db), read_only=True) as con:
        # the story index and the term counts are rebuilt, not added to the old ones
        assert con.execute("SELECT sum(df) FROM term_df").fetchone() == duckdb.connect(str(fresh), read_only=True).execute("SELECT sum(df) FROM term_df").fetchone()
        assert _story_terms_off_their_article(con) == 0  # restory writes the index's times too


STALE_TIMES = """
    SELECT count(*) FROM story_terms AS t JOIN articles AS a USING (doc_id)
    WHERE t.seen_at IS DISTINCT FROM coalesce(a.published_at, a.fetched_at) OR t.fetched_at IS DISTINCT FROM a.fetched_at
"""


def _story_terms_off_their_article(con) -> int:
    return con.execute(STALE_TIMES).fetchone()[0]


def test_the_story_index_carries_its_articles_times_also_in_a_database_stored_before_it_did(tmp_path):
    """The story lookup skips the parts of story_terms outside a batch's window by the times
    each row carries: written with the article, and filled in when an older database is
    upgraded; the lookup then finds the same stored reports as before."""
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    dated = [quake(f"d{k}", "Lorca", "Ana Ruiz", when=T0 + timedelta(days=k)) for k in range(3)]
    undated = quake("u", "Norcia", "Paolo Verdi", when=T0 - timedelta(days=400), published=False)
    _write(db, dedup_against_store([*dated, undated], str(db)))
    later = quake("new", "Lorca", "Ana Ruiz", when=T0 + timedelta(days=5))

    def lookup() -> set[str]:
        reach, terms = {"new": story_reach(later, timedelta(days=14))}, {"new": ["lorca", "earthquake", "ruiz"]}
        return {n.doc_id for n in store.dedup_neighbours(db, ["new"], [], [], reach, terms).story_pool}

    assert lookup() == {"d0", "d1", "d2"}
    with duckdb.connect(str(db)) as con:
        assert con.execute("SELECT count(*) FROM story_terms WHERE seen_at IS NULL").fetchone()[0] == 0
        assert _story_terms_off_their_article(con) == 0
        # as stored before the index had times
        con.execute("ALTER TABLE story_terms DROP COLUMN seen_at")
        con.execute("ALTER TABLE story_terms DROP COLUMN fetched_at")
        con.execute("DELETE FROM schema_migrations WHERE name = '015_story_terms_time'")
    assert store.migrate(db) == ["015_story_terms_time"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert _story_terms_off_their_article(con) == 0
        assert con.execute("SELECT count(*) FROM story_terms WHERE seen_at IS NULL").fetchone()[0] == 0
    assert lookup() == {"d0", "d1", "d2"}


def test_a_copy_joins_its_stored_original_story_only_within_the_window():
    original = quake("orig", "Lorca", "Ana Ruiz", when=T0)
    stored = Neighbour("orig", "orig", "story-of-orig", original.clean_text, "en", T0, story_first=T0 - timedelta(days=3), story_last=T0)
    keys = {(band, key): {"orig"} for _, band, key in dedup_batch([original], StoredNeighbours()).band_rows}
    neighbours = StoredNeighbours(copy_candidates={"orig": stored}, candidate_keys=keys)
    soon = replace(original, doc_id="soon", source_uri="test://soon", published_at=T0 + timedelta(days=5))
    late = replace(original, doc_id="late", source_uri="test://late", published_at=T0 + timedelta(days=12))
    by_id = {a.doc_id: a for a in dedup_batch([soon, late], neighbours, window_days=14).articles}
    assert by_id["soon"].dup_group == by_id["late"].dup_group == "orig"  # copies, whatever the time
    assert by_id["soon"].story_id == "story-of-orig"
    # 12 days after the original but 15 after its story began: a story of its own
    assert by_id["late"].story_id != "story-of-orig"


_VISIT_DE = (
    "Selenskyj trifft Macron in Kiew\n\n"
    "Der ukrainische Präsident Selenskyj hat den französischen Präsidenten Macron am Dienstag in Kiew empfangen. "
    "Beide sprachen über Waffenlieferungen, Luftabwehr und den Wiederaufbau der zerstörten Städte. "
    "Die Regierung in Kiew hofft auf weitere Hilfe aus Paris, sagte ein Sprecher der Regierung. "
    "Macron versprach neue Luftabwehrsysteme und Geld für den Wiederaufbau der Städte im Osten."
)
_VISIT_EN = (
    "Zelensky hosts Macron in Kyiv\n\n"
    "Ukrainian President Zelensky received French President Macron in Kyiv on Tuesday. "
    "The two leaders discussed weapons deliveries, air defence and rebuilding destroyed cities. "
    "The government in Kyiv hopes for more help from Paris, a government spokesman said. "
    "Macron promised new air defence systems and money for rebuilding the cities in the east."
)
_VISIT_IDS = {"Kiew": "geonames:703448", "Kyiv": "geonames:703448", "Selenskyj": "person:selenski",
              "Zelensky": "person:selenski", "Macron": "person:makron", "Paris": "geonames:2988507"}


def _visit(doc_id: str, text: str, language: str, when: datetime) -> Article:
    """An invented report of one state visit, with the entity ids NER gives its names."""
    entities = []
    for name, entity_id in _VISIT_IDS.items():
        kind = "person" if entity_id.startswith("person") else "place"
        start = text.find(name)
        while start >= 0:
            entities.append(Entity(name, "PER" if kind == "person" else "LOC", start, start + len(name), name, kind, entity_id=entity_id))
            start = text.find(name, start + 1)
    return Article(
        doc_id=doc_id, source_uri=f"test://{doc_id}", source="wire", raw_text=text, content_hash=content_hash(text),
        input_format="text", fetched_at=when, published_at=when, title=text.split("\n\n")[0], language=language,
        clean_text=text, entities=tuple(sorted(entities, key=lambda e: e.start_char)), ner_model="test",
    )


def test_a_report_in_another_language_joins_the_stored_story_as_it_would_in_one_batch(tmp_path):
    """The German and the English report of one visit share few words but their entity ids
    (Kiew/Kyiv, Selenskyj/Zelensky): stored apart, they still meet and share a story."""
    german = _visit("de", _VISIT_DE, "de", T0)
    english = _visit("en", _VISIT_EN, "en", T0 + timedelta(hours=3))
    assert stories([german, english])["en"] == "de"
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    _write(db, dedup_against_store([german, quake("q", "Soria", "Lena Torres", when=T0)], str(db)))
    _write(db, dedup_against_store([english], str(db)))
    assert _stored_stories(db)["en"] == "de"


def test_each_batch_article_looks_up_the_stored_stories_of_its_own_time(tmp_path):
    """A dated article's story candidates are the stored articles of its own window, even when
    an undated article in its batch looks elsewhere: eleven equally similar reports from
    years before never push the one of its week out of its candidates."""
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    old = [quake(f"a{k:02d}", "Lorca", "Ana Ruiz", when=datetime(2019, 5, 5 + k, tzinfo=timezone.utc), mag=f"5.{k}",
                 fetched=datetime(2019, 5, 5 + k, 1, tzinfo=timezone.utc)) for k in range(11)]
    week = quake("z", "Lorca", "Ana Ruiz", when=T0 - timedelta(days=2), fetched=T0 - timedelta(days=2))
    _write(db, dedup_batch([*old, week], StoredNeighbours(), window_days=10_000))
    new = quake("d", "Lorca", "Ana Ruiz", when=T0, fetched=T0 + timedelta(hours=1))
    undated = quake("u", "Norcia", "Paolo Verdi", when=datetime(2019, 5, 20, tzinfo=timezone.utc), published=False)
    terms = ["lorca", "earthquake", "ruiz"]  # every stored report shares all three: ties go to the smaller id
    neighbours = store.dedup_neighbours(
        db, ["d", "u"], [], [], {a.doc_id: story_reach(a, timedelta(days=14)) for a in (new, undated)}, {"d": terms, "u": terms},
    )
    assert "z" in {n.doc_id for n in neighbours.story_pool}
    # and the undated one, fetched in May 2019, finds the reports of its fetch time's window
    assert {n.doc_id for n in neighbours.story_pool} == {"z", *(f"a{k:02d}" for k in range(1, 11))}


def test_stored_articles_are_compared_by_their_stored_term_counts_and_old_rows_without_them_still_join(tmp_path):
    """A later batch compares with stored articles through their stored term counts, not by
    re-reading their text; rows stored before the counts were kept (NULL) are counted from
    their clean text, with the same story decisions."""
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    first = [quake("d0", "Lorca", "Ana Ruiz", when=T0), quake("n0", "Norcia", "Paolo Verdi", when=T0, day="Tuesday", template=OTHER_QUAKE)]
    _write(db, dedup_against_store(first, str(db)))
    (counts,) = store.query(db, "SELECT term_counts FROM articles WHERE doc_id = 'd0'")[1][0]
    assert counts["lorca"] >= 1 and "the" not in counts
    later = [quake("d1", "Lorca", "Ana Ruiz", when=T0 + timedelta(days=1)),
             quake("n1", "Norcia", "Paolo Verdi", when=T0 + timedelta(days=1), day="Tuesday", template=OTHER_QUAKE)]
    reach = {a.doc_id: story_reach(a, timedelta(days=14)) for a in later}
    terms = {"d1": ["lorca", "earthquake", "ruiz"], "n1": ["norcia", "earthquake", "verdi"]}
    neighbours = store.dedup_neighbours(db, ["d1", "n1"], [], [], reach, terms)
    pool, rows = neighbours.story_pool, neighbours.pool_terms
    assert pool and all(n.clean_text is None for n in pool)  # no text read
    d0 = next(n for n in pool if n.doc_id == "d0")  # its times as the instants stored, in UTC
    assert (d0.seen_at, d0.story_first, d0.story_last) == (T0, T0, T0) and d0.seen_at.utcoffset() == timedelta(0)
    assert len(rows) == len(pool) and not rows.missing and "lorca" in rows.terms.to_pylist()
    with_counts = {a.doc_id: a.story_id for a in dedup_against_store(later, str(db)).articles}

    with store.connect(db) as con:  # as stored before migration 014
        con.execute("UPDATE articles SET term_counts = NULL")
    neighbours = store.dedup_neighbours(db, ["d1", "n1"], [], [], reach, terms)
    pool, rows = neighbours.story_pool, neighbours.pool_terms
    assert pool and all(n.clean_text for n in pool) and rows.missing == tuple(range(len(pool)))
    assert {a.doc_id: a.story_id for a in dedup_against_store(later, str(db)).articles} == with_counts == {"d1": "d0", "n1": "n0"}


def test_a_batch_from_many_years_reads_the_story_index_through_a_bounded_number_of_ranges():
    """Many separate windows (a folder of articles from many years) are joined across the
    smallest gaps into at most the allowed number of ranges, each window still covered."""
    windows = store.merge_intervals([(T0 + timedelta(days=d - 14), T0 + timedelta(days=d + 14)) for d in (0, 10, 100, 400, 420, 1000, 3000)])
    assert len(windows) == 5  # the overlapping ones (days 0 and 10, 400 and 420) merged
    ranges = store.coarsened(windows, 2)
    assert len(ranges) == 2 and ranges == sorted(ranges)
    assert all(any(lo <= w_lo and w_hi <= hi for lo, hi in ranges) for w_lo, w_hi in windows)
    assert ranges[1] == windows[-1]  # the widest gap (to the article of 3000 days) kept
    assert store.coarsened(windows, 16) == windows
