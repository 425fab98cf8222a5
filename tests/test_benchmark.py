import pytest
import torch

from misread.evaluation.benchmark import cpu_description, training_rate
from misread.model.classifier import resolve_device
from tests.helpers import LABELS


def test_the_benchmark_names_the_cpu_and_its_precision_path():
    described = cpu_description()
    assert described["cpu"] and described["bf16_native"] in {"True", "False"}
    assert described["cpu_flags"]


def test_the_benchmark_times_train_py_s_own_training_step(tiny_classifier, labelled_rows, tmp_path):
    model_dir = tiny_classifier.save(tmp_path / "model")
    texts = [row["text"] for row in labelled_rows] * 4
    labels = [LABELS.index(row["label"]) for row in labelled_rows] * 4
    assert training_rate(model_dir, texts, labels, torch.device("cpu"), steps=2) > 0


def test_auto_device_is_the_cpu_without_a_gpu_and_cuda_without_one_is_refused():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert resolve_device("auto").type == "cpu"
    with pytest.raises(ValueError, match="no CUDA GPU"):
        resolve_device("cuda")
