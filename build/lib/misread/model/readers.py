"""Read articles from files and folders; every input becomes exactly one `Article`, possibly carrying an error."""
from __future__ import annotations

import csv
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

from misread.model.pipeline import Article

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
TABLE_SUFFIXES = {".jsonl", ".csv"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | TABLE_SUFFIXES
csv.field_size_limit(sys.maxsize)  # whole articles sit in one cell


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(f"not valid UTF-8 at byte {err.start}; re-save the file as UTF-8") from err


class _HtmlText(HTMLParser):
    """Visible text of a page, one block per line; script and style contents are dropped."""

    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "li", "tr", "article", "section", "title", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript", "template"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript", "template") and self._skip:
            self._skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")
        self._in_title = False

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_title:
            self.title += data
            return
        self.parts.append(data)

    def text(self) -> str:
        lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def html_to_article(ident: str, markup: str) -> Article:
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    text = parser.text()
    title = parser.title.strip()
    return Article(ident, f"{title}\n{text}" if title else text, title=title)


def _file_articles(path: Path) -> Iterator[Article]:
    ident = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        yield Article(ident, "", error=f"unsupported file type {suffix or '(none)'}; use .txt, .md, .html, .jsonl or .csv")
        return
    if suffix == ".jsonl":
        yield from _jsonl_articles(path)
        return
    try:
        text = _decode(path.read_bytes())
    except (OSError, ValueError) as err:
        yield Article(ident, "", error=f"{path}: {err}")
        return
    if suffix in HTML_SUFFIXES:
        yield html_to_article(ident, text)
    elif suffix == ".csv":
        yield from _csv_articles(path, text)
    else:
        first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        yield Article(ident, text, title=first_line[:200])


def _row_article(path: Path, line: int, row: dict) -> Article:
    ident = str(row.get("id") or f"{path}:{line}")
    text = row.get("text")
    if not isinstance(text, str):
        return Article(ident, "", error=f"{path}:{line}: no 'text' field")
    return Article(ident, text, title=str(row.get("title") or ""))


def _jsonl_articles(path: Path) -> Iterator[Article]:
    try:
        handle = path.open("rb")
    except OSError as err:
        yield Article(str(path), "", error=f"{path}: cannot open ({err.strerror})")
        return
    with handle:  # line by line, so a large file never sits in memory at once
        for line, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(_decode(raw))
                if not isinstance(row, dict):
                    raise ValueError("expected a JSON object with id, title, text")
            except ValueError as err:
                yield Article(f"{path}:{line}", "", error=f"{path}:{line}: unreadable row ({err})")
                continue
            yield _row_article(path, line, row)


def _csv_articles(path: Path, text: str) -> Iterator[Article]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    if "text" not in (reader.fieldnames or []):
        yield Article(str(path), "", error=f"{path}:1: CSV header lacks a 'text' column (expected id,title,text)")
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield Article(f"{path}:{reader.line_num}", "", error=f"{path}:{reader.line_num}: unparseable CSV row ({err})")
            continue
        if None in row or any(value is None for value in row.values()):
            yield Article(f"{path}:{reader.line_num}", "", error=f"{path}:{reader.line_num}: cell count does not match the header")
            continue
        yield _row_article(path, reader.line_num, row)


def expand(paths: Iterable[str | Path]) -> Iterator[Path]:
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            yield path


def read_articles(paths: Iterable[str | Path]) -> Iterator[Article]:
    """Articles from files and folders, in a stable order; a repeated id gets its own row with an error."""
    seen: dict[str, int] = {}
    for path in expand(paths):
        if not path.exists():
            yield Article(str(path), "", error=f"{path}: no such file or folder")
            continue
        for article in _file_articles(path):
            count = seen.get(article.id, 0) + 1
            seen[article.id] = count
            if count > 1:
                yield Article(f"{article.id}#{count}", "", title=article.title, error=f"duplicate id {article.id!r} (occurrence {count})")
            else:
                yield article
