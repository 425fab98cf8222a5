"""Independent agreement on the corpus: a seeded sample, labelled again blind, scored with Cohen's kappa.

    python data/agreement.py sample                 # writes data/agreement/sample.jsonl (id, text; no labels)
    python data/agreement.py score                  # reads data/agreement/annotator_*.jsonl, prints kappa

Annotators see only the shared guideline and the sample file, never the corpus labels.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path


from sklearn.metrics import cohen_kappa_score

from misread.data import SPLIT_FILES

AGREEMENT_DIR = Path(__file__).resolve().parent / "agreement"
SAMPLE_FILE = AGREEMENT_DIR / "sample.jsonl"


def corpus_rows() -> list[dict]:
    rows = []
    for split, path in SPLIT_FILES.items():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            rows.append({"id": f"{split}:{number}", **json.loads(line)})
    return rows


def sample(size: int, seed: int) -> list[dict]:
    rows = corpus_rows()
    return [{"id": row["id"], "text": row["text"]} for row in random.Random(seed).sample(rows, size)]


def read_annotations(path: Path) -> dict[str, str]:
    return {row["id"]: row["label"] for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if row}


def score(sample_rows: list[dict], annotations: dict[str, dict[str, str]]) -> dict:
    """Kappa of each annotator and of the annotators' majority against the corpus label, plus pairwise kappa."""
    # Looked up by text: split files are rebuilt as the corpus grows, so row ids move but sentences do not.
    corpus_labels = {row["text"]: row["label"] for row in corpus_rows()}
    gold = {row["id"]: corpus_labels[row["text"]] for row in sample_rows if row["text"] in corpus_labels}
    ids = [row["id"] for row in sample_rows if row["id"] in gold and all(row["id"] in labels for labels in annotations.values())]
    report = {"sentences": len(ids), "annotators": sorted(annotations)}
    corpus = [gold[i] for i in ids]
    for name, labels in sorted(annotations.items()):
        report[f"kappa_{name}_vs_corpus"] = round(cohen_kappa_score(corpus, [labels[i] for i in ids]), 3)
    names = sorted(annotations)
    pairwise = [cohen_kappa_score([annotations[a][i] for i in ids], [annotations[b][i] for i in ids])
                for k, a in enumerate(names) for b in names[k + 1:]]
    report["kappa_pairwise_mean"] = round(sum(pairwise) / len(pairwise), 3) if pairwise else None
    majority = {}
    for i in ids:
        votes = Counter(labels[i] for labels in annotations.values()).most_common()
        if votes[0][1] * 2 > len(annotations):
            majority[i] = votes[0][0]
    report["kappa_majority_vs_corpus"] = round(cohen_kappa_score([gold[i] for i in majority], list(majority.values())), 3)
    report["majority_disagrees_with_corpus"] = [{"id": i, "corpus": gold[i], "majority": m} for i, m in majority.items()
                                                if m != gold[i]]
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("sample", "score"))
    parser.add_argument("--size", type=int, default=320)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.command == "sample":
        AGREEMENT_DIR.mkdir(exist_ok=True)
        SAMPLE_FILE.write_text("".join(json.dumps(r) + "\n" for r in sample(args.size, args.seed)), encoding="utf-8")
        print(f"wrote {args.size} sentences to {SAMPLE_FILE}")
        return
    files = sorted(AGREEMENT_DIR.glob("annotator_*.jsonl"))
    if not files:
        raise SystemExit(f"no {AGREEMENT_DIR}/annotator_*.jsonl files; label {SAMPLE_FILE} blind first")
    sample_rows = [json.loads(line) for line in SAMPLE_FILE.read_text(encoding="utf-8").splitlines()]
    annotations = {path.stem.removeprefix("annotator_"): read_annotations(path) for path in files}
    print(json.dumps(score(sample_rows, annotations), indent=2))


if __name__ == "__main__":
    main()
