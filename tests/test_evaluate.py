import json

import mlflow
import pytest

from misread.evaluation import evaluate
from misread.evaluation.evaluate_articles import article_metrics, counterpart_correct, envoy_correct, explain_miss, half_of, load_gold


def test_an_evaluation_run_logs_metrics_plots_and_confident_errors(tiny_classifier, corpus_files, tracking_uri):
    model_dir = tiny_classifier.save(corpus_files["test"].parent / "m")
    evaluate.main(["--model", str(model_dir), "--data", str(corpus_files["test"]), "--tracking-uri", tracking_uri])
    (run,) = mlflow.search_runs(experiment_names=[evaluate.EXPERIMENT_NAME], output_format="list")
    assert {"test_macro_f1", "test_ece", "test_f1_hardline"} <= set(run.data.metrics)
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "evaluation")}
    assert {"evaluation/confusion_test.png", "evaluation/reliability_test.png", "evaluation/confident_errors_test.csv"} <= artifacts
    assert run.data.tags["misread.evaluated_model"] == str(model_dir)


def test_baselines_are_logged_as_runs_in_the_training_experiment(corpus_files, tracking_uri):
    evaluate.main(["--baselines", "--data", str(corpus_files["test"]), "--tracking-uri", tracking_uri])
    runs = mlflow.search_runs(experiment_names=[evaluate.EXPERIMENT_NAME], output_format="list")
    assert {r.info.run_name for r in runs} == {"baseline-lexicon", "baseline-tfidf-logreg"}
    assert all("test_macro_f1" in r.data.metrics for r in runs)


def test_the_results_table_has_the_latest_finished_run_of_each_encoder_and_the_baselines(tracking_uri):
    mlflow.set_experiment(evaluate.EXPERIMENT_NAME)
    for name, params, score in (("old", {"base_model": "mpnet"}, 0.5), ("new", {"base_model": "mpnet"}, 0.8),
                                ("fast", {"base_model": "minilm"}, 0.6), ("baseline-lexicon", {}, 0.4)):
        with mlflow.start_run(run_name=name):
            mlflow.log_params(params)
            mlflow.log_metrics({"test_macro_f1": 0.9, "real_dev_macro_f1": score, "real_dev_blind_macro_f1": score})
    mlflow.start_run(run_name="crashed")  # runs that did not finish never reach the table
    mlflow.log_params({"base_model": "mpnet"})
    mlflow.log_metrics({"real_dev_macro_f1": 0.99})
    mlflow.end_run(status="FAILED")
    with mlflow.start_run(run_name="smoke", tags={"misread.smoke": "true"}):  # a --limit run, newer than all: never a row
        mlflow.log_params({"base_model": "mpnet"})
        mlflow.log_metrics({"test_macro_f1": 0.1, "real_dev_macro_f1": 0.1})
    lines = evaluate.results_table().splitlines()
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| fine-tuned mpnet (train.py)", "| fine-tuned minilm (train.py)", "| baseline-lexicon"]
    assert "| 0.800 | 0.800 |" in lines[2]


PROJECT_ROW = {"id": "a1", "title": "Envoy upbeat", "text": "...", "envoy": "Mark Ellison", "envoy_aliases": ["Ellison"],
               "counterpart": "Iran", "counterpart_aliases": ["Tehran", "Iran"], "envoy_stance": "conciliatory",
               "counterpart_stance": "hardline", "misreading": True}
MEASURING_ROW = {"id": "m1", "category": "gap", "text": "Envoy upbeat\n\n...", "envoy": {"name": "Mark Ellison", "aliases": ["Ellison"]},
                 "counterpart": {"name": "Iran", "aliases": ["Tehran"]}, "envoy_stance": "conciliatory",
                 "counterpart_stance": "hardline", "misreading": True, "note": ""}


@pytest.fixture
def gold(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text(json.dumps(PROJECT_ROW) + "\n" + json.dumps(MEASURING_ROW) + "\n")
    return load_gold(path)


def test_both_article_shapes_load_into_one_gold_form(gold):
    assert gold[0]["envoy"] == gold[1]["envoy"] == {"name": "Mark Ellison", "aliases": ["Ellison"]}
    assert gold[0]["text"].startswith("Envoy upbeat\n")


def test_roles_are_matched_by_name_alias_or_a_leading_name(gold):
    envoy, counterpart = gold[0]["envoy"], gold[0]["counterpart"]
    assert envoy_correct(envoy, {"name": "Ellison"})
    assert not envoy_correct(envoy, {"name": "Reza Karimi"})
    assert counterpart_correct(counterpart, {"name": "Iran", "aliases": []})
    assert counterpart_correct({"name": "Turkish Cypriot leadership", "aliases": []}, {"name": "Turkish Cypriot", "aliases": []})
    assert not counterpart_correct({"name": "Front for Change in Chad", "aliases": []}, {"name": "Chad", "aliases": []})
    assert not counterpart_correct(counterpart, None)
    assert envoy_correct(None, None)


def test_article_metrics_score_each_stage(gold):
    predicted = [
        {"misreading": True, "envoy": {"name": "Mark Ellison"}, "counterpart": {"name": "Iran", "aliases": []},
         "envoy_stance": {"label": "conciliatory"}, "counterpart_stance": {"label": "mixed"}},
        {"misreading": True, "envoy": None, "counterpart": None},
    ]
    metrics = article_metrics([gold[0], {**gold[1], "misreading": False}], predicted)
    assert metrics["articles_misreading_precision"] == pytest.approx(0.5)
    assert metrics["articles_misreading_recall"] == 1.0
    assert metrics["articles_envoy_found"] == metrics["articles_counterpart_found"] == 0.5
    assert metrics["articles_envoy_stance_accuracy"] == 0.5 and metrics["articles_counterpart_stance_accuracy"] == 0.0


def test_a_miss_is_explained_stage_by_stage(gold):
    lines = explain_miss(gold[0], {"misreading": False, "envoy": {"name": "Reza Karimi"}, "counterpart": None,
                                   "explanation": "no gap: no counterpart found"})
    assert [line.split(":")[0] for line in lines] == ["envoy", "counterpart", "envoy stance", "counterpart stance", "flag"]


def test_article_halves_are_fixed_and_balanced():
    ids = [f"x-{i}" for i in range(200)]
    assert [half_of(i) for i in ids] == [half_of(i) for i in ids]
    assert 70 < sum(half_of(i) == "blind" for i in ids) < 130


def test_an_envoy_found_where_the_article_has_none_is_explained(gold):
    no_envoy = {**gold[0], "envoy": None, "counterpart": None, "envoy_stance": None, "counterpart_stance": None, "misreading": False}
    lines = explain_miss(no_envoy, {"misreading": False, "envoy": {"name": "Ilse Marrow-Teng", "evidence": ["named as the regional coordinator"]}})
    assert lines == ["envoy: expected none, found Ilse Marrow-Teng (named as the regional coordinator)"]
