"""Train the cleanup line model (tasks/cleanup/line_model.json) on the dev sets. One command, seeded:

    .venv/bin/python bench/train_line_model.py            (writes tasks/cleanup/line_model.json)

Every page of a set is read as the pipeline reads it (language detected on the page,
tasks/cleanup html_page / text_page: the rules' verdicts, the extractor's, the element
contexts), in both modes; each line is labelled body when at least half of its word
4-grams (short lines: its words in order) are in the page's truth. Gradient-boosted trees
(scikit-learn HistGradientBoostingClassifier, seed 0) learn body vs chrome from
`line_features`; each page weighs the same, and within a page each line by its words (the
metric scores words). The trees are written as plain JSON arrays and read with NumPy
(tasks/cleanup/line_model.py), so scikit-learn is needed to train only.

The shipped model is trained on the sets whose licence allows shipping a derived file
(SHIPPED_SETS): dragnet is AGPL-3.0, cleaneval and googletrends2017 state no licence, so
they are left out, and the figures on those three are truly unseen. bench/cleanup.py
--loso scores each set with a model trained on all the other sets.
Data: ../shared/bench/cleanup (read, never copied). Features are cached under
/tmp/newsetl-bench-cache, keyed by the cleanup code's hash.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import re
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # a shared machine: one core for training

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO.parent / "shared" / "bench" / "cleanup"
CACHE = Path("/tmp/newsetl-bench-cache")
sys.path.insert(0, str(REPO))

from newsetl.tasks.cleanup.html_mode import html_page  # noqa: E402
from newsetl.tasks.cleanup.line_features import feature_names, line_features  # noqa: E402
from newsetl.tasks.cleanup.line_model import MODEL_PATH, LineModel, Trees, segment_context  # noqa: E402
from newsetl.tasks.cleanup.text_mode import clean_text_rules, text_page  # noqa: E402
from newsetl.tasks.language import detect_language, page_text  # noqa: E402
from newsetl.tasks.records import Article  # noqa: E402

SEED = 0
# Each set's licence (../shared/bench/README.md and set.json).
LICENCES = {
    "scrapinghub": "MIT (scrapinghub/article-extraction-benchmark)",
    "fundus-tests": "MIT (flairNLP/fundus)",
    "readability-pages": "Apache-2.0 (mozilla/readability)",
    "wcxb-dev": "CC-BY-4.0 (WCXB, Murrough-Foley/web-content-extraction-benchmark)",
    "seeds": "newsetl's own seed pages (project licence, MIT)",
    "dragnet": "AGPL-3.0 (dragnet_data)",
    "cleaneval": "none stated (CleanEval 2007)",
    "googletrends2017": "none stated (BoilerNet GoogleTrends-2017)",
}
# Sets whose licence allows shipping a file derived from them.
SHIPPED_SETS = ("scrapinghub", "fundus-tests", "readability-pages", "wcxb-dev", "seeds")
# Trees: 60 trees of 15 leaves, scikit-learn defaults otherwise;
# not tuned: one setting, fixed before the leave-one-set-out run.
TREE_PARAMS = dict(max_iter=60, learning_rate=0.1, max_leaf_nodes=15, min_samples_leaf=40, l2_regularization=1.0)
# Training reads at most this many lines of a page (a seeded sample), to train in minutes
# on a shared machine.
MAX_LINES_PER_PAGE = 40
# Whether the shipped model has segment trees on top of the line trees (see `train`).
SEGMENT = False
# The segment trees learn from line-tree probabilities of pages the line trees did not see:
# this many folds of pages.
SEGMENT_FOLDS = 3
# A line is body when at least this share of its 4-grams are in the truth.
BODY_SHARE = 0.5
_TOKEN = re.compile(r"\w+", re.UNICODE)


def load_set(folder: Path) -> list[dict]:
    """The pages of a set: {"id", "url", "truth", "html"?, "text"?, "lang"?}."""
    # split on "\n" only: a truth may hold U+2028 or other characters splitlines() breaks at
    pages = [json.loads(line) for line in (folder / "pages.jsonl").read_text(encoding="utf-8").split("\n") if line.strip()]
    for page in pages:
        for mode, suffix in (("html", ".html"), ("text", ".txt")):
            path = folder / mode / f"{page['id']}{suffix}"
            if path.exists():
                page[mode] = path.read_text(encoding="utf-8", errors="replace")
    return pages


def page_language(page: dict, mode: str) -> str:
    """The language the pipeline detects for the page (on the lines cleanup reads)."""
    article = Article(page["id"], "bench", "bench", page[mode], "", mode, datetime.now(timezone.utc))
    return detect_language(page_text(article))[0]


def prepare(page: dict, mode: str) -> dict:
    """Read one page as the pipeline does: rules result, PageLines and features of its lines."""
    language = page_language(page, mode)
    url = page.get("url") or None
    if mode == "html":
        rules, lines = html_page(page["html"], language, None, url)
    else:
        rules = clean_text_rules(page["text"], language)
        lines = text_page(page["text"], rules, language)
    return {"id": page["id"], "rules": rules, "page": lines, "X": line_features(lines), "language": language}


def labels(lines: list[str], truth: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (is body, word count) per line, against the page's truth."""
    truth_tokens = _TOKEN.findall(truth.lower())
    grams = {tuple(truth_tokens[i : i + 4]) for i in range(len(truth_tokens) - 3)}
    joined = f" {' '.join(truth_tokens)} "
    y, n = [], []
    for line in lines:
        tokens = _TOKEN.findall(line.lower())
        n.append(len(tokens))
        if len(tokens) >= 4:
            line_grams = [tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)]
            y.append(sum(g in grams for g in line_grams) >= BODY_SHARE * len(line_grams))
        else:
            y.append(bool(tokens) and f" {' '.join(tokens)} " in joined)
    return np.array(y, dtype=bool), np.array(n, dtype=np.float32)


