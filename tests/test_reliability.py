"""Faults users meet: unreachable stores, concurrent runs, killed batch jobs, hostile article text."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import mlflow
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from misread.evaluation.baselines import LexiconBaseline
from misread.model.pipeline import Article, ArticleAnalyzer
from misread.model.report import HtmlReport
from misread.model.tracking import EXPERIMENT_NAME, TrackingError
from tests.helpers import ENVOY_ARTICLE, train_command
from misread.training.train import main as train_main

ROOT = Path(__file__).resolve().parents[1]


def test_an_unreachable_tracking_server_stops_training_within_seconds(corpus_files, tiny_model_dir):
    started = time.perf_counter()
    with pytest.raises(TrackingError, match=r"http://127\.0\.0\.1:9: the tracking server does not answer"):
        train_main(["--tracking_uri", "http://127.0.0.1:9", "--base_model", str(tiny_model_dir), "--train_file", str(corpus_files["train"])])
    assert time.perf_counter() - started < 20


@pytest.mark.integration
def test_two_training_runs_at_once_on_one_sqlite_store_are_both_recorded(corpus_files, tiny_model_dir, tmp_path):
    uri = f"sqlite:///{tmp_path / 'shared.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.create_experiment(EXPERIMENT_NAME)  # created up front, as a team's shared store already has it
    processes = [subprocess.Popen(train_command(corpus_files, uri, tiny_model_dir, "--epochs", "1", "--run_name", name, "--no_register"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for name in ("first", "second")]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode()[-2000:]
    runs = mlflow.search_runs(experiment_names=[EXPERIMENT_NAME], output_format="list")
    assert sorted(r.info.run_name for r in runs) == ["first", "second"]
    for run in runs:
        assert run.info.status == "FINISHED"
        assert {"val_macro_f1", "test_macro_f1"} <= set(run.data.metrics)


@pytest.mark.integration
def test_a_killed_batch_run_completes_on_rerun_with_nothing_lost_or_doubled(tiny_classifier, tmp_path):
    model_dir = tiny_classifier.save(tmp_path / "model")
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps({"id": f"a{i}", "text": ENVOY_ARTICLE}) + "\n" for i in range(300)))
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "misread.model.cli", "analyze", str(articles), "--out", str(out), "--model", str(model_dir),
               "--quiet", "--articles-per-batch", "4"]
    process = subprocess.Popen(command, cwd=ROOT)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < 8):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    written_before = out.read_text().count("\n")
    assert 0 < written_before < 300, "the run was not interrupted midway"

    subprocess.run(command, cwd=ROOT, check=False, timeout=600)
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert sorted(ids) == sorted(f"a{i}" for i in range(300))


@pytest.fixture(scope="module")
def lexicon_analyzer(nlp):
    return ArticleAnalyzer(LexiconBaseline(), nlp=nlp, max_chars=200_000)


HOSTILE = [
    "<script>alert('x')</script><b>Envoy</b> said talks were constructive.",
    "\x00\x01\x02 control \x1b[31m characters \x7f",
    "\u202eright-to-left override \u200f mark \u061c and Arabic: \u0627\u0644\u0633\u0644\u0627\u0645",
    "....!!!???;;;",
    "caf\udcff mixed \ufffd encodings \u00e9\u00e8",
    "word " * 2_000_000,  # 10 MB of one word
]


@pytest.mark.parametrize("text", HOSTILE, ids=["html", "control", "rtl", "punctuation", "encodings", "10MB"])
def test_hostile_text_gets_exactly_one_row(lexicon_analyzer, text):
    (row,) = lexicon_analyzer.analyze([Article("x", text)])
    assert row["id"] == "x"
    json.dumps(row)  # always serialisable


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=300), min_size=1, max_size=5))
def test_any_text_gets_one_row_per_article_in_order(lexicon_analyzer, texts):
    rows = list(lexicon_analyzer.analyze([Article(str(i), t) for i, t in enumerate(texts)]))
    assert [r["id"] for r in rows] == [str(i) for i in range(len(texts))]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("<>&\"' /=scriptimgonerrorabc")), min_size=1, max_size=200))
def test_the_html_report_never_contains_raw_markup_from_articles(lexicon_analyzer, tmp_path_factory, text):
    path = tmp_path_factory.mktemp("report") / "r.html"
    report = HtmlReport(path)
    (row,) = lexicon_analyzer.analyze([Article("<script>id</script>", f"The envoy said {text}.")], with_sentences=True)
    sentences = row.pop("sentences")
    report.add(row, sentences)
    report.close()
    (page,) = (path.parent / "r_articles").iterdir()
    article_page = page.read_text()
    assert "<script" not in article_page and "<img" not in article_page
    assert path.read_text().count("<script") == 1  # the index's own sorter only
    if "<" in text:
        assert "&lt;" in article_page
