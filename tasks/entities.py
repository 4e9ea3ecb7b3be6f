"""Entity extraction: spaCy NER per language over clean text, with normalised entity names.

Articles are grouped by language and sent through `nlp.pipe` in small batches (a text
longer than tasks/ner_pieces.PIECE_CHARS in pieces). Offsets index into `clean_text`, so
no entity can come from a removed line. Languages without an
installed model get no entities and `ner_model` NULL — recorded, never an error.

Canonical names let different mentions meet (tasks/canonical_names.py: titles, articles
that are not part of the name, elisions and possessives stripped), and within an article a
surname alone takes the full name used elsewhere in it ("Trump" -> "Donald Trump"). Each
mention gets an `entity_id` shared across articles and languages (tasks/entity_ids.py).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import replace

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.tasks import stage_times
from newsetl.tasks.canonical_names import canonical_name, is_name, starts_sentence, strip_elision
from newsetl.tasks.entity_ids import entity_id
from newsetl.tasks.place_context import places_in_context
from newsetl.tasks.entity_kinds import kind_of
from newsetl.tasks.isolation import isolate_failures
from newsetl.tasks import ner_pieces
from newsetl.tasks.ner_processes import docs_in_processes, pool_worth_using, span_docs
from newsetl.tasks.records import Article, Entity, StageOutput

PERSON_LABELS = ("PERSON", "PER", "persName")


def resolve_short_names(mentions: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Map (canonical, label) of short person names to the one longer name they end with in the same article.

    "Trump" becomes "Donald Trump" when the article also says "Donald Trump"; a surname
    shared by two different full names in the article stays as it is.
    """
    persons = {c for c, label in mentions if label in PERSON_LABELS}
    mapping: dict[tuple[str, str], str] = {}
    for canonical, label in set(mentions):
        if label not in PERSON_LABELS:
            continue
        longer = {p for p in persons if len(p) > len(canonical) and p.endswith(" " + canonical)}
        if len(longer) == 1:
            mapping[(canonical, label)] = longer.pop()
    return mapping


RELABELLED_KINDS = ("person", "organisation", "place")


def consistent_labels(mentions: list[tuple[str, str]]) -> list[str]:
    """Return one label per (text, label) mention so that a name means one thing in one article.

    Small NER models label the same name differently from sentence to sentence (a footballer's
    surname as a person, then as a place). Within one article each name takes the label most
    of its mentions got, where a longer person name also votes for its last word ("Iván
    Zamorano" is a vote for "Zamorano" being a person); a tie keeps each mention's own label.
    Only people, organisations and places are relabelled; dates, numbers and other names are not.
    Measured on the eight news dev sets (bench/ner.py, models of this commit): F1 +0.000 to
    +0.015 in every language (nl +0.013, uk +0.015, es/it/pt +0.004, en +0.003); letting the
    full name override the votes gained more on es and nl but lost 0.016 on uk, where models
    tag "Голова Комісії" as a person.
    """
    votes: dict[str, Counter] = defaultdict(Counter)
    for text, label in mentions:
        if kind_of(label) in RELABELLED_KINDS:
            votes[text][label] += 1
            words = text.split()
            if kind_of(label) == "person" and len(words) > 1:
                votes[words[-1]][label] += 1
    out = []
    for text, label in mentions:
        ranked = votes[text].most_common(2) if kind_of(label) in RELABELLED_KINDS else []
        if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            out.append(ranked[0][0])
        else:
            out.append(label)
    return out


