import numpy as np
import pytest

from misread.data.loading import Example
from misread.data.measuring import measuring_halves
from misread.evaluation.metrics import classification_metrics, expected_calibration_error, half_macro_f1, plot_confusion_matrix, plot_reliability

LABELS = ["conciliatory", "hardline", "neutral", "speculative"]


def test_metric_names_are_stable_and_prefixed():
    metrics = classification_metrics(["hardline", "neutral"], ["hardline", "hardline"], LABELS, "test")
    assert metrics["test_accuracy"] == 0.5
    assert metrics["test_f1_hardline"] == pytest.approx(2 / 3)
    assert metrics["test_f1_neutral"] == 0.0
    assert metrics["test_macro_f1"] == pytest.approx((2 / 3) / 4)


def test_a_perfectly_calibrated_model_has_zero_ece():
    probabilities = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]])
    assert expected_calibration_error(probabilities, [0, 1]) == 0.0


def test_an_overconfident_wrong_model_has_large_ece():
    probabilities = np.array([[0.95, 0.05, 0, 0]] * 4)
    assert expected_calibration_error(probabilities, [1, 1, 1, 1]) == pytest.approx(0.95)


def test_plots_are_written_as_png(tmp_path):
    gold = ["hardline", "neutral", "neutral"]
    plot_confusion_matrix(gold, ["hardline", "neutral", "hardline"], LABELS, "t", tmp_path / "c.png")
    plot_reliability(np.array([[0.1, 0.7, 0.1, 0.1]] * 3), [1, 2, 2], "t", tmp_path / "r.png")
    for name in ("c.png", "r.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_half_scores_count_only_the_rows_of_each_half():
    labels = ["hardline", "neutral"]
    examples = [Example(text=f"s{i}", label=labels[i % 2], source=f"f:{i}", id=f"id-{i}") for i in range(8)]
    blind_ids = {e.id for e in measuring_halves(examples)["blind"]}
    predictions = [e.label if e.id in blind_ids else "hardline" for e in examples]  # wrong only on analysis rows
    scores = half_macro_f1(examples, predictions, labels)
    assert scores["real_dev_blind_macro_f1"] == 1.0
    assert scores["real_dev_analysis_macro_f1"] < 1.0


def test_half_scores_are_skipped_for_files_without_ids():
    examples = [Example(text="s", label="neutral", source="f:1")]
    assert half_macro_f1(examples, ["neutral"], ["neutral"]) == {}
