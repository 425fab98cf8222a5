"""Baselines beside the fine-tuned model: a cue-word lexicon and TF-IDF + logistic regression.

Both follow the classifier interface (`labels`, `predict_proba`, `predict`), so every evaluation treats them alike.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from misread.data import LABELS

# Cue words from the annotation guideline; the lexicon knows nothing else.
CUES = {
    "conciliatory": [
        "ready to", "willing", "offered", "offer", "agreed", "welcomed", "welcome", "constructive", "productive",
        "breakthrough", "goodwill", "open to", "compromise", "thaw", "progress", "de-escalation", "ceasefire accepted",
        "positive", "hopeful", "dialogue",
    ],
    "hardline": [
        "rejected", "rejects", "refused", "refuses", "will never", "non-negotiable", "demanded", "demands", "warned",
        "threatened", "vowed", "insists", "insisted", "condemned", "red line", "ultimatum", "never accept", "fight on",
    ],
    "speculative": [
        "could", "may", "might", "likely", "raises concerns", "remains unclear", "analysts", "expected", "reportedly",
        "fears that", "possibly", "perhaps", "observers", "experts",
    ],
}


class LexiconBaseline:
    """Counts guideline cue words; neutral when none match. Deterministic, nothing to train."""

    def __init__(self, labels: Sequence[str] = LABELS) -> None:
        self.labels = list(labels)
        self.patterns = {
            label: re.compile(r"\b(" + "|".join(map(re.escape, cues)) + r")\b", re.IGNORECASE) for label, cues in CUES.items()
        }

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        scores = np.zeros((len(texts), len(self.labels)))
        neutral = self.labels.index("neutral")
        for row, text in enumerate(texts):
            scores[row, neutral] = 0.5  # a neutral prior: one cue is enough to move off neutral
            for label, pattern in self.patterns.items():
                if label in self.labels:
                    scores[row, self.labels.index(label)] = len(pattern.findall(text))
        return scores / scores.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.predict_proba(texts).argmax(axis=1)]


class TfidfBaseline:
    """Word and bigram TF-IDF with a class-balanced logistic regression."""

    def __init__(self, seed: int = 13) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.pipeline = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
            LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced", random_state=seed),
        )
        self.labels: list[str] = []

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "TfidfBaseline":
        self.pipeline.fit(list(texts), list(labels))
        self.labels = list(self.pipeline.classes_)  # sorted, the same order the transformer uses
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.pipeline.predict_proba(list(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.predict_proba(texts).argmax(axis=1)]
