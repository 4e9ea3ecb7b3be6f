"""Is a cleaned page an article? (consent walls, block pages, too short)."""

from __future__ import annotations

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks.language import words

# A page with consent/paywall/block wording is an article only if its other lines hold at
# least this many words (semeval22: walls keep <= 20 words besides the wall text; a TV
# station's report under a "Please enable JavaScript to watch this video" notice, ~130).
WALL_BODY_MIN_WORDS = 60
# Clean text shorter than this is flagged as not an article.
MIN_ARTICLE_WORDS = 15  # lead-only briefs of two sentences are articles (synd_dev)


def not_article_reason(clean: str) -> str | None:
    """Return why a cleaned page is not an article (consent wall, block page, too short), or None."""
    count = len(words(clean))
    if count == 0:
        return "empty_after_cleanup"
    if count < 150 and ph.NOT_ARTICLE_PAGE.search(clean):
        # The wall's own lines aside, is there a body? ("Please enable JavaScript to watch
        # this video" above a real report is a player notice, not a wall.)
        rest = sum(
            len(words(line)) for line in clean.split("\n")
            if not ph.NOT_ARTICLE_PAGE.search(line) and len(ph.WALL_VOCABULARY.findall(line)) < 2
        )
        if rest < WALL_BODY_MIN_WORDS:
            return "consent_or_block_page"
    if count < MIN_ARTICLE_WORDS:
        return "too_short"
    return None
