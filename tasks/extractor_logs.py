"""Keep the extractors' own log lines (trafilatura, htmldate) off newsetl's console.

Both log an ERROR for every page they cannot parse ("parsed tree length: 1, wrong data type
or not valid HTML", "empty HTML tree"): a fragment, a tiny page. For newsetl that is only
"nothing extracted" / "no date", which the stages already handle with their own fallback, so
the lines would report failures that did not happen. trafilatura's import sets htmldate's
logger to WARNING, which undoes a level set before it: the level is set after importing it,
and again at each use, so the import order of the stages does not matter.
"""

from __future__ import annotations

import logging

QUIET_LOGGERS = ("trafilatura", "htmldate")


def quiet_extractor_logs() -> None:
    """Set the trafilatura and htmldate loggers to CRITICAL (nothing in, nothing out; cheap
    when already done)."""
    import trafilatura  # noqa: F401 - its import resets htmldate's level: ours must come after it

    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.CRITICAL:
            logger.setLevel(logging.CRITICAL)
