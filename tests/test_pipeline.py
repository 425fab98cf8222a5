"""The article pipeline with the cue-word lexicon as its classifier: deterministic, so role and gap logic can be checked."""
import dataclasses

import pytest

from misread.data import ARTICLES_FILE
from misread.evaluation.baselines import LexiconBaseline
from misread.evaluation.evaluate_articles import load_gold
from misread.model import pipeline
from misread.model.pipeline import Article, ArticleAnalyzer
from misread.model.settings import SETTINGS
from tests.helpers import AGREEING_ARTICLE, ENVOY_ARTICLE, NO_ENVOY_ARTICLE


@pytest.fixture(scope="module")
def analyzer(nlp):
    return ArticleAnalyzer(LexiconBaseline(), nlp=nlp, articles_per_batch=2)


def analyze_one(analyzer, text, **kwargs):
    (row,) = analyzer.analyze([Article("a", text)], **kwargs)
    return row


def test_a_conciliatory_envoy_against_a_hardline_counterpart_is_flagged(analyzer):
    row = analyze_one(analyzer, ENVOY_ARTICLE)
    assert row["misreading"] is True
    assert row["envoy"]["name"] == "Mark Ellison" and row["counterpart"]["name"] == "Iran"
    assert row["envoy_stance"]["label"] == "conciliatory" and row["counterpart_stance"]["label"] == "hardline"
    assert any("non-negotiable" in e["text"] for e in row["evidence"]["counterpart"])
    for evidence in row["evidence"]["envoy"] + row["evidence"]["counterpart"]:
        assert ENVOY_ARTICLE[evidence["start"] : evidence["end"]] == evidence["text"]


def test_both_sides_hardline_is_not_a_misreading(analyzer):
    row = analyze_one(analyzer, AGREEING_ARTICLE)
    assert row["envoy_stance"]["label"] == row["counterpart_stance"]["label"] == "hardline"
    assert row["misreading"] is False


def test_an_article_without_envoy_says_so_without_error(analyzer):
    row = analyze_one(analyzer, NO_ENVOY_ARTICLE)
    assert (row["envoy"], row["misreading"], row["error"]) == (None, False, None)
    assert row["note"] == "no envoy found"


def test_sentence_rows_carry_offsets_roles_and_every_probability(analyzer):
    row = analyze_one(analyzer, ENVOY_ARTICLE, with_sentences=True)
    sentence = next(s for s in row["sentences"] if "Karimi warned" in s["text"])
    assert sentence["role"] == "counterpart" and sentence["label"] == "hardline"
    assert {f"proba_{label}" for label in analyzer.classifier.labels} <= set(sentence)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "no words"),
        ("!!! ... ??? 123", "no words"),
        ("Die Gespräche wurden heute in Genf fortgesetzt, teilte das Ministerium mit, und beide Seiten zeigten sich offen.", "English"),
        ("word " * 300_000, "over the"),
    ],
)
def test_unusable_articles_get_an_error_row(analyzer, text, problem):
    assert problem in analyze_one(analyzer, text)["error"]


def test_every_article_gets_one_row_in_input_order(analyzer):
    articles = [Article(str(i), text) for i, text in enumerate([ENVOY_ARTICLE, "", NO_ENVOY_ARTICLE, AGREEING_ARTICLE, "???"])]
    rows = list(analyzer.analyze(articles))
    assert [r["id"] for r in rows] == ["0", "1", "2", "3", "4"]
    assert [r["error"] is not None for r in rows] == [False, True, False, False, True]


def test_parser_worker_processes_give_the_same_rows_in_the_same_order(nlp):
    texts = [ENVOY_ARTICLE, "", NO_ENVOY_ARTICLE, AGREEING_ARTICLE, "???", ENVOY_ARTICLE] * 3
    articles = [Article(str(i), text) for i, text in enumerate(texts)]

    def rows(processes: int) -> list[dict]:
        analyzer = ArticleAnalyzer(LexiconBaseline(), nlp=nlp, articles_per_batch=2, parse_processes=processes)
        return list(analyzer.analyze(articles, with_sentences=True))

    in_process, in_workers = rows(1), rows(2)
    assert [r["id"] for r in in_workers] == [str(i) for i in range(len(texts))]
    assert in_workers == in_process


MIXED_ARTICLE = """Envoy Upbeat as Tehran Digs In
US special envoy Mark Ellison said the talks had been constructive and welcomed real progress.
Ellison's remarks, which suggested a possible thaw, were met with doubt as Tehran continued to insist on its demands and rejected any limits.
Iranian spokesman Reza Karimi said the demands were non-negotiable."""


