"""Read the metadata a page declares about itself: JSON-LD, meta tags, canonical link, <title>, <h1>.

One parse per page gives a `PageMeta`; the other modules of this package choose among its
candidates (urls, titles, dates, authors). Nothing here judges a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from newsetl.tasks.html_text import parse_document

# Schema.org types that describe the page's article (NewsArticle, ReportageNewsArticle, …).
_ARTICLE_TYPE = re.compile(r"(Article|BlogPosting|Report|LiveBlogPosting|SocialMediaPosting)$")
_SPACES = re.compile(r"\s+")
# Only the start of a page holds its metadata; a cap keeps a huge page cheap to read.
MAX_HTML_CHARS = 3_000_000


@dataclass(frozen=True)
class PageMeta:
    """What a page says about itself; every value a raw candidate, in document order."""

    meta: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name/property/itemprop -> contents
    canonical: str | None = None  # <link rel=canonical href>
    base: str | None = None  # <base href>
    articles: tuple[dict, ...] = ()  # JSON-LD objects typed as an article
    others: tuple[dict, ...] = ()  # other JSON-LD objects (WebPage, WebSite, Organization, …)
    title: str | None = None  # <title>
    h1: tuple[str, ...] = ()  # text of the <h1> elements
    microdata: dict[str, list[str]] = field(default_factory=dict)  # itemprop (outside <meta>) -> text or datetime
    byline_names: tuple[str, ...] = ()  # text of rel=author links and short elements classed "author…"
    byline_lines: tuple[str, ...] = ()  # short visible lines that open with a byline word ("Von: …", "By …")
    root: object = field(default=None, repr=False, compare=False)  # the parsed page, for `shown`

    def first(self, *keys: str) -> str | None:
        """Return the first non-empty meta value among `keys` (in the order given), or None."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None

    @cached_property
    def shown(self) -> tuple[str, ...]:
        """Whole texts of the short elements the body displays, outside navigation and teaser
        lists (see _shown_texts); read on first use, as only pages with a choice of titles need it."""
        return _shown_texts(self.root) if self.root is not None else ()


def read_page_meta(html: str) -> PageMeta:
    """Parse `html` (any quality) into a `PageMeta`; an unparsable page gives an empty one."""
    if not html or not html.strip():
        return PageMeta()
    try:
        root = parse_document(html[:MAX_HTML_CHARS])
    except (etree.ParserError, ValueError):
        return PageMeta()
    meta: dict[str, list[str]] = {}
    for node in root.iter("meta"):
        content = node.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            key = node.get(attr)
            if key:
                meta.setdefault(key.strip().lower(), []).append(_clean(content))
    canonical = base = None
    for node in root.iter("link"):
        rels = (node.get("rel") or "").lower().split()
        if "canonical" in rels and node.get("href") and canonical is None:
            canonical = node.get("href").strip()
    for node in root.iter("base"):
        base = base or (node.get("href") or "").strip() or None
    articles, others = [], []
    for node in root.iter("script"):
        if (node.get("type") or "").strip().lower() == "application/ld+json":
            for obj in _json_ld_objects(node.text or ""):
                (articles if _is_article(obj) else others).append(obj)
    title_node = next(root.iter("title"), None)
    title = _clean(title_node.text_content()) if title_node is not None else None
    h1 = tuple(text for node in root.iter("h1") if (text := _clean(node.text_content())))
    microdata: dict[str, list[str]] = {}
    for node in root.xpath("//*[@itemprop][not(self::meta)]"):
        value = node.get("datetime") or node.get("content") or _clean(node.text_content())
        if value:
            microdata.setdefault(node.get("itemprop").strip().lower(), []).append(value)
    return PageMeta(
        meta, canonical, base, tuple(articles), tuple(others), title or None, h1, microdata,
        _byline_names(root), _byline_lines(root), root,
    )


# Containers of links to other pages (menus, breadcrumbs, teaser lists, captions): a headline
# there is another story's or repeats the page's title as a crumb, not the page showing it.
_NAVIGATION = frozenset(("a", "li", "ul", "ol", "nav", "aside", "footer", "figure", "figcaption"))
# A headline is short; a longer element is a container (and reading it costs more).
SHOWN_MAX_CHARS = 400
_UNSHOWN = frozenset(("script", "style", "noscript", "template", "title", "svg"))


def _shown_texts(root) -> tuple[str, ...]:
    """The whole text of each short element the body shows (not <h1>s, which are read apart),
    outside links, lists and other navigation: what a page displays as a heading, a kicker
    line or a headline span. Distinct texts, in page order."""
    body = root.find("body")
    if body is None:
        return ()
    sizes = _text_sizes(body)
    texts: dict[str, None] = {}
    stack = list(reversed(body))
    while stack:  # depth first, in page order
        node = stack.pop()
        if not isinstance(node.tag, str) or node.tag in _UNSHOWN:
            continue
        if node.tag in _NAVIGATION:
            continue  # neither it nor anything below it counts
        # Raw size bounds the work: a container of many kilobytes is no headline; whitespace
        # inside one that is (indentation) is folded before the real cap below.
        if node.tag != "h1" and sizes.get(node, 0) <= 4 * SHOWN_MAX_CHARS:
            text = _clean(node.text_content())
            if text and len(text) <= SHOWN_MAX_CHARS:
                texts.setdefault(text)
        stack.extend(reversed(node))
    return tuple(texts)


