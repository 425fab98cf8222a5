import json

from misread.model.readers import html_to_article, read_articles


def test_text_files_use_their_first_line_as_title(tmp_path):
    (tmp_path / "a.txt").write_text("Headline Here\nBody sentence one.")
    (article,) = read_articles([tmp_path / "a.txt"])
    assert (article.id, article.title, article.error) == (str(tmp_path / "a.txt"), "Headline Here", None)


def test_html_drops_scripts_and_keeps_title_and_paragraphs():
    article = html_to_article("x", "<html><title>T &amp; U</title><script>alert(1)</script><p>One.</p><p>Two.</p></html>")
    assert article.title == "T & U"
    assert article.text == "T & U\nOne.\nTwo."


def test_jsonl_rows_keep_their_ids_and_bad_rows_get_errors(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "x1", "title": "t", "text": "Body."}) + "\n{broken\n" + json.dumps({"id": "x3"}) + "\n")
    articles = list(read_articles([path]))
    assert [a.id for a in articles] == ["x1", f"{path}:2", "x3"]
    assert articles[0].error is None
    assert "unreadable row" in articles[1].error
    assert "no 'text' field" in articles[2].error


def test_csv_rows_with_wrong_cell_counts_get_errors(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,title,text\nc1,T,"Body, with comma."\nc2,T\n')
    articles = list(read_articles([path]))
    assert [a.id for a in articles] == ["c1", f"{path}:3"]
    assert articles[0].text == "Body, with comma."
    assert "cell count" in articles[1].error


def test_binary_and_badly_encoded_files_get_errors(tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin.txt").write_bytes("caf\xe9 talks".encode("latin-1"))
    errors = {a.id.rsplit("/", 1)[-1]: a.error for a in read_articles([tmp_path])}
    assert "binary file" in errors["bin.txt"]
    assert "not valid UTF-8 at byte 3" in errors["latin.txt"]


def test_duplicate_ids_get_their_own_error_row(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"id": "same", "text": f"Body {i}."}) + "\n" for i in range(2)))
    articles = list(read_articles([path]))
    assert [a.id for a in articles] == ["same", "same#2"]
    assert "duplicate id 'same'" in articles[1].error


def test_folders_are_read_recursively_in_a_stable_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Two.")
    (tmp_path / "1.md").write_text("One.")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    articles = list(read_articles([tmp_path]))
    assert [a.id.rsplit("/", 1)[-1] for a in articles] == ["1.md", "2.txt", "image.png"]
    assert "unsupported file type .png" in articles[2].error


def test_a_missing_path_is_an_error_row_not_a_crash(tmp_path):
    (article,) = read_articles([tmp_path / "nope.txt"])
    assert "no such file" in article.error
