"""MLflow pyfunc wrappers: the framing classifier and the whole article pipeline as loadable, servable models."""
from __future__ import annotations

import mlflow.pyfunc
import pandas as pd

from model.tracking import CLASSIFIER_ARTIFACT

PROBA_PREFIX = "proba_"


def predictions_frame(labels: list[str], probabilities) -> pd.DataFrame:
    """`label` plus one `proba_<label>` column per label, in the model's label order."""
    frame = pd.DataFrame(probabilities, columns=[f"{PROBA_PREFIX}{label}" for label in labels])
    frame.insert(0, "label", [labels[i] for i in probabilities.argmax(axis=1)])
    return frame


class FramingPyfunc(mlflow.pyfunc.PythonModel):
    """Input: a DataFrame with a `text` column. Output: `label` and `proba_<label>` columns."""

    def load_context(self, context) -> None:
        from model.classifier import FramingClassifier

        self.classifier = FramingClassifier.from_pretrained(context.artifacts[CLASSIFIER_ARTIFACT])

    def predict(self, context, model_input, params=None):
        if "text" not in model_input.columns:
            raise ValueError(f"input needs a 'text' column; got columns {list(model_input.columns)}")
        texts = model_input["text"].fillna("").astype(str).tolist()
        return predictions_frame(self.classifier.labels, self.classifier.predict_proba(texts))