def code_hash(mode: str = "html") -> str:
    """Hash of the code that computes a mode's features: a cache is valid only for the same
    code (text mode does not read html_mode.py, so an HTML-only change keeps the text cache)."""
    files = sorted((REPO / "tasks" / "cleanup").glob("*.py")) + [REPO / "tasks" / n for n in ("html_text.py", "chrome_phrases.py", "language.py")]
    skip = {"__init__.py", "line_model.py", "line_decision.py", "prefect_tasks.py", "batch.py"}
    if mode == "text":
        skip.add("html_mode.py")
    digest = hashlib.sha1()
    for f in files:
        if f.name not in skip:
            digest.update(f.read_bytes())
    return digest.hexdigest()[:12]


def model_key() -> str:
    """Key of a model trained now: both modes' feature code and the training settings."""
    settings = f"{TREE_PARAMS}|{MAX_LINES_PER_PAGE}|{SEGMENT}|{BODY_SHARE}"
    return f"{code_hash('text')}-{code_hash('html')}-{hashlib.sha1(settings.encode()).hexdigest()[:6]}"


def prepared_set(folder: Path, mode: str, pages: list[dict] | None = None, limit: int | None = None) -> list[dict]:
    """All pages of a set in one mode, prepared and labelled (cached on disk under /tmp)."""
    pages = pages if pages is not None else load_set(folder)
    have = [p for p in pages if mode in p][:limit]
    path = CACHE / f"{folder.name}-{mode}-{limit or 'all'}-{code_hash(mode)}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    out = []
    for page in have:
        item = prepare(page, mode)
        item["y"], item["words"] = labels([line for _, line in item["page"].lines], page["truth"])
        item["truth"] = page["truth"]
        item["lang"] = page.get("lang")
        out.append(item)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    return out


def training_rows(items: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack pages into (X, y, weights): each page weighs 1, its lines by their words; a
    page's lines beyond MAX_LINES_PER_PAGE are a seeded sample of that many (weights kept)."""
    rng = np.random.default_rng(SEED)
    xs, ys, ws = [], [], []
    for item in items:
        if not len(item["X"]):
            continue
        w = item["words"] + 1.0
        w = w / w.sum()
        pick = np.arange(len(w))
        if len(pick) > MAX_LINES_PER_PAGE:
            pick = np.sort(rng.choice(len(w), MAX_LINES_PER_PAGE, replace=False))
            w = w * (len(w) / MAX_LINES_PER_PAGE)
        xs.append(item["X"][pick])
        ys.append(item["y"][pick])
        ws.append(w[pick])
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)


