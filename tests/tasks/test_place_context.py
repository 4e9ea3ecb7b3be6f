"""A place name several places bear gets, in an article, the reading its other places point to."""

import re

from newsetl.tasks.entities import entities_of
from newsetl.tasks.entity_ids import entity_id
from newsetl.tasks.gazetteer import place_country
from newsetl.tasks.ner_processes import SpanDoc, SpanEntity


def place_ids(text: str, places: list[str]) -> dict[str, str]:
    """Entity ids of an invented article whose NER found `places` (each occurrence, as GPE)."""
    found = sorted((m.start(), m.end()) for name in places for m in re.finditer(re.escape(name), text))
    spans = tuple(SpanEntity(start, end, "GPE") for start, end in found)
    return {e.text: e.entity_id for e in entities_of(SpanDoc(text, spans), "en")}


def test_odessa_beside_ukrainian_cities_is_odesa_and_alone_keeps_its_preferred_reading():
    text = "Shelling hit Odessa overnight, officials in Kyiv said, as trains from Kharkiv were cancelled."
    assert place_ids(text, ["Odessa", "Kyiv", "Kharkiv"])["Odessa"] == entity_id("Odesa", "place", "en")
    alone = "Odessa police closed the highway on Monday."
    assert place_ids(alone, ["Odessa"])["Odessa"] == entity_id("Odessa", "place", "en")


def test_an_english_town_beside_english_places_is_the_english_town():
    text = "Gloucester beat Bath 24-10, the best result in England this season for the club."
    ids = place_ids(text, ["Gloucester", "Bath", "England"])
    assert ids["Gloucester"] != entity_id("Gloucester", "place", "en")  # the preferred reading is the Canadian city
    assert place_ids("Gloucester and Bath play on Saturday in England.", ["Gloucester", "Bath", "England"])["Gloucester"] == ids["Gloucester"]
    assert place_ids("Gloucester council met on Monday.", ["Gloucester"])["Gloucester"] == entity_id("Gloucester", "place", "en")


def test_a_famous_city_does_not_move_to_a_small_namesake_nor_a_capital_at_all():
    text = "Fans travelled from Seattle and Chicago to Sydney, then on to Athens for the final."
    ids = place_ids(text, ["Seattle", "Chicago", "Sydney", "Athens"])
    assert ids["Sydney"] == entity_id("Sydney", "place", "en")  # not the small US namesake
    assert ids["Athens"] == entity_id("Athens", "place", "en")  # a capital


def test_one_passing_mention_or_country_names_do_not_decide():
    text = "Odessa, in the US state of Texas, hosted the meeting; a delegate flew in from Kyiv."
    assert place_ids(text, ["Odessa", "Kyiv"])["Odessa"] == entity_id("Odessa", "place", "en")  # one Ukrainian city
    text = "Odessa was quiet, Ukraine's army said; Ukraine's allies agreed."
    assert place_ids(text, ["Odessa", "Ukraine"])["Odessa"] == entity_id("Odessa", "place", "en")  # country names do not vote


def test_georgia_beside_american_places_is_the_us_state_and_beside_caucasian_ones_the_country():
    state = "Jurors in Atlanta heard the case; Columbus and Augusta courts sent records, and Georgia law requires a unanimous verdict."
    country = entity_id("Georgia", "place", "en")
    moved = place_ids(state, ["Atlanta", "Columbus", "Augusta", "Georgia"])["Georgia"]
    assert moved != country and place_country(moved) == "US"
    caucasus = "Georgia closed its border after talks in Tbilisi; diplomats in Washington and New York and Chicago watched."
    assert place_ids(caucasus, ["Georgia", "Tbilisi", "Washington", "New York", "Chicago"])["Georgia"] == country  # Tbilisi votes for it
    visit = "Georgia's president held talks in Washington, then flew on to New York."
    assert place_ids(visit, ["Georgia", "Washington", "New York"])["Georgia"] == country  # two places: not enough
