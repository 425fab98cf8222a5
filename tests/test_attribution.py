import pytest

from misread.model.attribution import PREVIOUS_SPEAKER, holders, speakers_words, stance_units, states_no_current_stance


def first_holder(nlp, sentence: str) -> str:
    found = holders(next(nlp(sentence).sents))
    assert found, f"no holder found in {sentence!r}"
    return found[0].text


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


def test_a_passive_subject_is_not_a_stance_holder(nlp):
    assert holders(next(nlp("The proposal was rejected on Monday.").sents)) == []


def test_reported_speech_is_attributed_and_a_bare_subject_is_not(nlp):
    (spoken,) = holders(next(nlp("The minister said the border would stay closed.").sents))
    (acting,) = holders(next(nlp("The minister closed the border.").sents))
    assert spoken.attributed and not acting.attributed


def test_a_sentence_mixing_two_holders_splits_into_their_clauses(nlp):
    sentence = next(nlp("Ellison's remarks, which suggested a possible thaw, were met with doubt as Tehran continued to insist on enrichment.").sents)
    units = {unit.holder.text if unit.holder else None: unit.text for unit in stance_units(sentence)}
    assert units["Ellison's remarks"] == "Ellison's remarks suggested a possible thaw"
    assert units["Tehran"] == "Tehran continued to insist on enrichment"


def test_a_rebuttal_coordinated_with_the_envoys_words_is_the_rebutters_clause(nlp):
    sentence = next(nlp("Valmoria's ambassador to Dretsk said on Monday that relations were entering a real thaw, but Dretsk's "
                        "prime minister used a radio address hours later to declare there would be no concessions.").sents)
    units = {unit.holder.text if unit.holder else None: unit for unit in stance_units(sentence)}
    assert units["Dretsk's prime minister"].text.startswith("Dretsk's prime minister used a radio address")
    assert units["Valmoria's ambassador to Dretsk"].main  # a possessive holder keeps the main clause


def test_a_second_speaker_after_a_conjunction_has_its_own_clause(nlp):
    sentence = next(nlp("The Valmian president's envoy to Ostra said on Friday he had found real openness among the "
                        "island's leaders, and the island's chief minister said she was ready to begin talks.").sents)
    units = {unit.holder.text if unit.holder else None: unit.text for unit in stance_units(sentence)}
    assert units["the island's chief minister"] .startswith("the island's chief minister said she was ready to begin talks")


def test_a_clause_about_a_past_date_is_background_held_by_no_one(nlp):
    sentence = next(nlp("The crossings have been closed since 2019, when talks broke down after the rebel council "
                        "rejected a customs protocol.").sents)
    assert all(unit.holder is None or "council" not in unit.holder.text for unit in stance_units(sentence))


def test_a_subject_inside_a_quote_is_what_the_speaker_talks_about_not_a_holder(nlp):
    text = '"Our people voted for it, and no envoy from Tarsk will trade it away," Mirel Aduan said.'
    assert all(unit.holder is None or "envoy" not in unit.holder.text for unit in stance_units(next(nlp(text).sents)))
    going_on = next(nlp("Our people voted for it, and no envoy from Tarsk will trade it away.").sents)
    assert any(u.holder and "envoy" in u.holder.text for u in stance_units(going_on))
    assert stance_units(going_on, quote_open=True) == []  # the same words, carried on from an open quote


def test_a_single_holder_sentence_is_not_split(nlp):
    assert stance_units(next(nlp("Peskov said recognition of the regions is non-negotiable.").sents)) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The spokesman said the demand was non-negotiable, which could further complicate the talks.",
         "The spokesman said the demand was non-negotiable"),
        ("The minister said talks would resume, which may ease tensions along the border.", "The minister said talks would resume"),
        ('"The demand is final, which may surprise some," the spokesman said.',
         '"The demand is final, which may surprise some," the spokesman said.'),  # inside the quote: the speaker's words
        ("The spokesman said the demand was final, which he repeated twice.",
         "The spokesman said the demand was final, which he repeated twice."),  # no conjecture, nothing to drop
    ],
)
def test_the_writers_closing_conjecture_is_not_the_speakers_words(text, words):
    assert speakers_words(text) == words


def test_a_sentence_wholly_inside_a_quote_speaks_in_the_voice_the_quote_is_given_to(nlp):
    from misread.model.attribution import speakers_by_sentence
    from misread.model.segmentation import segment_many

    text = ('The platform said it had been misrepresented. "We are ready to talk whenever the government calls us. '
            'We have never asked for a veto," said Ilse Marrow. "We are flexible. We only ask to be heard."')
    (sentences,) = list(segment_many(nlp, [text]))
    found = [[h.text for h in hs] for hs in speakers_by_sentence(sentences)]
    assert found[1] == ["Ilse Marrow"] and found[2][0] == "Ilse Marrow"  # not "the government", who only "calls"
    assert found[3] == [PREVIOUS_SPEAKER] and found[4] == [PREVIOUS_SPEAKER]  # a quote given to no one goes on


@pytest.mark.parametrize(
    "sentence, no_stance_now",
    [
        ("The Corvane foreign ministry did not respond to requests for comment.", True),
        ("Talvessa has said nothing publicly about the talks.", True),
        ("In 2019 the Brannock Front rejected a ceasefire offer from the government.", True),
        ("In December 2023, during an earlier round in Sorvath, the Front did agree to a ten-day pause.", True),
        ("Three years ago the Brannock Front rejected a ceasefire offer from the government.", True),
        ("Last week the Brannock Front rejected a ceasefire offer from the government.", False),  # current news
        ("The Brannock Front rejected a ceasefire offer on Tuesday.", False),  # current news
        ("The Brannock Front refused to sign the 2018 accord, its spokesman said on Monday.", False),  # the year dates the accord
        ('"We have never said independence or nothing," the movement\'s spokeswoman said.', False),  # a speaker's own words
        ("The council did not say no.", False),
    ],
)
def test_silence_and_acts_dated_to_an_earlier_year_are_no_stance_held_now(nlp, sentence, no_stance_now):
    assert states_no_current_stance(next(nlp(sentence).sents)) is no_stance_now


def test_a_group_that_broke_away_from_another_keeps_that_clause_in_its_name(nlp):
    from misread.model.attribution import speakers_by_sentence
    from misread.model.segmentation import segment_many

    text = ("A splinter faction calling itself the Kourmet Vanguard, which broke from the Congress in 2021, said it "
            "rejected any agreement.")
    (sentences,) = list(segment_many(nlp, [text]))
    assert "broke from the Congress" in speakers_by_sentence(sentences)[0][0].text


def test_a_speaker_the_parser_hangs_inside_the_quote_is_still_the_speaker(nlp):
    sentence = ('"Commissions have been formed before, and they have produced files, not people," the alliance\'s '
                "spokesperson, Shay Hammal Orrin, told reporters outside the press club on Sunday.")
    assert [h.text for h in holders(nlp(sentence)[:])] == ["the alliance's spokesperson Shay Hammal Orrin"]
