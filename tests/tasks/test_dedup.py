"""Dedup: copies and stories, against the batch and against stored neighbours."""

import random
from dataclasses import replace
from datetime import timedelta

import pytest

from newsetl.tasks.cleanup import clean_articles
from newsetl.tasks.dedup import (
    HEADLINE_MAX_WORDS, band_keys, comparable_tokens, copy_score, dedup_batch, hash_and_tokens, lead_shingles, lead_tokens, shingles, signatures, text_hash,
)
from newsetl.tasks.ingest import plan_inputs, read_units
from newsetl.tasks.language import detect_languages
from newsetl.tasks.records import Neighbour, StoredNeighbours
from newsetl.tasks.settings import Settings
from tests.conftest import SEEDS

UNRELATED = (
    "Dam project wins approval\n\n"
    "The regional government approved the construction of a new hydroelectric dam on Wednesday, ending a decade of "
    "legal disputes with environmental groups and farmers who live in the valley.\n\n"
    "Engineers expect the dam to supply electricity to about 400,000 homes once it is completed, the energy minister "
    "told reporters in the capital, adding that construction would begin in the spring.\n\n"
    "Opponents said they would continue to fight the project in court, arguing that it would flood farmland, destroy "
    "fish habitats and force hundreds of families to move away from their villages."
)


@pytest.fixture(scope="module")
def seeds():
    settings = Settings()
    units, _ = plan_inputs([SEEDS], settings)
    articles, _ = read_units(units, settings)
    return clean_articles(detect_languages(articles))


def variant(article, doc_id, clean_text, hours=1):
    return replace(article, doc_id=doc_id, source_uri=doc_id, clean_text=clean_text, fetched_at=article.fetched_at + timedelta(hours=hours))


def syndicated_copy(text: str) -> str:
    """A republication: new headline, one paragraph dropped, straight quotes, extra spaces."""
    paragraphs = text.split("\n\n")
    body = paragraphs[1:4] + paragraphs[5:]
    copy = "\n\n".join(["Ukraine, Russia pause energy strikes"] + body)
    return copy.replace("“", '"').replace("”", '"').replace("’", "'").replace(". ", ".  ")


def test_seeds_are_one_story_and_five_copy_groups(seeds):
    result = dedup_batch(seeds, StoredNeighbours())
    assert len({a.story_id for a in result.articles}) == 1
    assert len({a.dup_group for a in result.articles}) == 5
    assert all(a.dup_group == a.doc_id for a in result.articles)
    story = result.articles[0].story_id
    assert story in {a.doc_id for a in seeds}
    assert {d.member for d in result.decisions if d.level == "story"} == {a.doc_id for a in seeds} - {story}


def test_exact_copy_differing_in_case_and_spacing_is_grouped(seeds):
    original = seeds[4]
    copy = variant(original, "copy", original.clean_text.upper().replace(" ", "   "))
    result = dedup_batch([original, copy], StoredNeighbours())
    by_id = {a.doc_id: a for a in result.articles}
    assert by_id["copy"].dup_group == original.doc_id and by_id["copy"].dup_method == "exact"
    assert by_id["copy"].story_id == by_id[original.doc_id].story_id


def test_syndicated_copy_is_a_near_duplicate_and_the_earlier_article_is_canonical(seeds):
    original = seeds[4]
    copy = variant(original, "synd", syndicated_copy(original.clean_text))
    assert text_hash(copy.clean_text) != text_hash(original.clean_text)
    result = dedup_batch([copy, original], StoredNeighbours())
    by_id = {a.doc_id: a for a in result.articles}
    assert by_id["synd"].dup_group == original.doc_id
    assert by_id["synd"].dup_method in ("jaccard", "containment") and by_id["synd"].dup_score >= 0.5
    assert by_id[original.doc_id].dup_group == original.doc_id


def test_unrelated_article_starts_its_own_story(seeds):
    other = variant(seeds[0], "dam", UNRELATED)
    result = dedup_batch(seeds + [other], StoredNeighbours())
    by_id = {a.doc_id: a for a in result.articles}
    assert by_id["dam"].story_id == "dam" and by_id["dam"].dup_group == "dam"
    assert len({a.story_id for a in result.articles if a.doc_id != "dam"}) == 1


def test_groups_do_not_depend_on_input_order(seeds):
    batch = seeds + [variant(seeds[4], "synd", syndicated_copy(seeds[4].clean_text)), variant(seeds[0], "dam", UNRELATED)]
    expected = {(a.doc_id, a.dup_group, a.story_id) for a in dedup_batch(batch, StoredNeighbours()).articles}
    for seed in range(5):
        shuffled = batch[:]
        random.Random(seed).shuffle(shuffled)
        assert {(a.doc_id, a.dup_group, a.story_id) for a in dedup_batch(shuffled, StoredNeighbours()).articles} == expected


