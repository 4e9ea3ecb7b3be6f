"""Generic site-chrome phrasing in several languages, as compiled regular expressions.

These know how widgets, prompts and legal lines are *worded* on news sites in general
(share bars, comment boxes, "related"/"more news" lists, newsletter and cookie prompts,
copyright lines, bylines, wire credits); they never name a line of a particular page.
Add a language by adding its phrasing to each list.
"""

from __future__ import annotations

import re
from functools import lru_cache

from newsetl.tasks.line_memo import LINE_MEMO_MAX_CHARS, LINE_MEMO_SIZE

_FLAGS = re.IGNORECASE | re.UNICODE


class Caseless:
    """A case-insensitive pattern that is searched on the lower-cased line.

    Python's `re` runs long alternations 2-5x slower with IGNORECASE than without; the
    five busiest phrase patterns below were a third of text-mode cleanup's time. The
    pattern is written in lower case (checked here) and compiled without IGNORECASE; the
    line is lower-cased before matching. Truth and group text are what the IGNORECASE
    pattern gives (checked on every line of the eight cleanup dev sets); positions refer
    to the lower-cased line, so callers only test or count matches.
    """

    def __init__(self, pattern: str, flags: int = re.UNICODE) -> None:
        literal = re.sub(r"\\.", "", pattern)  # escapes such as \W, \S, \D keep their case
        if literal != literal.lower():
            raise ValueError(f"Caseless pattern must be written in lower case: {pattern[:60]}")
        self.pattern = re.compile(pattern, flags & ~re.IGNORECASE)
        # Cleanup's rules, signals and line features ask about the same line 2-3 times.
        self._search = lru_cache(maxsize=LINE_MEMO_SIZE)(self._search_uncached)

    def search(self, text: str) -> re.Match | None:
        """The first match in the lower-cased `text`, or None."""
        if len(text) <= LINE_MEMO_MAX_CHARS:
            return self._search(text)
        return self._search_uncached(text)

    def _search_uncached(self, text: str) -> re.Match | None:
        return self.pattern.search(text.lower())

    def match(self, text: str) -> re.Match | None:
        """A match at the start of the lower-cased `text`, or None."""
        return self.pattern.match(text.lower())

    def findall(self, text: str) -> list:
        """All non-overlapping matches in the lower-cased `text`."""
        return self.pattern.findall(text.lower())

# Whole short lines that are widget labels or calls to action. Anchored at the start so
# that a body sentence that merely mentions "comment" or "share" is not matched.
_WIDGET_STARTS = [
    # English
    r"(leave|post|add|write|view|show|load|read|see|hide|join) (a |the |all |\d+ )?(comments?|repl(y|ies)|discussion|conversation)",
    r"comments?\b", r"\d+ comments?\b", r"no comments?\b", r"(share|tweet|email|print|pin) (this|on|the|via|article|story|post|page)\b",
    r"share\b\W*$", r"(you (may|might) (also )?like|recommended( for you)?|related (articles|stories|news|posts|content|coverage|topics)?|more (news|stories|from|on this|headlines|in|articles)|(most )?(read|popular|viewed|shared)( now| stories| articles)?|top stories|trending( now)?|latest (news|stories|headlines)|also read|read (more|next|also|the full)|see also|don't miss|must read|further reading|editor'?s picks?)\b",
    r"(sign up|subscribe|register|log ?in|sign in|create an account|get (our|the) newsletter|newsletter)\b",
    r"(follow us|like us on|connect with us|find us on|join us on)\b",
    r"(advertisement|advertising|sponsored( content)?|ad choices|skip (to|ad)|back to top|scroll to (continue|top)|click here)\b",
    r"(tags?|topics?|filed under|categories|keywords)\s*:",
    r"(we use cookies|this (site|website) uses cookies|cookie (policy|settings|preferences)|accept (all )?cookies|privacy policy|terms of (use|service))",
    r"also on \S+\.\w+", r"(listen to (this|the) (article|story)|(min(ute)?|\d+ min) read|reading time)\b",
    r"(image|photo|picture|video) (credit|source|caption)s?\s*:",
    r"(disclaimer|advert|ad)\W*$", r"never miss (a|an|the|our|any)\b", r"don'?t miss (a|an|the|out|our|any)\b",
    # Ad labels standing alone on a line, in many languages (Polish/Czech/Slovak/Croatian,
    # Russian/Ukrainian/Bulgarian, Swedish/Danish/Turkish, Norwegian, Finnish, Dutch, Hungarian, Greek).
    r"(reklama|реклама|reklam|annons|annonse|mainos|advertentie|hirdetés|διαφήμιση|oglas|sponzorováno|sponsored by)\W*$",
    r"(stay (up to date|informed|connected|in touch) with|thanks for (signing up|subscribing)"
    r"|see all newsletters|(\w+ )?sharing buttons|(want more \w+\? )?join (the|our) [\w ]{0,30}newsletter)",
    # Spanish
    r"(comparte|compartir|comentarios?|deja (un|tu) comentario|lee también|leer más|más noticias|otras noticias|noticias relacionadas|te puede interesar|también te puede interesar|suscr[íi]bete|síguenos|publicidad|tiempo de lectura)\b",
    # French
    r"(partager|partagez|commentaires?|laisser un commentaire|lire (aussi|la suite|plus)|à lire aussi|sur le même sujet|articles? similaires|abonnez-vous|inscrivez-vous|suivez-nous|publicité|temps de lecture)\b",
    # German
    r"(teilen|kommentare?|kommentieren|mehr zum thema|weitere nachrichten|auch interessant|lesen sie auch|jetzt abonnieren|newsletter abonnieren|folgen sie uns|anzeige|werbung|lesezeit)\b",
    # Italian
    r"(condividi|commenti|lascia un commento|leggi anche|potrebbe interessarti|altre notizie|iscriviti|seguici|pubblicità)\b",
    # Portuguese
    r"(compartilhe|compartilhar|comente|deixe (um|seu) comentário|leia (também|mais)|mais notícias|notícias relacionadas|assine|inscreva-se|siga-nos|publicidade|tempo de leitura)\b",
]
WIDGET_LINE = re.compile(r"^\W*(?:" + "|".join(_WIDGET_STARTS) + r")", _FLAGS)

