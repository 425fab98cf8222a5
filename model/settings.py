"""The article pipeline's numbers in one frozen object: read by the stages, logged with every article evaluation."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PipelineSettings:
    # gap.py: a side's stance and the gap between sides
    stance_threshold: float = 0.2  # |score| below this is a mixed or unclear stance
    min_stance_mass: float = 0.3  # summed stance probability a side needs before its stance counts
    gap_threshold: float = 0.2  # gap (0..1) at or above which opposite stances are a misreading (chosen on data/articles with two students, session 6)
    min_direction_mass: float = 0.1  # below this the other labels are noise: renormalising would invent a stance
    # pipeline.py
    unattributed_weight: float = 0.5  # a bare subject ("X pressed on with ...") is weaker evidence than X's own words
    envoy_reading_factor: float = 2.0  # an envoy statement naming the counterpart is the envoy's reading of its stance

    def as_params(self) -> dict[str, float]:
        return asdict(self)


SETTINGS = PipelineSettings()
