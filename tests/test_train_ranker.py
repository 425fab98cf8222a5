import json

import numpy as np

from misread.data import ARTICLES_FILE
from misread.model.roles import COUNTERPART_FEATURES
from training.train_ranker import NO_COUNTERPART, Case, accuracy, build_cases, fit


def cue_row(**cues) -> list[float]:
    return [cues.get(name, 0.0) for name in COUNTERPART_FEATURES]


def test_the_ranker_learns_the_cue_that_marks_the_counterpart_and_when_there_is_none():
    rng = np.random.default_rng(0)
    cases = []
    for index in range(30):
        noise = rng.uniform(0, 1, size=(3, len(COUNTERPART_FEATURES))) * 0.1
        rows = np.array([cue_row(statements=2.0, log_mentions=0.5), cue_row(log_mentions=1.5), cue_row(log_mentions=1.0)]) + noise
        cases.append(Case(f"a{index}", rows, [0]))
    cases.append(Case("none", np.array([cue_row(log_mentions=0.1)]), [NO_COUNTERPART]))
    ranker = fit(cases, l2=0.01)
    assert ranker.weights["statements"] > ranker.weights["log_mentions"]
    assert accuracy(ranker, cases) == 1.0


def test_cases_come_from_gold_articles_with_the_gold_counterpart_among_the_candidates(tmp_path):
    rows = [json.loads(line) for line in ARTICLES_FILE.read_text(encoding="utf-8").splitlines()[:4]]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    cases, unreachable = build_cases(path)
    assert len(cases) + unreachable <= 4 and cases
    for case in cases:
        assert case.features.shape[1] == len(COUNTERPART_FEATURES)
        assert all(g == NO_COUNTERPART or 0 <= g < len(case.features) for g in case.gold)
