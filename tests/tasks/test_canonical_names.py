"""Canonical names: articles kept only where they belong to the name, elisions cut, no fragments."""

import pytest

from newsetl.tasks.canonical_names import canonical_name, is_name, starts_sentence, strip_elision


@pytest.mark.parametrize(
    "text, label, expected",
    [
        ("Los Angeles", "GPE", "Los Angeles"),
        ("El Paso", "GPE", "El Paso"),
        ("The Hague", "GPE", "The Hague"),
        ("La Paz", "LOC", "La Paz"),
        ("Le Pen", "PER", "Le Pen"),
        ("The New York Times", "ORG", "The New York Times"),
        ("the United States", "GPE", "United States"),
        ("la Commission européenne", "ORG", "Commission européenne"),
        ("der Bundestag", "ORG", "Bundestag"),
        ("The Netherlands", "GPE", "Netherlands"),
    ],
)
def test_leading_articles_stay_only_where_they_are_part_of_the_name(text, label, expected):
    assert canonical_name(text, label) == expected


def test_a_capitalised_article_that_only_starts_the_sentence_is_stripped_but_not_from_a_place_name():
    assert canonical_name("The Kremlin", "ORG", sentence_start=True) == "Kremlin"
    assert canonical_name("Los Angeles", "LOC", sentence_start=True) == "Los Angeles"


@pytest.mark.parametrize(
    "text, label, sentence_start, expected",
    [
        ("qu’Emmanuel Macron", "PER", False, "Emmanuel Macron"),
        ("Qu’Emmanuel Macron", "PER", True, "Emmanuel Macron"),
        ("l’Élysée", "LOC", False, "Élysée"),
        ("dell’Unione europea", "ORG", False, "Unione europea"),
        ("d'Italia", "LOC", False, "Italia"),
        ("L’Allemagne", "LOC", True, "Allemagne"),
        ("L’Aquila", "LOC", True, "L’Aquila"),   # the city's name begins with it
        ("D’Alema", "PER", False, "D’Alema"),   # a surname, mid-sentence
    ],
)
def test_elided_articles_and_prepositions(text, label, sentence_start, expected):
    assert canonical_name(text, label, sentence_start) == expected


def test_elision_fragments_and_one_or_two_letter_names_are_not_names():
    assert not is_name(canonical_name("n’", "PER"))
    assert not is_name(canonical_name("qu’", "PER"))
    assert not is_name("M.") and not is_name("Al")
    assert is_name("EU") and is_name("U.S.") and is_name("Kyiv")
    assert not is_name("AI") and not is_name("A.I.") and not is_name("GDP") and not is_name("KI")


def test_strip_elision_says_what_to_cut_from_the_mention():
    assert strip_elision("qu’Emmanuel Macron") == "qu’"
    assert strip_elision("Emmanuel Macron") == ""


def test_sentence_starts():
    text = "Il a dit. Macron part.\nBerlin attend, dit Scholz."
    assert starts_sentence(text, 0)
    assert starts_sentence(text, text.index("Macron"))
    assert starts_sentence(text, text.index("Berlin"))
    assert not starts_sentence(text, text.index("Scholz"))
