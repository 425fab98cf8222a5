"""Load labelled sentences from JSONL, CSV or a Hugging Face dataset saved to disk.

Every bad row raises a `DataError` naming the file, the line and the fix: nothing is dropped silently.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

REQUIRED_COLUMNS = ("text", "label")


class DataError(ValueError):
    """A labelled-data file that cannot be used as it is."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    source: str  # "file:line" so any later complaint can point back to the row
    id: str = ""  # the row's own "id" column, where the file has one


def _where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line is not None else str(path)


def _check_row(row: dict, path: Path, line: int | None, allowed_labels: Sequence[str] | None) -> Example:
    missing = [c for c in REQUIRED_COLUMNS if c not in row]
    if missing:
        raise DataError(f"{_where(path, line)}: missing column(s) {missing}; every row needs 'text' and 'label'.")
    text, label = row["text"], row["label"]
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{_where(path, line)}: empty text; remove the row or fill in the sentence.")
    if not isinstance(label, str) or not label.strip():
        raise DataError(f"{_where(path, line)}: empty label; give one of the label set.")
    label = label.strip()
    if allowed_labels is not None and label not in allowed_labels:
        raise DataError(
            f"{_where(path, line)}: unknown label {label!r}; expected one of {sorted(allowed_labels)}."
        )
    return Example(text=text.strip(), label=label, source=_where(path, line), id=str(row.get("id") or ""))


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not valid UTF-8 (byte {err.start}); re-save the file as UTF-8.") from err


def _jsonl_rows(path: Path) -> Iterable[tuple[int, dict]]:
    for number, raw in enumerate(_read_text(path).split("\n"), start=1):  # not splitlines: U+2028 may sit in text
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as err:
            raise DataError(f"{path}:{number}: invalid JSON ({err.msg}); each line must be one JSON object.") from err
        if not isinstance(row, dict):
            raise DataError(f"{path}:{number}: expected a JSON object with 'text' and 'label'.")
        yield number, row


def _csv_rows(path: Path) -> Iterable[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"{path}:1: CSV header lacks column(s) {missing}; the header must name 'text' and 'label'.")
    for row in reader:
        # reader.line_num counts physical lines, so quoted multi-line cells still point at the right place.
        if None in row:
            raise DataError(f"{path}:{reader.line_num}: more cells than header columns; quote cells that hold commas.")
        yield reader.line_num, row


def _dataset_rows(path: Path) -> Iterable[tuple[int | None, dict]]:
    import datasets

    loaded = datasets.load_from_disk(str(path))
    if isinstance(loaded, datasets.DatasetDict):
        raise DataError(f"{path}: a DatasetDict; pass the folder of one split (e.g. {path}/train).")
    missing = [c for c in REQUIRED_COLUMNS if c not in loaded.column_names]
    if missing:
        raise DataError(f"{path}: dataset lacks column(s) {missing}.")
    names = getattr(loaded.features["label"], "names", None)  # ClassLabel columns hold ints
    for index, row in enumerate(loaded):
        if names and not 0 <= row["label"] < len(names):
            raise DataError(f"{path}: row {index} has label id {row['label']} (missing or out of range for {names}).")
        label = names[row["label"]] if names else row["label"]
        yield index, {"text": row["text"], "label": label}


def load_examples(path: str | Path, allowed_labels: Sequence[str] | None = None) -> list[Example]:
    """Read one labelled file: `.jsonl`, `.csv`, or a folder written by `datasets.save_to_disk`."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder.")
    if path.is_dir():
        rows = _dataset_rows(path)
    elif path.suffix.lower() in (".jsonl", ".json"):
        rows = _jsonl_rows(path)
    elif path.suffix.lower() == ".csv":
        rows = _csv_rows(path)
    else:
        raise DataError(f"{path}: unsupported format {path.suffix!r}; use .jsonl, .csv or a datasets folder.")
    examples = [_check_row(row, path, line, allowed_labels) for line, row in rows]
    if not examples:
        raise DataError(f"{path}: no rows.")
    return examples


def load_unlabelled(folder: str | Path) -> list[str]:
    """The sentences of every `.jsonl` file in a folder (rows with `text`, no label), in file order, each once."""
    texts: dict[str, None] = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        for number, row in _jsonl_rows(path):
            text = row.get("text")
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{path}:{number}: expected a non-empty 'text'.")
            texts[text.strip()] = None
    return list(texts)


def label_set(examples: Iterable[Example]) -> list[str]:
    """The labels the data defines, in the fixed (sorted) order used for model heads and probability columns."""
    return sorted({e.label for e in examples})


def check_label_coverage(train: list[Example], others: dict[str, list[Example]]) -> None:
    """A label unseen in training cannot be learned: refuse it and say where it came from."""
    known = set(label_set(train))
    for name, examples in others.items():
        for example in examples:
            if example.label not in known:
                raise DataError(
                    f"{example.source}: label {example.label!r} in the {name} data never appears in the training data "
                    f"(training labels: {sorted(known)})."
                )


def file_fingerprint(path: str | Path) -> dict[str, str | int]:
    """Hash and size of a data file (or folder) so a run records exactly what it trained on."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    size = 0
    for file in files:
        data = file.read_bytes()
        digest.update(data)
        size += len(data)
    return {"sha256": digest.hexdigest(), "bytes": size}


def duplicate_report(splits: dict[str, list[Example]]) -> list[str]:
    """Repeated sentences within or across splits, each named by file and line (case and spacing ignored)."""
    first_seen: dict[str, Example] = {}
    problems = []
    for examples in splits.values():
        for example in examples:
            key = " ".join(example.text.lower().split())
            if key in first_seen:
                problems.append(f"{example.source}: repeats {first_seen[key].source}: {example.text[:60]!r}")
            else:
                first_seen[key] = example
    return problems
