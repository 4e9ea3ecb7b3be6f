"""A synthetic news site whose pages share chrome lines that no generic rule knows."""

from pathlib import Path

# Site chrome of the synthetic "Riverside Gazette": worded so that no generic rule (widget
# phrasing, copyright, position) recognises it; only its recurrence across pages does.
SITE_CHROME_TOP = ["Riverside Gazette", "Independent local reporting since 1884 from the valley towns."]
SITE_CHROME_MID = "Gazette Plus members can hear this story read aloud by our staff."
SITE_CHROME_END = ["Pat Morgan edits our community pages and answers reader mail.", "Our newsroom is open weekdays on Mill Street."]

BODIES = [
    ("Council approves new bus lanes on Main Street",
     ["The town council voted on Tuesday to add dedicated bus lanes to Main Street, after a year of consultations with shop owners and residents.",
      "Supporters said the lanes would make buses faster and more reliable, while several traders warned that fewer parking spaces would hurt their business.",
      "Work on the first section is expected to start in March and to last about six weeks, the council's transport officer said."]),
    ("Library extends opening hours for exam season",
     ["The central library will stay open until ten in the evening during the exam season, the library board announced on Wednesday afternoon.",
      "Students had asked for longer hours in a petition signed by more than four hundred people, many of whom lack a quiet place to study at home.",
      "The board said the extra hours would be paid for by a grant from a regional education fund and would be reviewed in the summer."]),
    ("Flood defences finished ahead of winter storms",
     ["Engineers have finished raising the flood wall along the eastern riverbank, two months ahead of schedule and within the original budget.",
      "The wall protects about three hundred homes that were flooded twice in the last decade, when heavy rain pushed the river over its banks.",
      "Residents welcomed the news but asked the council to clear the drains on their streets, which they said still overflow during storms."]),
    ("Farmers market moves to the old railway yard",
     ["The weekly farmers market will move to the old railway yard next month, giving its forty stalls more space and room for a covered area.",
      "Market organisers said the move would also free the town square for events on Saturdays, a change many cafes on the square had asked for.",
      "The railway yard has new lighting and toilets, paid for by the town's regeneration budget, and buses will stop at its gate on market days."]),
]


def site_page(index: int) -> str:
    """The text of page `index` of the site: chrome, headline, body paragraphs, more chrome."""
    title, paragraphs = BODIES[index]
    return "\n".join([*SITE_CHROME_TOP, title, paragraphs[0], SITE_CHROME_MID, *paragraphs[1:], *SITE_CHROME_END]) + "\n"


def write_site(folder: Path, pages: range) -> list[Path]:
    """Write pages of the site as .txt files into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in pages:
        path = folder / f"page{index}.txt"
        path.write_text(site_page(index), encoding="utf-8")
        paths.append(path)
    return paths
