import mlflow
import pytest

from evaluation import evaluate
from evaluation.evaluate_articles import article_metrics, counterpart_correct, envoy_correct


def test_an_evaluation_run_logs_metrics_plots_and_confident_errors(tiny_classifier, corpus_files, tracking_uri):
    model_dir = tiny_classifier.save(corpus_files["test"].parent / "m")
    evaluate.main(["--model", str(model_dir), "--data", str(corpus_files["test"]), "--tracking-uri", tracking_uri])
    (run,) = mlflow.search_runs(experiment_names=[evaluate.EXPERIMENT], output_format="list")
    assert {"test_macro_f1", "test_ece", "test_f1_hardline"} <= set(run.data.metrics)
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "evaluation")}
    assert {"evaluation/confusion_test.png", "evaluation/reliability_test.png", "evaluation/confident_errors_test.csv"} <= artifacts
    assert run.data.tags["misread.evaluated_model"] == str(model_dir)


def test_baselines_are_logged_as_runs_in_the_training_experiment(corpus_files, tracking_uri):
    evaluate.main(["--baselines", "--data", str(corpus_files["test"]), "--tracking-uri", tracking_uri])
    runs = mlflow.search_runs(experiment_names=[evaluate.EXPERIMENT], output_format="list")
    assert {r.info.run_name for r in runs} == {"baseline-lexicon", "baseline-tfidf-logreg"}
    assert all("test_macro_f1" in r.data.metrics for r in runs)


def test_the_results_table_has_the_latest_finished_run_of_each_encoder_and_the_baselines(tracking_uri):
    mlflow.set_experiment(evaluate.EXPERIMENT)
    for name, params, score in (("old", {"base_model": "mpnet"}, 0.5), ("new", {"base_model": "mpnet"}, 0.8),
                                ("fast", {"base_model": "minilm"}, 0.6), ("baseline-lexicon", {}, 0.4)):
        with mlflow.start_run(run_name=name):
            mlflow.log_params(params)
            mlflow.log_metrics({"test_macro_f1": 0.9, "real_dev_macro_f1": score, "real_dev_blind_macro_f1": score})
    mlflow.start_run(run_name="crashed")  # runs that did not finish never reach the table
    mlflow.log_params({"base_model": "mpnet"})
    mlflow.log_metrics({"real_dev_macro_f1": 0.99})
    mlflow.end_run(status="FAILED")
    lines = evaluate.results_table().splitlines()
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| fine-tuned mpnet (train.py)", "| fine-tuned minilm (train.py)", "| baseline-lexicon"]
    assert "| 0.800 | 0.800 |" in lines[2]


GOLD = {"envoy": "Mark Ellison", "envoy_aliases": ["Ellison"], "counterpart": "Iran", "counterpart_aliases": ["Tehran", "Iran"], "misreading": True}


def test_roles_are_matched_by_name_or_alias():
    assert envoy_correct(GOLD, {"name": "Mark Ellison"})
    assert not envoy_correct(GOLD, {"name": "Reza Karimi"})
    assert counterpart_correct(GOLD, {"name": "Iran", "aliases": ["Tehran"]})
    assert not counterpart_correct(GOLD, None)
    assert envoy_correct({**GOLD, "envoy": None}, None)


def test_article_metrics_count_flags_and_roles():
    predicted = [
        {"misreading": True, "envoy": {"name": "Mark Ellison"}, "counterpart": {"name": "Iran", "aliases": []}},
        {"misreading": True, "envoy": None, "counterpart": None},
    ]
    metrics = article_metrics([GOLD, {**GOLD, "misreading": False}], predicted)
    assert metrics["articles_misreading_precision"] == pytest.approx(0.5)
    assert metrics["articles_misreading_recall"] == 1.0
    assert metrics["articles_roles_accuracy"] == 0.5
