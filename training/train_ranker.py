"""Learn the counterpart ranker (model/counterpart_ranker.json) from the project's own articles, tracked in MLflow.

    python training/train_ranker.py            # fit on data/articles/articles.jsonl, cross-validate, write the weights
    python training/train_ranker.py --dry-run  # cross-validate only; the packaged weights stay as they are

Each article's candidate parties get the cues `model/roles.py` reads from the text (COUNTERPART_FEATURES); a
conditional logit (softmax over an article's candidates plus "no counterpart") learns one weight per cue with an L2
penalty. The envoy is the one the pipeline finds, so the ranker learns from the cases it will meet. Cross-validation
over articles (5 folds, fixed seed) compares the fit with the packaged weights before they are replaced.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from misread.data import ARTICLES_FILE
from misread.evaluation.evaluate_articles import counterpart_correct, load_gold
from misread.model.attribution import attributed_speakers, speakers_by_sentence
from misread.model.roles import COUNTERPART_FEATURES, RANKER_FILE, CounterpartRanker, counterpart_candidates, find_roles, load_alias_table, load_ranker
from misread.model.segmentation import load_spacy, segment_many
from misread.model.tracking import EXPERIMENT_NAME, KIND_TAG, resolve_tracking_uri, start_tracked_run, use_experiment

NO_COUNTERPART = -1  # the target index of an article whose gold has no counterpart


@dataclass
class Case:
    """One article: its candidates' cue rows and which of them (or none) is the gold counterpart."""

    article: str
    features: np.ndarray  # candidates x COUNTERPART_FEATURES
    gold: list[int]  # rows that name the gold counterpart; [NO_COUNTERPART] when it has none


def build_cases(path: Path) -> tuple[list[Case], int]:
    """Cases from a gold article file, and how many articles had a gold counterpart no candidate names."""
    gold_rows = load_gold(path)
    nlp, table = load_spacy(), load_alias_table()
    cases, unreachable = [], 0
    for gold, sentences in zip(gold_rows, segment_many(nlp, (g["text"] for g in gold_rows))):
        holders = attributed_speakers(speakers_by_sentence(sentences))
        roles = find_roles(sentences, table, statement_holders=holders) if sentences else None
        if roles is None or roles.envoy is None:
            continue  # no envoy, no counterpart to choose
        candidates, _ = counterpart_candidates(roles, sentences, holders)
        keys = list(candidates)
        features = np.array([[candidates[k][name] for name in COUNTERPART_FEATURES] for k in keys], dtype=np.float64).reshape(len(keys), len(COUNTERPART_FEATURES))
        if gold["counterpart"] is None:
            cases.append(Case(gold["id"], features, [NO_COUNTERPART]))
            continue
        parties = roles.cast.parties
        hits = [i for i, k in enumerate(keys) if counterpart_correct(gold["counterpart"], {"name": parties[k].name, "aliases": sorted(parties[k].aliases)})]
        if hits:
            cases.append(Case(gold["id"], features, hits))
        else:
            unreachable += 1
    return cases, unreachable


