"""The HTML report: an index with a summary, a sortable overview and a gap chart, and one escaped page per article."""
from __future__ import annotations

import re

import pytest

from misread.model.report import HtmlReport, gap_chart, page_name, status_of

HOSTILE = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">"


def sentence(index: int, text: str, start: int, paragraph: int, role: str = "none", label: str = "neutral") -> dict:
    return {"index": index, "text": text, "start": start, "end": start + len(text), "paragraph": paragraph,
            "holder": None, "role": role, "label": label}


def article(article_id: str, title: str, gap: float | None, misreading: bool, envoy: str | None = "Envoy Arlen",
            counterpart: str | None = "Velmora", error: str | None = None) -> tuple[dict, list[dict]]:
    sentences = [
        sentence(0, title, 0, 0),
        sentence(1, f"{envoy} said a deal was close.", 40, 1, "envoy", "conciliatory"),
        sentence(2, "Officials in the capital said the demands were final.", 80, 2, "counterpart", "hardline"),
        sentence(3, "They added nothing else.", 140, 2),
    ]
    row = {
        "id": article_id, "title": title, "error": error, "misreading": misreading, "gap": gap,
        "envoy": {"name": envoy} if envoy else None, "counterpart": {"name": counterpart} if counterpart else None,
        "envoy_stance": {"label": "conciliatory", "score": 0.8}, "counterpart_stance": {"label": "hardline", "score": -0.7},
        "explanation": f"{envoy} reads a conciliatory stance",
        "evidence": {"envoy": [{"text": sentences[1]["text"], "start": 40, "end": 70, "holder": envoy, "label": "conciliatory"}],
                     "counterpart": [{"text": "the demands were final", "start": 110, "end": 132, "holder": None, "label": "hardline"}]},
    }
    return row, sentences


@pytest.fixture
def report_path(tmp_path):
    report = HtmlReport(tmp_path / "report.html", model="models:/framing-classifier@champion (run abc)")
    report.add(*article("a/flagged.txt", "Envoy sees thaw", 0.81, True))
    report.add(*article("b/clear.txt", "Both sides agree", 0.12, False))
    report.add(*article("c/hostile.txt", f"Hostile {HOSTILE}", 0.55, True, envoy=HOSTILE))
    report.add(*article("d/no-counterpart.txt", "Only the envoy speaks", None, False, counterpart=None))
    report.add({"id": "e/broken.txt", "title": None, "error": "not UTF-8 text"}, [])
    report.close()
    return tmp_path / "report.html"


def test_each_article_gets_a_status_for_the_overview_filters():
    assert status_of({"error": "bad"}) == "error"
    assert status_of({"misreading": True, "envoy": {}, "counterpart": {}}) == "flagged"
    assert status_of({"misreading": False, "envoy": None, "counterpart": {"name": "x"}}) == "no-envoy"
    assert status_of({"misreading": False, "envoy": {"name": "x"}, "counterpart": None}) == "no-counterpart"
    assert status_of({"misreading": False, "envoy": {"name": "x"}, "counterpart": {"name": "y"}}) == "clear"


def test_page_names_are_stable_safe_and_distinct_for_similar_ids():
    assert page_name("../../etc/passwd") == page_name("../../etc/passwd")
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.html", page_name("../../etc/passwd <x>"))
    assert page_name("a/b.txt") != page_name("a-b.txt")


def test_the_summary_counts_every_kind_of_outcome(report_path):
    page = report_path.read_text()
    stats = dict((name, int(value)) for value, name in re.findall(r"<div><b>(\d+)</b>([a-z ]+)</div>", page))
    assert stats == {"articles": 5, "flagged": 2, "no envoy": 0, "no counterpart": 1, "errors": 1}
    assert "run abc" in page


def test_the_overview_has_one_linked_row_per_article_in_input_order(report_path):
    page = report_path.read_text()
    assert re.findall(r'data-id="([^"]+)"', page) == ["a/flagged.txt", "b/clear.txt", "c/hostile.txt", "d/no-counterpart.txt", "e/broken.txt"]
    links = re.findall(r'href="(report_articles/[^"]+)"', page)
    assert len(links) == 5
    assert all((report_path.parent / link).exists() for link in links)


