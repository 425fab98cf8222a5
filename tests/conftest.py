"""Tiny fixtures shared by the tests: a random 2-layer BERT, a small labelled corpus, a throwaway tracking store."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from model.base_models import packaged_minilm
from model.classifier import FramingClassifier

LABELS = ["conciliatory", "hardline", "neutral", "speculative"]

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


@pytest.fixture(scope="session")
def labelled_rows() -> list[dict]:
    return [{"text": text, "label": label} for label, texts in SENTENCES.items() for text in texts]


@pytest.fixture
def corpus_files(tmp_path: Path, labelled_rows: list[dict]) -> dict[str, Path]:
    """train / validation / test files, each holding every label."""
    splits = {"train": [], "validation": [], "test": []}
    for index, row in enumerate(labelled_rows):
        splits[("train", "train", "train", "train", "validation", "test")[index % 6]].append(row)
    return {name: write_jsonl(tmp_path / f"{name}.jsonl", rows) for name, rows in splits.items()}


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A randomly initialised 2-layer BERT with the real tokenizer, saved like a base model."""
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = AutoTokenizer.from_pretrained(packaged_minilm(), local_files_only=True)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def tiny_classifier(tiny_model_dir: Path) -> FramingClassifier:
    torch.manual_seed(0)
    return FramingClassifier.from_base(str(tiny_model_dir), LABELS, max_length=32)


@pytest.fixture
def tracking_uri(tmp_path: Path, monkeypatch) -> str:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("tests")  # forget the active experiment of an earlier test's store
    return uri


@pytest.fixture(scope="session")
def nlp():
    from model.segmentation import load_spacy

    return load_spacy()


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


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory) -> Path:
    """The default model as `python training/train.py` makes it (MiniLM distilled from the stored mpnet teacher):
    minutes to tens of minutes on 2 cores, so only e2e tests use it."""
    from training.train import main

    folder = tmp_path_factory.mktemp("trained")
    result = main(["--tracking_uri", f"sqlite:///{folder / 'mlflow.db'}", "--run_name", "integration",
                   "--output_dir", str(folder / "outputs"), "--no_register"])
    return Path(result["classifier_dir"])


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Debian Chromium driven by Selenium; `.ci/run` installs both (see the README's Install)."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Chromium and chromedriver are not installed: apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # No background connections: the network is closed here and each refused one costs time.
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1280,900", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
