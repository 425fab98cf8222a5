"""Two runs logged through train.py to a real MLflow server on loopback, checked through its REST API."""
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.test_train import run_training


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
            if requests.get(f"{uri}/health", timeout=1).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("mlflow server did not start within 90 s")
    yield uri
    process.terminate()
    process.wait(timeout=20)


def test_two_runs_are_comparable_through_the_rest_api(server, corpus_files, tiny_model_dir, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    run_training(corpus_files, server, tiny_model_dir, "--epochs", "1", "--learning_rate", "1e-4", "--run_name", "lr-high")
    run_training(corpus_files, server, tiny_model_dir, "--epochs", "1", "--learning_rate", "1e-5", "--run_name", "lr-low")

    experiment = requests.get(f"{server}/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": "misread-framing"}).json()
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


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_the_experiment_page_renders_in_headless_chromium(server, corpus_files, tiny_model_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    run_training(corpus_files, server, tiny_model_dir, "--epochs", "1", "--run_name", "browser-check")
    experiment_id = requests.get(f"{server}/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": "misread-framing"}).json()["experiment"]["experiment_id"]
    page = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000", "--dump-dom", f"{server}/#/experiments/{experiment_id}"],
        capture_output=True, text=True, timeout=120,
    ).stdout
    assert "browser-check" in page
