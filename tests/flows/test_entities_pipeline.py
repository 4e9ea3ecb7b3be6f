"""The pipeline stores entities with kind and entity_id in German, Spanish and Ukrainian, and a
place named in different languages meets itself across articles (Kyiv in the seeds, Kiew in German)."""

import duckdb
import pytest

from newsetl.flows.pipeline import pipeline
from tests.conftest import REPO

PAGES = {
    "berlin.txt": (
        "Scholz reist nach Kiew\n\n"
        "Bundeskanzler Olaf Scholz ist am Dienstag zu einem unangekündigten Besuch in Kiew eingetroffen. "
        "Er wolle mit dem ukrainischen Präsidenten Wolodymyr Selenskyj über weitere Hilfen sprechen, sagte "
        "ein Regierungssprecher in Berlin.\n\n"
        "Die Europäische Union hat der Ukraine in diesem Jahr bereits Hilfen in Milliardenhöhe zugesagt. "
        "Scholz sagte nach dem Treffen in Kiew, Deutschland werde die Ukraine so lange wie nötig unterstützen.\n\n"
        "Am Abend reiste der Kanzler mit dem Zug weiter nach Lwiw, wo er Vertreter der Stadtverwaltung traf."
    ),
    "madrid.txt": (
        "Sánchez recibe a Scholz en Madrid\n\n"
        "El presidente del Gobierno, Pedro Sánchez, se reunió este martes en Madrid con el canciller alemán "
        "Olaf Scholz para preparar la próxima cumbre de la Unión Europea en Bruselas.\n\n"
        "Ambos dirigentes hablaron de la ayuda a Ucrania y de la política migratoria, según fuentes del "
        "Palacio de la Moncloa. Sánchez dijo que España mantendrá su apoyo a Kiev.\n\n"
        "Scholz viajará después a Barcelona, donde visitará una fábrica de la empresa Seat."
    ),
    "kyiv.txt": (
        "Зеленський зустрівся з Шольцом у Києві\n\n"
        "Президент України Володимир Зеленський у вівторок провів зустріч з канцлером Німеччини Олафом "
        "Шольцом у Києві. Сторони обговорили нові поставки систем протиповітряної оборони.\n\n"
        "Європейський Союз надасть Україні нову фінансову допомогу, заявив Зеленський після переговорів. "
        "За його словами, Німеччина залишається одним з найбільших партнерів України.\n\n"
        "Увечері Шольц відвідав Львів, де зустрівся з представниками міської влади."
    ),
}


@pytest.fixture(scope="module")
def multilingual_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("input")
    for path in (REPO / "seeds").glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path_factory.mktemp("db") / "news.duckdb"
    pipeline(paths=[str(folder)], db=str(db))
    return db


def sql(db, statement):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(statement).fetchall()


@pytest.mark.parametrize("page, lang", [("berlin.txt", "de"), ("madrid.txt", "es"), ("kyiv.txt", "uk")])
def test_german_spanish_and_ukrainian_articles_store_entities_with_kind_and_id(multilingual_db, page, lang):
    rows = sql(multilingual_db, f"""SELECT a.language, a.ner_model, e.kind, e.entity_id FROM entities e
                                    JOIN articles a USING (doc_id) WHERE a.source_uri LIKE '%{page}'""")
    assert rows and {r[0] for r in rows} == {lang}
    assert all(r[1].startswith(f"newsetl_ner_{lang}") for r in rows)
    assert {"person", "place"} <= {r[2] for r in rows}
    assert all(r[3] for r in rows)


def test_kyiv_in_the_seeds_and_kiew_in_german_share_an_entity_id(multilingual_db):
    seeds = {r[0] for r in sql(multilingual_db, "SELECT DISTINCT entity_id FROM entities WHERE text = 'Kyiv'")}
    german = {r[0] for r in sql(multilingual_db, "SELECT DISTINCT entity_id FROM entities WHERE text = 'Kiew'")}
    assert len(seeds) == 1 and seeds == german


def test_entity_names_lists_each_ids_names_by_language(multilingual_db):
    rows = sql(multilingual_db, """SELECT language, names, articles FROM entity_names
                                   WHERE entity_id = (SELECT any_value(entity_id) FROM entities WHERE text = 'Kyiv')""")
    by_lang = {lang: (names, n) for lang, names, n in rows}
    assert "Kyiv" in by_lang["en"][0] and "Kiew" in by_lang["de"][0]
    assert by_lang["de"][1] == 1
