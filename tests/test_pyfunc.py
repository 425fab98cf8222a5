import json

import mlflow
import pandas as pd

from misread.model.pyfunc import ArticlePipelinePyfunc, FramingPyfunc
from misread.model.tracking import CLASSIFIER_ARTIFACT
from tests.helpers import ENVOY_ARTICLE, LABELS


def log_and_load(python_model, folder):
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(name="m", python_model=python_model, artifacts={CLASSIFIER_ARTIFACT: str(folder)})
    return mlflow.pyfunc.load_model(info.model_uri)


def test_the_framing_pyfunc_returns_a_label_and_a_probability_per_label(tiny_classifier, tmp_path, tracking_uri):
    model = log_and_load(FramingPyfunc(), tiny_classifier.save(tmp_path / "m"))
    frame = model.predict(pd.DataFrame({"text": ["Talks took place.", None]}))
    assert list(frame.columns) == ["label", *(f"proba_{label}" for label in LABELS)]
    assert len(frame) == 2


def test_the_article_pipeline_pyfunc_answers_every_article(tiny_classifier, tmp_path, tracking_uri):
    model = log_and_load(ArticlePipelinePyfunc(), tiny_classifier.save(tmp_path / "m"))
    frame = model.predict(pd.DataFrame({"id": ["a", "b"], "title": ["", ""], "text": [ENVOY_ARTICLE, ""]}))
    assert list(frame["id"]) == ["a", "b"]
    assert json.loads(frame.loc[0, "envoy"])["name"] == "Mark Ellison"
    assert frame.loc[1, "error"].startswith("no words")