def test_a_sentence_mixing_sides_gives_each_side_its_own_clause_as_evidence(analyzer):
    row = analyze_one(analyzer, MIXED_ARTICLE)
    quotes = {e["holder"]: e["text"] for side in ("envoy", "counterpart") for e in row["evidence"][side]}
    assert quotes["Ellison's remarks"] == "suggested a possible thaw"
    assert quotes["Tehran"].startswith("Tehran continued to insist")
    for side in ("envoy", "counterpart"):
        for evidence in row["evidence"][side]:
            assert MIXED_ARTICLE[evidence["start"] : evidence["end"]] == evidence["text"]
    assert row["misreading"] is True


def test_repeated_ids_in_one_batch_keep_their_own_results(analyzer):
    rows = list(analyzer.analyze([Article("same", ENVOY_ARTICLE), Article("same", NO_ENVOY_ARTICLE)]))
    assert [r["envoy"] is not None for r in rows] == [True, False]


def test_classifying_only_the_two_sides_gives_the_same_rows_as_classifying_everything(analyzer):
    from tests.helpers import AGREEING_ARTICLE, ENVOY_ARTICLE

    keys = ("envoy", "counterpart", "envoy_stance", "counterpart_stance", "gap", "misreading", "evidence", "explanation")
    for text in (ENVOY_ARTICLE, AGREEING_ARTICLE):
        selective, full = analyze_one(analyzer, text), analyze_one(analyzer, text, with_sentences=True)
        assert {k: selective[k] for k in keys} == {k: full[k] for k in keys}
        assert "sentences" in full and "sentences" not in selective


def test_a_role_that_speaks_first_is_linked_to_the_retired_official_named_next(analyzer):
    article = next(row for row in load_gold(ARTICLES_FILE) if row["id"] == "real-c-24")
    row = analyze_one(analyzer, article["text"])  # "a former home secretary whom the cabinet appointed ... to negotiate"
    assert row["envoy"]["name"] == article["envoy"]["name"]


READING_ARTICLE = """Envoy Sees Little Hope in Muscat
US special envoy Mark Ellison said on Monday that he remained hopeful and ready to keep talking.
Ellison said Iran had rejected every proposal he put forward.
Iranian Foreign Ministry spokesman Reza Karimi said the demands were non-negotiable."""


def test_what_the_envoy_says_of_the_counterpart_outweighs_the_envoys_own_posture(analyzer, monkeypatch):
    (row,) = analyzer.analyze([Article("reading", READING_ARTICLE)])
    assert (row["envoy"]["name"], row["counterpart"]["name"]) == ("Mark Ellison", "Iran")
    assert row["envoy_stance"]["label"] == "hardline"  # the envoy reads Iran as hardline, whatever his own hopes
    assert "Iran had rejected" in row["evidence"]["envoy"][0]["text"]

    monkeypatch.setattr(pipeline, "SETTINGS", dataclasses.replace(SETTINGS, envoy_reading_factor=1.0))
    (unweighted,) = analyzer.analyze([Article("reading", READING_ARTICLE)])
    assert unweighted["envoy_stance"]["label"] == "mixed"


def test_an_envoy_first_named_in_the_possessive_is_named_by_the_role_itself(analyzer):
    text = """Talks Stall in Muscat
The UN envoy's visit to Muscat ended on Monday after two days of meetings with Iranian officials.
The envoy said the talks were constructive and that both sides were ready to compromise."""
    (row,) = analyzer.analyze([Article("possessive", text)])
    assert row["envoy"]["name"] == "The UN envoy"


def test_a_quote_given_to_the_statement_goes_back_to_its_issuer_past_a_bare_subject_that_names_no_one(analyzer):
    text = ("Envoy Sees Thaw as Movement Digs In\n"
            "Special envoy Mark Ellison said the Tarsk Liberation Front was ready for a ceasefire and welcomed real progress.\n"
            "The Tarsk Liberation Front issued a statement on Monday.\n"
            "But the substance was unchanged. \"We rejected every limit. Our demands are non-negotiable,\" the statement said.")
    row = analyze_one(analyzer, text)
    assert any("non-negotiable" in e["text"] for e in row["evidence"]["counterpart"])
    assert row["misreading"] is True


def test_a_quote_given_to_no_one_after_a_statement_released_by_a_party_is_that_partys(analyzer):
    text = ("Envoy Sees Thaw as Movement Digs In\n"
            "Special envoy Mark Ellison said the Tarsk Liberation Front was ready for a ceasefire and welcomed real progress.\n"
            "His assessment sat awkwardly beside a statement released by the Tarsk Liberation Front the same afternoon.\n"
            "\"We rejected every limit. Our demands are non-negotiable.\"")
    quoted = [s["role"] for s in analyze_one(analyzer, text, with_sentences=True)["sentences"] if "limit" in s["text"] or "demands" in s["text"]]
    assert quoted == ["counterpart", "counterpart"]