def entities_of(doc, lang: str | None = None) -> tuple[Entity, ...]:
    """Return the Entity records of a processed spaCy doc (or a ner_processes.SpanDoc: only
    `text` and the `ents`' offsets and labels are read): canonical names, kinds and entity ids.

    An elided article or preposition glued to the front of a mention ("qu’Emmanuel Macron")
    is cut from the mention's offsets too; mentions that are no name ("n’") are dropped.
    """
    text = doc.text
    raw = []
    for ent in doc.ents:
        start, end, label = ent.start_char, ent.end_char, ent.label_
        sentence_start = starts_sentence(text, start)
        start += len(strip_elision(text[start:end], sentence_start))
        canonical = canonical_name(text[start:end], label, sentence_start)
        if start < end and is_name(canonical):
            raw.append((text[start:end], label, start, end, canonical))
    labels = consistent_labels([(t, label) for t, label, _, _, _ in raw])
    raw = [(t, label, s, e, canonical_name(t, label, starts_sentence(text, s)) if label != old else c)
           for (t, old, s, e, c), label in zip(raw, labels)]
    resolved = resolve_short_names([(c, label) for _, label, _, _, c in raw])
    out = []
    for t, label, s, e, c in raw:
        canonical, kind = resolved.get((c, label), c), kind_of(label)
        out.append(Entity(text=t, label=label, start_char=s, end_char=e, canonical=canonical, kind=kind,
                          entity_id=entity_id(canonical, kind, lang)))
    return places_in_context(tuple(out))  # "Odessa" beside "Ukraine" is Odesa (tasks/place_context.py)


def extract_entities(articles: list[Article], batch_size: int = 16, processes: int = 0) -> list[Article]:
    """Return the articles with `entities` and `ner_model` set, one `nlp.pipe` pass per language:
    in this process, or split over `processes` worker processes (tasks/ner_processes.py)."""
    by_lang: dict[str, list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        if article.clean_text:
            by_lang[article.language or ""].append(index)
    out = list(articles)
    for lang, indexes in sorted(by_lang.items()):
        if not lang:
            continue
        texts = [articles[i].clean_text for i in indexes]
        if processes > 0 and pool_worth_using(len(texts)):
            version, docs = docs_in_processes(lang, texts, batch_size, processes)
        else:
            # Imported here: spaCy (~0.4-0.9 s to import) is only needed where NER runs.
            from newsetl.tasks.models import load_ner, model_version

            nlp = load_ner(lang)
            version, docs = (model_version(lang), span_docs(texts, ner_pieces.entity_spans(nlp, texts, batch_size))) if nlp is not None else (None, ())
        if version is None:
            continue
        for index, doc in zip(indexes, docs):
            article = out[index]
            out[index] = replace(
                article, entities=entities_of(doc, lang), ner_model=version, versions={**article.versions, "ner": version},
                notes=_with_read_part_note(article.notes, article.clean_text),
            )
    return out


READ_PART_PREFIX = "entities from the first "
READ_PART_NOTE = READ_PART_PREFIX + "{limit:,} of {length:,} characters of clean text"


def _with_read_part_note(notes: tuple[str, ...], text: str) -> tuple[str, ...]:
    """An article's notes after NER of `text`: an earlier NER's note of this kind replaced
    (a reprocess runs it again), and a new one when only the first MAX_NER_CHARS were read."""
    kept = tuple(n for n in notes if not n.startswith(READ_PART_PREFIX))
    if len(text) <= ner_pieces.MAX_NER_CHARS:
        return kept
    return (*kept, READ_PART_NOTE.format(limit=ner_pieces.MAX_NER_CHARS, length=len(text)))


@task(name="extract-entities", cache_policy=NO_CACHE, persist_result=False)
def extract_entities_task(cleaned: StageOutput, batch_size: int = 16, processes: int = 0) -> StageOutput:
    """Prefect task: `extract_entities` over the cleaned batch (NER in `processes` worker
    processes, or in this one with 0), failures quarantined."""
    started = time.perf_counter()
    with stage_times.timed("ner"):
        done, failed = isolate_failures(lambda batch: extract_entities(batch, batch_size, processes), cleaned.articles, "entities")
    no_model = Counter(a.language for a in done if a.clean_text and a.ner_model is None)
    get_run_logger().info(
        "%d entity mentions in %d articles in %.1f s; languages without a model: %s",
        sum(len(a.entities) for a in done), len(done), time.perf_counter() - started, dict(no_model) or "none",
    )
    return cleaned.then(done, failed)