# Headers that announce other stories ("You may also like", "Leia também"), per language.
_RELATED_STARTS = [
    r"(related|more) (articles|stories|news|posts|coverage|videos|from|on)\b", r"related\W*$",
    r"(you (may|might) (also )?like|recommended( for you| stories| articles)?\W*$|(most )?(read|popular|viewed|shared)( now| stories| articles)?\W*$"
    r"|trending( now| stories)?\W*$|top stories\W*$|editor'?s picks?)",
    r"(noticias relacionadas|más noticias|otras noticias|(también )?te puede interesar|quizás te interese|lee también|te recomendamos)\b",
    r"(sur le même sujet|articles? similaires|à lire aussi|lire aussi|vous aimerez (aussi|peut-être)|vous pourriez aimer)\b",
    r"(mehr zum thema|weitere nachrichten|das könnte sie auch interessieren|lesen sie auch|auch interessant)\b",
    r"((ti )?potrebbe interessarti|ti potrebbe interessare|altre notizie|articoli correlati|leggi anche|potrebbe piacerti)\b",
    r"(notícias relacionadas|mais notícias|veja também|leia também|você (também )?pode (gostar|se interessar)|talvez você goste)",
]
# Lines that end an article: what follows them is comments, related stories or footer.
_END_STARTS = [
    r"(leave|post|add|write|view|show|load|read|see|join) (a |the |all |\d+ )?(comments?|repl(y|ies)|responses?|discussion|conversation)",
    r"\d+\s+(comments?|responses?|replies|reactions)\b", r"comments?\s*(\(\d+\))?\s*$", r"(top rated|most (liked|recent)|latest) comments",
    r"(you must be )?log(ged)? ?in to (comment|reply|post)", r"comments are (closed|stored|moderated)",
    r"(click to )?share (this|on|the|via|it)\b", r"share\b\W*$", r"(print this article|like this story)\b",
    r"(tags?|topics?|filed under)\s*:", r"about the author\b",
    r"(about|sobre|über|à propos( de)?|acerca de)\s+\S+(\s+\S+){0,2}\s*$",  # an author box: "Sobre Carlos Nadalim"
    r"(comentarios?|deja (un|tu) comentario|commentaires?|laisser un commentaire|kommentare?|commenti|lascia un commento"
    r"|comentários?|deixe (um|seu) comentário)\b",
    *_RELATED_STARTS,
]
SHARE_LINE = re.compile(r"^\W*(?:(click to |print this article\W*)?share\b|partager|partagez|teilen|condividi|compart)", _FLAGS)
COMMENTS_HEADER = re.compile(
    r"^\W*(?:((view|show|read|see|load) (all )?)?\d+\s+|(view|show|read|see|load) (all )?)?(comments?|responses?|replies|reactions|discussion|leave a (reply|comment)|join the (discussion|conversation)"
    r"|comentarios?|commentaires?|kommentare?|commenti|comentários?)\b",
    _FLAGS,
)
# The line that opens one reader comment: "Milan on September 12, 2018 at 4:47 pm said:",
# "Anna 3 hours ago wrote:", "Pierre le 12 mars 2019 à 10:02 a écrit :". A date or time
# is required: "The minister said:" before a quotation is the article's own.
COMMENT_AUTHOR_LINE = re.compile(
    r"^.{1,120}?(\b(19|20)\d\d\b|\b\d{1,2}[:.h]\d\d\b|\bago\b|\bhace\b|\bil y a\b|\bvor\b|\bfa\b).{0,40}?"
    r"\b(said|says|wrote|writes|replied|a écrit|écrit|escribió|escribe|dijo|dice|schrieb|schreibt|ha scritto|scrive"
    r"|disse|escreveu|diz|zei|schreef|skrev|napisał)\s*:?\s*$",
    _FLAGS,
)
END_OF_ARTICLE = re.compile(r"^\W*(?:" + "|".join(_END_STARTS) + r")", _FLAGS)
# The end-of-article lines that announce other stories ("You may also like", "Related").
RELATED_HEADER = re.compile(r"^\W*(?:" + "|".join(_RELATED_STARTS) + r")", _FLAGS)

