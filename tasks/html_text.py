"""Flatten an HTML page to text, one block element per line, nothing else removed.

This is what a scraper that keeps site chrome produces; cleanup compares it with the main
text the extractor keeps to record which page blocks were dropped, and language
detection reads it instead of markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
# An XHTML page's `<?xml version="1.0" encoding="UTF-8"?>`: lxml refuses a decoded string that
# declares an encoding (ValueError), so such a page read as nothing — no lines, no language,
# no title. The text is already decoded; the declaration says nothing more.
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*\?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


# What a block line sits in, as flags for the learned line model (tasks/cleanup/line_features.py).
CONTEXTS = (
    "link", "chrome_element", "table_cell", "list_item", "heading", "paragraph", "article_element",
    "chrome_class", "body_class", "form_control", "figure",
)
_CONTEXT_TAGS = {
    "a": "link", "nav": "chrome_element", "header": "chrome_element", "footer": "chrome_element",
    "aside": "chrome_element", "menu": "chrome_element", "td": "table_cell", "th": "table_cell", "li": "list_item",
    **{f"h{n}": "heading" for n in range(1, 7)}, "p": "paragraph", "article": "article_element",
    "main": "article_element", "button": "form_control", "label": "form_control", "select": "form_control",
    "option": "form_control", "figure": "figure", "figcaption": "figure",
}
# Generic class/id words of page chrome and of article bodies, in the markup of any site.
_CHROME_CLASS = re.compile(
    r"comment|footer|\bnav|menu|share|social|related|sidebar|widget|promo|advert|\bads?\b|banner|cookie|"
    r"newsletter|breadcrumb|subscri|popular|trending|recommend|teaser|byline|caption|copyright|disclaimer",
    re.IGNORECASE,
)
_BODY_CLASS = re.compile(r"article|content|story|post|entry|body|text|prose", re.IGNORECASE)
_BIT = {name: 1 << i for i, name in enumerate(CONTEXTS)}


@dataclass(frozen=True)
class Block:
    """One line of the flattened page and what it sits in: for each of CONTEXTS, the share
    of its characters inside such an element (link density is `context[0]`)."""

    text: str
    context: tuple[float, ...]


def html_to_lines(html: str) -> list[str]:
    """Return the visible text of `html` as a list of non-empty block lines (markup errors tolerated).

    Deeply nested pages are read whole (libxml2 otherwise stops at depth 256 and the page
    comes out empty); the tree is walked without recursion, so no depth raises.
    """
    return [block.text for block in html_blocks(html)]


def parse_document(html: str, parser: etree.HTMLParser | None = None) -> etree._Element:
    """Parse a decoded page into an lxml tree (a leading XML declaration ignored); raises
    lxml's ParserError or ValueError when nothing can be parsed."""
    return lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1), parser=parser)


def html_blocks(html: str) -> list[Block]:
    """Return the lines of `html_to_lines` with the elements each one sits in (`Block`).

    `<noscript>` is invisible, except on a page whose `<noscript>` holds more text than the
    rest of its body: that is the page as a reader without JavaScript (and a crawler) sees
    it — forums and apps that render their content by script put it there.
    """
    if not html.strip():
        return []
    try:
        root = parse_document(html, _PARSER)
    except (etree.ParserError, ValueError):
        return []
    body = root.find("body")
    in_noscript = sum(len(_noscript_text(n)) for n in body.iter("noscript")) if body is not None else 0
    parts = _visible_parts(root, INVISIBLE)
    if in_noscript and in_noscript > sum(len(text.strip()) for text, _ in parts):
        root = parse_document(html, _PARSER)
        for noscript in root.iter("noscript"):  # markup kept as text (tracking pixels) is no text
            if noscript.text:
                noscript.text = _ANY_TAG.sub(" ", noscript.text)
        parts = _visible_parts(root, tuple(t for t in INVISIBLE if t != "noscript"))
    if not any(text.strip() for text, _ in parts):  # a tree beyond libxml2's depth limit parses empty
        parts = [(_text_by_tags(html), 0)]
    return _blocks(parts)


def _noscript_text(element: etree._Element) -> str:
    """The text a `<noscript>` shows: parsers keep its content as elements or as raw markup
    text (a tracking pixel's `<img …>`), which shows nothing."""
    return _ANY_TAG.sub(" ", "".join(element.itertext())).strip()


def _visible_parts(root: etree._Element, invisible: tuple[str, ...]) -> list[tuple[str, int]]:
    """The tree's text parts (`_flatten`) once the `invisible` elements, comments and
    processing instructions are dropped (the tree is changed in place)."""
    for hidden in list(root.iter(*invisible)):  # a list: dropping while iterating skips nodes
        if hidden.getparent() is not None:
            hidden.drop_tree()
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    return _flatten(root)


def _blocks(parts: list[tuple[str, int]]) -> list[Block]:
    """Cut (text, context bits) parts into lines at newlines; context shares per line."""
    blocks: list[Block] = []
    pieces: list[tuple[str, int]] = []

    def emit() -> None:
        text = _SPACES.sub(" ", "".join(piece for piece, _ in pieces)).strip()
        if text:
            weights = [(len(piece.replace(" ", "")), bits) for piece, bits in pieces]
            total = sum(n for n, _ in weights) or 1
            blocks.append(Block(text, tuple(round(sum(n for n, bits in weights if bits & bit) / total, 3) for bit in _BIT.values())))
        pieces.clear()

    for text, bits in parts:
        lines = text.split("\n")
        for i, piece in enumerate(lines):
            if i:
                emit()
            if piece:
                pieces.append((piece, bits))
    emit()
    return blocks


_INVISIBLE_BLOCK = re.compile(r"<(%s)\b.*?</\1\s*>" % "|".join(INVISIBLE), re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(?:%s)\b[^>]*>" % "|".join(sorted(BLOCK_TAGS)), re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")


def _text_by_tags(html: str) -> str:
    """Visible text by tag patterns alone, a newline at each block tag (for pages lxml cannot read)."""
    return unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", _INVISIBLE_BLOCK.sub(" ", html.replace("\n", " ")))))


def _own_bits(element: etree._Element, tag: str) -> int:
    bits = _BIT[_CONTEXT_TAGS[tag]] if tag in _CONTEXT_TAGS else 0
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    if marks.strip():
        if _CHROME_CLASS.search(marks):
            bits |= _BIT["chrome_class"]
        elif _BODY_CLASS.search(marks):
            bits |= _BIT["body_class"]
    return bits


def _flatten(root: etree._Element) -> list[tuple[str, int]]:
    """The element's text in document order, a newline around each block element, each
    piece with the context bits of the elements it sits in."""
    parts: list[tuple[str, int]] = []
    # (element, entering?, bits outside it) triples: on entering, emit the opening newline
    # and text and push the children; on leaving, the closing newline and the tail.
    stack: list[tuple[etree._Element, bool, int]] = [(root, True, 0)]
    while stack:
        element, entering, outside = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        is_block = tag in BLOCK_TAGS
        if entering:
            inside = outside | _own_bits(element, tag)
            if is_block:
                parts.append(("\n", inside))
            if element.text:
                parts.append((element.text.replace("\n", " "), inside))
            stack.append((element, False, outside))
            stack.extend((child, True, inside) for child in reversed(element))
        else:
            if is_block:
                parts.append(("\n", outside))
            if element.tail and element is not root:
                parts.append((element.tail.replace("\n", " "), outside))
    return parts