def test_article_pages_keep_paragraphs_and_link_evidence_to_its_sentence(report_path):
    page = (report_path.parent / "report_articles" / page_name("a/flagged.txt")).read_text()
    body = page.split("<div class=body>", 1)[1]
    assert body.startswith("<h3>")  # the short unpunctuated first line is a heading
    assert body.count("<p>") == 2  # the second and third source paragraphs
    assert '<a href="#s2">the demands were final</a>' in page  # a clause links to the sentence holding it
    assert '<a href="#s1">' in page and 'id="s1"' in page


def test_no_markup_from_an_article_reaches_any_page(report_path):
    pages = [report_path, *sorted((report_path.parent / "report_articles").iterdir())]
    for path in pages:
        text = path.read_text()
        assert "<img" not in text
        assert text.count("<script") == (1 if path == report_path else 0)  # the index carries only its own sorter
    assert "&lt;script&gt;window.pwned" in (report_path.parent / "report_articles" / page_name("c/hostile.txt")).read_text()


def test_a_resumed_run_lists_earlier_articles_and_links_pages_they_left(report_path):
    resumed = HtmlReport(report_path, model="m")
    resumed.add_earlier({"id": "a/flagged.txt", "title": "Envoy sees thaw", "misreading": True, "gap": 0.81,
                         "envoy": {"name": "x"}, "counterpart": {"name": "y"}, "error": None})
    resumed.add_earlier({"id": "z/never-paged.txt", "title": "No page", "error": None, "misreading": False})
    resumed.close()
    page = report_path.read_text()
    assert f'href="report_articles/{page_name("a/flagged.txt")}"' in page
    assert ">No page<" in page


def test_the_gap_chart_stacks_flagged_articles_in_red_on_their_bin():
    svg = gap_chart([0.05, 0.05, 0.9], [False, False, True])
    assert svg.count("<rect") == 2
    assert svg.count('fill="#c0392b"') == 1
    assert ">2<" in svg  # the tallest bin's count labels the axis


def _visible_ids(browser) -> list[str]:
    return [row.get_attribute("data-id") for row in browser.find_elements("css selector", "#overview tbody tr") if row.is_displayed()]


@pytest.mark.integration
def test_in_a_browser_the_overview_sorts_filters_and_links_and_no_article_script_runs(browser, report_path):
    browser.get(report_path.as_uri())
    assert browser.title == "Misread report"
    assert len(_visible_ids(browser)) == 5

    gap_header = next(th for th in browser.find_elements("css selector", "#overview th") if th.text.strip() == "gap")
    gap_header.click()  # ascending: articles without a gap sort first
    assert _visible_ids(browser) == ["d/no-counterpart.txt", "e/broken.txt", "b/clear.txt", "c/hostile.txt", "a/flagged.txt"]
    gap_header.click()
    assert _visible_ids(browser)[:3] == ["a/flagged.txt", "c/hostile.txt", "b/clear.txt"]

    browser.find_element("css selector", "input[value=flagged]").click()
    assert _visible_ids(browser) == ["a/flagged.txt", "c/hostile.txt"]
    browser.find_element("css selector", "input[value=error]").click()
    assert _visible_ids(browser) == ["e/broken.txt"]
    browser.find_element("css selector", "input[value=all]").click()

    browser.find_element("css selector", 'tr[data-id="c/hostile.txt"] a').click()
    assert "Hostile" in browser.find_element("tag name", "h1").text
    assert browser.execute_script("return window.pwned") is None
    assert "<script>window.pwned" in browser.find_element("css selector", ".body").text  # shown as text
    evidence = browser.find_element("css selector", ".counterpart-side a")
    target = evidence.get_attribute("href").rsplit("#", 1)[1]
    evidence.click()
    assert browser.current_url.endswith(f"#{target}")
    assert browser.find_element("id", target).is_displayed()
