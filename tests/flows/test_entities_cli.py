"""`newsetl entities`: JSON lines in, entities with offsets, kinds and ids out, through the real command."""

import json
import subprocess
import sys


def run_entities(lines: list[str]) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "newsetl.flows.cli", "entities"], input="\n".join(lines) + "\n",
        capture_output=True, text=True, timeout=300, check=True,
    )
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_entities_with_offsets_kinds_and_ids_and_output_aligned_with_input():
    english = "President Volodymyr Zelensky met Emmanuel Macron in Kyiv on Tuesday, officials in Los Angeles said."
    french = "Le ministre a dit qu’Emmanuel Macron partira pour Kiev jeudi."
    out = run_entities([
        json.dumps({"id": "en", "text": english}),
        "{broken",
        json.dumps({"id": "fr", "text": french, "language": "fr"}),
        json.dumps({"id": "sv", "text": "Regeringen i Stockholm presenterade en ny lag.", "language": "sv"}),
    ])
    assert [row["id"] for row in out] == ["en", None, "fr", "sv"]
    en, broken, fr, sv = out
    assert en["language"] == "en" and "malformed JSON" in broken["error"]
    for row, text in ((en, english), (fr, french)):
        for e in row["entities"]:
            assert text[e["start"]:e["end"]] == e["text"]
    by_text = {e["text"]: e for e in en["entities"]}
    assert by_text["Kyiv"]["kind"] == "place" and by_text["Los Angeles"]["canonical"] == "Los Angeles"
    assert by_text["Volodymyr Zelensky"]["kind"] == "person"
    macron = [e for e in fr["entities"] if e["kind"] == "person"]
    assert macron and macron[0]["text"] == "Emmanuel Macron"  # the elided "qu’" is not part of the name
    kiev = [e for e in fr["entities"] if e["text"] == "Kiev"]
    assert kiev and kiev[0]["entity_id"] == by_text["Kyiv"]["entity_id"]
    assert sv["entities"] == [] and sv["ner_model"] is None
