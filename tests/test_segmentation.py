import pytest

from misread.model.segmentation import MAX_PARAGRAPH_CHARS, paragraphs, segment_many
from tests.helpers import ENVOY_ARTICLE


def test_sentence_offsets_point_back_into_the_article(nlp):
    (sentences,) = list(segment_many(nlp, [ENVOY_ARTICLE]))
    assert len(sentences) == 7
    for sentence in sentences:
        assert ENVOY_ARTICLE[sentence.start : sentence.end] == sentence.text


def test_the_headline_is_its_own_sentence(nlp):
    (sentences,) = list(segment_many(nlp, [ENVOY_ARTICLE]))
    assert sentences[0].text == "Envoy Says Talks With Tehran Point to a Thaw"


def test_lines_without_words_are_not_sentences(nlp):
    (sentences,) = list(segment_many(nlp, ["***\n---\nThe talks took place in Geneva."]))
    assert [s.text for s in sentences] == ["The talks took place in Geneva."]


def test_overlong_lines_are_cut_into_pieces_with_true_offsets():
    text = "a" * (MAX_PARAGRAPH_CHARS + 10)
    pieces = list(paragraphs(text))
    assert [start for start, _ in pieces] == [0, MAX_PARAGRAPH_CHARS]
    assert "".join(piece for _, piece in pieces) == text


def test_several_articles_keep_their_own_sentences(nlp):
    results = list(segment_many(nlp, ["First one here.", "Second one. And more."]))
    assert [len(r) for r in results] == [1, 2]


@pytest.mark.parametrize("dateline", ["KESTRAVO, May 4 (Reuters) - ", "PORT-LUMEN, Vessa-Nord, Jan 9 — ", "ABU TALIM — "])
def test_a_dateline_is_not_part_of_the_first_sentence(nlp, dateline):
    (sentences,) = segment_many(nlp, [f"Talks resume\n{dateline}The envoy said on Friday that talks would resume."])
    assert sentences[1].text == "The envoy said on Friday that talks would resume."
