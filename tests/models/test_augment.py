"""models/augment.py: the news augmentation the NER training applies (no training here)."""

from newsetl.models.augment import AGENCIES, augment_documents, place_names


def doc(words: str, tags: str) -> list[dict]:
    return [{"tokens": words.split(), "tags": tags.split()}]


DOCS = [doc("Marta Ruiz llegó a Valladolid ayer .", "B-PER I-PER O O B-LOC O O")] * 200


def spans(sentence: dict) -> list[tuple[str, str]]:
    out, words, label = [], [], None
    for word, tag in [*zip(sentence["tokens"], sentence["tags"]), ("", "O")]:
        if tag.startswith("I-"):
            words.append(word)
            continue
        if words:
            out.append((" ".join(words), label))
        words, label = ([word], tag[2:]) if tag.startswith("B-") else ([], None)
    return out


def test_datelines_tag_the_city_a_place_and_the_agency_an_organisation():
    changed = [d[0] for d in augment_documents("es", DOCS, seed=1) if d[0]["tokens"] != DOCS[0][0]["tokens"]]
    with_agency = [s for s in changed if any(label == "ORG" for _, label in spans(s))]
    assert with_agency, "some documents got a dateline or credit"
    for s in with_agency:
        found = spans(s)
        assert ("Marta Ruiz", "PER") in found and ("Valladolid", "LOC") in found  # the sentence's own names kept
        assert all(name in AGENCIES["es"] for name, label in found if label == "ORG")
        assert len(s["tokens"]) == len(s["tags"])


def test_upper_cased_documents_keep_their_tags():
    upper = [d[0] for d in augment_documents("es", DOCS, seed=1) if d[0]["tokens"][0] == "MARTA"]
    assert upper and all(s["tags"] == DOCS[0][0]["tags"] for s in upper if len(s["tokens"]) == 7)


def test_most_documents_stay_as_they_are_and_the_result_is_seeded():
    first, again = augment_documents("es", DOCS, seed=3), augment_documents("es", DOCS, seed=3)
    assert first == again
    assert sum(d == DOCS[0] for d in first) > 0.8 * len(DOCS)


def test_place_names_come_from_the_training_sentences():
    assert place_names([DOCS[0][0], doc("En Nueva York", "O B-LOC I-LOC")[0]]) == [["Valladolid"], ["Nueva", "York"]]


def test_a_language_without_agencies_is_left_alone():
    assert augment_documents("xx", DOCS, seed=0) == DOCS