def fit(cases: list[Case], l2: float) -> CounterpartRanker:
    """Maximum likelihood of the gold choice under a softmax over each article's candidates and "no counterpart"."""
    weights = torch.zeros(len(COUNTERPART_FEATURES), dtype=torch.float64, requires_grad=True)
    null = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    data = [(torch.from_numpy(c.features), c.gold) for c in cases]
    optimizer = torch.optim.LBFGS([weights, null], max_iter=500, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = l2 * (weights**2).sum()
        for features, gold in data:
            scores = torch.cat([features @ weights, null])  # the last entry is "no counterpart"
            chosen = scores[[len(scores) - 1 if g == NO_COUNTERPART else g for g in gold]]
            loss = loss - (torch.logsumexp(chosen, 0) - torch.logsumexp(scores, 0)) / len(data)
        loss.backward()
        return loss

    optimizer.step(closure)
    return CounterpartRanker({name: round(float(w), 4) for name, w in zip(COUNTERPART_FEATURES, weights.detach())}, round(float(null.detach()), 4))


def accuracy(ranker: CounterpartRanker, cases: list[Case]) -> float:
    """Share of articles whose top choice (or "no counterpart") is the gold one, as the pipeline chooses."""
    correct = 0
    for case in cases:
        scores = [ranker.score(dict(zip(COUNTERPART_FEATURES, row))) for row in case.features]
        best = int(np.argmax(scores)) if scores and max(scores) >= ranker.null_score else NO_COUNTERPART
        correct += best in case.gold
    return correct / len(cases) if cases else float("nan")


def cross_validate(cases: list[Case], l2: float, folds: int, seed: int, compare: CounterpartRanker) -> tuple[float, float]:
    """Held-out accuracy of the fit, and the accuracy of other weights (`compare`) over the same article folds."""
    order = list(range(len(cases)))
    random.Random(seed).shuffle(order)
    packaged, fitted, packaged_ranker = [], [], compare
    for fold in range(folds):
        held = [cases[i] for i in order[fold::folds]]
        train = [cases[i] for i in order if i not in set(order[fold::folds])]
        fitted.append(accuracy(fit(train, l2), held) * len(held))
        packaged.append(accuracy(packaged_ranker, held) * len(held))
    return sum(fitted) / len(cases), sum(packaged) / len(cases)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ARTICLES_FILE, help="gold articles written for the project (never a measuring set)")
    parser.add_argument("--l2", type=float, default=0.1, help="L2 penalty on the cue weights (chosen by the cross-validation: 0.001-1 tried)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--output", type=Path, default=RANKER_FILE)
    parser.add_argument("--compare", type=Path, default=RANKER_FILE, help="weights to score on the same folds (default: the packaged ones, which saw every fold if fitted on this data)")
    parser.add_argument("--dry-run", action="store_true", help="cross-validate only; write nothing")
    parser.add_argument("--tracking-uri", help="MLflow tracking URI")
    args = parser.parse_args(argv)

    import mlflow

    cases, unreachable = build_cases(args.data)
    cv_fitted, cv_packaged = cross_validate(cases, args.l2, args.folds, args.seed, load_ranker(args.compare))
    ranker = fit(cases, args.l2)
    metrics = {"ranker_cv_counterpart_found": cv_fitted, "ranker_compared_counterpart_found": cv_packaged,
               "ranker_train_counterpart_found": accuracy(ranker, cases), "ranker_unreachable_articles": unreachable}
    print(f"{len(cases)} articles with an envoy found ({unreachable} more whose gold counterpart no candidate names)")
    print(f"counterpart found: fitted {cv_fitted:.3f} held out ({args.folds}-fold), {args.compare} {cv_packaged:.3f}")
    print("weights: " + ", ".join(f"{k} {v:+.2f}" for k, v in ranker.weights.items()) + f"; no counterpart {ranker.null_score:+.2f}")
    uri = resolve_tracking_uri(args.tracking_uri)
    use_experiment(EXPERIMENT_NAME, uri)
    with start_tracked_run(run_name=f"counterpart-ranker-l2{args.l2}", tags={KIND_TAG: "counterpart-ranker"}):
        mlflow.log_params({"data": str(args.data), "l2": args.l2, "folds": args.folds, "seed": args.seed, "dry_run": args.dry_run})
        mlflow.log_metrics(metrics)
        mlflow.log_dict({"weights": ranker.weights, "null_score": ranker.null_score}, "counterpart_ranker.json")
    if not args.dry_run:
        fingerprint = hashlib.sha256(args.data.read_bytes()).hexdigest()[:16]
        args.output.write_text(json.dumps({
            "weights": ranker.weights, "null_score": ranker.null_score,
            "trained_on": {"file": args.data.name, "sha256_16": fingerprint, "articles": len(cases)},
            "cv_counterpart_found": round(cv_fitted, 4), "command": "python training/train_ranker.py",
        }, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.output}")
    return metrics


if __name__ == "__main__":
    main()