# Date or "posted/updated" lines near the headline: "Monday November 18, 2019 7:45 am PST",
# "Published 2019-11-18", "18 novembre 2019".
_MONTHS = (
    "jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?"
    "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
    "|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    "|januar|februar|märz|juni|juli|oktober|dezember|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre"
    "|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro"
)
DATE_LINE = Caseless(
    rf"(\b({_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+(de\s+)?({_MONTHS})\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
    r"|^\W*(published|posted|updated|last updated|publicado|publié|veröffentlicht|aggiornato)\b)",
    _FLAGS,
)

# "Home | World | Sport", "News › Europe › France": menus and breadcrumbs flattened to a
# line are short items between separators.
_NAV_SEPARATOR = r"\s+[|•·›»>/–-]\s+"
NAV_SEPARATOR = re.compile(_NAV_SEPARATOR)
MAX_NAV_ITEM_WORDS = 3


def is_menu_line(line: str) -> bool:
    """True for a line of three or more short items between menu separators."""
    if line.lstrip().startswith("|"):  # a table row, not a menu
        return False
    items = [item for item in NAV_SEPARATOR.split(line) if item.strip()]
    return len(items) >= 3 and all(len(item.split()) <= MAX_NAV_ITEM_WORDS for item in items)


COPYRIGHT_LINE = Caseless(
    r"(©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved|todos los derechos reservados|tous droits réservés"
    r"|alle rechte vorbehalten|tutti i diritti riservati|todos os direitos reservados"
    r"|may not be (re)?(produced|published|distributed|copied)|constitutes (your )?acceptance of (our|the)\b"
    r"|(republication|redistribution|reproduction|redissemination)\b.{0,80}\b(prohibited|forbidden|not permitted)"
    r"|\bvat (no|number|reg)|\b(ust|mwst)-?id(nr)?\b|\bregistered (office|in england)|company (no|number|registration)\b)",
    _FLAGS,
)

# "By Jane Doe", "por Ana Pérez y Luis Gil", "Von Max Muster": a byline line holds the
# marker and up to a few capitalised name words, and no sentence.
BYLINE_LINE = re.compile(
    r"^(?i:by|written by|words by|por|par|von|door|av|af)\s+"
    r"(?P<name>[A-ZÀ-ÖØ-Þ][\w.'’-]*(?:[ ,]+(?:and|y|et|und|e|en|&)?\s*[A-ZÀ-ÖØ-Þ][\w.'’-]*){0,6})"
    r"(?:\s*[|,·–—-]\s*.{0,60})?$",
    re.UNICODE,
)

# Wire services whose credit becomes `articles.attribution`.
WIRE_SERVICES = {
    "reuters": "Reuters", "thomson reuters": "Reuters", "associated press": "AP", "ap": "AP",
    "agence france-presse": "AFP", "agence france presse": "AFP", "afp": "AFP", "dpa": "dpa",
    "efe": "EFE", "ansa": "ANSA", "bloomberg": "Bloomberg", "upi": "UPI", "pa media": "PA",
    "press association": "PA", "xinhua": "Xinhua", "kyodo": "Kyodo", "europa press": "Europa Press",
    "tass": "TASS", "anadolu": "Anadolu", "aap": "AAP", "cp": "CP", "the canadian press": "CP",
}
_WIRE_ALTERNATION = "|".join(sorted((re.escape(k) for k in WIRE_SERVICES), key=len, reverse=True))
WIRE_NAME = re.compile(rf"\b({_WIRE_ALTERNATION})\b", _FLAGS)
# "(Reuters) -", "LONDON (AP) —": the dateline credit at the start of a wire story.
WIRE_DATELINE = re.compile(rf"^[^()\n]{{0,60}}\(({_WIRE_ALTERNATION})\)\s*[-–—:]", _FLAGS)
# The dateline a republished wire story starts with: "FRANKFURT (AP) — ", "Frankfurt,
# March 12 — ", "LONDON, Jan 5 (Reuters) - ". Dedup strips it before comparing texts.
DATELINE_PREFIX = re.compile(r"^\s*[A-ZÀ-Þ][\w .,'’/-]{1,40}?(?:\s*\([^()\n]{1,40}\))?\s*[—–-]{1,2}\s+", re.UNICODE)
# "Reporting by …; Editing by …", "— AP", "With AFP": credit lines, kept as metadata.
CREDIT_LINE = re.compile(
    rf"^\W*(?:(?:additional )?(?:reporting|writing|editing|compiled|translated|fact[- ]checked) by\b|(?:with|con|avec|mit) ({_WIRE_ALTERNATION})\W*$|({_WIRE_ALTERNATION})\W*$)",
    _FLAGS,
)

