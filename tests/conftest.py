"""Tiny fixtures shared by the tests: a random 2-layer BERT, a small labelled corpus, a throwaway tracking store."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from misread.model.base_models import packaged_minilm
from misread.model.classifier import FramingClassifier
from tests.helpers import CHROMEDRIVER, CHROMIUM, LABELS, SENTENCES, write_jsonl

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
    from misread.model.tracking import use_experiment

    use_experiment("tests", uri)  # artifacts beside the database; forgets an earlier test's active experiment
    return uri


@pytest.fixture(scope="session")
def nlp():
    from misread.model.segmentation import load_spacy

    return load_spacy()


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory) -> Path:
    """The default model as `python training/train.py` makes it (MiniLM distilled from the stored mpnet teacher):
    minutes to tens of minutes on 2 cores, so only e2e tests use it."""
    from misread.training.train import main

    folder = tmp_path_factory.mktemp("trained")
    result = main(["--tracking_uri", f"sqlite:///{folder / 'mlflow.db'}", "--run_name", "integration",
                   "--output_dir", str(folder / "outputs"), "--no_register"])
    return Path(result["classifier_dir"])


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
