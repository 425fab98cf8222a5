"""The project's corpus as shipped: size, balance, coverage, clean splits and a datasheet that matches."""
import json
from collections import Counter

import pytest

from misread.data import MEASURING_SETS, SPLIT_FILES, TEACHER_FILE, UNLABELLED_DIR
from misread.data.contamination import STAMP_FILE, WORD_OVERLAP_LIMIT, corpus_fingerprint, too_close
from misread.data.loading import label_set, load_examples, load_unlabelled
from misread.data.make_splits import COUNTS_END, COUNTS_START, DATASHEET, assign, counts_table, groups_of_near_duplicates, text_key
from misread.data.near_duplicates import near_duplicate_pairs


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


def test_no_sentence_the_student_learns_from_the_teacher_is_close_to_a_validation_or_test_sentence(splits):
    unlabelled = [row["text"] for row in map(json.loads, TEACHER_FILE.read_text(encoding="utf-8").splitlines())
                  if row.get("source") == "unlabelled"]
    held_out = [r["text"] for split in ("validation", "test") for r in splits[split]]
    assert near_duplicate_pairs(unlabelled, held_out) == []


def test_the_corpus_as_shipped_passed_the_contamination_audit():
    """The audit embeds the whole corpus (minutes), so it stamps the corpus it passed; any later edit needs a rerun."""
    stamp = json.loads(STAMP_FILE.read_text(encoding="utf-8"))
    assert stamp["corpus"] == corpus_fingerprint(), "the corpus changed since its audit: run python data/contamination.py"
    assert stamp["measuring_sets"] == sorted(MEASURING_SETS)


@pytest.mark.skipif(not all(p.exists() for p in MEASURING_SETS.values()), reason="the measuring sets live outside the repo")
def test_no_corpus_sentence_shares_most_of_its_words_with_a_measured_sentence(splits):
    corpus = [r["text"] for rows in splits.values() for r in rows] + load_unlabelled(UNLABELLED_DIR)
    for path in MEASURING_SETS.values():
        assert near_duplicate_pairs(corpus, [e.text for e in load_examples(path)], threshold=WORD_OVERLAP_LIMIT) == []


@pytest.mark.e2e
@pytest.mark.skipif(not all(p.exists() for p in MEASURING_SETS.values()), reason="the measuring sets live outside the repo")
def test_no_corpus_sentence_copies_or_paraphrases_a_measured_sentence(splits):
    """Writers recalling the same events can paraphrase a real sentence without copying it; those are removed."""
    corpus = [r["text"] for rows in splits.values() for r in rows]
    measured = {name: [e.text for e in load_examples(path)] for name, path in MEASURING_SETS.items()}
    assert too_close(corpus, measured) == []


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


def _row(text: str, label: str, pair: str = "") -> dict:
    return {"text": text, "label": label, "conflict": "x", "register": "wire", "phenomenon": "plain", "pair": pair}


def test_a_new_batch_never_moves_a_sentence_that_already_has_a_split():
    old = [_row(f"Officials in Varnholm met delegates on day {n} of the border talks.", label)
           for n, label in enumerate(["neutral", "hardline", "conciliatory", "speculative"] * 5)]
    placed = {text_key(r["text"]): ("train", "validation", "test")[i % 3] for i, r in enumerate(old)}
    new = [_row("The Kestrel Front said it would never disarm.", "hardline", "p1"),
           _row("The Kestrel Front said it was ready to disarm.", "conciliatory", "p1")]
    rows = old + new
    splits = assign(rows, groups_of_near_duplicates(rows), seed=7, placed=placed)
    where = {text_key(r["text"]): name for name, members in splits.items() for r in members}
    assert all(where[key] == split for key, split in placed.items())
    assert where[text_key(new[0]["text"])] == where[text_key(new[1]["text"])]  # a new pair still lands in one split
    assert sum(len(members) for members in splits.values()) == len(rows)
