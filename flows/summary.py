"""The run summary: markdown for the Prefect UI artifact, a rich table for the terminal."""

from __future__ import annotations

from collections import defaultdict

from prefect.artifacts import create_markdown_artifact
from rich.console import Console
from rich.table import Table

SECTION_TITLES = {
    "articles": "Articles",
    "language": "Languages",
    "entities": "Entities",
    "entity": "Top names (articles)",
    "copies": "Copies",
    "stories": "Stories",
    "removed": "Lines removed by cleanup",
    "quarantine": "Quarantined inputs",
}
# The views in sql/views.sql that reproduce each section.
SECTION_VIEWS = {
    "entity": "what_is_in_the_news",
    "stories": "story_summary",
    "copies": "canonical_articles",
    "removed": "removed_line_summary",
}


# Sections listed most frequent first (the others keep their own order: fixed rows, or
# top names already ranked by articles, then recency).
BY_COUNT = ("language", "removed", "quarantine")


def _grouped(rows: list[tuple[str, str, int]]) -> dict[str, list[tuple[str, int]]]:
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for section, name, count in rows:
        groups[section].append((name, count))
    for section in BY_COUNT:
        groups[section].sort(key=lambda item: (-item[1], item[0] or ""))
    return groups


def summary_markdown(
    rows: list[tuple[str, str, int]],
    stage_rows: list[tuple[str, int]],
    quarantined: list[tuple[str, str, str]],
    db_path: str,
) -> str:
    """Render the run summary as markdown: items through each stage (`stage_rows`), the
    database's summary rows (section, name, count) as one table per section, the
    quarantined inputs (input, stage, error), and the queries that reproduce them."""
    groups = _grouped(rows)
    # The first line is what the UI's artifact list shows: say there that inputs were quarantined.
    n_quarantined = dict(stage_rows).get("quarantined", 0)
    heading = f"# newsetl run summary: {n_quarantined} inputs quarantined" if n_quarantined else "# newsetl run summary: every input stored"
    parts = [f"{heading}\n\nDatabase: `{db_path}`\n", "## Stages\n\n| stage | items |\n|---|---:|"]
    parts.extend(f"| {stage} | {count} |" for stage, count in stage_rows)
    parts.append("")
    for section, title in SECTION_TITLES.items():
        items = groups.get(section, [])
        if not items and section != "quarantine":
            continue
        view = f" (view `{SECTION_VIEWS[section]}`)" if section in SECTION_VIEWS else ""
        parts.append(f"## {title}{view}\n\n| | count |\n|---|---:|")
        parts.extend(f"| {name} | {count} |" for name, count in items)
        if not items:
            parts.append("| none | 0 |")
        parts.append("")
    if quarantined:
        parts.append("## Quarantined inputs (table `quarantine`)\n\n| input | stage | error |\n|---|---|---|")
        parts.extend(f"| `{uri}` | {stage} | {_cell(error)} |" for uri, stage, error in quarantined)
        parts.append("")
    parts.append(
        "## Reproduce\n\n```\n"
        + "\n".join(f'newsetl sql "SELECT * FROM {view}" --db {db_path}' for view in SECTION_VIEWS.values())
        + f'\nnewsetl sql "SELECT * FROM open_quarantine" --db {db_path}\n```\n'
    )
    return "\n".join(parts)


def _cell(text: str, limit: int = 200) -> str:
    """Text fit for one markdown table cell: one line, no pipes, at most `limit` characters."""
    one_line = " ".join(text.split()).replace("|", "\\|")
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def publish_summary(run_id: str, markdown: str) -> None:
    """Attach the summary to the flow run as a markdown artifact (visible in the Prefect UI)."""
    outcome = markdown.splitlines()[0].removeprefix("# newsetl run summary: ")  # "every input stored" or "N inputs quarantined"
    create_markdown_artifact(
        key="newsetl-run-summary", markdown=markdown, description=f"newsetl run {run_id}: {outcome}"
    )


def print_summary(rows: list[tuple[str, str, int]], unchanged: int, console: Console | None = None) -> None:
    """Print summary rows as one compact table in the terminal."""
    console = console or Console()
    table = Table(title="newsetl run summary", show_lines=False)
    table.add_column("section")
    table.add_column("item")
    table.add_column("count", justify="right")
    table.add_row(SECTION_TITLES["articles"], "unchanged (skipped)", str(unchanged))
    for section, title in SECTION_TITLES.items():
        for name, count in _grouped(rows).get(section, []):
            table.add_row(title, name, str(count))
    console.print(table)
