import pytest

from misread.data.loading import DataError, Example, load_examples
from misread.data.measuring import measuring_halves
from tests.helpers import write_jsonl


def rows(count_per_label: dict[str, int]) -> list[Example]:
    return [
        Example(text=f"{label} sentence {i}", label=label, source=f"f:{i}", id=f"{label[:2]}-{i}")
        for label, count in count_per_label.items()
        for i in range(count)
    ]


def test_halves_split_every_label_evenly_and_cover_each_row_once():
    examples = rows({"neutral": 7, "hardline": 4, "speculative": 1})
    halves = measuring_halves(examples)
    assert sorted(e.id for half in halves.values() for e in half) == sorted(e.id for e in examples)
    for label, total in (("neutral", 7), ("hardline", 4)):
        sizes = [sum(e.label == label for e in halves[h]) for h in ("analysis", "blind")]
        assert sorted(sizes) == sorted([total // 2, total - total // 2])


def test_halves_depend_on_ids_only_not_on_file_order():
    examples = rows({"neutral": 9, "conciliatory": 5})
    forward, backward = measuring_halves(examples), measuring_halves(examples[::-1])
    assert {e.id for e in forward["blind"]} == {e.id for e in backward["blind"]}


def test_rows_without_ids_are_refused_with_their_location(tmp_path):
    path = write_jsonl(tmp_path / "dev.jsonl", [{"text": "Talks took place.", "label": "neutral"}])
    with pytest.raises(DataError, match=r"dev\.jsonl:1: no 'id' column"):
        measuring_halves(load_examples(path))


def test_the_loader_keeps_the_row_id(tmp_path):
    path = write_jsonl(tmp_path / "dev.jsonl", [{"id": "d-1", "text": "Talks took place.", "label": "neutral"}])
    assert load_examples(path)[0].id == "d-1"
