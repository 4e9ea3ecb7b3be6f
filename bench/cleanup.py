"""Benchmark: cleanup quality on every dev set, with trafilatura and readability from the same run.

Sets: every folder of ../shared/bench/cleanup with a pages.jsonl (scrapinghub, dragnet,
cleaneval, googletrends2017, fundus-tests, readability-pages, wcxb-dev, seeds), text mode
(the page flattened to lines) and HTML mode, fundus-tests per language too.

Systems, per set and mode:
- keep everything; C4 line rules (text mode): the baselines of the README;
- trafilatura (default and favor_precision) and readability-lxml (HTML mode);
- newsetl rules: the extractor and the line rules, no model;
- newsetl shipped: with tasks/cleanup/line_model.json (trained on SHIPPED_SETS of
  bench/train_line_model.py: on those sets the figure is in-sample, on the other three unseen);
- newsetl LOSO: the same model trained on all the other sets, scored on the held one.
  This is the figure that counts. `--bands` also prints it for other confidence bands.

newsetl runs the pipeline's own functions (tasks/cleanup html_page / text_page, then
line_decision.decide, exactly what clean_html / clean_text do), language detected as the
pipeline does; per-source chrome learning is off (one page per site). A page that raised
would stop the run: a finished run means no page of any set raised.

Metric (the benchmark's own): lowercase word tokens, bags of word 4-grams, precision =
|out ∩ truth| / |out|, recall = |out ∩ truth| / |truth|, F1 per page, averaged over pages;
also the share of pages with F1 >= 0.9. Macro = mean over sets (seeds left out: 5 pages).

    .venv/bin/python bench/cleanup.py [--sets NAME ...] [--limit N] [--no-loso] [--bands] [--worst N]
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from train_line_model import CACHE, DEFAULT_ROOT, SHIPPED_SETS, SEGMENT, load_set, model_key, prepared_set, set_metadata, train  # noqa: E402

from newsetl.tasks.cleanup.line_decision import (  # noqa: E402
    HTML_BAND, TEXT_BAND, decide_by_probabilities, html_result_from_decisions, result_from_decisions,
)
from newsetl.tasks.cleanup.line_features import line_features  # noqa: E402
from newsetl.tasks.cleanup.line_model import from_json, shipped_model  # noqa: E402
from newsetl.tasks.html_text import html_to_lines  # noqa: E402

NGRAM = 4
_TOKEN = re.compile(r"\w+", re.UNICODE)
SET_ORDER = ("scrapinghub", "dragnet", "cleaneval", "googletrends2017", "fundus-tests", "readability-pages", "wcxb-dev", "seeds")
BANDS = ((0.5, 0.5), (0.6, 0.4), (0.7, 0.3), (0.8, 0.2), (0.9, 0.1), (0.8, 0.5), (0.9, 0.5), (0.95, 0.5), (0.9, 0.3), (0.95, 0.3))


def ngrams(text: str) -> Counter:
    """Bag of lowercase word NGRAM-grams (the whole text as one gram when it is shorter)."""
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < NGRAM:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + NGRAM]) for i in range(len(tokens) - NGRAM + 1))


def score(output: str, truth: str) -> tuple[float, float, float]:
    """Return (precision, recall, F1) of output against truth over bags of word 4-grams."""
    out, gold = ngrams(output), ngrams(truth)
    if not out and not gold:
        return 1.0, 1.0, 1.0
    overlap = sum((out & gold).values())
    p = overlap / sum(out.values()) if out else 0.0
    r = overlap / sum(gold.values()) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def keep_everything(page: dict, mode: str) -> str:
    return page["text"] if mode == "text" else "\n".join(html_to_lines(page["html"]))


_C4_BAD = re.compile(r"javascript|lorem ipsum|\{", re.IGNORECASE)
_C4_END = re.compile(r"[.!?\"'”’]$")


def c4_rules(page: dict) -> str:
    """C4's line rules: keep lines of at least 3 words that end in terminal punctuation,
    without 'javascript', 'lorem ipsum' or a curly bracket."""
    kept = [
        line.strip() for line in page["text"].splitlines()
        if len(line.split()) >= 3 and _C4_END.search(line.strip()) and not _C4_BAD.search(line)
    ]
    return "\n".join(kept)


def trafilatura_extract(page: dict, favor_precision: bool = False) -> str:
    import trafilatura

    return trafilatura.extract(
        page["html"], url=page.get("url") or None, favor_precision=favor_precision, include_comments=False
    ) or ""


def readability_extract(page: dict) -> str:
    from readability import Document

    try:
        summary = Document(page["html"]).summary(html_partial=True)
    except Exception:  # noqa: BLE001 - a baseline that fails on a page scores 0 there
        return ""
    return "\n".join(html_to_lines(summary))


_PROBABILITIES: dict = {}


def newsetl_output(item: dict, model, keep_above: float | None = None, drop_below: float | None = None) -> str:
    """The body cleanup gives for a prepared page (the headline excluded, as `newsetl clean` prints it)."""
    if model is None:
        return item["rules"].body
    key = (item["id"], item["page"].contexts is not None, id(model))
    if key not in _PROBABILITIES:  # one scoring per page and model, whatever the band
        # item["X"] is line_features(item["page"]), computed by the same code (the cache's key)
        _PROBABILITIES[key] = model.probabilities(item["X"]) if len(item["X"]) else model.probabilities(line_features(item["page"]))
    keep = decide_by_probabilities(item["page"], _PROBABILITIES[key], keep_above, drop_below)
    assemble = html_result_from_decisions if item["page"].contexts is not None else result_from_decisions
    return assemble(item["page"], keep, item["rules"]).body


def evaluate(outputs: dict[str, str], truths: dict[str, str], ids: list[str]) -> tuple[float, float, float, float]:
    scores = [score(outputs.get(i, ""), truths[i]) for i in ids]
    n = len(scores) or 1
    return (
        sum(s[0] for s in scores) / n, sum(s[1] for s in scores) / n, sum(s[2] for s in scores) / n,
        sum(1 for s in scores if s[2] >= 0.9) / n,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--sets", nargs="*", default=None, help="set names (default: every set)")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set (while iterating)")
    parser.add_argument("--no-loso", action="store_true", help="skip the leave-one-set-out models")
    parser.add_argument("--bands", action="store_true", help="LOSO macro F1 for other confidence bands")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages of newsetl LOSO per set and mode")
    args = parser.parse_args()
    names = args.sets or [n for n in SET_ORDER if (args.root / n / "pages.jsonl").exists()]

    pages = {name: load_set(args.root / name)[: args.limit] for name in names}
    prepared = {}
    for name in names:
        for mode in ("text", "html"):
            if any(mode in p for p in pages[name]):
                started = time.perf_counter()
                prepared[name, mode] = prepared_set(args.root / name, mode, pages[name], args.limit)
                print(f"# prepared {name} {mode}: {len(prepared[name, mode])} pages, {time.perf_counter() - started:.0f} s", file=sys.stderr)

    loso = {}
    if not args.no_loso:
        all_names = [n for n in SET_ORDER if (args.root / n / "pages.jsonl").exists()]
        for held in names:
            others = [n for n in all_names if n != held]
            items = [it for n in others for mode in ("text", "html") if (args.root / n / mode).exists()
                     for it in prepared_set(args.root / n, mode, limit=args.limit)]
            started = time.perf_counter()
            path = CACHE / f"loso-{held}-{args.limit or 'all'}-{model_key()}.json"
            if path.exists():
                loso[held] = from_json(json.loads(path.read_text(encoding="utf-8")))
            else:
                loso[held] = train(items, {"training_sets": set_metadata(args.root, others)}, segment=SEGMENT)
                path.write_text(json.dumps(loso[held].to_json()), encoding="utf-8")
            print(f"# LOSO model without {held}: {len(items)} pages, {time.perf_counter() - started:.0f} s", file=sys.stderr)

    shipped = shipped_model()
    print(f"Confidence bands (keep above, drop below): text {TEXT_BAND}, html {HTML_BAND}\n")
    results: dict[tuple[str, str, str], tuple[float, float, float, float]] = {}
    per_lang: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    band_f1: dict[tuple[str, str, tuple[float, float]], float] = {}
    print("| set | mode | system | pages | P | R | F1 | F1>=.9 | sec |\n|---|---|---|---|---|---|---|---|---|")
    for name in names:
        by_id = {p["id"]: p for p in pages[name]}
        for mode in ("text", "html"):
            if (name, mode) not in prepared:
                continue
            items = prepared[name, mode]
            ids = [it["id"] for it in items]
            truths = {i: by_id[i]["truth"] for i in ids}
            systems: list[tuple[str, dict[str, str], float]] = []

            def run(label, fn, cache: bool = False):
                # Baselines do not change between runs: their outputs are cached under /tmp.
                path = CACHE / f"baseline-{name}-{mode}-{label.replace(' ', '_')}-{args.limit or 'all'}.pkl"
                if cache and path.exists():
                    out, secs = pickle.loads(path.read_bytes())
                else:
                    started = time.perf_counter()
                    out = {i: fn(i) for i in ids}
                    secs = time.perf_counter() - started
                    if cache:
                        CACHE.mkdir(parents=True, exist_ok=True)
                        path.write_bytes(pickle.dumps((out, secs)))
                systems.append((label, out, secs))

            run("keep everything", lambda i: keep_everything(by_id[i], mode), cache=True)
            if mode == "text":
                run("C4 rules", lambda i: c4_rules(by_id[i]), cache=True)
            else:
                run("trafilatura", lambda i: trafilatura_extract(by_id[i]), cache=True)
                run("trafilatura favor_precision", lambda i: trafilatura_extract(by_id[i], True), cache=True)
                run("readability-lxml", lambda i: readability_extract(by_id[i]), cache=True)
            item_of = {it["id"]: it for it in items}
            run("newsetl rules", lambda i: newsetl_output(item_of[i], None))
            if shipped is not None:
                run("newsetl shipped" + (" (in-sample)" if name in SHIPPED_SETS else " (unseen)"), lambda i: newsetl_output(item_of[i], shipped))
            if name in loso:
                run("newsetl LOSO", lambda i: newsetl_output(item_of[i], loso[name]))
                if args.bands:
                    for band in BANDS:
                        out = {i: newsetl_output(item_of[i], loso[name], *band) for i in ids}
                        band_f1[name, mode, band] = evaluate(out, truths, ids)[2]
            for label, out, secs in systems:
                results[name, mode, label] = evaluate(out, truths, ids)
                p, r, f, share = results[name, mode, label]
                print(f"| {name} | {mode} | {label} | {len(ids)} | {p:.3f} | {r:.3f} | {f:.3f} | {share:.2f} | {secs:.1f} |")
                if name == "fundus-tests":
                    for i in ids:
                        per_lang[mode, label, by_id[i].get("lang") or "?"].append(score(out[i], truths[i])[2])
            if args.worst and name in loso:
                out = next(o for lbl, o, _ in systems if lbl == "newsetl LOSO")
                for i in sorted(ids, key=lambda i: score(out[i], truths[i])[2])[: args.worst]:
                    p, r, f = score(out[i], truths[i])
                    print(f"    worst {name} {mode} {i[:20]} P={p:.2f} R={r:.2f} F1={f:.2f} {by_id[i].get('url', '')[:70]}")

    _print_summary(results, names)
    if per_lang:
        _print_languages(per_lang)
    if band_f1:
        print("\n## LOSO macro F1 by confidence band (keep above / drop below)\n\n| band | text | html |\n|---|---|---|")
        for band in BANDS:
            macro = {m: _mean([band_f1[n, m, band] for n in names if (n, m, band) in band_f1 and n != "seeds"]) for m in ("text", "html")}
            print(f"| {band[0]} / {band[1]} | {macro['text']:.3f} | {macro['html']:.3f} |")
        # A band is a fitted constant: a choice must not lower any set, so each set's figure too.
        sets = [n for n in names if n != "seeds"]
        for mode in ("text", "html"):
            print(f"\n### LOSO {mode} F1 per set by band\n\n| band | " + " | ".join(sets) + " |\n|---|" + "---|" * len(sets))
            for band in BANDS:
                print(f"| {band[0]} / {band[1]} | " + " | ".join(
                    f"{band_f1[n, mode, band]:.3f}" if (n, mode, band) in band_f1 else "—" for n in sets) + " |")


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def _print_summary(results, names) -> None:
    """F1 per set, one column per system, and the macro over the sets (seeds aside)."""
    for mode in ("text", "html"):
        systems = list(dict.fromkeys(lbl.split(" (")[0] for (n, m, lbl) in results if m == mode))
        print(f"\n## {mode} mode, F1\n\n| set | " + " | ".join(systems) + " |\n|---|" + "---|" * len(systems))
        for name in names:
            row = [next((v[2] for (n, m, lbl), v in results.items() if n == name and m == mode and lbl.split(" (")[0] == s), None) for s in systems]
            if any(v is not None for v in row):
                print(f"| {name} | " + " | ".join("—" if v is None else f"{v:.3f}" for v in row) + " |")
        macro = [
            _mean([v[2] for (n, m, lbl), v in results.items() if m == mode and lbl.split(" (")[0] == s and n != "seeds"])
            for s in systems
        ]
        print("| macro (seeds aside) | " + " | ".join(f"{v:.3f}" for v in macro) + " |")


def _print_languages(per_lang) -> None:
    """fundus-tests F1 by language (languages with at least 3 pages)."""
    for mode in ("text", "html"):
        systems = list(dict.fromkeys(lbl for (m, lbl, _) in per_lang if m == mode))
        langs = Counter()
        for (m, lbl, lang), values in per_lang.items():
            if m == mode and lbl == systems[0]:
                langs[lang] = len(values)
        print(f"\n## fundus-tests by language, {mode} mode, F1\n\n| lang | pages | " + " | ".join(systems) + " |\n|---|---|" + "---|" * len(systems))
        for lang, count in langs.most_common():
            if count >= 3:
                print(f"| {lang} | {count} | " + " | ".join(f"{_mean(per_lang[mode, s, lang]):.3f}" for s in systems) + " |")


if __name__ == "__main__":
    main()
