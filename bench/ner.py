"""Benchmark: entity recognition per language on the news dev sets, through `newsetl entities`' code.

For each language the dev set (../shared/bench/ner/dev/<lang>.jsonl) is cut into documents
of up to 20 consecutive sentences of one document id; a document's text is its sentences'
tokens joined by single spaces, sentences joined by "\\n". The texts go through
`flows.entities_stream.entities_stream` (what `newsetl entities` runs: the registry's model,
canonical names, elision trimming, the place relabeller) with their language code.

Scoring (as ../shared/bench/ner/README.md prescribes): labels mapped PERSON/PER/persName ->
PER, GPE/LOC/FAC/LOCATION/placeName/geogName -> LOC, ORG/orgName -> ORG, anything else ->
MISC; exact character span and label, micro P/R/F1 over PER/LOC/ORG with MISC ignored on
both sides; F1 per label; span-only F1 (label ignored) as a diagnostic.

Baselines in the same table: natasha (ru, if installed: `pip install natasha`), and any
model given with `--baseline LANG=PATH` (e.g. a Wikipedia-only pipeline trained with
models/train.py into another folder), scored on the model's own entities. A retrained
pipeline given with `--candidate LANG=PATH` (`models/train.py LANG --target PATH`) is scored
through the same `newsetl entities` code as the shipped one, in the same run, so the two
F1 figures compare like for like before the candidate replaces models/LANG. Size on disk of each
shipped model, and words/second of the whole `newsetl entities` path, with the English model
on the en dev set as the speed reference measured in the same run.

    .venv/bin/python bench/ner.py [--langs de,es] [--limit-docs 50] [--baseline es=/tmp/es-wiki]
                                  [--candidate it=/tmp/it-augmented]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "bench" / "ner"
sys.path.insert(0, str(REPO))

from newsetl.flows.entities_stream import entities_stream  # noqa: E402
from newsetl.tasks.entity_ids import entity_id  # noqa: E402
from newsetl.models.train import bio_spans  # noqa: E402  (the same BIO reading as training)
from newsetl.tasks.models import load_ner, model_package, shipped_model_dir  # noqa: E402

LANGS = ("de", "es", "it", "pt", "nl", "ru", "pl", "uk", "en")
SENTENCES_PER_DOC = 20
SCORED = ("PER", "LOC", "ORG")
LABEL_MAP = {
    "PER": "PER", "PERSON": "PER", "persName": "PER",
    "LOC": "LOC", "GPE": "LOC", "FAC": "LOC", "LOCATION": "LOC", "placeName": "LOC", "geogName": "LOC",
    "ORG": "ORG", "orgName": "ORG",
}



def dev_documents(lang: str, limit_docs: int | None = None) -> list[dict]:
    """Return the dev set of `lang` as [{"text", "gold": {(start, end, label)}, "words"}] documents."""
    by_doc: dict[str, list[dict]] = {}
    with open(DATA / "dev" / f"{lang}.jsonl", encoding="utf-8") as fh:
        for line in fh:
            s = json.loads(line)
            by_doc.setdefault(s["id"].rsplit("#", 1)[0], []).append(s)
    docs = []
    for sents in by_doc.values():
        for i in range(0, len(sents), SENTENCES_PER_DOC):
            text, gold, words = "", set(), 0
            for k, s in enumerate(sents[i:i + SENTENCES_PER_DOC]):
                if k:
                    text += "\n"
                starts = []
                for t, tok in enumerate(s["tokens"]):
                    if t:
                        text += " "
                    starts.append(len(text))
                    text += tok
                for a, b, lab in bio_spans(s["tags"]):
                    gold.add((starts[a], starts[b - 1] + len(s["tokens"][b - 1]), LABEL_MAP.get(lab, "MISC")))
                words += len(s["tokens"])
            docs.append({"text": text, "gold": gold, "words": words})
    return docs[:limit_docs] if limit_docs else docs


def score(gold_docs: list[set], pred_docs: list[set]) -> dict:
    """Micro P/R/F1 (PER/LOC/ORG, exact span and label), F1 per label, and span-only F1."""
    def prf(tp, n_pred, n_gold):
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    counts = Counter()
    for gold, pred in zip(gold_docs, pred_docs):
        gold = {g for g in gold if g[2] in SCORED}
        pred = {p for p in pred if p[2] in SCORED}
        counts["tp"] += len(gold & pred)
        counts["pred"] += len(pred)
        counts["gold"] += len(gold)
        for lab in SCORED:
            g, p = {x for x in gold if x[2] == lab}, {x for x in pred if x[2] == lab}
            counts[f"tp_{lab}"] += len(g & p)
            counts[f"pred_{lab}"] += len(p)
            counts[f"gold_{lab}"] += len(g)
        gs, ps = {x[:2] for x in gold}, {x[:2] for x in pred}
        counts["tp_span"] += len(gs & ps)
        counts["pred_span"] += len(ps)
        counts["gold_span"] += len(gs)
    p, r, f = prf(counts["tp"], counts["pred"], counts["gold"])
    out = {"P": p, "R": r, "F1": f, "span_F1": prf(counts["tp_span"], counts["pred_span"], counts["gold_span"])[2]}
    for lab in SCORED:
        out[lab] = prf(counts[f"tp_{lab}"], counts[f"pred_{lab}"], counts[f"gold_{lab}"])[2]
    return out


def run_newsetl(lang: str, docs: list[dict]) -> tuple[list[set], float]:
    """Send the documents through entities_stream (the `newsetl entities` code); return spans per doc and seconds."""
    load_ner(lang)  # loading the model and the place index is not part of the speed figure
    entity_id("Kyiv", "place", lang)
    lines = [json.dumps({"id": i, "text": d["text"], "language": lang}, ensure_ascii=False) for i, d in enumerate(docs)]
    out = io.StringIO()
    started = time.perf_counter()
    entities_stream(lines, out)
    seconds = time.perf_counter() - started
    preds = [set() for _ in docs]
    for row in map(json.loads, out.getvalue().splitlines()):
        preds[row["id"]] = {(e["start"], e["end"], LABEL_MAP.get(e["label"], "MISC")) for e in row["entities"]}
    return preds, seconds


@contextmanager
def serving(lang: str, path: str):
    """Inside the block, `newsetl entities` serves `lang` with the pipeline folder `path` instead of
    the shipped one (and before natasha); everything else in the code path stays as it is."""
    import newsetl.tasks.models as models

    original_dir, original_natasha = models.shipped_model_dir, models.NATASHA_FIRST
    models.shipped_model_dir = lambda code: Path(path) if code == lang else original_dir(code)
    models.NATASHA_FIRST = tuple(code for code in original_natasha if code != lang)
    models.load_ner.cache_clear()
    try:
        yield
    finally:
        models.shipped_model_dir, models.NATASHA_FIRST = original_dir, original_natasha
        models.load_ner.cache_clear()


def run_spacy_path(path: str, docs: list[dict]) -> tuple[list[set], float]:
    """A baseline spaCy pipeline loaded from `path`, entities as the model gives them."""
    import spacy

    nlp = spacy.load(path)
    started = time.perf_counter()
    preds = [{(e.start_char, e.end_char, LABEL_MAP.get(e.label_, "MISC")) for e in doc.ents}
             for doc in nlp.pipe((d["text"] for d in docs), batch_size=16)]
    return preds, time.perf_counter() - started


def run_natasha(docs: list[dict]) -> tuple[list[set], float]:
    """natasha's news NER (slovnet) for Russian, spans as it gives them."""
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    segmenter, tagger = Segmenter(), NewsNERTagger(NewsEmbedding())
    started = time.perf_counter()
    preds = []
    for d in docs:
        doc = Doc(d["text"])
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        preds.append({(s.start, s.stop, LABEL_MAP.get(s.type, "MISC")) for s in doc.spans})
    return preds, time.perf_counter() - started


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def installed_size_mb(*dists: str) -> float:
    """Size on disk of installed distributions (natasha ships its weights inside its wheel)."""
    from importlib.metadata import distribution

    total = 0
    for name in dists:
        for f in distribution(name).files or ():
            path = f.locate()
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6


