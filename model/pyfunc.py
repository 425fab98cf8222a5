"""MLflow pyfunc wrappers: the framing classifier and the whole article pipeline as loadable, servable models."""
from __future__ import annotations

import mlflow.pyfunc
import pandas as pd

from misread.model.tracking import CLASSIFIER_ARTIFACT

PROBA_PREFIX = "proba_"


def predictions_frame(labels: list[str], probabilities) -> pd.DataFrame:
    """`label` plus one `proba_<label>` column per label, in the model's label order."""
    frame = pd.DataFrame(probabilities, columns=[f"{PROBA_PREFIX}{label}" for label in labels])
    frame.insert(0, "label", [labels[i] for i in probabilities.argmax(axis=1)])
    return frame


class FramingPyfunc(mlflow.pyfunc.PythonModel):
    """Input: a DataFrame with a `text` column. Output: `label` and `proba_<label>` columns."""

    def load_context(self, context) -> None:
        from misread.model.classifier import FramingClassifier

        self.classifier = FramingClassifier.from_pretrained(context.artifacts[CLASSIFIER_ARTIFACT])

    def predict(self, context, model_input, params=None):
        if "text" not in model_input.columns:
            raise ValueError(f"input needs a 'text' column; got columns {list(model_input.columns)}")
        texts = model_input["text"].fillna("").astype(str).tolist()
        return predictions_frame(self.classifier.labels, self.classifier.predict_proba(texts))


NESTED_COLUMNS = ("envoy", "counterpart", "envoy_stance", "counterpart_stance", "evidence")  # JSON strings
ARTICLE_COLUMNS = ["id", "envoy", "counterpart", "envoy_stance", "counterpart_stance", "gap", "misreading", "confidence", "explanation", "evidence", "error"]


class ArticlePipelinePyfunc(mlflow.pyfunc.PythonModel):
    """Input: a DataFrame with `text` (and optional `id`, `title`). Output: one row per article.

    Nested fields (envoy, evidence, ...) are JSON strings so the frame stays flat for Spark UDFs; `error` and
    `explanation` are "" rather than null.
    """

    def load_context(self, context) -> None:
        from misread.model.classifier import FramingClassifier
        from misread.model.pipeline import ArticleAnalyzer

        self.analyzer = ArticleAnalyzer(FramingClassifier.from_pretrained(context.artifacts[CLASSIFIER_ARTIFACT]))

    def predict(self, context, model_input, params=None):
        import json

        from misread.model.pipeline import Article

        if "text" not in model_input.columns:
            raise ValueError(f"input needs a 'text' column; got columns {list(model_input.columns)}")
        ids = model_input["id"].astype(str) if "id" in model_input.columns else model_input.index.astype(str)
        titles = model_input["title"].fillna("").astype(str) if "title" in model_input.columns else [""] * len(model_input)
        texts = model_input["text"].fillna("").astype(str)
        articles = [Article(i, t, title=h) for i, t, h in zip(ids, texts, titles)]
        rows = []
        for row in self.analyzer.analyze(articles):
            flat = {column: row.get(column) for column in ARTICLE_COLUMNS}
            # No string column is ever null: Spark's UDF casts a null beside strings to the text 'nan' or 'None'.
            for column in NESTED_COLUMNS:
                flat[column] = json.dumps(flat[column])  # "null" for a side not found
            for column in ("explanation", "error"):
                flat[column] = flat[column] or ""  # "": analysed without error
            rows.append(flat)
        return pd.DataFrame(rows, columns=ARTICLE_COLUMNS)
