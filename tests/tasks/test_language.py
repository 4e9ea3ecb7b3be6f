"""Language detection: reproducible, with a confidence, and never an error on odd text."""

import pytest
from langdetect import DetectorFactory, detect_langs

from newsetl.tasks.langdetect_fast import detect_probabilities
from newsetl.tasks.language import LANGDETECT_SEED, UNDETERMINED, detect_language, line_language_votes
from tests.conftest import seed_text

FRENCH = (
    "Le gouvernement a annoncé mercredi un plan de soutien aux agriculteurs touchés par la sécheresse, "
    "qui prévoit des aides directes et un report des cotisations sociales pour les exploitations les plus fragiles."
)
GERMAN = (
    "Die Regierung hat am Mittwoch ein neues Gesetz zur Förderung erneuerbarer Energien vorgestellt, "
    "das den Ausbau von Wind- und Solarkraft in den nächsten Jahren deutlich beschleunigen soll."
)

# Invented reports of one council meeting in languages langdetect has no profile for (it
# answers "sw" for the first two, "no" for the third) and in the two it confuses them with.
ZULU = ("UMeya uthe umkhandlu uzovula ibhuloho elisha ngoba abantu bakhala isikhathi eside. Futhi uthe lokhu "
        "kuzosiza abahwebi kanye nezikole. Manje kumele sisebenze kahle, kusho yena, njengoba imvula inqamukile.")
XHOSA = ("USodolophu uthe ibhunga liza kuvula ibhulorho entsha kuba abantu bebekhalaza ixesha elide. Kwaye uthe oku "
         "kuya kunceda abarhwebi kunye nezikolo. Ngoku kufuneka sisebenze kakuhle, watsho, xa imvula iyekile.")
SWAHILI = ("Meya amesema kuwa halmashauri itafungua daraja jipya katika mji huo kwa sababu wananchi wamelalamika kwa "
           "muda mrefu. Pia alisema hii itasaidia wafanyabiashara na shule, lakini kazi zaidi inahitajika baada ya mvua.")
ICELANDIC = ("Borgarstjórinn sagði að borgarráðið myndi opna nýja brú því að íbúar hefðu kvartað lengi. Hann sagði "
             "einnig að þetta myndi hjálpa kaupmönnum og skólum, en það þyrfti meiri vinnu eftir rigningarnar í þessum mánuði.")
NORWEGIAN = ("Ordføreren sa at bystyret vil åpne en ny bro fordi innbyggerne har klaget lenge. Han sa også at dette "
             "vil hjelpe handelsstanden og skolene, men det trengs mer arbeid etter regnet denne måneden.")

# ... and in scripts langdetect has no profile for (it answered "et", "et" and "und").
GEORGIAN = "Home | News\nთბილისის საკრებულომ ორშაბათს ახალი ხიდის აშენება გადაწყვიტა, განაცხადა მერმა."
ARMENIAN = "Երևանի ավագանին երկուշաբթի որոշեց կառուցել նոր կամուրջ, հայտարարեց քաղաքապետը։"
AMHARIC = "የአዲስ አበባ ከተማ ምክር ቤት ሰኞ አዲስ ድልድይ ለመገንባት ወሰነ ብለዋል ከንቲባው።"
# ... and in languages told by letters their neighbours do not write (langdetect: mk, ru, ru, tr).
SERBIAN = ("Градско веће је у понедељак одлучило да изгради нови мост, рекао је градоначелник. Радови ће почети "
           "следеће године, а мост ће повезати два дела града.")
BELARUSIAN = ("Гарадская рада ў панядзелак вырашыла пабудаваць новы мост, паведаміў мэр. Працы пачнуцца ў наступным "
              "годзе, а мост злучыць дзве часткі горада.")
KAZAKH = "Қалалық кеңес дүйсенбі күні жаңа көпір салу туралы шешім қабылдады, деп хабарлады әкім. Жұмыс келесі жылы басталады."
AZERBAIJANI = "Şəhər şurası bazar ertəsi yeni körpü tikmək qərarına gəlib, bələdiyyə sədri bildirib. İşlər gələn il başlayacaq."
MACEDONIAN = "Градскиот совет во понеделникот одлучи да изгради нов мост, изјави градоначалникот. Работите ќе почнат следната година."
RUSSIAN = "Городской совет в понедельник решил построить новый мост, сообщил мэр. Работы начнутся в следующем году."
QUOTING_GEORGIAN = "The Georgian word for bridge is ხიდი, the council said on Monday in Tbilisi after a long debate."


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_seeds_are_english_with_high_confidence(seed):
    lang, score = detect_language(seed_text(seed))
    assert lang == "en" and score > 0.9


@pytest.mark.parametrize("text, expected", [
    (FRENCH, "fr"), (GERMAN, "de"), (ZULU, "zu"), (XHOSA, "xh"), (SWAHILI, "sw"), (ICELANDIC, "is"), (NORWEGIAN, "no"),
    (GEORGIAN, "ka"), (ARMENIAN, "hy"), (AMHARIC, "am"), (QUOTING_GEORGIAN, "en"),
    (SERBIAN, "sr"), (BELARUSIAN, "be"), (KAZAKH, "kk"), (AZERBAIJANI, "az"), (MACEDONIAN, "mk"), (RUSSIAN, "ru"),
])
def test_other_languages(text, expected):
    assert detect_language(text)[0] == expected


@pytest.mark.parametrize("text", ["", "   ", "12345 !!! ---", "© 2026 — 10:45"])
def test_text_without_letters_is_undetermined_not_an_error(text):
    assert detect_language(text) == (UNDETERMINED, 0.0)


def test_detection_is_reproducible():
    short = "Más Noticias y otras cosas"
    assert len({detect_language(short) for _ in range(20)}) == 1


def test_line_votes_use_distinctive_function_words():
    assert line_language_votes("Más Noticias").get("es") == 1
    assert line_language_votes("The latest news from the region").get("en", 0) >= 2
    assert line_language_votes("Kyiv") == {}


MIXED_PAGES = [
    FRENCH,
    GERMAN,
    "NASA and the ESA said on Monday that the JUICE probe reached orbit; see https://example.org/a?b=1 or mail press@example.org.",
    "Киев и Харьков   пострадали от ударов, сообщили власти в понедельник вечером. ПВО сбила большую часть ракет.",
    "東京都は月曜日、新しい防災計画を発表した。計画には避難所の増設が含まれる。",
    "Thủ tướng Chính phủ đã phê duyệt kế hoạch xây dựng tuyến đường sắt cao tốc Bắc – Nam.",
    "Rząd przyjął w środę projekt ustawy o ochronie ludności, który trafi teraz do Sejmu.",
    "ŞTIRI: Guvernul a aprobat miercuri bugetul, ţara şi ţinutul; ș și ț.",
    "A   B  C   D",
]


@pytest.mark.parametrize("text", MIXED_PAGES)
def test_the_fast_detector_answers_exactly_as_langdetect(text):
    # tasks/langdetect_fast.py re-implements langdetect's n-gram intake and probability
    # loop for speed: languages and probabilities must be langdetect's own, to the bit.
    DetectorFactory.seed = LANGDETECT_SEED
    expected = [(r.lang, r.prob) for r in detect_langs(text)]
    assert [(r.lang, r.prob) for r in detect_probabilities(text)] == expected
