"""Flatten an HTML page to text, one block element per line, nothing else removed.

This is what a scraper that keeps site chrome produces; cleanup compares it with the main
text the extractor keeps to record which page blocks were dropped, and language
detection reads it instead of markup.
"""

from __future__ import annotations

import re
from html import unescape

import lxml.html
from lxml import etree

# Elements whose content is never visible text.
INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
# Elements that start a new line of text.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul title".split()
)
_PARSER = lxml.html.HTMLParser(huge_tree=True)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def html_to_lines(html: str) -> list[str]:
    """Return the visible text of `html` as a list of non-empty block lines (markup errors tolerated).

    Deeply nested pages are read whole (libxml2 otherwise stops at depth 256 and the page
    comes out empty); the tree is walked without recursion, so no depth raises.
    """
    if not html.strip():
        return []
    try:
        root = lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return []
    for hidden in list(root.iter(*INVISIBLE)):  # a list: dropping while iterating skips nodes
        if hidden.getparent() is not None:
            hidden.drop_tree()
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    text = "".join(_flatten(root))
    if not text.strip():  # a tree beyond libxml2's depth limit parses empty: read the tags instead
        text = _text_by_tags(html)
    return [line for line in (_SPACES.sub(" ", raw).strip() for raw in text.split("\n")) if line]


_INVISIBLE_BLOCK = re.compile(r"<(%s)\b.*?</\1\s*>" % "|".join(INVISIBLE), re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(?:%s)\b[^>]*>" % "|".join(sorted(BLOCK_TAGS)), re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")


def _text_by_tags(html: str) -> str:
    """Visible text by tag patterns alone, a newline at each block tag (for pages lxml cannot read)."""
    return unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", _INVISIBLE_BLOCK.sub(" ", html.replace("\n", " ")))))


def _flatten(root: etree._Element) -> list[str]:
    """The element's text in document order, a newline around each block element."""
    parts: list[str] = []
    # (element, entering?) pairs: on entering, emit the opening newline and text and push
    # the children; on leaving, the closing newline and the tail.
    stack: list[tuple[etree._Element, bool]] = [(root, True)]
    while stack:
        element, entering = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        is_block = tag.lower() in BLOCK_TAGS
        if entering:
            if is_block:
                parts.append("\n")
            if element.text:
                parts.append(element.text.replace("\n", " "))
            stack.append((element, False))
            stack.extend((child, True) for child in reversed(element))
        else:
            if is_block:
                parts.append("\n")
            if element.tail and element is not root:
                parts.append(element.tail.replace("\n", " "))
    return parts
