"""Check: the lower-cased phrase patterns (chrome_phrases.Caseless) answer as IGNORECASE would.

For every pattern of tasks/chrome_phrases.py built with `Caseless`, compares its search,
match and findall counts with the same pattern compiled with re.IGNORECASE, on every line
of every page of the cleanup dev sets (../shared/bench/cleanup: HTML pages flattened as
cleanup reads them, text pages as they are). Prints the lines checked and any line where
the two disagree; exits 1 if there is one.

    .venv/bin/python bench/caseless_check.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO.parent / "shared" / "bench" / "cleanup"
sys.path.insert(0, str(REPO))

from newsetl.tasks import chrome_phrases as ph  # noqa: E402
from newsetl.tasks.html_text import html_to_lines  # noqa: E402


def page_lines(root: Path):
    """Yield every non-blank line of every page of every set under `root` (HTML flattened)."""
    for path in sorted(root.glob("*/html/*.html")) + sorted(root.glob("*/text/*.txt")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        lines = html_to_lines(raw) if path.suffix == ".html" else raw.split("\n")
        yield from (line for line in lines if line.strip())


def main() -> None:
    patterns = {name: p for name, p in vars(ph).items() if isinstance(p, ph.Caseless)}
    reference = {name: re.compile(p.pattern.pattern, re.IGNORECASE | re.UNICODE) for name, p in patterns.items()}
    checked = disagreements = 0
    for line in page_lines(ROOT):
        checked += 1
        for name, fast in patterns.items():
            slow = reference[name]
            same = (
                bool(fast.search(line)) == bool(slow.search(line))
                and bool(fast.match(line)) == bool(slow.match(line))
                and len(fast.findall(line)) == len(slow.findall(line))
            )
            if not same:
                disagreements += 1
                print(f"{name}: {line[:120]!r}")
    print(f"{checked} lines, {len(patterns)} patterns ({', '.join(sorted(patterns))}): {disagreements} disagreements")
    sys.exit(1 if disagreements else 0)


if __name__ == "__main__":
    main()
