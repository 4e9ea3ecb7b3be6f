"""Languages langdetect has no profile for, told from the language it answers instead.

Languages with a script of their own are told by it (`by_script`): langdetect's profiles
know no Georgian, Armenian, Ethiopic, Khmer, Myanmar, Sinhala, Lao, Tibetan, Odia or
Thaana letter, and it answered Estonian ("et", probability 1.0) for Georgian and Armenian
news sentences and nothing ("und") for Amharic ones.

langdetect 1.0.9's 55 profiles lack Zulu, Xhosa and Icelandic. For Zulu and Xhosa pages it
answers Swahili (all 5 South African isiZulu/isiXhosa pages of fundus-tests came out "sw"),
for Icelandic ones Norwegian ("no", probability 0.43 on fundus-tests' one Icelandic page).
Their own words tell them apart: Icelandic writes the letter þ, which no Scandinavian
language does (Faroese, which shares ð, has no þ either); Zulu and Xhosa share most of
their vocabulary with each other but few function words with Swahili, and each has its own
words for "and", "that", "because", "or", "now", "where".

Other missing languages write letters their neighbours do not (`LETTER_LANGUAGES`): for
invented council-meeting sentences langdetect answered Macedonian for Serbian Cyrillic
(Serbian alone writes ћ and ђ), Russian for Belarusian (ў) and for Kazakh (қ, ұ, ә), and
Turkish for Azerbaijani (ə).

`refine` changes only the answers those rules name (sw, no and the Cyrillic and Turkish
ones below), so no other answer changes; `by_script` only applies to text whose letters are
mostly of one of those scripts.
"""

from __future__ import annotations

import re

# Common function words, each in one language of the three only (words the Nguni
# languages share, such as kodwa "but", ukuze "so that", abantu "people", vote for none).
NGUNI_OR_SWAHILI = {
    "zu": frozenset("ukuthi futhi ngoba kanye noma lokhu lapho manje kahle njengoba kumele khona nokho kusho washo lezi "
                    "eziningi ngesikhathi".split()),
    "xh": frozenset("ukuba kwaye ngoko kuba xa okanye apho ngoku oku uthe nokuba ke kunye watsho ezi ezininzi kakuhle "
                    "ngexesha noko".split()),
    "sw": frozenset(
        "na ya katika kuwa hiyo hii huo kama lakini pia amesema alisema wakati baada hata zaidi sana ambao ambayo "
        "kwamba hadi bila juu".split()
    ),
}
# A Zulu or Xhosa answer needs this many of its words, and more than Swahili's: a Swahili
# page has several of its own in every sentence ("na", "ya", "katika").
MIN_NGUNI_WORDS = 3
# (langdetect's answers, the language, letters only it writes among them, letters that
# rule it out). Uzbek Cyrillic shares ў with Belarusian but writes қ, ғ and ҳ, which
# Belarusian does not; Macedonian writes ќ and ѓ where Serbian writes ћ and ђ.
LETTER_LANGUAGES = (
    (("no", "da", "sv"), "is", "þÞ", ""),
    (("mk", "bg", "ru", "uk"), "sr", "ћђЋЂ", "ќѓЌЃ"),
    (("ru", "uk", "bg"), "be", "ўЎ", "қғҳҚҒҲ"),
    (("ru", "uk", "bg", "mk"), "kk", "құәҚҰӘ", "ўЎ"),  # Uzbek Cyrillic writes қ too, and ў
    (("tr",), "az", "əƏ", ""),
)
# At least this many of those letters, and this share of the text's letters (þ is ~0.5-1%
# of Icelandic letters, ћ/ђ about as much of Serbian; a Norwegian or Russian page quoting
# one name has one or two).
MIN_MARK_LETTERS = 3
MIN_MARK_SHARE = 0.002

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def refine(lang: str, text: str) -> str:
    """Return the language of `text` given langdetect's answer `lang`: "zu" or "xh" for a
    "sw" answer whose words are Zulu or Xhosa, the language of LETTER_LANGUAGES whose own
    letters the text writes (þ: "is" for a "no" answer); otherwise `lang` unchanged."""
    if lang == "sw":
        counts = {code: 0 for code in NGUNI_OR_SWAHILI}
        for word in _WORD.findall(text.lower()):
            for code, vocabulary in NGUNI_OR_SWAHILI.items():
                if word in vocabulary:
                    counts[code] += 1
        best = max(("zu", "xh"), key=lambda code: counts[code])
        if counts[best] >= MIN_NGUNI_WORDS and counts[best] > counts["sw"]:
            return best
    letters = None
    for answers, language, marks, excluded in LETTER_LANGUAGES:
        if lang not in answers:
            continue
        found = sum(text.count(ch) for ch in marks)
        if found < MIN_MARK_LETTERS or any(ch in text for ch in excluded):
            continue
        letters = letters if letters is not None else sum(ch.isalpha() for ch in text)
        if found >= MIN_MARK_SHARE * letters:
            return language
    return lang


# Scripts written by one (news) language each, as Unicode blocks. Ethiopic is also written
# for Tigrinya and Tigre; Amharic is by far its largest news language.
SCRIPT_LANGUAGES = {
    "ka": "\u10a0-\u10ff\u1c90-\u1cbf",  # Georgian (Mkhedruli, Mtavruli)
    "hy": "\u0530-\u058f",  # Armenian
    "am": "\u1200-\u139f\u2d80-\u2ddf",  # Ethiopic
    "km": "\u1780-\u17ff",  # Khmer
    "my": "\u1000-\u109f",  # Myanmar
    "si": "\u0d80-\u0dff",  # Sinhala
    "lo": "\u0e80-\u0eff",  # Lao
    "bo": "\u0f00-\u0fff",  # Tibetan
    "or": "\u0b00-\u0b7f",  # Odia
    "dv": "\u0780-\u07bf",  # Thaana (Dhivehi)
}
# Share of the text's letters a script needs to name the language: a page in one of them
# keeps Latin menus and names, a Latin page may quote a word in one of them.
MIN_SCRIPT_SHARE = 0.5
_IN_SCRIPT = {lang: re.compile(f"(?=[^\\W\\d_])[{block}]") for lang, block in SCRIPT_LANGUAGES.items()}
_ANY_SCRIPT = re.compile("[" + "".join(SCRIPT_LANGUAGES.values()) + "]")
_LETTER = re.compile(r"[^\W\d_]")


def by_script(text: str) -> tuple[str, float] | None:
    """Return (language, share of the letters in its script) when most letters of `text` are
    of a script in SCRIPT_LANGUAGES, else None (one regex search for other text)."""
    if not _ANY_SCRIPT.search(text):
        return None
    letters = len(_LETTER.findall(text))
    for lang, pattern in _IN_SCRIPT.items():
        share = len(pattern.findall(text)) / letters if letters else 0.0
        if share >= MIN_SCRIPT_SHARE:
            return lang, round(share, 4)
    return None
