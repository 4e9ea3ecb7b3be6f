"""The Prefect UI in Debian's chromium, headless: a scheduled run's page shows it completed,
its task runs and its summary artifact. A screenshot is kept in test-artifacts/."""

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO
from tests.operate.conftest import BIN
from tests.site_fixture import write_site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("NEWSETL_TEST_ARTIFACTS", REPO / "test-artifacts"))


@pytest.fixture
def browser_page(tmp_path):
    if os.environ.get("NEWSETL_SKIP_BROWSER") == "1":
        pytest.skip("NEWSETL_SKIP_BROWSER=1")
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path / "chromium-profile"  # a fresh --user-data-dir
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(60_000)
        try:
            yield context.new_page()
        finally:
            context.close()


def test_flow_run_page_shows_completed_run_tasks_and_artifact(prefect_server, two_triggered_runs, browser_page):
    first = min(two_triggered_runs, key=lambda run: run["start_time"])
    page = browser_page
    page.goto(f"{prefect_server.url}/runs/flow-run/{first['id']}")
    page.get_by_text(first["name"], exact=True).first.wait_for()
    page.get_by_text("Completed", exact=True).first.wait_for()

    page.locator("li.p-tab", has_text="Task Runs").click()
    task_runs = page.locator("#task-runs-content")
    for stage in ("ingest", "detect-language", "cleanup", "extract-entities", "dedup", "write-batch"):
        task_runs.get_by_text(f"{stage}-").first.wait_for()
    assert "Completed" in task_runs.inner_text()

    page.locator("li.p-tab", has_text="Artifacts").click()
    artifacts = page.locator("#artifacts-content")
    artifacts.get_by_text("newsetl-run-summary").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "prefect-ui-flow-run.png"), full_page=True)

    artifacts.get_by_text("newsetl-run-summary").first.click()  # the artifact's own page renders the markdown
    page.get_by_text("Vladimir Putin (person)").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "prefect-ui-run-summary.png"), full_page=True)
    assert (ARTIFACTS / "prefect-ui-flow-run.png").stat().st_size > 10_000


def test_a_run_with_quarantined_inputs_is_named_so_in_the_api_and_the_ui(prefect_server, browser_page, tmp_path):
    write_site(tmp_path / "in", range(2))
    (tmp_path / "in" / "scan.txt").write_bytes(bytes(range(256)) * 8)
    proc = subprocess.run(
        [str(BIN / "newsetl"), "run", "in", "--db", "news.duckdb"],
        cwd=tmp_path, env=prefect_server.env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 3, proc.stderr[-3000:]
    with duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True) as con:
        [(run_id,)] = con.execute("SELECT run_id FROM runs").fetchall()

    run = prefect_server.api("GET", f"/flow_runs/{run_id}").json()
    assert run["state_type"] == "COMPLETED" and run["state_name"] == "Completed with quarantine"
    assert "1 inputs quarantined" in run["state"]["message"]

    page = browser_page
    page.goto(f"{prefect_server.url}/runs/flow-run/{run_id}")
    page.get_by_text(run["name"], exact=True).first.wait_for()
    page.get_by_text("Completed with quarantine", exact=True).first.wait_for()
    page.locator("li.p-tab", has_text="Artifacts").click()
    page.locator("#artifacts-content").get_by_text("newsetl-run-summary").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "prefect-ui-quarantined-run.png"), full_page=True)
    page.goto(f"{prefect_server.url}/runs")
    page.get_by_text("Completed with quarantine", exact=True).first.wait_for()  # the run list tells it apart too
    page.screenshot(path=str(ARTIFACTS / "prefect-ui-runs-list.png"), full_page=True)
