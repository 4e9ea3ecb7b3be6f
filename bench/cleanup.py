"""Benchmark: cleanup quality on the dev sets, next to keep-everything and trafilatura.

Every set is a folder with `pages.jsonl` ({"id", "url", "truth"}) and `html/<id>.html`
and/or `text/<id>.txt` (the page flattened to text, one block per line). Our cleanup runs
through `newsetl clean` (exactly the pipeline's code) in both modes; baselines run in the
same process, so the table compares like with like.

Metric (the benchmark's own): lowercase word tokens, bags of word 4-grams, precision =
|out ∩ truth| / |out|, recall = |out ∩ truth| / |truth|, F1 per page, averaged over pages;
also the share of pages with F1 >= 0.9.

    .venv/bin/python bench/cleanup.py [SET_DIR ...]     (default: ../shared/bench/cleanup/*)
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO.parent / "shared" / "bench" / "cleanup"
sys.path.insert(0, str(REPO))

NGRAM = 4
_TOKEN = re.compile(r"\w+", re.UNICODE)


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


def load_set(folder: Path) -> list[dict]:
    pages = [json.loads(line) for line in (folder / "pages.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    for page in pages:
        for mode, suffix in (("html", ".html"), ("text", ".txt")):
            path = folder / mode / f"{page['id']}{suffix}"
            if path.exists():
                page[mode] = path.read_text(encoding="utf-8", errors="replace")
    return pages


def newsetl_clean(pages: list[dict], mode: str) -> tuple[dict[str, str], float]:
    """Run `newsetl clean` once over all pages of a mode; return ({id: text}, seconds)."""
    payload = "".join(json.dumps({"id": p["id"], mode: p[mode], "url": p.get("url") or None}) + "\n" for p in pages)
    newsetl = str(Path(sys.executable).with_name("newsetl"))
    started = time.perf_counter()
    proc = subprocess.run([newsetl, "clean"], input=payload, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    return {row["id"]: row.get("text") or "" for row in rows}, elapsed


def keep_everything(page: dict, mode: str) -> str:
    if mode == "text":
        return page["text"]
    from newsetl.tasks.html_text import html_to_lines

    return "\n".join(html_to_lines(page["html"]))


def trafilatura_extract(page: dict, favor_precision: bool = False) -> str:
    import trafilatura

    return trafilatura.extract(
        page["html"], url=page.get("url") or None, favor_precision=favor_precision, include_comments=False
    ) or ""


def evaluate(outputs: dict[str, str], pages: list[dict]) -> tuple[float, float, float, float]:
    scores = [score(outputs.get(p["id"], ""), p["truth"]) for p in pages]
    n = len(scores)
    return (
        sum(s[0] for s in scores) / n,
        sum(s[1] for s in scores) / n,
        sum(s[2] for s in scores) / n,
        sum(1 for s in scores if s[2] >= 0.9) / n,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--worst", type=int, default=0, help="also list the N worst pages of newsetl per set and mode")
    args = parser.parse_args()
    folders = args.sets or sorted(p for p in DEFAULT_ROOT.iterdir() if (p / "pages.jsonl").exists())

    print(f"{'set':<12} {'mode':<5} {'system':<28} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'F1>=.9':>7} {'sec':>6}")
    for folder in folders:
        pages = load_set(folder)
        for mode in ("text", "html"):
            have = [p for p in pages if mode in p]
            if not have:
                continue
            systems: list[tuple[str, dict[str, str], float]] = []
            started = time.perf_counter()
            systems.append(("keep everything", {p["id"]: keep_everything(p, mode) for p in have}, time.perf_counter() - started))
            if mode == "html":
                for favor in (False, True):
                    started = time.perf_counter()
                    out = {p["id"]: trafilatura_extract(p, favor) for p in have}
                    name = "trafilatura" + (" favor_precision" if favor else "")
                    systems.append((name, out, time.perf_counter() - started))
            ours, seconds = newsetl_clean(have, mode)
            systems.append(("newsetl", ours, seconds))
            for name, out, secs in systems:
                p, r, f, share = evaluate(out, have)
                print(f"{folder.name:<12} {mode:<5} {name:<28} {len(have):>5} {p:>6.3f} {r:>6.3f} {f:>6.3f} {share:>7.2f} {secs:>6.1f}")
            if args.worst:
                worst = sorted(have, key=lambda pg: score(ours.get(pg["id"], ""), pg["truth"])[2])[: args.worst]
                for pg in worst:
                    p, r, f = score(ours.get(pg["id"], ""), pg["truth"])
                    print(f"    worst {pg['id'][:16]} P={p:.2f} R={r:.2f} F1={f:.2f} {pg.get('url', '')[:70]}")


if __name__ == "__main__":
    main()
