"""Near-duplicate detection by word-set Jaccard similarity, used to keep splits apart and to check them."""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np
from scipy import sparse

WORD = re.compile(r"[a-z0-9]+")
NEAR_DUPLICATE_JACCARD = 0.6  # minimal pairs sit above this; unrelated sentences on one conflict sit well below


def words(text: str) -> set[str]:
    return set(WORD.findall(text.lower()))


def _word_matrix(texts: Sequence[str], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for row, text in enumerate(texts):
        for word in words(text):
            rows.append(row)
            cols.append(vocabulary.setdefault(word, len(vocabulary)))
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), 1 << 20))


def near_duplicate_pairs(
    left: Sequence[str], right: Sequence[str] | None = None, threshold: float = NEAR_DUPLICATE_JACCARD
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) with similarity >= threshold; within `left` (i < j) when `right` is None."""
    vocabulary: dict[str, int] = {}
    a = _word_matrix(left, vocabulary)
    b = a if right is None else _word_matrix(right, vocabulary)
    intersection = (a @ b.T).tocoo()
    size_a = np.asarray(a.sum(axis=1)).ravel()
    size_b = np.asarray(b.sum(axis=1)).ravel()
    pairs = []
    for i, j, shared in zip(intersection.row, intersection.col, intersection.data):
        if right is None and i >= j:
            continue
        jaccard = shared / (size_a[i] + size_b[j] - shared)
        if jaccard >= threshold:
            pairs.append((int(i), int(j), float(jaccard)))
    return pairs
