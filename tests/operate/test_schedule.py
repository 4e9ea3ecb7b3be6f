"""Scheduled runs against a real Prefect server: `newsetl serve` and the repo's prefect.yaml."""

import shutil
import subprocess
from datetime import datetime

import duckdb

from tests.conftest import REPO, SEEDS
from tests.operate.conftest import BIN


def stored(db, statement):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(statement).fetchall()


def test_served_deployment_and_its_schedule_exist_through_the_api(served):
    deployment = served.deployment
    [schedule] = deployment["schedules"]
    assert schedule["active"] and schedule["schedule"]["interval"] == 3600
    assert deployment["parameters"]["paths"] == [str(served.seeds)]
    assert deployment["parameters"]["db"] == str(served.db)
    assert deployment["global_concurrency_limit"]["limit"] == 1
    assert deployment["concurrency_options"]["collision_strategy"] == "ENQUEUE"


def test_triggered_runs_complete_and_the_second_adds_nothing(served, two_triggered_runs):
    assert [run["state_type"] for run in two_triggered_runs] == ["COMPLETED", "COMPLETED"]
    runs = stored(served.db, "SELECT run_id, status, articles_new FROM runs ORDER BY started_at")
    assert {run_id for run_id, _, _ in runs} == {run["id"] for run in two_triggered_runs}
    assert [(status, new) for _, status, new in runs] == [("COMPLETED", 5), ("COMPLETED", 0)]
    assert stored(served.db, "SELECT count(*), count(DISTINCT doc_id) FROM articles") == [(5, 5)]


def test_runs_of_the_deployment_never_overlap_and_the_later_one_says_it_waited(prefect_server, two_triggered_runs):
    first, second = sorted(two_triggered_runs, key=lambda run: run["start_time"])
    assert datetime.fromisoformat(second["start_time"]) >= datetime.fromisoformat(first["end_time"])
    history = prefect_server.api("GET", "/flow_run_states/", params={"flow_run_id": second["id"]}).json()
    states = [state["name"] for state in history]
    assert "AwaitingConcurrencySlot" in states


def test_prefect_yaml_deploys_to_a_work_pool_whose_worker_runs_it(prefect_server, tmp_path):
    env = {**prefect_server.env, "PWD": str(REPO)}  # the pull step is the folder deployed from
    run = lambda *args, cwd=REPO: subprocess.run(  # noqa: E731
        [str(BIN / "prefect"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    created = run("work-pool", "create", "newsetl", "--type", "process")
    assert created.returncode == 0, created.stdout + created.stderr
    deployed = run("--no-prompt", "deploy", "--name", "newsetl-hourly")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    api = prefect_server.api
    deployment = api("GET", "/deployments/name/newsetl/newsetl-hourly").json()
    assert deployment["work_pool_name"] == "newsetl" and deployment["entrypoint"] == "flows/pipeline.py:pipeline"
    assert deployment["schedules"][0]["schedule"]["cron"] == "0 * * * *"
    assert deployment["global_concurrency_limit"]["limit"] == 1
    # No hourly run may start during the test (it would write into the checkout).
    assert api("PATCH", f"/deployments/{deployment['id']}", json={"paused": True}).status_code == 204

    shutil.copytree(SEEDS, tmp_path / "seeds")
    parameters = {"paths": [str(tmp_path / "seeds")], "db": str(tmp_path / "pool.duckdb")}
    flow_run = api("POST", f"/deployments/{deployment['id']}/create_flow_run", json={"parameters": parameters}).json()
    worker = run("worker", "start", "--pool", "newsetl", "--run-once", cwd=tmp_path)
    assert worker.returncode == 0, worker.stdout[-3000:] + worker.stderr[-3000:]
    assert prefect_server.wait_for_run(flow_run["id"])["state_type"] == "COMPLETED"
    assert stored(tmp_path / "pool.duckdb", "SELECT count(*) FROM articles") == [(5,)]