NATASHA_DISTS = ("natasha", "slovnet", "navec", "razdel", "pymorphy2", "pymorphy2-dicts-ru", "yargy")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--limit-docs", type=int, default=None, help="subsample: first N documents per language")
    ap.add_argument("--baseline", action="append", default=[], help="LANG=PATH of a baseline spaCy pipeline")
    ap.add_argument("--candidate", action="append", default=[],
                    help="LANG=PATH of a retrained pipeline, scored through `newsetl entities` like the shipped one")
    args = ap.parse_args()
    baselines = dict(b.split("=", 1) for b in args.baseline)
    candidates = dict(c.split("=", 1) for c in args.candidate)
    rows = []
    for lang in args.langs.split(","):
        docs = dev_documents(lang, args.limit_docs)
        gold = [d["gold"] for d in docs]
        words = sum(d["words"] for d in docs)
        runs = []
        if model_package(lang):
            runs.append((f"newsetl: {model_package(lang)}", *run_newsetl(lang, docs)))
        shipped = shipped_model_dir(lang)
        if shipped and model_package(lang) == "natasha":
            # natasha serves this language: the shipped spaCy model is scored beside it
            runs.append((f"shipped: {shipped.name} spaCy model", *run_spacy_path(str(shipped), docs)))
        if lang in candidates:
            with serving(lang, candidates[lang]):
                runs.append((f"candidate: {Path(candidates[lang]).name}", *run_newsetl(lang, docs)))
        if lang in baselines:
            runs.append((f"baseline: {Path(baselines[lang]).name}", *run_spacy_path(baselines[lang], docs)))
        if lang == "ru":
            try:
                runs.append(("baseline: natasha", *run_natasha(docs)))
            except ImportError:
                print("natasha is not installed: no ru baseline (pip install natasha)", file=sys.stderr)
        for name, preds, seconds in runs:
            s = score(gold, preds)
            if "natasha" in name:
                size = f"{installed_size_mb(*NATASHA_DISTS):.1f}"
            elif name.startswith("candidate"):
                size = f"{dir_size_mb(Path(candidates[lang])):.1f}"
            elif shipped and not name.startswith("baseline"):
                size = f"{dir_size_mb(shipped):.1f}"
            else:
                size = "-"
            rows.append((lang, name, s, size, words / seconds))
        print(f"done {lang}: {len(docs)} docs, {words} words", file=sys.stderr, flush=True)
    ref = next((r[4] for r in rows if r[0] == "en" and r[1].startswith("newsetl")), None)
    print("| lang | recogniser | P | R | F1 | PER | LOC | ORG | span F1 | size MB | words/s | speed vs en |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for lang, name, s, size, wps in rows:
        ratio = f"{wps / ref:.2f}" if ref else "-"
        print(f"| {lang} | {name} | {s['P']:.3f} | {s['R']:.3f} | **{s['F1']:.3f}** | {s['PER']:.3f} | {s['LOC']:.3f} | "
              f"{s['ORG']:.3f} | {s['span_F1']:.3f} | {size} | {wps:,.0f} | {ratio} |")
    ours = [s["F1"] for lang, name, s, _, _ in rows if name.startswith("newsetl") and lang != "en"]
    if ours:
        print(f"\nmean F1 over {len(ours)} languages (en excluded): {sum(ours) / len(ours):.3f}")


if __name__ == "__main__":
    main()
