"""Write a teacher's probabilities over the training sentences, for distillation (`train.py --teacher_file`).

    python training/teacher.py --model outputs/<mpnet run>/classifier            # one teacher
    python training/teacher.py --model runs:/<id1> --model runs:/<id2>            # an ensemble: probabilities averaged

Writes data/framing/teacher/train.jsonl (`text`, `proba` by label) and teacher.json (the models, their run ids,
the corpus hash and this command), so a student run can be traced to the teacher that taught it.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from data import SPLIT_FILES, TEACHER_FILE
from data.contamination import corpus_fingerprint
from data.loading import load_examples
from model.tracking import load_classifier

TEACHER_DIR = TEACHER_FILE.parent


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", required=True, help="teacher model folder or runs:/ URI (repeat for an ensemble)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--tracking-uri", help="MLflow tracking URI")
    args = parser.parse_args(argv)

    train = load_examples(SPLIT_FILES["train"])
    texts = [e.text for e in train]
    teachers = [load_classifier(spec, args.tracking_uri, precision="auto", device=args.device) for spec in args.model]
    labels = teachers[0].labels
    if any(t.labels != labels for t in teachers):
        raise SystemExit(f"teachers disagree on the label set: {[t.labels for t in teachers]}")
    probabilities = np.mean([teacher.predict_proba(texts) for teacher in teachers], axis=0)
    TEACHER_DIR.mkdir(parents=True, exist_ok=True)
    TEACHER_FILE.write_text("".join(json.dumps({"text": text, "proba": {l: round(float(p), 5) for l, p in zip(labels, row)}}) + "\n"
                                    for text, row in zip(texts, probabilities)), encoding="utf-8")
    agreement = float(np.mean(np.array(labels)[probabilities.argmax(axis=1)] == np.array([e.label for e in train])))
    (TEACHER_DIR / "teacher.json").write_text(json.dumps({
        "models": args.model, "labels": labels, "corpus": corpus_fingerprint(), "sentences": len(texts),
        "agreement_with_gold": round(agreement, 4),
        "command": "python training/teacher.py " + " ".join(f"--model {shlex.quote(m)}" for m in args.model),
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(texts)} teacher rows to {TEACHER_FILE} (agreement with gold {agreement:.3f})")
    return TEACHER_FILE


if __name__ == "__main__":
    main()
