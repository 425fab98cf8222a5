"""The project's corpus as shipped: size, balance, coverage, clean splits and a datasheet that matches."""
import json
from collections import Counter

import pytest

from data import REAL_DEV_FILE, SPLIT_FILES
from data.loading import label_set, load_examples
from data.make_splits import COUNTS_END, COUNTS_START, DATASHEET, counts_table
from data.near_duplicates import near_duplicate_pairs


@pytest.fixture(scope="module")
def splits():
    return {name: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] for name, path in SPLIT_FILES.items()}


def test_every_split_loads_through_the_public_loader():
    labels = label_set(load_examples(SPLIT_FILES["train"]))
    assert labels == ["conciliatory", "hardline", "neutral", "speculative"]
    for path in SPLIT_FILES.values():
        load_examples(path, allowed_labels=labels)


def test_the_corpus_is_large_balanced_and_broad(splits):
    rows = [row for split in splits.values() for row in split]
    assert len(rows) >= 2400
    shares = {label: n / len(rows) for label, n in Counter(r["label"] for r in rows).items()}
    assert min(shares.values()) >= 0.15, shares
    assert len({r["conflict"] for r in rows if r["conflict"] != "none"}) >= 15
    hard_cases = sum(r["phenomenon"] != "plain" for r in rows) / len(rows)
    assert hard_cases >= 0.4


def test_no_sentence_has_a_near_duplicate_in_another_split(splits):
    texts = {name: [r["text"] for r in rows] for name, rows in splits.items()}
    for first, second in (("train", "validation"), ("train", "test"), ("validation", "test")):
        pairs = near_duplicate_pairs(texts[first], texts[second])
        assert not pairs, f"{first}/{second}: {[(texts[first][i], texts[second][j]) for i, j, _ in pairs[:3]]}"


@pytest.mark.skipif(not REAL_DEV_FILE.exists(), reason="the real news file lives outside the repo")
def test_no_corpus_sentence_is_close_to_a_real_news_sentence(splits):
    """The real news set is measured on, never trained on: nothing in the corpus may be copied or lightly edited from it."""
    corpus = [r["text"] for rows in splits.values() for r in rows]
    real = [e.text for e in load_examples(REAL_DEV_FILE)]
    assert near_duplicate_pairs(corpus, real, threshold=0.5) == []


def sentence_embeddings(texts: list[str]):
    """Mean-pooled, normalised all-MiniLM-L6-v2 embeddings: the model's own notion of a paraphrase."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from model.base_models import packaged_minilm

    tokenizer, encoder = AutoTokenizer.from_pretrained(packaged_minilm()), AutoModel.from_pretrained(packaged_minilm()).eval()
    chunks = []
    with torch.inference_mode():
        for start in range(0, len(texts), 256):
            batch = tokenizer(texts[start : start + 256], padding=True, truncation=True, max_length=96, return_tensors="pt")
            mask = batch["attention_mask"].unsqueeze(-1)
            pooled = (encoder(**batch).last_hidden_state * mask).sum(1) / mask.sum(1)
            chunks.append(torch.nn.functional.normalize(pooled, dim=-1))
    return torch.cat(chunks)


@pytest.mark.skipif(not REAL_DEV_FILE.exists(), reason="the real news file lives outside the repo")
def test_no_corpus_sentence_paraphrases_a_real_news_sentence(splits):
    """Writers recalling the same 2000s events can paraphrase a real sentence without copying it; those are removed."""
    corpus = [r["text"] for rows in splits.values() for r in rows]
    real = [e.text for e in load_examples(REAL_DEV_FILE)]
    similarity = sentence_embeddings(real) @ sentence_embeddings(corpus).T
    closest, index = similarity.max(dim=1)
    too_close = [(corpus[i], round(float(c), 2)) for c, i in zip(closest, index) if c >= 0.75]
    assert too_close == []


def test_minimal_pair_sets_stay_in_one_split(splits):
    where = {}
    for name, rows in splits.items():
        for row in rows:
            if row["pair"]:
                assert where.setdefault(row["pair"], name) == name, row["pair"]


def test_the_datasheet_counts_match_the_split_files(splits):
    sheet = DATASHEET.read_text(encoding="utf-8")
    table = sheet.split(COUNTS_START)[1].split(COUNTS_END)[0].strip()
    assert table == counts_table(splits)