def fit_trees(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> Trees:
    """Fit boosted trees (TREE_PARAMS, seeded); return them as NumPy arrays (checked against scikit-learn)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    clf = HistGradientBoostingClassifier(**TREE_PARAMS, early_stopping=False, random_state=SEED)
    clf.fit(X, y, sample_weight=w)
    trees = []
    for (predictor,) in clf._predictors:  # one tree per iteration for a binary target
        nodes = predictor.nodes
        trees.append({
            "feature": nodes["feature_idx"].astype(np.int64), "threshold": nodes["num_threshold"].astype(np.float64),
            "left": nodes["left"].astype(np.int64), "right": nodes["right"].astype(np.int64),
            "leaf": nodes["is_leaf"].astype(bool), "value": nodes["value"].astype(np.float64),
        })
    out = Trees(float(np.ravel(clf._baseline_prediction)[0]), tuple(trees))
    check = X[: min(len(X), 5000)]
    assert np.allclose(out.probabilities(check), clf.predict_proba(check)[:, 1], atol=1e-5), "tree export differs"
    return out


def train(items: list[dict], metadata: dict, segment: bool = False) -> LineModel:
    """Fit the line trees on prepared pages, then (with `segment`) the segment trees on the
    line trees' probabilities in context, out of fold (SEGMENT_FOLDS folds of pages), so
    that they learn from probabilities like those on unseen pages."""
    X, y, w = training_rows(items)
    line_trees = fit_trees(X, y, w)
    if not segment:
        return LineModel(line_trees, None, tuple(feature_names()), metadata)
    folds = np.arange(len(items)) % SEGMENT_FOLDS
    stacked = []
    for k in range(SEGMENT_FOLDS):
        fold_trees = fit_trees(*training_rows([it for it, f in zip(items, folds) if f != k]))
        for item in (it for it, f in zip(items, folds) if f == k):
            p = fold_trees.probabilities(item["X"]) if len(item["X"]) else np.zeros(0)
            stacked.append({**item, "X": np.column_stack([item["X"], segment_context(p)]) if len(p) else item["X"]})
    segment_trees = fit_trees(*training_rows([it for it in stacked if len(it["X"])]))
    return LineModel(line_trees, segment_trees, tuple(feature_names()), metadata)


def set_metadata(root: Path, names: list[str]) -> list[dict]:
    """Name, source and licence of each training set (from its set.json)."""
    out = []
    for name in names:
        info = json.loads((root / name / "set.json").read_text(encoding="utf-8")) if (root / name / "set.json").exists() else {}
        out.append({"set": name, "source": info.get("source"), "licence": info.get("license") or LICENCES.get(name, "unknown")})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--sets", nargs="*", default=list(SHIPPED_SETS))
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--segment", action=argparse.BooleanOptionalAction, default=SEGMENT, help="also fit the segment trees")
    args = parser.parse_args()
    items = []
    for name in args.sets:
        for mode in ("text", "html"):
            items.extend(prepared_set(args.root / name, mode))
    metadata = {
        "trained_by": "bench/train_line_model.py", "seed": SEED, "trees": TREE_PARAMS, "body_share": BODY_SHARE,
        "segment": args.segment, "max_lines_per_page": MAX_LINES_PER_PAGE,
        "training_sets": set_metadata(args.root, args.sets),
        "licence_note": (
            "Trained on the dev sets listed, whose licences allow a derived file (MIT, Apache-2.0, CC-BY-4.0: "
            "attribution to Zyte/scrapinghub, flairNLP/fundus, Mozilla Readability, WCXB). dragnet (AGPL-3.0), "
            "cleaneval and googletrends2017 (no licence stated) are not used."
        ),
        "lines": int(sum(len(i["X"]) for i in items)), "pages": len(items),
        "label_balance": dict(Counter(bool(v) for i in items for v in i["y"]).most_common()),
    }
    metadata["label_balance"] = {str(k): v for k, v in metadata["label_balance"].items()}
    model = train(items, metadata, segment=args.segment)
    args.out.write_text(json.dumps(model.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB): {len(model.lines.trees)} + {len(model.segment.trees) if model.segment else 0} trees, {metadata['lines']} lines of {metadata['pages']} pages")


if __name__ == "__main__":
    main()
