"""Language detection: tag each article with an ISO 639-1 code and a confidence.

langdetect is seeded so that the same text always gets the same answer. Text with no
letters gives langdetect "no features"; such articles get `UNDETERMINED`, not an error.
For HTML input the visible page lines cleanup reads are analysed, not the markup.
"""

from __future__ import annotations

import importlib.util
import re
import time
import unicodedata
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from langdetect import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.tasks import stage_times
from newsetl.tasks.html_text import html_to_lines
from newsetl.tasks.langdetect_fast import detect_probabilities
from newsetl.tasks.isolation import isolate_failures
from newsetl.tasks.line_memo import LINE_MEMO_MAX_CHARS, LINE_MEMO_SIZE
from newsetl.tasks.missing_languages import by_script, refine
from newsetl.tasks.records import Article, StageOutput

UNDETERMINED = "und"
LANGDETECT_SEED = 0
# langdetect's cost grows with the characters it reads (its n-gram extraction is per
# character, in Python), its vote does not: the longer page lines come first (page_text),
# and 3,000 characters of them decide. Calibrated on the seven cleanup bench sets (1,604
# pages, 1,373 with a language label): 3,000 instead of 10,000 characters halves the time
# per page (e.g. dragnet 29 -> 15 ms, fundus-tests 42 -> 17 ms) and changes 2 labelled
# answers (one dragnet, one googletrends2017 page; accuracy per set within 0.6 point);
# 2,000 saves little more and changes one more page (fundus-tests) against 10,000.
MAX_CHARS = 3_000
VERSION = f"langdetect-1.0.9/seed{LANGDETECT_SEED}/page-lines/{MAX_CHARS}/zu-xh-is-sr-be-kk-az/scripts"  # tasks/missing_languages.py

DetectorFactory.seed = LANGDETECT_SEED

