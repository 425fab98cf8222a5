"""The article pipeline's numbers in one frozen object: read by the stages, logged with every article evaluation."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PipelineSettings:
    # gap.py: a side's stance and the gap between sides
    stance_threshold: float = 0.2  # |score| below this is a mixed or unclear stance
    min_stance_mass: float = 0.3  # summed stance probability a side needs before its stance counts
    gap_threshold: float = 0.3  # gap (0..1) at or above which opposite stances are a misreading (chosen on data/articles)
    min_direction_mass: float = 0.1  # below this the other labels are noise: renormalising would invent a stance
    # roles.py: how strongly each kind of cue ties a party to the envoy as its counterpart
    target_hint_weight: float = 2.5  # "envoy to X"
    dealing_weight: float = 2.0  # X met or talked with beside the envoy
    statement_weight: float = 1.0  # statements by X's people
    reading_weight: float = 1.0  # a party the envoy's own statements are about: the side whose stance the envoy reads
    mention_weight: float = 0.15
    headline_weight: float = 1.0  # a headline names the sides its story is about
    international_body_factor: float = 1 / 3
    min_counterpart_score: float = 1.0
    # pipeline.py
    unattributed_weight: float = 0.5  # a bare subject ("X pressed on with ...") is weaker evidence than X's own words
    envoy_reading_factor: float = 2.0  # an envoy statement naming the counterpart is the envoy's reading of its stance

    def as_params(self) -> dict[str, float]:
        return asdict(self)


SETTINGS = PipelineSettings()
