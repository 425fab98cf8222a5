"""The two fixed halves of each real measuring set, so that error analysis never touches the half we report as blind.

Within each label, rows are ordered by the SHA-256 of their id and dealt alternately: even positions form the
`analysis` half (its errors may be read to find what the corpus lacks), odd positions the `blind` half (only ever
scored). `real_dev_blind_macro_f1` and `modern_dev_blind_macro_f1` are therefore the honest figure after corpus changes guided by the analysis half.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict

from misread.data.loading import DataError, Example

HALVES = ("analysis", "blind")


def measuring_halves(examples: list[Example]) -> dict[str, list[Example]]:
    """Split labelled rows into the `analysis` and `blind` halves, stratified by label; needs an id on every row."""
    missing = [e.source for e in examples if not e.id]
    if missing:
        raise DataError(f"{missing[0]}: no 'id' column; the real dev halves are defined by row ids.")
    by_label: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append(example)
    halves: dict[str, list[Example]] = {half: [] for half in HALVES}
    for label in sorted(by_label):
        ordered = sorted(by_label[label], key=lambda e: hashlib.sha256(e.id.encode()).hexdigest())
        for position, example in enumerate(ordered):
            halves[HALVES[position % 2]].append(example)
    return halves
