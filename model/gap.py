"""Stance scores per side and the misreading gap between envoy and counterpart."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

STANCE_THRESHOLD = 0.2  # |score| below this is a mixed or unclear stance
MIN_STANCE_MASS = 0.3  # summed stance probability a side needs before its stance counts
GAP_THRESHOLD = 0.3  # gap (0..1) at or above which opposite stances are a misreading (chosen on data/articles)


@dataclass
class SideStance:
    score: float | None  # -1 hardline .. +1 conciliatory; None when the side expressed no stance
    label: str | None  # conciliatory, hardline, mixed, or None
    mass: float  # how much stance-bearing probability the side's sentences carry
    evidence: list[int]  # row indices of the side's statements, strongest first


MIN_DIRECTION_MASS = 0.1  # below this the other labels are noise: renormalising would invent a stance


def as_own_words(probabilities: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Probabilities for words an actor said itself: by the guideline, an actor's own hedge is still that actor's
    stance, never third-party conjecture, so `speculative` is dropped and the rest renormalised, where the rest
    carries enough probability to show a direction."""
    if "speculative" not in labels or len(probabilities) == 0:
        return probabilities
    own = probabilities.copy()
    own[:, labels.index("speculative")] = 0.0
    remaining = own.sum(axis=1, keepdims=True)
    return np.where(remaining >= MIN_DIRECTION_MASS, own / np.maximum(remaining, 1e-9), probabilities)


def side_stance(probabilities: np.ndarray, weights: np.ndarray, labels: Sequence[str], top: int = 3) -> SideStance:
    """Weighted balance of conciliatory against hardline over one side's statements (rows of `probabilities`).

    Weights let attributed speech ("X said ...") count more than a bare subject ("X has pressed on with ...").
    """
    if len(probabilities) == 0:
        return SideStance(None, None, 0.0, [])
    conciliatory = probabilities[:, labels.index("conciliatory")] * weights
    hardline = probabilities[:, labels.index("hardline")] * weights
    mass = float((conciliatory + hardline).sum())
    strength = np.abs(conciliatory - hardline)
    order = [int(i) for i in np.argsort(-strength, kind="stable")[:top] if strength[i] > 0.3]
    if mass < MIN_STANCE_MASS:
        return SideStance(None, None, mass, order)
    score = float((conciliatory - hardline).sum() / mass)
    label = "conciliatory" if score > STANCE_THRESHOLD else "hardline" if score < -STANCE_THRESHOLD else "mixed"
    return SideStance(score, label, mass, order)


@dataclass
class Gap:
    score: float | None  # 0 (same stance) .. 1 (fully opposite)
    misreading: bool
    confidence: float
    explanation: str


def gap_between(envoy: SideStance, counterpart: SideStance, envoy_name: str, counterpart_name: str) -> Gap:
    if envoy.score is None or counterpart.score is None:
        missing = envoy_name if envoy.score is None else counterpart_name
        return Gap(None, False, 0.0, f"no gap: {missing} expresses no clear stance")
    score = abs(envoy.score - counterpart.score) / 2
    opposite = {envoy.label, counterpart.label} == {"conciliatory", "hardline"}
    misreading = opposite and score >= GAP_THRESHOLD
    # Confidence grows with the gap and with how much evidence the thinner side has.
    confidence = float(score * min(1.0, min(envoy.mass, counterpart.mass)))
    if misreading:
        explanation = (
            f"{envoy_name} reads a {envoy.label} stance while {counterpart_name} states a {counterpart.label} one "
            f"(gap {score:.2f})."
        )
    else:
        explanation = f"no misreading: {envoy_name} is {envoy.label}, {counterpart_name} is {counterpart.label} (gap {score:.2f})."
    return Gap(score, misreading, confidence if misreading else float(1 - score) * min(1.0, min(envoy.mass, counterpart.mass)), explanation)
