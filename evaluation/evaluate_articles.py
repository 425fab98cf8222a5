"""Article-level evaluation on the gold articles: the misreading flag and the role assignment.

    python evaluation/evaluate_articles.py [--model DIR|URI] [--articles data/articles/articles.jsonl]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.metrics import precision_recall_fscore_support

from data import ARTICLES_FILE
from model.pipeline import Article, ArticleAnalyzer
from model.tracking import check_tracking_store, default_model_uri, load_classifier, resolve_tracking_uri


def envoy_correct(gold: dict, predicted: dict | None) -> bool:
    if gold["envoy"] is None:
        return predicted is None
    if predicted is None:
        return False
    names = {gold["envoy"], *gold["envoy_aliases"]}
    return predicted["name"] in names or predicted["name"].split()[-1] in {word for name in names for word in name.split()}


def counterpart_correct(gold: dict, predicted: dict | None) -> bool:
    if gold["counterpart"] is None:
        return predicted is None
    if predicted is None:
        return False
    return bool({gold["counterpart"], *gold["counterpart_aliases"]} & {predicted["name"], *predicted["aliases"]})


def article_metrics(gold_rows: list[dict], predicted_rows: list[dict]) -> dict[str, float]:
    gold_flags = [g["misreading"] for g in gold_rows]
    predicted_flags = [bool(p.get("misreading")) for p in predicted_rows]
    precision, recall, f1, _ = precision_recall_fscore_support(gold_flags, predicted_flags, average="binary", zero_division=0)
    envoy = [envoy_correct(g, p.get("envoy")) for g, p in zip(gold_rows, predicted_rows)]
    counterpart = [counterpart_correct(g, p.get("counterpart")) for g, p in zip(gold_rows, predicted_rows)]
    return {
        "articles_misreading_precision": float(precision),
        "articles_misreading_recall": float(recall),
        "articles_misreading_f1": float(f1),
        "articles_envoy_accuracy": sum(envoy) / len(envoy),
        "articles_counterpart_accuracy": sum(counterpart) / len(counterpart),
        "articles_roles_accuracy": sum(e and c for e, c in zip(envoy, counterpart)) / len(envoy),
    }


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model folder, runs:/ or models:/ URI (default: the registry alias)")
    parser.add_argument("--articles", type=Path, default=ARTICLES_FILE, help="gold articles (JSONL)")
    parser.add_argument("--tracking-uri", help="MLflow tracking URI")
    args = parser.parse_args(argv)

    import mlflow

    uri = resolve_tracking_uri(args.tracking_uri)
    check_tracking_store(uri)
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("misread-framing")
    gold = [json.loads(line) for line in args.articles.read_text(encoding="utf-8").splitlines() if line.strip()]
    spec = args.model or default_model_uri()
    analyzer = ArticleAnalyzer(load_classifier(spec, uri))
    predicted = list(analyzer.analyze(Article(g["id"], f"{g['title']}\n{g['text']}", g["title"]) for g in gold))
    metrics = article_metrics(gold, predicted)
    with mlflow.start_run(run_name="evaluate-articles", tags={"misread.kind": "article-evaluation", "misread.evaluated_model": spec}):
        mlflow.log_params({"model": spec, "articles": str(args.articles), "n_articles": len(gold)})
        mlflow.log_metrics(metrics)
        with tempfile.TemporaryDirectory() as scratch:
            table = Path(scratch) / "article_predictions.jsonl"
            table.write_text("".join(json.dumps({"gold": {k: g[k] for k in ("id", "envoy", "counterpart", "misreading")},
                                                 "predicted": {k: p.get(k) for k in ("envoy", "counterpart", "envoy_stance", "counterpart_stance", "gap", "misreading", "explanation")}}) + "\n"
                                     for g, p in zip(gold, predicted)))
            mlflow.log_artifact(str(table), artifact_path="evaluation")
    for name, value in metrics.items():
        print(f"{name:>32}: {value:.3f}")
    return metrics


if __name__ == "__main__":
    main()
