"""langdetect's detector with the same answers and fewer Python operations per character.

langdetect 1.0.9 is pure Python: for each character of the sample it runs a method that
normalises the character and updates an n-gram buffer, and for each random draw it
multiplies 55 language probabilities one by one. Over the 1,553 synd_dev articles that
was the language stage's whole cost (~5 ms a page). `FastDetector` keeps langdetect's
algorithm, profiles, seeded random draws and floating-point operations in the same order,
and changes only how they are executed:

* the text is appended with two regular expressions instead of character by character;
* each character is normalised once per process (a str.translate table), and each
  word's n-grams are collected once per process (a memo);
* the probability update is one numpy multiplication over the 55 languages (the same
  IEEE operations per element); the normalisation sums with Python's `sum` over a list,
  as langdetect does, so the rounding is the same;
* the profiles (87,598 n-grams x 55 languages) are one float64 matrix, built from
  langdetect's JSON files once and kept in newsetl's cache folder (tasks/derived_cache.py):
  a process reads them in ~0.1 s instead of parsing 55 JSON files (0.3 s on a quiet
  machine, 0.9 s on a busy one: a one-article run's largest load after the NER model).

The answers are compared with langdetect's own on every page of the cleanup dev sets and
synd_dev (bench/langdetect_check.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

import numpy as np
from langdetect import DetectorFactory, detect_langs, detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.language import Language
from langdetect.utils.ngram import NGram

_SPACE_RUN = re.compile(" {2,}")
_SPACE_RUN_ANY = re.compile(" +")


class _Normalised(dict):
    """str.translate table: code point -> NGram.normalize(character), filled as characters are met."""

    def __missing__(self, code: int) -> str:
        normal = self[code] = NGram.normalize(chr(code))
        return normal


_NORMALISED = _Normalised()


@dataclass(frozen=True)
class Profiles:
    """langdetect's language profiles: the language codes, each n-gram's row number, and
    the matrix of P(n-gram | language), one row per n-gram, one column per language."""

    langlist: list[str]
    word_lang_prob_map: dict[str, int]  # the name Detector reads; n-gram -> row of `matrix`
    matrix: np.ndarray

    @property
    def seed(self) -> int | None:
        return DetectorFactory.seed  # set by the language stage, as for langdetect's factory


@lru_cache(maxsize=1)
def profiles() -> Profiles:
    """Return langdetect's profiles, from the cache folder or built from its JSON files."""
    from newsetl.tasks.derived_cache import cached, dependency_key

    langlist, ngrams, data = cached("langdetect-profiles", dependency_key([__name__], ["langdetect"]), _build_profiles)
    matrix = np.frombuffer(data, dtype=np.float64).reshape(len(ngrams), len(langlist))
    return Profiles(langlist, {w: i for i, w in enumerate(ngrams)}, matrix)


def _build_profiles() -> tuple[list[str], list[str], bytes]:
    detector_factory.init_factory()
    factory = detector_factory._factory
    ngrams = list(factory.word_lang_prob_map)
    matrix = np.array([factory.word_lang_prob_map[w] for w in ngrams], dtype=np.float64)
    langlist = list(factory.langlist)
    detector_factory._factory = None  # its float lists are not needed any more (~65 MB)
    return langlist, ngrams, matrix.tobytes()


class FastDetector(Detector):
    """A langdetect Detector whose text intake, n-gram extraction and probability updates
    are faster, over `Profiles` (given where langdetect gives its factory)."""

    def __init__(self, profiles: Profiles) -> None:
        super().__init__(profiles)
        self.matrix = profiles.matrix

    def append(self, text: str) -> None:
        """Add `text` as langdetect does: URLs and e-mail addresses blanked, Vietnamese
        normalised, cut at max_text_length characters, runs of spaces collapsed."""
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)[: self.max_text_length]
        # langdetect appends a space only after a character that is not a space (of this
        # call's text: its first character is always appended).
        self.text += _SPACE_RUN.sub(" ", text)

    def _extract_ngrams(self) -> list[int]:
        # langdetect feeds each normalised character into a 3-character buffer that restarts
        # after a space, and collects the buffer's last 1, 2 and 3 characters when the
        # profiles know them. The buffer restarts at every word, so the n-grams are each
        # word's own (`_word_ngrams`, with the space after it unless the text ends there),
        # in text order; a word's are computed once per process. Returned as profile rows.
        text = _SPACE_RUN_ANY.sub(" ", self.text.translate(_NORMALISED))
        words = text.split(" ")
        last = len(words) - 1
        result: list[int] = []
        for i, word in enumerate(words):
            if word:
                result += _word_ngrams(word + " " if i < last else word, self.word_lang_prob_map)
        return result

    def _detect_block(self) -> None:
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        matrix = self.matrix
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        self.langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability(), dtype=np.float64)
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ
            i = 0
            while True:
                prob *= weight + matrix[self.random.choice(ngrams)]  # the same draw: choice looks only at len()
                if i % 5 == 0:
                    prob /= sum(prob.tolist())  # Python's sum, as langdetect: the same rounding
                    if prob.max() > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                        break
                i += 1
            for j, p in enumerate(prob.tolist()):
                self.langprob[j] += p / self.n_trial


# Words whose n-grams are memoised, as the profile rows they name (the profile's own int
# objects: 8 bytes a reference); the memo starts again when it is full. synd_dev's 1,553
# articles have 19,181 distinct words; 50,000 hold a news vocabulary's frequent words,
# which are most of the text (Zipf), in ~13 MB (5 MB for those 19,181).
WORD_MEMO_SIZE = 50_000
_WORD_NGRAMS: dict[str, tuple[int, ...]] = {}


def _word_ngrams(word: str, word_map: dict) -> tuple[int, ...]:
    """The profile rows of the n-grams langdetect collects from one normalised word (with
    the space that ends it, if any): at each character, nothing while two capitals follow
    each other; else the character (not a space), the 2-gram ending there (with the space
    before the word), and the 3-gram ending there from the word's second character on."""
    grams = _WORD_NGRAMS.get(word)
    if grams is not None:
        return grams
    text = " " + word
    found = []
    prev = " "
    for k in range(1, len(text)):
        ch = text[k]
        if ch.isupper() and prev.isupper():
            prev = ch
            continue
        if ch != " " and ch in word_map:
            found.append(word_map[ch])
        if prev + ch in word_map:
            found.append(word_map[prev + ch])
        if k >= 2 and text[k - 2 : k + 1] in word_map:
            found.append(word_map[text[k - 2 : k + 1]])
        prev = ch
    if len(_WORD_NGRAMS) >= WORD_MEMO_SIZE:
        _WORD_NGRAMS.clear()
    grams = _WORD_NGRAMS[word] = tuple(found)
    return grams


# FastDetector re-implements langdetect 1.0.9's internals (its last release, 2021); any
# other version is used as it is.
LANGDETECT_VERSION = "1.0.9"
_SAME_VERSION = version("langdetect") == LANGDETECT_VERSION


def detect_probabilities(text: str) -> list[Language]:
    """Return langdetect's `detect_langs(text)` answer (languages with probability, best
    first), computed by FastDetector; raises LangDetectException as langdetect does."""
    if not _SAME_VERSION:
        return detect_langs(text)
    detector = FastDetector(profiles())
    detector.append(text)
    return detector.get_probabilities()