# A photo caption ends with its credit: "… Credit: ESA", "… (Photo: Jane Doe/AP)", "… © Reuters".
PHOTO_CAPTION = Caseless(
    r"(/\s*(getty images|shutterstock|istock(photo)?|alamy|afp|epa|ap( photo)?|reuters|bloomberg|dpa|sipa|corbis)\W*$|\b(credit|credits|photo|photograph|image|picture|foto|fotos|bild|crédit|crédito|créditos)\s*:\s*[^.!?:]{1,80}"
    r"|\((photo|image|credit|foto|bild)\b[^)]{0,80}\)|©\s*[^.!?]{1,60})\s*$",
    _FLAGS,
)
# The stamp under a commenter's name: "August 8, 2018 at 3:17 pm", "12/03/2019 10:02".
COMMENT_STAMP = re.compile(r"^\W*\S.{0,40}\b\d{1,2}[:.]\d\d\s*([ap]\.?m\.?)?\W*$", _FLAGS)

# Pages that are not articles: consent walls, block pages, paywall teasers.
# Words of the text around a wall ("Some people only want to be a digital subscriber…"):
# a line with two or more of them is part of the wall, not of an article.
WALL_VOCABULARY = Caseless(
    r"\b(subscri\w*|abonn\w*|suscri\w*|abonnent\w*|accounts?|log ?in|sign ?in|cookies?|javascript|browser"
    r"|print edition|paywall|ad ?blocker|registr\w*|register\w*)\b",
    _FLAGS,
)
NOT_ARTICLE_PAGE = Caseless(
    r"(access denied|403 forbidden|404 not found|page not found|are you a robot|verify you are (a )?human"
    r"|enable javascript|please enable cookies|cookies must be enabled|before you continue|we value your privacy"
    r"|consent to (the use|our use)|subscribe to (continue|read)|(subscribe|register|sign in|log in) (today )?to (continue|keep) reading"
    r"|to continue (reading|viewing)|please (sign in|log in) with your|this content is (only )?available (to|for) subscribers"
    r"|already a subscriber|subscribing to our services|complimentary access|once registered, you can"
    r"|you have reached your (free )?(monthly )?(article )?limit|free articles? (left|remaining) this month)",
    _FLAGS,
)


# A teaser card flattened without a separator: a Title Case headline glued to the first
# word of its summary ("…In NASCAR FinaleFord v Toyota flopped…", "…On The Rise?Violence is…").
GLUED_TEASER_MAX_WORDS = 70
_GLUE = re.compile(r"(?<=[a-z0-9][a-z0-9])([.?!]?)(?=[A-Z][a-z]|[AI]$)")
_TITLE_WORD = re.compile(r"^\W*[A-Z]")
_HAS_WORD_CHAR = re.compile(r"\w")
_TITLE_MINOR = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "v", "vs", "with"}


def is_glued_teaser(line: str) -> bool:
    """True for a headline and its summary flattened into one line with no space between
    them: at least three capitalised words of Title Case, then a capital glued to the last word."""
    words = line.split()
    if len(words) > GLUED_TEASER_MAX_WORDS:  # a card is a headline and a sentence or two, not a whole page
        return False
    for index, word in enumerate(words[:25]):
        glue = _GLUE.search(word)
        if not glue or glue.start() < 3 or index < 2:
            continue
        title = [*words[:index], word[: glue.start()]]
        major = [
            w for w in title if w.lower().strip("'’\"") not in _TITLE_MINOR and not w[:1].isdigit() and _HAS_WORD_CHAR.search(w)
        ]
        capitalised = sum(1 for w in major if _TITLE_WORD.match(w))
        if capitalised >= 3 and capitalised >= 0.85 * len(major):
            return True
    return False
