import json

import numpy as np
import pytest

from misread.model.classifier import FramingClassifier, ModelLoadError
from tests.helpers import LABELS, SENTENCES

TEXTS = SENTENCES["neutral"] + SENTENCES["hardline"]


def test_predict_proba_has_one_column_per_label_summing_to_one(tiny_classifier):
    probabilities = tiny_classifier.predict_proba(TEXTS)
    assert probabilities.shape == (len(TEXTS), len(LABELS))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_predict_returns_label_strings_matching_the_argmax(tiny_classifier):
    predictions = tiny_classifier.predict(TEXTS)
    expected = [LABELS[i] for i in tiny_classifier.predict_proba(TEXTS).argmax(axis=1)]
    assert predictions == expected


def test_length_sorted_batches_keep_input_order(tiny_classifier):
    tiny_classifier.batch_size = 3
    batched = tiny_classifier.predict_proba(TEXTS)
    one_by_one = np.vstack([tiny_classifier.predict_proba([text]) for text in TEXTS])
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)


def test_empty_input_gives_an_empty_matrix(tiny_classifier):
    assert tiny_classifier.predict_proba([]).shape == (0, len(LABELS))


def test_saved_model_loads_back_with_its_labels_and_predictions(tiny_classifier, tmp_path):
    tiny_classifier.save(tmp_path / "m")
    loaded = FramingClassifier.from_pretrained(tmp_path / "m", precision="fp32")  # the weights as saved, bit for bit
    assert loaded.labels == LABELS
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), tiny_classifier.predict_proba(TEXTS), atol=1e-6)


def test_missing_folder_says_how_to_train(tmp_path):
    with pytest.raises(ModelLoadError, match="training/train.py"):
        FramingClassifier.from_pretrained(tmp_path / "nothing")


def test_truncated_weights_are_refused(tiny_classifier, tmp_path):
    folder = tiny_classifier.save(tmp_path / "m")
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ModelLoadError, match="truncated"):
        FramingClassifier.from_pretrained(folder)


def test_label_map_that_disagrees_with_the_head_is_refused(tiny_classifier, tmp_path):
    folder = tiny_classifier.save(tmp_path / "m")
    config = json.loads((folder / "config.json").read_text())
    config["id2label"] = {"0": "a", "1": "b", "2": "c"}
    config["label2id"] = {"a": 0, "b": 1, "c": 2}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError):
        FramingClassifier.from_pretrained(folder)


def test_settings_labels_that_disagree_with_the_head_are_refused(tiny_classifier, tmp_path):
    folder = tiny_classifier.save(tmp_path / "m")
    settings = folder / "misread_settings.json"
    settings.write_text(json.dumps({"max_length": 32, "labels": list(reversed(LABELS))}))
    with pytest.raises(ModelLoadError, match="disagree"):
        FramingClassifier.from_pretrained(folder)
