"""What cleanup makes of one page (CleanResult)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newsetl.tasks.records import RemovedLine


@dataclass(frozen=True)
class CleanResult:
    """What cleanup makes of one text: the body paragraphs, the headline, the removed lines."""

    body: str  # paragraphs separated by blank lines, headline not included
    removed: tuple[RemovedLine, ...]
    title: str | None
    byline: str | None
    attribution: str | None
    published: datetime | None = None
    published_from: str | None = None  # "dateline" or "html_metadata"

    @property
    def clean_text(self) -> str:
        """The stored clean text: the headline once, then the body."""
        return "\n\n".join(part for part in (self.title, self.body) if part)
