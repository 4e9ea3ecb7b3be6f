"""How many page lines cleanup's per-line memos keep, and up to which length.

Cleanup asks for the same line's words, comparison key and phrase matches several times
(rules, line features, signals: 6-7 times per line in text mode, ~15% of cleanup's time on
the 1,553-article synd_dev corpus). tasks/language.py's word and key memos and
tasks/chrome_phrases.py's phrase memos keep lines up to LINE_MEMO_MAX_CHARS, LINE_MEMO_SIZE
of them each: more than a page has, so a page's repeats all hit; a few MB.
"""

LINE_MEMO_MAX_CHARS = 2_000
LINE_MEMO_SIZE = 4_096
