"""The logged `misread-article-pipeline` pyfunc outside the Python API: as a Spark UDF (pyspark, local[2]) and behind
`mlflow models serve`. Each must give, per article, the row `misread analyze` writes for the same classifier."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path

import pytest
import requests

from misread.model.cli import main as misread
from misread.model.pyfunc import ARTICLE_COLUMNS, NESTED_COLUMNS
from tests.helpers import AGREEING_ARTICLE, ENVOY_ARTICLE, NO_ENVOY_ARTICLE

ARTICLES = [
    {"id": "envoy", "title": "Envoy Says Talks With Tehran Point to a Thaw", "text": ENVOY_ARTICLE},
    {"id": "agreeing", "title": "Envoy and Tehran Both Dig In", "text": AGREEING_ARTICLE},
    {"id": "no-envoy", "title": "Shelling Continues Along the Front", "text": NO_ENVOY_ARTICLE},
    {"id": "empty", "title": "", "text": "   "},  # an error row in the same batch as analysed ones
]
SPARK_RESULT_TYPE = (
    "id string, envoy string, counterpart string, envoy_stance string, counterpart_stance string, gap double, "
    "misreading boolean, confidence double, explanation string, evidence string, error string"
)


@pytest.fixture
def pipeline(tiny_classifier, tmp_path, tracking_uri) -> dict:
    """The classifier and article pipeline logged exactly as train.py logs them, plus the folder the CLI loads."""
    import mlflow

    from misread.training.train import log_model

    folder = tmp_path / "classifier"
    with mlflow.start_run():
        _, pipeline_info = log_model(tiny_classifier, folder, register=False)
    return {"uri": pipeline_info.model_uri, "classifier_dir": folder, "tracking_uri": tracking_uri}


def analyze_rows(classifier_dir: Path, tmp_path: Path, articles: list[dict]) -> dict[str, dict]:
    """What `misread analyze` writes for these articles, with its default precision and device (the pyfunc's too)."""
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    out = tmp_path / "results.jsonl"
    misread(["analyze", str(source), "--out", str(out), "--model", str(classifier_dir), "--quiet"])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {row["id"]: {column: row.get(column) for column in ARTICLE_COLUMNS} for row in rows}


def decoded(row: dict) -> dict:
    """A pyfunc row with its JSON-string fields parsed back and "" for no error or explanation read as null: the
    CLI's row for the same article."""
    row = {column: row.get(column) for column in ARTICLE_COLUMNS}
    for column in NESTED_COLUMNS:
        row[column] = json.loads(row[column])
    for column in ("explanation", "error"):
        row[column] = row[column] or None
    return row


def rounded(value):
    """Floats to 7 significant digits, all the way down: room for the last bits of float32 sums (gaps of a random
    tiny model are ~1e-6, so a fixed number of decimal places would hide real differences)."""
    if isinstance(value, float):
        return float(f"{value:.7g}")
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java: apt-get install -y default-jre-headless")
@pytest.mark.skipif(find_spec("pyspark") is None, reason='pyspark is not installed: pip install -e ".[spark]" (pyspark 3.5.9, runs on Java 17)')
def test_the_article_pipeline_runs_as_a_spark_udf_like_misread_analyze(pipeline, tmp_path, monkeypatch):
    import mlflow.pyfunc
    from pyspark.sql import SparkSession
    from pyspark.sql.functions import col, struct

    # Spark starts its Python workers with PYSPARK_PYTHON; they must see this venv's torch, spaCy and misread.
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("misread-spark-udf-test")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    try:
        frame = spark.createDataFrame([(a["id"], a["title"], a["text"]) for a in ARTICLES], ["id", "title", "text"])
        analyze = mlflow.pyfunc.spark_udf(spark, pipeline["uri"], result_type=SPARK_RESULT_TYPE, env_manager="local")
        # The model has no input signature, so the UDF names its input columns only when they come in a struct.
        result = frame.select(analyze(struct("id", "title", "text")).alias("row")).select(col("row.*")).collect()
    finally:
        spark.stop()
    got = {row["id"]: decoded(row.asDict()) for row in result}
    assert rounded(got) == rounded(analyze_rows(pipeline["classifier_dir"], tmp_path, ARTICLES))
    # The three articles cover a found envoy and counterpart, and an article with neither.
    assert got["envoy"]["envoy"]["name"] == "Mark Ellison"
    assert got["no-envoy"]["envoy"] is None
    assert got["envoy"]["error"] is None and got["empty"]["error"]  # no 'nan' where the batch mixes errors and rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.integration
def test_the_article_pipeline_serves_over_http_like_misread_analyze(pipeline, tmp_path):
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "models", "serve", "-m", pipeline["uri"], "--env-manager", "local",
         "--host", "127.0.0.1", "-p", str(port), "-w", "1"],
        env={**os.environ, "MLFLOW_TRACKING_URI": pipeline["tracking_uri"]},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the scoring server it starts goes down with it
    )
    url, started = f"http://127.0.0.1:{port}", time.perf_counter()
    try:
        deadline = time.time() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"mlflow models serve exited with {server.returncode}:\n{(tmp_path / 'serve.log').read_text()}")
            try:
                if requests.get(f"{url}/ping", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.time() > deadline:
                pytest.fail(f"mlflow models serve did not answer /ping within 120 s:\n{(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.5)
        print(f"mlflow models serve answered /ping after {time.perf_counter() - started:.1f} s")
        article = ARTICLES[0]
        response = requests.post(
            f"{url}/invocations",
            json={"dataframe_split": {"columns": ["id", "title", "text"], "data": [[article["id"], article["title"], article["text"]]]}},
            timeout=120,
        )
        assert response.status_code == 200, response.text
        predictions = response.json()["predictions"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    assert len(predictions) == 1
    got = {predictions[0]["id"]: decoded(predictions[0])}
    expected = analyze_rows(pipeline["classifier_dir"], tmp_path, [article])
    assert rounded(got) == rounded(expected)
    assert got["envoy"]["envoy"]["name"] == "Mark Ellison"
