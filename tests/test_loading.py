import json

import pytest

from misread.data.loading import DataError, check_label_coverage, duplicate_report, file_fingerprint, label_set, load_examples, load_unlabelled
from tests.helpers import write_jsonl


def test_jsonl_rows_become_examples_that_remember_their_line(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": " Talks took place. ", "label": "neutral"}, {"text": "We refuse.", "label": "hardline"}])
    examples = load_examples(path)
    assert [e.text for e in examples] == ["Talks took place.", "We refuse."]
    assert examples[1].source == f"{path}:2"


def test_empty_text_names_file_and_line(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [{"text": "ok", "label": "neutral"}, {"text": "  ", "label": "neutral"}])
    with pytest.raises(DataError, match=r"bad\.jsonl:2: empty text"):
        load_examples(path)


def test_unknown_label_lists_the_allowed_ones(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [{"text": "ok", "label": "angry"}])
    with pytest.raises(DataError, match=r"bad\.jsonl:1: unknown label 'angry'.*conciliatory"):
        load_examples(path, allowed_labels=["conciliatory", "neutral"])


def test_missing_column_in_csv_header_is_reported(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("sentence,label\nhello,neutral\n")
    with pytest.raises(DataError, match=r"bad\.csv:1: CSV header lacks column\(s\) \['text'\]"):
        load_examples(path)


def test_csv_with_quoted_commas_and_injection_looking_cells_loads_as_plain_text(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text('text,label\n"Moscow, Kyiv and Ankara met",neutral\n"=HYPERLINK(""x"")",neutral\n')
    examples = load_examples(path)
    assert examples[0].text == "Moscow, Kyiv and Ankara met"
    assert examples[1].text == '=HYPERLINK("x")'


def test_wrong_encoding_names_the_line(tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"text": "ok", "label": "neutral"}\n{"text": "caf\xe9", "label": "neutral"}\n')
    with pytest.raises(DataError, match=r"latin\.jsonl:2: not valid UTF-8"):
        load_examples(path)


def test_invalid_json_line_is_reported(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "ok", "label": "neutral"}\n{"text": "oops"\n')
    with pytest.raises(DataError, match=r"broken\.jsonl:2: invalid JSON"):
        load_examples(path)


def test_datasets_folder_with_class_labels_loads_label_strings(tmp_path):
    import datasets

    features = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["hardline", "neutral"])})
    datasets.Dataset.from_dict({"text": ["We refuse.", "They met."], "label": [0, 1]}, features=features).save_to_disk(tmp_path / "ds")
    assert [e.label for e in load_examples(tmp_path / "ds")] == ["hardline", "neutral"]


def test_label_set_comes_sorted_from_the_data(labelled_rows, tmp_path):
    examples = load_examples(write_jsonl(tmp_path / "a.jsonl", labelled_rows))
    assert label_set(examples) == ["conciliatory", "hardline", "neutral", "speculative"]


def test_a_label_seen_only_in_test_is_refused(tmp_path):
    train = load_examples(write_jsonl(tmp_path / "train.jsonl", [{"text": "a", "label": "neutral"}]))
    test = load_examples(write_jsonl(tmp_path / "test.jsonl", [{"text": "b", "label": "hardline"}]))
    with pytest.raises(DataError, match=r"test\.jsonl:1: label 'hardline' in the test data never appears"):
        check_label_coverage(train, {"test": test})


def test_fingerprint_changes_with_content(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"text": "a", "label": "neutral"}))
    before = file_fingerprint(path)
    path.write_text(json.dumps({"text": "b", "label": "neutral"}))
    assert file_fingerprint(path)["sha256"] != before["sha256"]
    assert before["bytes"] == path.stat().st_size


def test_duplicates_within_and_across_splits_are_reported_with_file_and_line(tmp_path):
    train = load_examples(write_jsonl(tmp_path / "train.jsonl", [{"text": "They met.", "label": "neutral"}, {"text": "they  met.", "label": "neutral"}]))
    test = load_examples(write_jsonl(tmp_path / "test.jsonl", [{"text": "They met.", "label": "hardline"}, {"text": "Other.", "label": "neutral"}]))
    problems = duplicate_report({"train": train, "test": test})
    assert len(problems) == 2
    assert problems[0].startswith(f"{tmp_path / 'train.jsonl'}:2: repeats {tmp_path / 'train.jsonl'}:1")
    assert problems[1].startswith(f"{tmp_path / 'test.jsonl'}:1: repeats")


def test_near_duplicates_are_found_and_distinct_sentences_are_not():
    from misread.data.near_duplicates import near_duplicate_pairs

    left = ["Tehran said on Monday it was ready to resume the nuclear talks in Vienna.", "The storm flooded the delta."]
    right = ["Tehran said on Monday it was not ready to resume the nuclear talks in Vienna.", "Shares fell sharply in Tokyo."]
    assert [(i, j) for i, j, _ in near_duplicate_pairs(left, right)] == [(0, 0)]


def test_csv_cells_keep_their_newlines_and_line_numbers_stay_true(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('text,label\n"talks\nended",neutral\n,neutral\n')
    with pytest.raises(DataError, match=r"multi\.csv:4: empty text"):
        load_examples(path)
    path.write_text('text,label\n"talks\nended",neutral\n')
    assert load_examples(path)[0].text == "talks\nended"


def test_unlabelled_sentences_come_from_every_file_in_the_folder_once_each(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "Talks resumed."}\n\n{"text": "Shelling went on."}\n')
    (tmp_path / "b.jsonl").write_text('{"text": "Talks resumed."}\n{"text": "The envoy may return."}\n')
    assert load_unlabelled(tmp_path) == ["Talks resumed.", "Shelling went on.", "The envoy may return."]


def test_an_unlabelled_row_without_text_names_file_and_line(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "Talks resumed."}\n{"txt": "typo"}\n')
    with pytest.raises(DataError, match=r"a\.jsonl:2: expected a non-empty 'text'"):
        load_unlabelled(tmp_path)
