import pytest

from model.attribution import PREVIOUS_SPEAKER, holders


def first_holder(nlp, sentence: str) -> str:
    found = holders(next(nlp(sentence).sents))
    assert found, f"no holder found in {sentence!r}"
    return found[0]


@pytest.mark.parametrize(
    "sentence, speaker",
    [
        ("Kremlin spokesperson Dmitry Peskov emphasized that recognition of the regions is non-negotiable.", "Peskov"),
        ("The foreign minister told reporters that Ankara was ready to mediate.", "foreign minister"),
        ('"We will not retreat," the rebel commander said on Sunday.', "rebel commander"),
        ("Witkoff's comments, which suggested a possible thaw in relations, were met with skepticism.", "Witkoff"),
        ("According to Western diplomats, the delegation left without an agreement.", "diplomats"),
        ("Russian officials have reiterated their objective to achieve full recognition.", "Russian officials"),
    ],
)
def test_the_speaker_or_stance_holder_is_found(nlp, sentence, speaker):
    assert speaker in first_holder(nlp, sentence)


def test_a_pronoun_speaker_points_to_the_previous_sentence(nlp):
    assert first_holder(nlp, "He said the offer remained on the table.") == PREVIOUS_SPEAKER


def test_places_in_a_subject_after_between_do_not_become_speakers(nlp):
    assert "Iran" not in first_holder(nlp, "The talks between Iran and the United States resumed in Oman.")


def test_a_sentence_without_subject_has_no_holder(nlp):
    assert holders(next(nlp("Background and context").sents)) == []