def test_pages_that_are_not_articles_take_no_part(seeds):
    wall = replace(variant(seeds[0], "wall", "Before you continue, we value your privacy."), is_article=False)
    wall2 = replace(variant(seeds[1], "wall2", "Before you continue, we value your privacy."), is_article=False)
    result = dedup_batch([wall, wall2], StoredNeighbours())
    assert [(a.dup_group, a.story_id) for a in result.articles] == [("wall", "wall"), ("wall2", "wall2")]
    assert result.decisions == [] and result.band_rows == []


def test_new_copy_joins_a_stored_group_found_through_its_band_keys(seeds):
    original = seeds[4]
    stored = Neighbour(original.doc_id, "group-of-original", "story-of-original", original.clean_text, "en", original.fetched_at)
    keys = band_keys(shingles(original.clean_text))
    neighbours = StoredNeighbours(
        copy_candidates={original.doc_id: stored},
        candidate_keys={key: {original.doc_id} for key in keys},
        story_pool=[stored],
    )
    copy = variant(original, "later-copy", syndicated_copy(original.clean_text), hours=48)
    [result] = dedup_batch([copy], neighbours).articles
    assert result.dup_group == "group-of-original"
    assert result.story_id == "story-of-original"


def test_new_rewrite_joins_a_stored_story(seeds):
    pool = [Neighbour(a.doc_id, a.doc_id, "stored-story", a.clean_text, "en", a.fetched_at) for a in seeds[:4]]
    [result] = dedup_batch([seeds[4]], StoredNeighbours(story_pool=pool)).articles
    assert result.story_id == "stored-story" and result.dup_group == seeds[4].doc_id


def test_copy_score_catches_truncated_copies_by_containment():
    words = [f"w{i}" for i in range(400)]
    full = shingles(" ".join(words))
    lead = shingles(" ".join(words[:80]))
    assert copy_score(full, lead)[0] == "containment"
    assert copy_score(full, shingles(" ".join(f"x{i}" for i in range(400)))) is None


def test_signatures_skip_non_articles_and_band_keys_fit_bigint(seeds):
    sigs = signatures(seeds + [replace(seeds[0], doc_id="flagged", is_article=False)])
    assert "flagged" not in sigs and len(sigs) == 5
    for sig in sigs.values():
        assert len(sig.band_keys) == 96  # whole text and two leads, 32 bands each
        assert all(-(2**63) <= key < 2**63 for _, key in sig.band_keys)


def test_lead_only_brief_with_a_wire_dateline_joins_its_original(seeds):
    original = seeds[4]
    first_paragraph = original.clean_text.split("\n\n")[1]
    brief_text = "Energy truce agreed\n\nKYIV (AP) — " + " ".join(first_paragraph.split()[:45]) + "…"
    stored = Neighbour(original.doc_id, original.doc_id, original.doc_id, original.clean_text, "en", original.fetched_at)
    keys = signatures([original])[original.doc_id].band_keys
    neighbours = StoredNeighbours(copy_candidates={original.doc_id: stored}, candidate_keys={k: {original.doc_id} for k in keys})
    brief = variant(original, "brief", brief_text, hours=3)
    [result] = dedup_batch([brief], neighbours).articles
    assert result.dup_group == original.doc_id and result.dup_method == "containment"


def test_headline_terms_weigh_more_in_the_story_vector():
    from newsetl.tasks.dedup import HEADLINE_TERM_WEIGHT, story_term_counts

    text = "Harbour crane collapses in storm\n\nA crane fell onto the quay during the storm on Sunday night."
    counts = story_term_counts(text, "en")
    assert counts["crane"] == 2 + HEADLINE_TERM_WEIGHT and counts["quay"] == 1
    # No headline to weigh: a single block, or a first paragraph too long to be a headline.
    assert story_term_counts("A crane fell onto the quay during the storm.", "en")["crane"] == 1
    long_first = " ".join(["The crane"] * 20) + " fell.\n\nMore."
    assert story_term_counts(long_first, "en")["crane"] == 20


@pytest.mark.parametrize("text", [
    "Dam holds after storm\n\nThe river rose two metres overnight, officials said.\nResidents were told to stay home.",
    "Dam holds after storm\n\nRIVERTON (AP) — The river rose two metres overnight.\n\nMORE: officials said the dam held.",
    "Straße gesperrt: Ｆｕｌｌ width letters and ﬁ ligatures\nafter a line break",
    "One paragraph only, no headline to skip, with more than enough words to fill a lead of twenty words easily here.",
])
def test_the_shared_normalisation_reads_the_same_words_as_each_function_alone(text):
    # signatures() normalises each text once; what it gets must be what the hash, the
    # copy shingles and the lead shingles compute on their own (stored keys must still meet).
    digest, tokens = hash_and_tokens(text)
    assert digest == text_hash(text) and tokens == comparable_tokens(text)
    first, _, rest = text.partition("\n\n")
    body = rest if rest and len(first.split()) <= HEADLINE_MAX_WORDS else text
    line_by_line = [t for line in body.split("\n") for t in comparable_tokens(line)]
    assert lead_tokens(text, tokens) == line_by_line
    assert lead_shingles(text, 5) == lead_shingles(text, 5, tokens)
