"""Two runs logged through train.py to a real MLflow server on loopback, checked through its REST API."""
import json
import socket
import subprocess
import sys
import time

import pytest
import requests

from misread.model.tracking import EXPERIMENT_NAME, experiment_page
from tests.helpers import run_training


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}", "--artifacts-destination", str(tmp_path / "artifacts")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    uri = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if requests.get(f"{uri}/health", timeout=5).ok:
                break
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or listening but still starting up
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("mlflow server did not start within 90 s")
    yield uri
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.integration
def test_two_runs_are_comparable_through_the_rest_api(server, corpus_files, tiny_model_dir, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    run_training(corpus_files, server, tiny_model_dir, "--epochs", "1", "--learning_rate", "1e-4", "--run_name", "lr-high")
    run_training(corpus_files, server, tiny_model_dir, "--epochs", "1", "--learning_rate", "1e-5", "--run_name", "lr-low")

    experiment = requests.get(f"{server}/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": EXPERIMENT_NAME}).json()
    runs = requests.post(
        f"{server}/api/2.0/mlflow/runs/search", json={"experiment_ids": [experiment["experiment"]["experiment_id"]]}
    ).json()["runs"]
    by_name = {run["info"]["run_name"]: run for run in runs}
    assert set(by_name) == {"lr-high", "lr-low"}
    for name, learning_rate in (("lr-high", "0.0001"), ("lr-low", "1e-05")):
        run = by_name[name]
        params = {p["key"]: p["value"] for p in run["data"]["params"]}
        metrics = {m["key"] for m in run["data"]["metrics"]}
        assert params["learning_rate"] == learning_rate
        assert {"val_macro_f1", "test_macro_f1"} <= metrics
        listed = requests.get(
            f"{server}/api/2.0/mlflow/artifacts/list", params={"run_id": run["info"]["run_id"], "path": "evaluation"}
        ).json()
        assert "evaluation/confusion_test.png" in {f["path"] for f in listed["files"]}


def _wait_for_text(browser, texts: list[str], timeout: float = 60) -> str:
    """The page's visible text once every one of `texts` shows (the UI renders after its API calls return)."""
    deadline = time.time() + timeout
    while True:
        page = browser.find_element("tag name", "body").text
        if all(text in page for text in texts) or time.time() > deadline:
            return page
        time.sleep(0.5)


@pytest.mark.integration
def test_the_mlflow_ui_lists_both_runs_and_compares_their_metrics(server, corpus_files, tiny_model_dir, monkeypatch, browser):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    first = run_training(corpus_files, server, tiny_model_dir, "--epochs", "1", "--run_name", "browser-a", "--no_register")
    second = run_training(corpus_files, server, tiny_model_dir, "--epochs", "1", "--run_name", "browser-b", "--no_register")
    experiment_id = requests.get(f"{server}/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": EXPERIMENT_NAME}).json()["experiment"]["experiment_id"]

    browser.get(experiment_page(server, experiment_id))  # the link train.py prints
    page = _wait_for_text(browser, ["browser-a", "browser-b"])
    assert "browser-a" in page and "browser-b" in page

    run_ids = json.dumps([first["run_id"], second["run_id"]])
    browser.get(f"{server}/#/compare-runs?runs={run_ids}&experiments={json.dumps([experiment_id])}")
    page = _wait_for_text(browser, ["Comparing 2 Runs", "best_val_macro_f1", "misread.smoke"])
    assert "browser-a" in page and "browser-b" in page
    metrics = page.split("\nMetrics\n", 1)[1]  # the compare view's metrics table (it renders the first rows only)
    assert "best_val_macro_f1" in metrics
    assert str(round(first["best_val_macro_f1"], 3)) in metrics.split("\nArtifacts\n")[0]
