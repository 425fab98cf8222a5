"""Article-level evaluation, stage by stage: envoy found, counterpart found, each side's stance, the misreading flag.

    python evaluation/evaluate_articles.py [--model DIR|URI]                       # the project's articles
    python evaluation/evaluate_articles.py --data ../shared/data/articles_dev.jsonl  # a measuring set

Reads either article shape: the project's (`envoy` and `envoy_aliases` strings) or the measuring set's (`envoy`
as {name, aliases}). Each set is split into two fixed halves by a hash of the article id; for a set kept outside
the repository, misses are printed for the `analysis` half only, so the `blind` half stays unread.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import tempfile
from pathlib import Path


from sklearn.metrics import precision_recall_fscore_support

from misread.data import ARTICLES_FILE, PROJECT_ROOT
from misread.model.classifier import DEFAULT_DEVICE, DEVICES
from misread.model.pipeline import Article, ArticleAnalyzer, default_parse_processes
from misread.model.roles import load_ranker
from misread.model.settings import SETTINGS
from misread.model.tracking import KIND_TAG, EXPERIMENT_NAME, check_tracking_store, default_model_uri, load_classifier, resolve_tracking_uri, start_tracked_run, use_experiment

HALVES = ("analysis", "blind")


def gold_party(row: dict, role: str) -> dict | None:
    """{name, aliases} from either shape, or None when the article has no such party."""
    value = row.get(role)
    if value is None:
        return None
    if isinstance(value, dict):
        return {"name": value["name"], "aliases": list(value.get("aliases", []))}
    return {"name": value, "aliases": list(row.get(f"{role}_aliases", []))}


def load_gold(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = {"id", "text", "misreading"} - set(row)
        if missing:
            raise SystemExit(f"{path}:{number}: missing {sorted(missing)}; each article needs id, text and misreading")
        text = f"{row['title']}\n{row['text']}" if row.get("title") else row["text"]
        rows.append({"id": row["id"], "text": text, "category": row.get("category", ""), "misreading": bool(row["misreading"]),
                     "envoy": gold_party(row, "envoy"), "counterpart": gold_party(row, "counterpart"),
                     "envoy_stance": row.get("envoy_stance"), "counterpart_stance": row.get("counterpart_stance")})
    return rows


def half_of(article_id: str) -> str:
    return HALVES[int(hashlib.sha256(article_id.encode()).hexdigest(), 16) % 2]


def _names(party: dict) -> set[str]:
    return {n.lower() for n in [party["name"], *party["aliases"]] if n}


def envoy_correct(gold: dict | None, predicted: dict | None) -> bool:
    if gold is None or predicted is None:
        return gold is None and predicted is None
    names = _names(gold)
    surnames = {name.split()[-1] for name in names}
    return predicted["name"].lower() in names or predicted["name"].lower().split()[-1] in surnames


def counterpart_correct(gold: dict | None, predicted: dict | None) -> bool:
    if gold is None or predicted is None:
        return gold is None and predicted is None
    found = {n.lower() for n in [predicted["name"], *predicted.get("aliases", [])]}
    # "Turkish Cypriot" names the same side as "Turkish Cypriot leadership"; "Chad" is not "Front for ... in Chad"
    return bool(_names(gold) & found) or any(re.match(rf"{re.escape(predicted['name'].lower())}\b", name) for name in _names(gold))


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def article_metrics(gold_rows: list[dict], predicted_rows: list[dict], prefix: str = "articles") -> dict[str, float]:
    pairs = list(zip(gold_rows, predicted_rows))
    precision, recall, f1, _ = precision_recall_fscore_support(
        [g["misreading"] for g, _ in pairs], [bool(p.get("misreading")) for _, p in pairs], average="binary", zero_division=0)

    def stance(role: str) -> list[bool]:
        return [(p.get(f"{role}_stance") or {}).get("label") == g[f"{role}_stance"] for g, p in pairs if g[f"{role}_stance"]]

    return {
        f"{prefix}_misreading_precision": float(precision),
        f"{prefix}_misreading_recall": float(recall),
        f"{prefix}_misreading_f1": float(f1),
        f"{prefix}_envoy_found": _share([envoy_correct(g["envoy"], p.get("envoy")) for g, p in pairs if g["envoy"]]),
        f"{prefix}_counterpart_found": _share([counterpart_correct(g["counterpart"], p.get("counterpart")) for g, p in pairs if g["counterpart"]]),
        f"{prefix}_no_false_envoy": _share([p.get("envoy") is None for g, p in pairs if g["envoy"] is None]),
        f"{prefix}_envoy_stance_accuracy": _share(stance("envoy")),
        f"{prefix}_counterpart_stance_accuracy": _share(stance("counterpart")),
    }


def explain_miss(gold: dict, predicted: dict) -> list[str]:
    """Why an article went wrong, stage by stage, in words a person can check against the text."""
    lines = []
    if gold["envoy"] and not envoy_correct(gold["envoy"], predicted.get("envoy")):
        lines.append(f"envoy: expected {gold['envoy']['name']}, found {(predicted.get('envoy') or {}).get('name')}")
    if gold["envoy"] is None and predicted.get("envoy"):
        lines.append(f"envoy: expected none, found {predicted['envoy']['name']} ({'; '.join(predicted['envoy'].get('evidence', []))})")
    if gold["counterpart"] and not counterpart_correct(gold["counterpart"], predicted.get("counterpart")):
        found = predicted.get("counterpart") or {}
        lines.append(f"counterpart: expected {gold['counterpart']['name']}, found {found.get('name')} ({'; '.join(found.get('evidence', []))})")
    for role in ("envoy", "counterpart"):
        label = (predicted.get(f"{role}_stance") or {}).get("label")
        if gold[f"{role}_stance"] and label != gold[f"{role}_stance"]:
            evidence = [f"[{e['label']}] {e['text'][:90]}" for e in (predicted.get("evidence") or {}).get(role, [])]
            lines.append(f"{role} stance: expected {gold[f'{role}_stance']}, read {label}; evidence: {evidence}")
    if gold["misreading"] != bool(predicted.get("misreading")):
        lines.append(f"flag: expected {gold['misreading']}, got {predicted.get('misreading')}: {predicted.get('explanation') or predicted.get('error')}")
    return lines


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="model folder, runs:/ or models:/ URI (default: the registry alias)")
    parser.add_argument("--data", type=Path, default=ARTICLES_FILE, help="gold articles (JSONL), either shape")
    parser.add_argument("--prefix", help="metric name prefix (default: articles, or articles_dev for a file outside the repo)")
    parser.add_argument("--tracking-uri", help="MLflow tracking URI")
    parser.add_argument("--quiet", action="store_true", help="print the figures only, no misses")
    parser.add_argument("--device", default=DEFAULT_DEVICE, choices=DEVICES, help="auto: a CUDA GPU when there is one, else the CPU")
    args = parser.parse_args(argv)

    import mlflow

    uri = resolve_tracking_uri(args.tracking_uri)
    check_tracking_store(uri)
    use_experiment(EXPERIMENT_NAME, uri)
    outside_repo = PROJECT_ROOT not in args.data.resolve().parents
    prefix = args.prefix or ("articles_dev" if outside_repo else "articles")
    gold = load_gold(args.data)
    spec = args.model or default_model_uri()
    analyzer = ArticleAnalyzer(load_classifier(spec, uri, device=args.device), parse_processes=default_parse_processes())
    predicted = list(analyzer.analyze(Article(g["id"], g["text"]) for g in gold))
    metrics = article_metrics(gold, predicted, prefix)
    for half in HALVES:
        chosen = [i for i, g in enumerate(gold) if half_of(g["id"]) == half]
        part = article_metrics([gold[i] for i in chosen], [predicted[i] for i in chosen], f"{prefix}_{half}")
        metrics |= {k: v for k, v in part.items() if k.endswith(("misreading_precision", "misreading_recall", "misreading_f1", "envoy_found", "counterpart_found", "stance_accuracy"))}
    ranker = load_ranker()
    thresholds = SETTINGS.as_params() | {f"ranker_{name}": weight for name, weight in ranker.weights.items()} | {"ranker_null_score": ranker.null_score}
    with start_tracked_run(run_name=f"evaluate-{prefix}", tags={KIND_TAG: "article-evaluation", "misread.evaluated_model": spec}):
        mlflow.log_params({"model": spec, "articles": str(args.data), "n_articles": len(gold), **thresholds})
        mlflow.log_metrics({k: v for k, v in metrics.items() if v == v})  # NaN: no article had that role
        with tempfile.TemporaryDirectory() as scratch:
            table = Path(scratch) / "article_predictions.jsonl"
            table.write_text("".join(json.dumps({"gold": g | {"text": None}, "half": half_of(g["id"]),
                                                 "predicted": {k: p.get(k) for k in ("envoy", "counterpart", "envoy_stance", "counterpart_stance", "gap", "misreading", "explanation")}}) + "\n"
                                     for g, p in zip(gold, predicted)))
            mlflow.log_artifact(str(table), artifact_path="evaluation")
    if not args.quiet:
        readable = [(g, p) for g, p in zip(gold, predicted) if not outside_repo or half_of(g["id"]) == "analysis"]
        print(f"misses{' (analysis half only: the blind half stays unread)' if outside_repo else ''}:")
        for g, p in readable:
            for line in explain_miss(g, p):
                print(f"  {g['id']} [{g['category']}] {line}")
    for name, value in metrics.items():
        print(f"{name:>44}: {value:.3f}")
    return metrics


if __name__ == "__main__":
    main()
