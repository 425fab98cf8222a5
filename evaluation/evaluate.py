"""Score a framing model (or the baselines) on labelled sentence files and log an evaluation run to MLflow.

    python evaluation/evaluate.py                                   # the registered model on test split + real dev
    python evaluation/evaluate.py --model outputs/<run>/classifier --data my.jsonl
    python evaluation/evaluate.py --baselines                       # lexicon and TF-IDF baselines as runs
    python evaluation/evaluate.py --table                           # README table of the latest runs
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


import pandas as pd

from misread.data import MEASURING_SETS, SPLIT_FILES
from misread.data.loading import Example, load_examples
from misread.evaluation.metrics import (
    classification_metrics,
    expected_calibration_error,
    half_macro_f1,
    plot_confusion_matrix,
    plot_reliability,
    report_text,
)
from misread.model.base_models import PACKAGED
from misread.model.classifier import DEFAULT_DEVICE, DEVICES
from misread.model.tracking import KIND_TAG, EXPERIMENT_NAME, SMOKE_TAG, check_tracking_store, resolve_tracking_uri, start_tracked_run, use_experiment

README = Path(__file__).resolve().parents[1] / "README.md"
TABLE_START, TABLE_END = "<!-- results:start -->", "<!-- results:end -->"


def default_data() -> list[Path]:
    return [SPLIT_FILES["test"]] + [path for path in MEASURING_SETS.values() if path.exists()]


def data_prefix(path: Path) -> str:
    """Stable metric prefixes: `test` for the corpus test split, `real_dev` and `modern_dev` for the measuring sets."""
    if path.resolve() == SPLIT_FILES["test"].resolve():
        return "test"
    for prefix, measuring in MEASURING_SETS.items():
        if path.resolve() == measuring.resolve():
            return prefix
    return path.stem.replace("-", "_")


def score(model, examples: list[Example], prefix: str, folder: Path) -> dict[str, float]:
    """Metrics, confusion matrix, reliability plot and the 20 most confident errors for one data file."""
    labels = list(model.labels)
    probabilities = model.predict_proba([e.text for e in examples])
    predictions = [labels[i] for i in probabilities.argmax(axis=1)]
    gold = [e.label for e in examples]
    gold_index = [labels.index(label) for label in gold]
    metrics = classification_metrics(gold, predictions, labels, prefix)
    metrics[f"{prefix}_ece"] = expected_calibration_error(probabilities, gold_index)
    if prefix in MEASURING_SETS:
        metrics |= half_macro_f1(examples, predictions, labels, prefix)
    plot_confusion_matrix(gold, predictions, labels, prefix, folder / f"confusion_{prefix}.png")
    plot_reliability(probabilities, gold_index, prefix, folder / f"reliability_{prefix}.png")
    (folder / f"report_{prefix}.txt").write_text(report_text(gold, predictions, labels))
    errors = pd.DataFrame(
        {
            "source": [e.source for e in examples],
            "text": [e.text for e in examples],
            "gold": gold,
            "predicted": predictions,
            "confidence": probabilities.max(axis=1).round(3),
        }
    )
    errors = errors[errors.gold != errors.predicted].sort_values("confidence", ascending=False).head(20)
    errors.to_csv(folder / f"confident_errors_{prefix}.csv", index=False)
    return metrics


def evaluate_model(model, name: str, data: list[Path], tags: dict[str, str], params: dict | None = None) -> dict[str, float]:
    import mlflow

    results: dict[str, float] = {}
    with start_tracked_run(run_name=name, tags={KIND_TAG: tags.get(KIND_TAG, "evaluation"), **tags}), tempfile.TemporaryDirectory() as scratch:
        mlflow.log_params({"model": name, "data": ",".join(map(str, data)), **(params or {})})
        for path in data:
            prefix = data_prefix(path)
            metrics = score(model, load_examples(path, allowed_labels=model.labels), prefix, Path(scratch))
            results |= metrics
            print(f"{name:>28} {prefix:>10}: macro-F1 {metrics[f'{prefix}_macro_f1']:.4f}  accuracy {metrics[f'{prefix}_accuracy']:.4f}  ECE {metrics[f'{prefix}_ece']:.4f}")
        mlflow.log_metrics(results)
        mlflow.log_artifacts(scratch, artifact_path="evaluation")
    return results


def run_baselines(data: list[Path], seed: int) -> None:
    from misread.evaluation.baselines import LexiconBaseline, TfidfBaseline

    train = load_examples(SPLIT_FILES["train"])
    tfidf = TfidfBaseline(seed=seed).fit([e.text for e in train], [e.label for e in train])
    evaluate_model(LexiconBaseline(), "baseline-lexicon", data, {KIND_TAG: "baseline"})
    evaluate_model(tfidf, "baseline-tfidf-logreg", data, {KIND_TAG: "baseline"}, {"seed": seed, "train_file": str(SPLIT_FILES["train"])})


def results_table() -> str:
    """Latest fine-tuned run and latest baseline runs, on the corpus test split and the real news file."""
    import mlflow

    experiment = mlflow.get_experiment_by_name(EXPERIMENT_NAME)
    if experiment is None:
        raise SystemExit("no runs yet: run `python training/train.py` and `python evaluation/evaluate.py --baselines`.")
    runs = mlflow.search_runs([experiment.experiment_id], order_by=["start_time DESC"])
    rows = []
    finished = runs[runs["status"] == "FINISHED"]
    if f"tags.{SMOKE_TAG}" in finished:  # a --limit run is a smoke test, never a row of the table
        finished = finished[finished[f"tags.{SMOKE_TAG}"] != "true"]
    for encoder in PACKAGED:  # the latest finished run of each packaged encoder that trained on everything
        match = finished[finished["params.base_model"] == encoder] if "params.base_model" in finished else finished.iloc[0:0]
        if len(match):
            rows.append((f"fine-tuned {encoder} (train.py)", match.iloc[0]))
    for name in ("baseline-tfidf-logreg", "baseline-lexicon"):
        match = runs[runs["tags.mlflow.runName"] == name]
        if len(match):
            rows.append((name, match.iloc[0]))
    columns = ("test_macro_f1", "real_dev_macro_f1", "real_dev_blind_macro_f1", "modern_dev_macro_f1", "modern_dev_blind_macro_f1")
    lines = ["| model | corpus test macro-F1 | 2004 wire macro-F1 | 2004 wire, blind half | 2023-24 reporting macro-F1 | 2023-24 reporting, blind half | run id |",
             "|---|---|---|---|---|---|---|"]
    for name, run in rows:
        cells = " | ".join(f"{run.get(f'metrics.{m}', float('nan')):.3f}" for m in columns)
        lines.append(f"| {name} | {cells} | `{run['run_id'][:8]}` |")
    return "\n".join(lines)


def write_table_into_readme(table: str) -> None:
    if not README.exists():
        raise SystemExit(f"{README}: not found; --table rewrites the README of a checkout, run it from one.")
    text = README.read_text()
    head, found, rest = text.partition(TABLE_START)
    if not found:
        raise SystemExit(f"{README}: no {TABLE_START} marker to write the table into.")
    _, _, tail = rest.partition(TABLE_END)
    README.write_text(f"{head}{TABLE_START}\n{table}\n{TABLE_END}{tail}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model folder, runs:/ or models:/ URI (default: the registry alias)")
    parser.add_argument("--data", nargs="+", type=Path, help="labelled .jsonl/.csv files (default: test split and real dev)")
    parser.add_argument("--baselines", action="store_true", help="evaluate the lexicon and TF-IDF baselines instead")
    parser.add_argument("--table", action="store_true", help="print the results table of the latest runs and write it into README.md")
    parser.add_argument("--tracking-uri", help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI or the project's mlflow.db)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--device", default=DEFAULT_DEVICE, choices=DEVICES, help="auto: a CUDA GPU when there is one, else the CPU")
    args = parser.parse_args(argv)

    import mlflow

    uri = resolve_tracking_uri(args.tracking_uri)
    check_tracking_store(uri)
    mlflow.set_tracking_uri(uri)
    if args.table:
        table = results_table()
        write_table_into_readme(table)
        print(table)
        return
    use_experiment(EXPERIMENT_NAME, uri)
    data = args.data or default_data()
    if args.baselines:
        run_baselines(data, args.seed)
        return
    from misread.model.tracking import default_model_uri, load_classifier

    spec = args.model or default_model_uri()
    classifier = load_classifier(spec, uri, device=args.device)
    tags = {"misread.evaluated_model": spec}
    if spec.startswith("runs:/"):
        tags["misread.evaluated_run_id"] = spec.split("/")[1]
    elif spec.startswith("models:/"):
        version = mlflow.MlflowClient().get_model_version_by_alias(*spec.removeprefix("models:/").split("@")) if "@" in spec else None
        if version is not None:
            tags["misread.evaluated_run_id"] = version.run_id or ""
    evaluate_model(classifier, f"evaluate {Path(spec).name if Path(spec).exists() else spec}", data, tags)


if __name__ == "__main__":
    main()
