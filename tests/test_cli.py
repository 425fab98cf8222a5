import json
from pathlib import Path

import pytest

from misread.model.cli import main
from tests.helpers import AGREEING_ARTICLE, ENVOY_ARTICLE, train_command

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture
def model_dir(tiny_classifier, tmp_path):
    return tiny_classifier.save(tmp_path / "model")


@pytest.fixture
def articles(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "1.txt").write_text(ENVOY_ARTICLE)
    (folder / "2.txt").write_text(AGREEING_ARTICLE)
    (folder / "3.txt").write_bytes(b"\x00\x01binary")
    (folder / "4.html").write_text("<title>Attack <script>alert(1)</script></title><p><script>alert('x')</script>The talks took place in Geneva.</p>")
    return folder


def read_rows(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def test_every_article_gets_a_row_and_failures_set_the_exit_code(model_dir, articles, tmp_path):
    out = tmp_path / "out.jsonl"
    code = main(["analyze", str(articles), "--out", str(out), "--model", str(model_dir), "--quiet"])
    rows = read_rows(out)
    assert code == 1
    assert [Path(r["id"]).name for r in rows] == ["1.txt", "2.txt", "3.txt", "4.html"]
    assert [r["error"] is not None for r in rows] == [False, False, True, False]


def test_a_rerun_resumes_without_writing_any_article_twice(model_dir, articles, tmp_path):
    out = tmp_path / "out.jsonl"
    main(["analyze", str(articles / "1.txt"), "--out", str(out), "--model", str(model_dir), "--quiet"])
    with out.open("a") as handle:
        handle.write('{"id": "torn')  # a crash mid-write leaves half a line
    main(["analyze", str(articles), "--out", str(out), "--model", str(model_dir), "--quiet"])
    ids = [r["id"] for r in read_rows(out)]
    assert len(ids) == len(set(ids)) == 4


def test_sentence_rows_and_an_escaped_html_report_are_written(model_dir, articles, tmp_path):
    sentences, report = tmp_path / "s.jsonl", tmp_path / "r.html"
    main(["analyze", str(articles), "--out", str(tmp_path / "o.jsonl"), "--model", str(model_dir), "--quiet",
          "--sentences", str(sentences), "--html", str(report)])
    rows = read_rows(sentences)
    assert {"article_id", "text", "start", "end", "paragraph", "holder", "role", "label"} <= set(rows[0])
    assert [r["paragraph"] for r in rows if r["article_id"].endswith("1.txt")][:2] == [0, 1]  # headline, then paragraph 1
    index = report.read_text()
    assert index.count("<tr class=") == 4
    assert index.count("<script") == 1  # the sorter, nothing from the articles
    pages = sorted((tmp_path / "r_articles").iterdir())
    assert len(pages) == 4
    assert sum('class="flag err"' in page.read_text() for page in pages) == 1  # the binary file's page names its error
    assert all("<script" not in page.read_text() for page in pages)


def test_an_interrupted_run_keeps_what_it_did_and_says_how_to_resume(model_dir, articles, tmp_path, monkeypatch, capsys):
    from misread.model import report as report_module

    calls = []

    def add_then_interrupt(self, row, sentences):
        calls.append(row["id"])
        if len(calls) == 2:
            raise KeyboardInterrupt
        original_add(self, row, sentences)

    original_add = report_module.HtmlReport.add
    monkeypatch.setattr(report_module.HtmlReport, "add", add_then_interrupt)
    code = main(["analyze", str(articles), "--out", str(tmp_path / "o.jsonl"), "--model", str(model_dir), "--quiet",
                 "--html", str(tmp_path / "r.html")])
    assert code == 130 and "run the same command again to resume" in capsys.readouterr().err
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 2
    index = (tmp_path / "r.html").read_text()
    assert index.count("<tr class=") == 1
    assert "in progress" in index


def test_without_a_trained_model_it_says_how_to_train(tmp_path, tracking_uri, articles, capsys):
    code = main(["analyze", str(articles), "--out", str(tmp_path / "o.jsonl"), "--quiet"])
    assert code == 2
    assert "python training/train.py" in capsys.readouterr().err


@pytest.mark.e2e
def test_the_seed_article_is_flagged_as_a_misreading(trained_model_dir, tmp_path):
    out = tmp_path / "seed.jsonl"
    assert main(["analyze", str(SEEDS), "--out", str(out), "--model", str(trained_model_dir), "--quiet"]) == 0
    (row,) = read_rows(out)
    assert row["misreading"] is True
    assert "Witkoff" in row["envoy"]["aliases"]
    assert {"Kremlin", "Peskov", "Russian"} <= set(row["counterpart"]["aliases"])
    assert row["envoy_stance"]["label"] == "conciliatory" and row["counterpart_stance"]["label"] == "hardline"
    assert any("thaw" in e["text"] for e in row["evidence"]["envoy"])
    assert any("non-negotiable" in e["text"] for e in row["evidence"]["counterpart"])


def test_a_resumed_run_still_reports_earlier_failures_in_its_exit_code(model_dir, articles, tmp_path):
    out = tmp_path / "out.jsonl"
    assert main(["analyze", str(articles), "--out", str(out), "--model", str(model_dir), "--quiet"]) == 1
    assert main(["analyze", str(articles), "--out", str(out), "--model", str(model_dir), "--quiet"]) == 1


def test_misread_train_takes_train_py_options_and_records_a_run(corpus_files, tracking_uri, tiny_model_dir):
    import mlflow

    from misread.model.tracking import EXPERIMENT_NAME

    options = train_command(corpus_files, tracking_uri, tiny_model_dir, "--epochs", "1", "--run_name", "via-cli", "--no_register")[2:]
    assert main(["train", *options]) == 0
    (run,) = mlflow.search_runs(experiment_names=[EXPERIMENT_NAME], output_format="list")
    assert (run.info.run_name, run.info.status) == ("via-cli", "FINISHED")


def test_misread_train_help_lists_the_training_options(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["train", "--help"])
    assert stopped.value.code == 0
    assert "--base_model" in capsys.readouterr().out
