"""Entity extraction: spaCy NER per language over clean text, with normalised entity names.

Articles are grouped by language and sent through `nlp.pipe` in small batches. Offsets
index into `clean_text`, so no entity can come from a removed line. Languages without an
installed model get no entities and `ner_model` NULL — recorded, never an error.

Canonical names let different mentions meet: titles, leading articles and possessives
are stripped ("U.S. President Donald Trump" -> "Donald Trump", "the Kremlin's" ->
"Kremlin"), and within an article a surname alone takes the full name used elsewhere in
it ("Trump" -> "Donald Trump").
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import replace

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.tasks.entity_kinds import kind_of
from newsetl.tasks.isolation import isolate_failures
from newsetl.tasks.models import load_ner, model_version
from newsetl.tasks.records import Article, Entity, StageOutput

PERSON_LABELS = ("PERSON", "PER")
# Leading words that are titles or roles, not part of a name (several languages).
TITLE_WORDS = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame lord lady president vice prime minister
    secretary chancellor senator sen. rep. representative governor gov. mayor king queen prince princess
    pope judge justice general gen. colonel col. captain capt. spokesman spokeswoman spokesperson
    chairman chairwoman ceo chief minister envoy ambassador foreign former late u.s. us uk eu
    président présidente ministre premier m. mme presidente ministro señor señora sr. sra. herr frau""".split()
)
_LEADING_ARTICLE = re.compile(r"^(the|le|la|les|l'|l’|el|los|las|der|die|das)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")
_SPACES = re.compile(r"\s+")


def canonical_name(text: str, label: str) -> str:
    """Return the normalised form of one mention (titles, articles, possessives stripped)."""
    name = _SPACES.sub(" ", text).strip(" \t\n\"'“”‘’«»()[],;:")
    name = _POSSESSIVE.sub("", name)
    name = _LEADING_ARTICLE.sub("", name)
    if label in PERSON_LABELS:
        tokens = name.split(" ")
        while len(tokens) > 1 and tokens[0].lower() in TITLE_WORDS:
            tokens = tokens[1:]
        name = " ".join(tokens)
    return name or text.strip()


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


def _entities_of(doc) -> tuple[Entity, ...]:
    raw = [(ent.text, ent.label_, ent.start_char, ent.end_char, canonical_name(ent.text, ent.label_)) for ent in doc.ents]
    resolved = resolve_short_names([(c, label) for _, label, _, _, c in raw])
    return tuple(
        Entity(text=t, label=label, start_char=s, end_char=e, canonical=resolved.get((c, label), c), kind=kind_of(label))
        for t, label, s, e, c in raw
    )


def extract_entities(articles: list[Article], batch_size: int = 16) -> list[Article]:
    """Return the articles with `entities` and `ner_model` set, one `nlp.pipe` pass per language."""
    by_lang: dict[str, list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        if article.clean_text:
            by_lang[article.language or ""].append(index)
    out = list(articles)
    for lang, indexes in sorted(by_lang.items()):
        nlp = load_ner(lang) if lang else None
        if nlp is None:
            continue
        version = model_version(lang)
        texts = (articles[i].clean_text for i in indexes)
        for index, doc in zip(indexes, nlp.pipe(texts, batch_size=batch_size)):
            article = out[index]
            out[index] = replace(
                article, entities=_entities_of(doc), ner_model=version, versions={**article.versions, "ner": version}
            )
    return out


@task(name="extract-entities", cache_policy=NO_CACHE, persist_result=False)
def extract_entities_task(cleaned: StageOutput, batch_size: int = 16) -> StageOutput:
    """Prefect task: `extract_entities` over the cleaned batch, failures quarantined."""
    started = time.perf_counter()
    done, failed = isolate_failures(lambda batch: extract_entities(batch, batch_size), cleaned.articles, "entities")
    no_model = Counter(a.language for a in done if a.clean_text and a.ner_model is None)
    get_run_logger().info(
        "%d entity mentions in %d articles in %.1f s; languages without a model: %s",
        sum(len(a.entities) for a in done), len(done), time.perf_counter() - started, dict(no_model) or "none",
    )
    return cleaned.then(done, failed)