_KEY_WORD = re.compile(r"\w+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def detect_language(text: str) -> tuple[str, float]:
    """Return (language code, probability) for `text`; (UNDETERMINED, 0.0) when it has no features.

    Languages langdetect has no profile for come from tasks/missing_languages.py: by their
    script (the score is then the script's share of the letters), or by refining the answer
    langdetect gives them instead (the score stays langdetect's)."""
    sample = text[:MAX_CHARS]
    if not _WORD.search(sample):
        return UNDETERMINED, 0.0
    scripted = by_script(sample)  # a script langdetect has no profile for
    if scripted is not None:
        return scripted
    DetectorFactory.seed = LANGDETECT_SEED
    try:
        best = detect_probabilities(sample)[0]
    except LangDetectException:
        return UNDETERMINED, 0.0
    return refine(_normalise_code(best.lang), sample), round(float(best.prob), 4)


def _normalise_code(code: str) -> str:
    # langdetect reports Chinese as zh-cn / zh-tw; the rest are already ISO 639-1.
    return code.split("-")[0]


# Lines of at least this many words are read first when judging a page's language: prose
# outweighs menus there (a site's English menu around a German article). Pages with fewer
# than PROSE_MIN_CHARS of such lines are judged on all their lines.
PROSE_LINE_MIN_WORDS = 8
PROSE_MIN_CHARS = 200


def page_text(article: Article) -> str:
    """Return the text an article's language should be judged on: for HTML, the page's
    visible lines exactly as cleanup reads them (tasks/html_text.py), its longer lines first."""
    lines = html_to_lines(article.raw_text) if article.input_format == "html" else article.raw_text.splitlines()
    prose = "\n".join(line for line in lines if len(_WORD.findall(line)) >= PROSE_LINE_MIN_WORDS)
    return prose if len(prose) >= PROSE_MIN_CHARS else "\n".join(lines)


def detect_languages(articles: list[Article]) -> list[Article]:
    """Return the articles with `language` and `language_score` set."""
    out = []
    for article in articles:
        lang, score = detect_language(page_text(article))
        out.append(replace(article, language=lang, language_score=score, versions={**article.versions, "language": VERSION}))
    return out


# The word and key memos below keep the lines tasks/line_memo.py says.
def normalise_line(line: str) -> str:
    """Return a comparison key for a line: NFKC, casefolded, punctuation and spacing removed."""
    if len(line) <= LINE_MEMO_MAX_CHARS:
        return _memo_normalise_line(line)
    return _normalise_line(line)


def _normalise_line(line: str) -> str:
    return " ".join(_KEY_WORD.findall(unicodedata.normalize("NFKC", line).casefold()))


_memo_normalise_line = lru_cache(maxsize=LINE_MEMO_SIZE)(_normalise_line)


def words(text: str) -> list[str]:
    """Split text into lower-cased word tokens (letters, with inner apostrophes)."""
    if len(text) <= LINE_MEMO_MAX_CHARS:
        return list(_memo_words(text))
    return _words(text)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@lru_cache(maxsize=LINE_MEMO_SIZE)
def _memo_words(line: str) -> tuple[str, ...]:
    return tuple(_words(line))


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """Return spaCy's stop-word list for `lang` (empty for unknown languages). No model needed.

    Read from spaCy's own spacy/lang/<lang>/stop_words.py, run on its own: importing the
    language package instead (its tokenizer exceptions and rules) cost seconds — the
    twelve PROFILE_LANGUAGES took 15 s on a busy machine, in the first cleanup batch."""
    path = _spacy_dir() / "lang" / lang / "stop_words.py"
    if _LANG_CODE.fullmatch(lang) and path.is_file():
        spec = importlib.util.spec_from_file_location(f"_newsetl_stop_words_{lang}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # a plain `STOP_WORDS = set(...)`: no imports
        return frozenset(w.lower() for w in module.STOP_WORDS)
    try:
        from spacy.util import get_lang_class

        return frozenset(w.lower() for w in get_lang_class(lang).Defaults.stop_words)
    except (ImportError, KeyError):
        return frozenset()


def _spacy_dir() -> Path:
    """spaCy's package folder, found without importing spaCy (~0.4-0.9 s): a run whose NER
    goes to worker processes never needs it in its own process."""
    spec = importlib.util.find_spec("spacy")
    return Path(next(iter(spec.submodule_search_locations)))


_LANG_CODE = re.compile(r"[a-z]{2,3}")


# Languages whose stop-word profile is compared when asking "is this line in another
# language than the body?": the big news languages that spaCy ships stop words for.
PROFILE_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "sv", "da", "pl", "ro", "ca")


def line_language_votes(text: str) -> dict[str, int]:
    """Count, per profile language, the words of `text` that are stop words only in that language.

    Words shared by several languages' lists vote for none of them, so short lines are
    judged on their distinctive function words ("más", "el", "the", "und").
    """
    owner_of = _sole_owners()
    votes: dict[str, int] = {}
    for word in words(text):
        owner = owner_of.get(word)
        if owner is not None:
            votes[owner] = votes.get(owner, 0) + 1
    return votes


@lru_cache(maxsize=1)
def _sole_owners() -> dict[str, str]:
    """Each stop word that belongs to exactly one profile language, mapped to that language."""
    owners: dict[str, list[str]] = {}
    for lang in PROFILE_LANGUAGES:
        for word in stop_words(lang):
            owners.setdefault(word, []).append(lang)
    return {word: langs[0] for word, langs in owners.items() if len(langs) == 1}


@task(name="detect-language", cache_policy=NO_CACHE, persist_result=False)
def detect_language_task(articles: list[Article]) -> StageOutput:
    """Prefect task: `detect_languages` over one batch, failures quarantined."""
    started = time.perf_counter()
    with stage_times.timed("language"):
        done, failed = isolate_failures(detect_languages, articles, "language")
    counts = Counter(a.language for a in done)
    get_run_logger().info(
        "languages of %d articles in %.1f s: %s", len(done), time.perf_counter() - started, dict(counts.most_common())
    )
    return StageOutput(done, failed)