def _text_sizes(body) -> dict:
    """Characters of text under each element of `body` (its text_content's length), in one pass."""
    sizes: dict = {}
    for node in reversed(list(body.iter())):
        if not isinstance(node.tag, str):
            continue
        size = len(node.text or "")
        for child in node:
            size += sizes.get(child, 0) + len(child.tail or "")
        sizes[node] = size
    return sizes


# Class names that mark an author's name in a byline (authorname, article-author, c-byline__author).
_AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:author|autor|auteur|byline__name|author-name|authorname)(?:$|[\s_-]|name|link|s\b)", re.IGNORECASE)
# A name, not an author box with a biography (caps visible byline lines too). fundus-tests
# (bench/metadata.py --sweep): 80 to 200 give the same author F1 in every language group;
# 50 loses 0.008 on de, 30 loses 0.026 on de (long "Von A, B und C" lines).
BYLINE_NAME_MAX_CHARS = 80


# A cheap first cut (lxml evaluates it in C); _AUTHOR_CLASS then decides.
_AUTHOR_XPATH = (
    '//a[@rel="author"] | //*[not(self::body)][not(self::article)]['
    'contains(translate(@class, "AUTHOR", "author"), "author") or contains(translate(@class, "AUTOR", "autor"), "autor")'
    ' or contains(translate(@class, "AUTEUR", "auteur"), "auteur") or contains(@class, "byline__name")]'
)


def _byline_names(root) -> tuple[str, ...]:
    """Text of the elements a page marks as an author's name: rel=author links, and short
    elements whose class says author (the first few, in page order)."""
    names: list[str] = []
    for node in root.xpath(_AUTHOR_XPATH):
        if node.tag != "a" or (node.get("rel") or "").lower() != "author":
            if not _AUTHOR_CLASS.search(node.get("class") or ""):
                continue
        text = _clean(node.text_content())
        if text and len(text) <= BYLINE_NAME_MAX_CHARS and text not in names:
            names.append(text)
        if len(names) >= 8:
            break
    return tuple(names)


# A visible line that opens with a byline word: "By", "Von:", "Par", "Por", "Di", "Door", "Av",
# "Autor:", "Autorin/Autor", "Written by", "Text:" (the big news languages; generic phrasing).
BYLINE_OPENING = re.compile(
    r"^\s*(?:(?:by|von|par|por|di|door|av|af|przez|written by|autor(?:in)?(?:\s*/\s*autor(?:in)?)?|auteur)\s*(?::\s*|\s+|$)"
    r"|(?:text|texto|texte|testo|autore|author|reporter|redakteur(?:in)?)\s*:\s*)",  # these need their colon: "Text: Ann Lee"
    re.IGNORECASE,
)
_BYLINE_TAGS = ("p", "div", "span", "address", "li", "strong", "b", "em", "small", "a", "h3", "h4", "h5", "h6", "dd", "td", "time")
# Only the first few such lines: a byline sits near the headline, later ones head teasers (and
# authors.py takes names from the first line naming a person anyway). fundus-tests
# (bench/metadata.py --sweep): 1 to 8 give the same author F1 in every language group.
BYLINE_LINES_MAX = 4


def _byline_lines(root) -> tuple[str, ...]:
    """Short visible lines that open with a byline word, in page order: an element whose own
    text opens with it; when that text is the word alone ("<span>Von</span> <a>Ann Lee</a>"),
    its parent's text."""
    lines: list[str] = []
    body = root.find("body")
    if body is None:
        return ()
    for node in body.iter(*_BYLINE_TAGS):
        own = node.text or ""
        if not own.strip() or not BYLINE_OPENING.match(own):
            continue
        text = _clean(node.text_content())
        if not BYLINE_OPENING.sub("", text).strip(" :") and node.getparent() is not None:
            text = _clean(node.getparent().text_content())  # the word alone: the name follows it
        if BYLINE_OPENING.match(text) and 3 < len(text) <= BYLINE_NAME_MAX_CHARS and text not in lines:
            lines.append(text)
            if len(lines) >= BYLINE_LINES_MAX:
                break
    return tuple(lines)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _is_article(obj: dict) -> bool:
    types = obj.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and _ARTICLE_TYPE.search(t) for t in types)


def _json_ld_objects(text: str) -> Iterator[dict]:
    """Yield every object of a JSON-LD block (lists and @graph flattened); broken JSON yields nothing."""
    text = text.strip().removeprefix("<![CDATA[").removesuffix("]]>").strip()
    if not text:
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:  # a common fault: raw newlines or tabs inside strings
            data = json.loads(re.sub(r"[\n\r\t]+", " ", text))
        except json.JSONDecodeError:
            return
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[0:0] = item
        elif isinstance(item, dict):
            # A page's article may sit inside another object: @graph, a WebPage's mainEntity.
            nested = [item[k] for k in ("@graph", "mainEntity") if isinstance(item.get(k), (list, dict))]
            stack[0:0] = nested
            if "@type" in item:
                yield item
