"""Check: tasks/langdetect_fast.py gives langdetect's own answers, and how much faster.

For every page of the cleanup dev sets (../shared/bench/cleanup, HTML pages as the
language stage reads them) and every synd_dev article, detects the language of the
stage's sample (`language.page_text`, first MAX_CHARS characters) with langdetect's
`detect_langs` and with `langdetect_fast.detect_probabilities`, both seeded as the stage
seeds them. Prints the pages compared, the pages whose answers (languages and
probabilities, exactly) differ, and both timings with their ratio; exits 1 on a difference.

    .venv/bin/python bench/langdetect_check.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO.parent / "shared" / "bench"
sys.path.insert(0, str(REPO))

from langdetect import DetectorFactory, detect_langs  # noqa: E402
from langdetect.lang_detect_exception import LangDetectException  # noqa: E402

from newsetl.tasks import language  # noqa: E402
from newsetl.tasks.langdetect_fast import detect_probabilities  # noqa: E402
from newsetl.tasks.records import Article, content_hash, stable_id  # noqa: E402


def samples(limit: int | None) -> list[str]:
    """The language stage's sample of every dev page."""
    now = datetime.now(timezone.utc)
    pages = [(p, "html") for p in sorted(BENCH.glob("cleanup/*/html/*.html"))]
    pages += [(p, "text") for p in sorted(BENCH.glob("cleanup/*/text/*.txt"))]
    texts = [(p.read_text(encoding="utf-8", errors="replace"), kind) for p, kind in pages]
    synd = BENCH / "dedup" / "synd_dev" / "docs.jsonl"
    texts += [(json.loads(line)["text"], "text") for line in synd.read_text(encoding="utf-8").split("\n") if line.strip()]
    out = []
    for raw, kind in texts[:limit]:
        article = Article(doc_id=stable_id(raw[:200]), source_uri="x", source="x", raw_text=raw,
                          content_hash=content_hash(raw), input_format=kind, fetched_at=now)
        out.append(language.page_text(article)[: language.MAX_CHARS])
    return out


def answer(detect, text: str):
    DetectorFactory.seed = language.LANGDETECT_SEED
    try:
        return [(r.lang, r.prob) for r in detect(text)]
    except LangDetectException as exc:
        return f"error: {exc}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    texts = samples(args.limit)
    answer(detect_langs, "warm up the profiles")
    started = time.perf_counter()
    slow = [answer(detect_langs, t) for t in texts]
    slow_s = time.perf_counter() - started
    started = time.perf_counter()
    fast = [answer(detect_probabilities, t) for t in texts]
    fast_s = time.perf_counter() - started
    differ = [i for i, (a, b) in enumerate(zip(slow, fast)) if a != b]
    for i in differ[:20]:
        print(f"differs: {texts[i][:80]!r}: {slow[i]} vs {fast[i]}")
    print("| pages | differ | langdetect s | fast s | ratio |\n|---|---|---|---|---|")
    print(f"| {len(texts)} | {len(differ)} | {slow_s:.1f} | {fast_s:.1f} | {fast_s / slow_s:.2f} |")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
