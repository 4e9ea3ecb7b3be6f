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
    "entity": "Top entities",
    "copies": "Copies",
    "stories": "Stories",
    "removed": "Lines removed by cleanup",
    "quarantine": "Quarantined inputs",
}
# The views in sql/views.sql that reproduce each section.
SECTION_VIEWS = {
    "entity": "entity_summary",
    "stories": "story_summary",
    "copies": "canonical_articles",
    "removed": "removed_line_summary",
}


def _grouped(rows: list[tuple[str, str, int]]) -> dict[str, list[tuple[str, int]]]:
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for section, name, count in rows:
        groups[section].append((name, count))
    return groups


def summary_markdown(rows: list[tuple[str, str, int]], unchanged: int, db_path: str) -> str:
    """Render summary rows (section, name, count) as markdown tables, one per section."""
    groups = _grouped(rows)
    parts = [f"# newsetl run summary\n\nDatabase: `{db_path}` · unchanged inputs skipped: **{unchanged}**\n"]
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
    return "\n".join(parts)


def publish_summary(run_id: str, markdown: str) -> None:
    """Attach the summary to the flow run as a markdown artifact (visible in the Prefect UI)."""
    create_markdown_artifact(
        key="newsetl-run-summary", markdown=markdown, description=f"newsetl run {run_id}: counts per stage"
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
