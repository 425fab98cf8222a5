"""Write a teacher's probabilities for distillation (`train.py --teacher_file`): over the training sentences and
over the unlabelled sentences in data/framing/unlabelled/, which the student learns from the teacher alone.

    python training/teacher.py --model outputs/<mpnet run>/classifier            # one teacher
    python training/teacher.py --model runs:/<id1> --model runs:/<id2>            # an ensemble: probabilities averaged

Writes data/framing/teacher/train.jsonl (`text`, `source` train or unlabelled, `proba` by label) and teacher.json (the models, their run ids,
the corpus hash and this command), so a student run can be traced to the teacher that taught it.
"""
from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path


import numpy as np

from misread.data import SPLIT_FILES, TEACHER_FILE, UNLABELLED_DIR
from misread.data.contamination import corpus_fingerprint
from misread.data.loading import load_examples, load_unlabelled
from misread.data.near_duplicates import near_duplicate_pairs
from misread.model.classifier import DEFAULT_DEVICE, DEVICES
from misread.model.tracking import load_classifier

TEACHER_DIR = TEACHER_FILE.parent


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", required=True, help="teacher model folder or runs:/ URI (repeat for an ensemble)")
    parser.add_argument("--device", default=DEFAULT_DEVICE, choices=DEVICES)
    parser.add_argument("--tracking-uri", help="MLflow tracking URI")
    args = parser.parse_args(argv)

    train = load_examples(SPLIT_FILES["train"])
    train_texts = [e.text for e in train]
    seen = set(train_texts)
    held_out = [e.text for split in ("validation", "test") for e in load_examples(SPLIT_FILES[split])]
    unlabelled = [text for text in load_unlabelled(UNLABELLED_DIR) if text not in seen]
    too_close = {i for i, _, _ in near_duplicate_pairs(unlabelled, held_out)}  # the student must not see the splits that score it
    unlabelled = [text for i, text in enumerate(unlabelled) if i not in too_close]
    texts = train_texts + unlabelled
    sources = ["train"] * len(train) + ["unlabelled"] * len(unlabelled)
    teachers = [load_classifier(spec, args.tracking_uri, device=args.device) for spec in args.model]
    labels = teachers[0].labels
    if any(t.labels != labels for t in teachers):
        raise SystemExit(f"teachers disagree on the label set: {[t.labels for t in teachers]}")
    probabilities = np.mean([teacher.predict_proba(texts) for teacher in teachers], axis=0)
    TEACHER_DIR.mkdir(parents=True, exist_ok=True)
    TEACHER_FILE.write_text("".join(json.dumps({"text": text, "source": source, "proba": {l: round(float(p), 5) for l, p in zip(labels, row)}}) + "\n"
                                    for text, source, row in zip(texts, sources, probabilities)), encoding="utf-8")
    predicted = np.array(labels)[probabilities.argmax(axis=1)]
    agreement = float(np.mean(predicted[: len(train)] == np.array([e.label for e in train])))
    unlabelled_shares = {label: round(float(np.mean(predicted[len(train):] == label)), 3) for label in labels} if unlabelled else {}
    (TEACHER_DIR / "teacher.json").write_text(json.dumps({
        "models": args.model, "labels": labels, "corpus": corpus_fingerprint(), "train_sentences": len(train),
        "unlabelled_sentences": len(unlabelled), "agreement_with_gold": round(agreement, 4), "unlabelled_label_shares": unlabelled_shares,
        "command": "python training/teacher.py " + " ".join(f"--model {shlex.quote(m)}" for m in args.model),
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(texts)} teacher rows to {TEACHER_FILE}: {len(train)} training sentences (agreement with gold "
          f"{agreement:.3f}), {len(unlabelled)} unlabelled {unlabelled_shares}")
    return TEACHER_FILE


if __name__ == "__main__":
    main()
