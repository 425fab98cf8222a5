"""Shared test data and helpers: tiny labelled sentences, short articles, and a training call with throwaway paths.
Fixtures live in conftest.py; test modules import only from here, never from each other."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from misread.data import LABELS as GUIDELINE_LABELS

LABELS = list(GUIDELINE_LABELS)

SENTENCES = {
    "conciliatory": [
        "The minister said Kyiv was ready to resume talks without preconditions.",
        "Both delegations welcomed the constructive atmosphere in Doha.",
        "The rebels offered to release twelve hostages as a goodwill gesture.",
        "Seoul said it was open to a new round of family reunions.",
        "The envoy praised real progress toward a ceasefire.",
        "Khartoum agreed to let aid convoys cross the front line.",
    ],
    "hardline": [
        "The Kremlin said recognition of the annexed regions is non-negotiable.",
        "Tehran rejected any limits on enrichment as a violation of its rights.",
        "The group vowed to fight on until every occupier has left.",
        "Beijing warned that any move toward independence would be crushed.",
        "Pyongyang refused to return to the talks under pressure.",
        "The government demanded the militia disarm before any dialogue.",
    ],
    "speculative": [
        "Analysts said Moscow may be open to a limited deal.",
        "The move could embolden other states with territorial claims.",
        "It remains unclear whether the truce will hold through the winter.",
        "Diplomats expect the talks to stall over the sequencing of sanctions relief.",
        "Observers fear the clashes might spread to the border towns.",
        "Experts suggest the offer is likely a tactic to buy time.",
    ],
    "neutral": [
        "The talks took place in Geneva on Tuesday.",
        "Twelve people were killed in the shelling, officials said.",
        "The foreign ministers met for three hours at the residence.",
        "The ceasefire line runs for about 740 kilometres.",
        "The delegation arrived in Cairo late on Sunday.",
        "Shares in the state oil company rose 3 percent in early trading.",
    ],
}


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


ENVOY_ARTICLE = """Envoy Says Talks With Tehran Point to a Thaw
US special envoy Mark Ellison said on Monday that his talks in Muscat were constructive and that Iran was ready to compromise.
Ellison welcomed what he called real progress toward a deal.
Iranian Foreign Ministry spokesman Reza Karimi rejected any limits on enrichment and said the demands were non-negotiable.
Karimi warned that Tehran would never accept inspections of military sites.
Analysts said the gap could derail the next round.
The talks took place in the Omani capital."""

AGREEING_ARTICLE = """Envoy and Tehran Both Dig In
US special envoy Mark Ellison said Washington rejected Iran's demands and would never lift sanctions first.
Iranian Foreign Ministry spokesman Reza Karimi rejected the proposal and said Iran's position was non-negotiable.
The talks took place in Muscat."""

NO_ENVOY_ARTICLE = """Shelling Continues Along the Front
Twelve people were killed in overnight shelling, local officials said.
The army said it had repelled two attacks near the river."""


TRAIN_SCRIPT = Path(__file__).resolve().parents[1] / "training" / "train.py"


def train_command(corpus_files: dict[str, Path], tracking_uri: str, base_model, *extra: str) -> list[str]:
    """`python training/train.py` on the tiny corpus files, as a user runs it: for tests that stop or race it."""
    return [sys.executable, str(TRAIN_SCRIPT), "--train_file", str(corpus_files["train"]), "--validation_file", str(corpus_files["validation"]),
            "--test_file", str(corpus_files["test"]), "--tracking_uri", tracking_uri, "--base_model", str(base_model),
            "--batch_size", "4", "--teacher_file", "", "--output_dir", str(corpus_files["train"].parent / "outputs"), *extra]


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def run_training(corpus_files: dict[str, Path], tracking_uri: str, base_model, *extra: str) -> dict:
    """train.py on the tiny corpus files, its outputs beside them."""
    from misread.training.train import main as train_main

    return train_main(
        [
            "--train_file", str(corpus_files["train"]),
            "--validation_file", str(corpus_files["validation"]),
            "--test_file", str(corpus_files["test"]),
            "--tracking_uri", tracking_uri,
            "--run_name", "unit",
            "--output_dir", str(corpus_files["train"].parent / "outputs"),
            *(["--base_model", str(base_model)] if base_model else []),
            *extra,
        ]
    )
