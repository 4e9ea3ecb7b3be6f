"""Choose the headline among a page's candidate titles with a small learned linear ranker.

A page names its headline several times: JSON-LD `headline`, og:title, twitter:title,
microdata, the <h1>s, the <title>, and whether the body displays it. They often differ (a kicker, an SEO rewrite, a site
suffix). Each distinct candidate (after site parts are stripped) gets features — which
sources state it, how many agree, whether it contains or is contained in another, its
length and casing — and a linear score with weights from `title_ranker.json`; the highest
score wins. The weights are trained by `bench/train_title_ranker.py` (one command, seeded).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

WEIGHTS_FILE = Path(__file__).with_name("title_ranker.json")
# The places a headline is stated, most formal first; the order also picks the spelling
# shown when several sources state the same title. "shown" (the body displays it as an
# element's whole text, outside navigation) only ever joins a candidate another source states.
SOURCES = ("ld", "og", "twitter", "microdata", "h1", "h1_later", "title", "shown")
_WORD = re.compile(r"\w+")
# A separator still inside a cleaned title ("Headline - Section", "Kicker / Headline").
_INNER_SEPARATOR = re.compile(r"\s(?:\||-|–|—|/|·|•)\s")


@dataclass
class TitleCandidate:
    """One distinct title a page states (compared by its folded key), with the sources stating it."""

    text: str
    key: str
    sources: set[str] = field(default_factory=set)
    stripped: bool = False  # a site name or breadcrumb was removed from it somewhere
    # Another candidate is this one followed by short parts ("Headline | Politics News"): a
    # source (mostly the <title>) states this headline with a section or site name the site-name
    # stripping did not know.
    suffixed: bool = False


def add_candidate(candidates: list[TitleCandidate], text: str, key: str, source: str, stripped: bool) -> None:
    """Record that `source` states `text` (folded `key`); merge with a candidate of the same key."""
    for cand in candidates:
        if cand.key == key:
            cand.sources.add(source)
            cand.stripped = cand.stripped or stripped
            if SOURCES.index(source) < min(SOURCES.index(s) for s in cand.sources - {source} or {source}):
                cand.text = text
            return
    candidates.append(TitleCandidate(text, key, {source}, stripped))


def candidate_features(cand: TitleCandidate, others: list[TitleCandidate]) -> dict[str, float]:
    """Return the named features of one candidate among all of a page's candidates (itself included)."""
    n_sources = len({s for c in others for s in c.sources}) or 1
    words = _WORD.findall(cand.text)
    longest = max(len(_WORD.findall(c.text)) for c in others) or 1
    capitalised = [w for w in words if w[:1].isalpha()]
    feats = {f"src_{s}": float(s in cand.sources) for s in SOURCES}
    feats.update(
        support=len(cand.sources) / n_sources,
        n_support=float(len(cand.sources)),
        contains_other=float(any(c is not cand and c.key and c.key in cand.key for c in others)),
        inside_other=float(any(c is not cand and cand.key in c.key for c in others)),
        log_words=math.log1p(len(words)),
        length_share=len(words) / longest,
        kicker=float(bool(re.match(r"^[^:]{2,60}:\s", cand.text))),
        inner_separator=float(bool(_INNER_SEPARATOR.search(cand.text))),
        title_case=(sum(w[0].isupper() for w in capitalised) / len(capitalised)) if len(capitalised) >= 4 else 0.0,
        stripped=float(cand.stripped),
        section_suffixed=float(cand.suffixed),
    )
    return feats


@lru_cache(maxsize=1)
def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """Return the ranker's weights (feature name -> weight, plus "bias") from its JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {**data["weights"], "bias": data.get("bias", 0.0)}


def score_candidate(feats: dict[str, float], weights: dict[str, float]) -> float:
    """Linear score of one candidate's features (higher: more likely the headline)."""
    return weights.get("bias", 0.0) + sum(weights.get(name, 0.0) * value for name, value in feats.items())


def best_title(candidates: list[TitleCandidate], weights: dict[str, float] | None = None) -> TitleCandidate | None:
    """Return the highest-scoring candidate (the earliest stated on a tie), or None when there is none."""
    if not candidates:
        return None
    weights = load_weights() if weights is None else weights
    scored = [(score_candidate(candidate_features(c, candidates), weights), -i, c) for i, c in enumerate(candidates)]
    return max(scored, key=lambda t: (t[0], t[1]))[2]
