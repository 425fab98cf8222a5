import numpy as np
import pytest

from misread.model.settings import SETTINGS
from misread.model.gap import SideStance, as_own_words, gap_between, side_stance
from tests.helpers import LABELS


PROBABILITIES = np.array(
    [
        [0.9, 0.05, 0.05, 0.0],  # conciliatory
        [0.8, 0.1, 0.1, 0.0],  # conciliatory
        [0.05, 0.9, 0.05, 0.0],  # hardline
        [0.0, 0.0, 1.0, 0.0],  # neutral
    ]
)


def test_side_stance_weighs_conciliatory_against_hardline():
    stance = side_stance(PROBABILITIES[[0, 1]], np.ones(2), LABELS)
    assert stance.label == "conciliatory"
    assert stance.score == pytest.approx((0.85 + 0.7) / (0.95 + 0.9))
    assert stance.evidence == [0, 1]


def test_a_side_with_only_neutral_sentences_has_no_stance():
    stance = side_stance(PROBABILITIES[[3]], np.ones(1), LABELS)
    assert stance.score is None and stance.label is None


def test_opposite_stances_are_a_misreading():
    gap = gap_between(side_stance(PROBABILITIES[[0, 1]], np.ones(2), LABELS), side_stance(PROBABILITIES[[2]], np.ones(1), LABELS), "Ellison", "Iran")
    assert gap.misreading and gap.score >= SETTINGS.gap_threshold
    assert gap.explanation.startswith("Ellison reads a conciliatory stance (+0.")
    assert "while Iran states a hardline one (-0." in gap.explanation
    assert 0 < gap.confidence <= 1


def _stance(score: float) -> SideStance:
    label = "conciliatory" if score > SETTINGS.stance_threshold else "hardline" if score < -SETTINGS.stance_threshold else "mixed"
    return SideStance(score, label, 1.0, [])


@pytest.mark.parametrize(
    ("envoy", "counterpart", "flagged"),
    [
        (0.1, -0.9, True),  # a mixed envoy against a clearly hardline side: far apart, opposite ways
        (-0.1, 0.15, False),  # both mixed: opposite signs but close together
        (0.2, 0.9, False),  # both lean conciliatory: never a misreading however far apart
        (-0.5, -0.95, False),
    ],
)
def test_a_misreading_needs_opposite_leanings_far_enough_apart(envoy, counterpart, flagged):
    assert gap_between(_stance(envoy), _stance(counterpart), "E", "C").misreading is flagged


def test_agreeing_sides_are_not_a_misreading():
    gap = gap_between(side_stance(PROBABILITIES[[0]], np.ones(1), LABELS), side_stance(PROBABILITIES[[1]], np.ones(1), LABELS), "Ellison", "Iran")
    assert not gap.misreading and gap.score < 0.2


def test_a_silent_side_means_no_gap():
    gap = gap_between(side_stance(PROBABILITIES[[0]], np.ones(1), LABELS), side_stance(PROBABILITIES[[]], np.ones(0), LABELS), "Ellison", "Iran")
    assert gap.score is None and not gap.misreading
    assert "Iran expresses no clear stance" in gap.explanation


def test_weights_let_attributed_words_outweigh_a_bare_subject():
    stance = side_stance(PROBABILITIES[[0, 2]], np.array([1.0, 0.2]), LABELS)
    assert stance.label == "conciliatory"


def test_an_actors_own_hedged_words_keep_their_direction_without_the_speculative_share():
    hedged = np.array([[0.3, 0.05, 0.05, 0.6]])
    own = as_own_words(hedged, LABELS)
    np.testing.assert_allclose(own, [[0.75, 0.125, 0.125, 0.0]])
    assert side_stance(own, np.ones(1), LABELS).label == "conciliatory"


def test_own_words_with_no_direction_are_left_as_they_are():
    pure_hedge = np.array([[0.01, 0.0, 0.0, 0.99]])
    np.testing.assert_allclose(as_own_words(pure_hedge, LABELS), pure_hedge)
