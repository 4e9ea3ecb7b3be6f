"""Chrome classes that leaked into stored articles, on invented pages: layout-table rows,
site footers and legal lines, betting link rows, reader comments, newsletter prompts and
stand-alone ad labels. Each test checks both halves: the chrome is gone, the body is whole.
"""

import pytest

from newsetl.tasks import chrome_phrases as ph
from newsetl.tasks.chrome_phrases import Caseless
from newsetl.tasks.cleanup import clean_html, clean_text

BODY = [
    "The regional council voted on Thursday to build a new footbridge over the river, linking the old town with the railway station.",
    "Construction is due to start in the spring and should take about eighteen months, the council's planning office said in a statement.",
    "Residents have asked for a crossing at this point for more than twenty years, and a petition last winter gathered four thousand names.",
    "The bridge will be closed to cyclists during the evening rush hour, a compromise that the local cycling club called disappointing.",
]
HEADLINE = "Council approves footbridge over the river"


def paragraphs_html(body: list[str] = BODY) -> str:
    return "".join(f"<p>{p}</p>" for p in body)


def assert_body_whole(result) -> None:
    for paragraph in BODY:
        assert paragraph in result.body, paragraph


def test_layout_table_rows_never_reach_the_clean_text():
    page = f"""<html><head><title>{HEADLINE}</title></head><body>
    <table width="100%"><tr><td><a href="/">Home</a></td><td><a href="/news">News</a></td><td><a href="/sport">Sport</a></td></tr>
    <tr><td colspan="3"><h1>{HEADLINE}</h1>{paragraphs_html()}</td></tr>
    <tr><td><a href="/about">About us</a></td><td><a href="/contact">Contact</a></td><td></td></tr></table>
    </body></html>"""
    result = clean_html(page, "en")
    assert_body_whole(result)
    assert "| |" not in result.clean_text and not any(line.startswith("|") for line in result.clean_text.splitlines())
    assert "About us" not in result.body and "Contact" not in result.body


def test_site_footer_and_legal_lines_are_removed():
    footer = [
        "Republication or redistribution of this content is expressly prohibited without prior written consent.",
        "Riverside Media Ltd, VAT number GB 123 456 789, registered in England.",
        "Never miss the latest news by signing up to our free morning newsletter.",
    ]
    text = "\n".join([HEADLINE, *BODY, *footer])
    result = clean_text(text, "en")
    assert_body_whole(result)
    for line in footer:
        assert line not in result.body


def test_legal_and_date_lines_are_recognised_in_any_letter_case():
    # The phrase patterns are matched on the lower-cased line (chrome_phrases.Caseless):
    # shouting footers and mixed-case datelines must still be recognised.
    assert ph.COPYRIGHT_LINE.search("© 2024 RIVERSIDE MEDIA LTD. ALL RIGHTS RESERVED.")
    assert ph.DATE_LINE.search("PUBLISHED: 12 MARCH 2024")
    assert ph.NOT_ARTICLE_PAGE.search("Please Enable JavaScript To Continue Reading")
    assert not ph.DATE_LINE.search("The Council Voted On The New Footbridge")
    text = "\n".join([HEADLINE, *BODY, "COPYRIGHT 2024 RIVERSIDE MEDIA. REPUBLICATION IS STRICTLY PROHIBITED."])
    result = clean_text(text, "en")
    assert_body_whole(result)
    assert "RIVERSIDE MEDIA" not in result.body


def test_a_phrase_pattern_with_capitals_is_refused():
    # A capital in a Caseless pattern could never match the lower-cased line.
    with pytest.raises(ValueError):
        Caseless(r"All rights reserved")
    assert Caseless(r"^\W*all rights reserved\b").search("ALL RIGHTS RESERVED")


def test_betting_link_rows_after_the_article_are_removed():
    links = ["Best online casinos 2026", "Free spins no deposit", "Top betting sites", "Live odds today", "Casino bonus codes"]
    page = f"""<html><body><article><h1>{HEADLINE}</h1>{paragraphs_html()}</article>
    <div class="partners"><ul>{''.join(f'<li><a href="https://example.bet/{i}">{t}</a></li>' for i, t in enumerate(links))}</ul></div>
    </body></html>"""
    result = clean_html(page, "en")
    assert_body_whole(result)
    for link in links:
        assert link not in result.body


def test_reader_comments_are_not_the_article():
    comments = [
        ("Margaret Hill", "March 3, 2026 at 9:14 am", "About time too, I have been walking the long way round for years and it is a nuisance in winter."),
        ("Tom Baker", "March 3, 2026 at 10:02 am", "Eighteen months seems very optimistic to me, they said the same about the new library and it took four years."),
        ("J. Osei", "March 3, 2026 at 11:40 am", "Closing it to cyclists at rush hour makes no sense at all when that is exactly when people need it most."),
    ]
    lines = [HEADLINE, *BODY, "3 comments"]
    for name, stamp, text in comments:
        lines += [name, stamp, text, "Reply"]
    result = clean_text("\n".join(lines), "en")
    assert_body_whole(result)
    for _, _, text in comments:
        assert text not in result.body


def test_a_stand_alone_ad_label_inside_the_article_is_removed():
    polish = [
        "Rada miasta zdecydowała w czwartek o budowie nowej kładki nad rzeką, która połączy stare miasto z dworcem kolejowym.",
        "Budowa ma się rozpocząć wiosną i potrwać około półtora roku, poinformował w komunikacie wydział planowania urzędu miasta.",
        "Mieszkańcy od ponad dwudziestu lat domagali się przejścia w tym miejscu, a zeszłej zimy petycję podpisały cztery tysiące osób.",
    ]
    text = "\n".join(["Rada miasta zatwierdziła budowę kładki nad rzeką", polish[0], "REKLAMA", polish[1], polish[2]])
    result = clean_text(text, "pl")
    assert "REKLAMA" not in result.body
    assert result.body.split("\n\n") == polish
