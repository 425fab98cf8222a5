import numpy as np

from misread.evaluation.baselines import LexiconBaseline, TfidfBaseline
from tests.helpers import LABELS


def test_the_lexicon_follows_guideline_cues_and_defaults_to_neutral():
    lexicon = LexiconBaseline()
    assert lexicon.predict(["They rejected the plan outright.", "Analysts say it could fail.", "They met on Monday."]) == [
        "hardline",
        "speculative",
        "neutral",
    ]
    np.testing.assert_allclose(lexicon.predict_proba(["x"]).sum(axis=1), 1.0)


def test_tfidf_learns_the_training_labels_in_sorted_order(labelled_rows):
    texts, labels = [r["text"] for r in labelled_rows], [r["label"] for r in labelled_rows]
    model = TfidfBaseline(seed=0).fit(texts, labels)
    assert model.labels == LABELS
    assert np.mean(np.array(model.predict(texts)) == np.array(labels)) > 0.9
