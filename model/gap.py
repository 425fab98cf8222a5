"""Stance scores per side and the misreading gap between envoy and counterpart."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from misread.model.settings import SETTINGS

# The labels the gap reads: any model works whose label set holds the two sides (speculative is optional).
CONCILIATORY, HARDLINE, SPECULATIVE = "conciliatory", "hardline", "speculative"


def check_side_labels(labels: Sequence[str]) -> None:
    """Refuse, once and up front, a model whose labels cannot express the two stances the gap compares."""
    missing = [label for label in (CONCILIATORY, HARDLINE) if label not in labels]
    if missing:
        raise ValueError(f"the model's labels {list(labels)} lack {missing}: the article pipeline weighs {CONCILIATORY!r} "
                         f"against {HARDLINE!r}; use a model trained on the guideline's label set (data/GUIDELINES.md)")



@dataclass
class SideStance:
    score: float | None  # -1 hardline .. +1 conciliatory; None when the side expressed no stance
    label: str | None  # conciliatory, hardline, mixed, or None
    mass: float  # how much stance-bearing probability the side's sentences carry
    evidence: list[int]  # row indices of the side's statements, strongest first




def as_own_words(probabilities: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Probabilities for words an actor said itself: by the guideline, an actor's own hedge is still that actor's
    stance, never third-party conjecture, so `speculative` is dropped and the rest renormalised, where the rest
    carries enough probability to show a direction."""
    if SPECULATIVE not in labels or len(probabilities) == 0:
        return probabilities
    own = probabilities.copy()
    own[:, labels.index(SPECULATIVE)] = 0.0
    remaining = own.sum(axis=1, keepdims=True)
    return np.where(remaining >= SETTINGS.min_direction_mass, own / np.maximum(remaining, 1e-9), probabilities)


def side_stance(probabilities: np.ndarray, weights: np.ndarray, labels: Sequence[str], top: int = 3) -> SideStance:
    """Weighted balance of conciliatory against hardline over one side's statements (rows of `probabilities`).

    Weights let attributed speech ("X said ...") count more than a bare subject ("X has pressed on with ...").
    """
    if len(probabilities) == 0:
        return SideStance(None, None, 0.0, [])
    conciliatory = probabilities[:, labels.index(CONCILIATORY)] * weights
    hardline = probabilities[:, labels.index(HARDLINE)] * weights
    mass = float((conciliatory + hardline).sum())
    strength = np.abs(conciliatory - hardline)
    order = [int(i) for i in np.argsort(-strength, kind="stable")[:top] if strength[i] > 0.3]
    if mass < SETTINGS.min_stance_mass:
        return SideStance(None, None, mass, order)
    score = float((conciliatory - hardline).sum() / mass)
    label = CONCILIATORY if score > SETTINGS.stance_threshold else HARDLINE if score < -SETTINGS.stance_threshold else "mixed"
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
    # The sides diverge when they lean opposite ways and far enough apart: a side whose own statements are mixed
    # (|score| under the stance threshold) can still be far from a side that is clearly the other way.
    opposite = envoy.score * counterpart.score < 0
    misreading = opposite and score >= SETTINGS.gap_threshold
    # Confidence grows with the gap and with how much evidence the thinner side has.
    confidence = float(score * min(1.0, min(envoy.mass, counterpart.mass)))
    if misreading:
        explanation = (
            f"{envoy_name} reads a {envoy.label} stance ({envoy.score:+.2f}) while {counterpart_name} states a "
            f"{counterpart.label} one ({counterpart.score:+.2f}; gap {score:.2f})."
        )
    else:
        explanation = f"no misreading: {envoy_name} is {envoy.label}, {counterpart_name} is {counterpart.label} (gap {score:.2f})."
    return Gap(score, misreading, confidence if misreading else float(1 - score) * min(1.0, min(envoy.mass, counterpart.mass)), explanation)
