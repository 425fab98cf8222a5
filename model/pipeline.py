"""The article pipeline: segment, attribute, classify (batched across articles), assign roles, score the gap."""
from __future__ import annotations

import gc
import multiprocessing
import os
import re
import signal
from collections import deque
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Iterable, Iterator

import numpy as np

from misread.model.attribution import (
    PREVIOUS_SPEAKER, Holder, attributed_speakers, introduced_source, quote_open_at_start, speakers_by_sentence, speakers_words,
    stance_units, states_no_current_stance,
)
from misread.model.classifier import FramingClassifier
from misread.model.gap import as_own_words, check_side_labels, gap_between, side_stance
from misread.model.roles import assign_role, find_roles, load_alias_table, mentions
from misread.model.segmentation import Sentence, load_spacy, segment_many
from misread.model.settings import SETTINGS

MAX_ARTICLE_CHARS = 1_000_000
MAX_PARSE_PROCESSES = 4  # beyond this the classifier, not the parser, is what an analysis waits for
SIDES = ("envoy", "counterpart")
QUOTE_MARKS = ('"', "“", "'", "‘")
STATEMENT_HOLDER = re.compile(r"^(?:the|a|its|their|this|that|his|her)\s+(?:\w+\s+)?(?:statement|communiqu[eé]|declaration|letter|release|post|message|note)$", re.I)  # a bare subject ("X pressed on with ...") is weaker evidence of a stance than X's own words
ENGLISH_FUNCTION_WORDS = set("the of and to in a an is that for on with as by was said it at from has have be are were will not but this its their his her they he she".split())
ENGLISH_MIN_SHARE = 0.12  # English news runs at 0.3-0.45; other languages share only a few of these words


@dataclass
class Article:
    id: str
    text: str
    title: str = ""
    error: str | None = None  # set by readers when the input could not be read


_WORKER_ANALYZER: "ArticleAnalyzer | None" = None


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: the parent stops the workers, so they need not print tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _worker_attribute(texts: list[str]) -> list["ArticleAttribution"]:
    attributions = _WORKER_ANALYZER.attribute_texts(texts)
    for attribution in attributions:
        attribution.drop_parses()  # spaCy spans are not sent back: the parent needs only the text and offsets
    return attributions


def default_parse_processes() -> int:
    """One parser process per core this process may use, up to MAX_PARSE_PROCESSES."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_PARSE_PROCESSES, cores))


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(article: Article) -> Article:
    """Lone surrogates (from broken decoders) cannot be encoded; U+FFFD keeps every offset in place."""
    if LONE_SURROGATE.search(article.text):
        article = Article(article.id, LONE_SURROGATE.sub("\ufffd", article.text), article.title, article.error)
    return article


def input_problem(article: Article, max_chars: int = MAX_ARTICLE_CHARS) -> str | None:
    """Why an article cannot be analysed, or None. Every article still gets a row."""
    if article.error:
        return article.error
    text = article.text
    if len(text) > max_chars:
        return f"article is {len(text) / 1e6:.1f} MB of text, over the {max_chars / 1e6:.1f} MB limit (raise --max-chars)"
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return "no words to analyse (empty, or only punctuation and numbers)"
    if len(words) >= 12 and sum(w in ENGLISH_FUNCTION_WORDS for w in words) / len(words) < ENGLISH_MIN_SHARE:
        return "text does not look like English; the framing model is English-only"
    return None


class ArticleAnalyzer:
    def __init__(
        self,
        classifier: FramingClassifier,
        nlp=None,
        aliases_file: str | None = None,
        envoy: str | None = None,
        counterpart: str | None = None,
        max_chars: int = MAX_ARTICLE_CHARS,
        articles_per_batch: int = 16,
        parse_processes: int = 1,
    ) -> None:
        check_side_labels(classifier.labels)
        self.classifier = classifier
        self.nlp = nlp or load_spacy()
        self.alias_table = load_alias_table(aliases_file)
        self.envoy, self.counterpart = envoy, counterpart
        self.max_chars = max_chars
        self.articles_per_batch = articles_per_batch
        self.parse_processes = parse_processes

    def analyze(self, articles: Iterable[Article], with_sentences: bool = False) -> Iterator[dict]:
        """One row per input article, in input order; `sentences` rows are attached when asked for."""
        checked = ((article, input_problem(article, self.max_chars)) for article in map(replace_surrogates, articles))
        chunks = iter(lambda: list(islice(checked, self.articles_per_batch)), [])
        for chunk, attributed in self._attributed(chunks):
            yield from self._analyze_chunk(chunk, attributed, with_sentences)

    def attribute_texts(self, texts: list[str]) -> list["ArticleAttribution"]:
        """Parse and attribute articles: the parser's and the Python stages' work, what worker processes do."""
        return [self._attribute(sentences) for sentences in segment_many(self.nlp, texts)]

    def _attributed(self, chunks: Iterator[list]) -> Iterator[tuple[list, list["ArticleAttribution"]]]:
        """Each chunk with its valid articles' attributions. With several parse processes, workers forked from this
        one parse and attribute a few chunks ahead while this process classifies; the lookahead is bounded, so no
        more than a few chunks are ever waiting, however many articles come in."""
        def texts(chunk: list) -> list[str]:
            return [article.text for article, problem in chunk if problem is None]

        if self.parse_processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            for chunk in chunks:
                yield chunk, self.attribute_texts(texts(chunk))
            return
        global _WORKER_ANALYZER
        _WORKER_ANALYZER = self  # inherited by the forked workers, never pickled
        # Frozen objects are skipped by the workers' garbage collector, which would otherwise write to every inherited
        # object and so copy the parent's memory page by page into each worker.
        gc.freeze()
        pool = multiprocessing.get_context("fork").Pool(self.parse_processes, initializer=_ignore_interrupts)
        gc.unfreeze()
        with pool:
            pending: deque[tuple[list, multiprocessing.pool.AsyncResult]] = deque()
            for chunk in chunks:
                pending.append((chunk, pool.apply_async(_worker_attribute, (texts(chunk),))))
                if len(pending) >= 2 * self.parse_processes:
                    chunk, result = pending.popleft()
                    yield chunk, result.get()
            while pending:
                chunk, result = pending.popleft()
                yield chunk, result.get()

    def _analyze_chunk(self, chunk: list[tuple[Article, str | None]], attributed: list["ArticleAttribution"], with_sentences: bool) -> list[dict]:
        # One classifier call for the whole chunk keeps batches full. Only what a side said decides the gap, so the
        # other sentences are classified only when sentence rows are asked for.
        per_article = [attribution.texts() for attribution in attributed]
        texts = [text for article_texts in per_article for text in article_texts]
        offsets = np.cumsum([0] + [len(article_texts) for article_texts in per_article])
        needed = [offset + row for offset, article_texts, attribution in zip(offsets, per_article, attributed)
                  for row in (range(len(article_texts)) if with_sentences else attribution.statement_rows())]
        probabilities = np.full((len(texts), len(self.classifier.labels)), np.nan, dtype=np.float32)
        if needed:
            probabilities[needed] = self.classifier.predict_proba([texts[i] for i in needed])
        rows, cursor, next_valid = [], 0, iter(attributed)
        for article, problem in chunk:
            if problem:
                rows.append(error_row(article, problem))
                continue
            attribution = next(next_valid)
            count = len(attribution.texts())
            rows.append(self._article_row(article, attribution, probabilities[cursor : cursor + count], with_sentences))
            cursor += count
        return rows

    def _attribute(self, sentences: list[Sentence]) -> "ArticleAttribution":
        """Roles, each sentence's holder and role, and the statements (sentences or clauses) each side made."""
        sentence_holders = speakers_by_sentence(sentences)
        roles = find_roles(sentences, self.alias_table, self.envoy, self.counterpart, attributed_speakers(sentence_holders)) if sentences else None
        result = ArticleAttribution(sentences, roles)
        previous: tuple[str | None, str] = (None, "none")
        quote_open = quote_open_at_start(sentences)

        def names_actor(holder: str) -> bool:
            return roles is not None and bool(roles.cast.named_in(holder))

        def resolve(holder: Holder | None, index: int) -> tuple[str | None, str]:
            if holder is None:
                return None, "none"
            if holder.text == PREVIOUS_SPEAKER or STATEMENT_HOLDER.match(holder.text):
                return previous  # "he said", "the statement said": whoever spoke last
            return holder.text, assign_role(holder.text, roles, index, holder.attributed)

        for index, sentence in enumerate(sentences):
            candidates = [(resolve(h, index), h.attributed) for h in sentence_holders[index]]
            candidates = [(pair, attributed) for pair, attributed in candidates if pair[0]]
            if not candidates and sentence.text[:1] in QUOTE_MARKS and previous[0]:
                candidates = [(previous, True)]  # a quote standing alone goes on in the last speaker's voice
            # The speaker closest to the root decides ("the envoy said X officials had agreed" is the envoy's
            # reading); a bare grammatical subject gives way to any candidate that speaks for a side.
            if candidates and candidates[0][1]:
                chosen = candidates[0]
            else:
                chosen = next((c for c in candidates if c[0][1] in SIDES), candidates[0] if candidates else ((None, "none"), False))
            (holder, role), attributed = chosen
            result.sentence_holders.append(holder)
            result.sentence_roles.append(role)
            units = [(unit, resolve(unit.holder, index)) for unit in stance_units(sentence.span, quote_open[index])]
            unit_sides = {r for _, (_, r) in units if r in SIDES}
            if sentence.headline:
                pass  # a headline is the writer's summary of both sides, not either side's own words
            elif states_no_current_stance(sentence.span):
                pass  # silence ("X has said nothing") or a past act dated to an earlier year: no stance held now
            elif len(unit_sides) > 1 or (unit_sides and unit_sides != {role} and role in SIDES):
                # Different sides in one sentence: each side is judged on its own clause.
                for unit, (unit_holder, unit_role) in units:
                    # The main clause is quoted as the whole sentence; split-off clauses as themselves.
                    result.add_clause(index, unit, unit_holder, unit_role, unit.holder.attributed if unit.holder else False, unit.main)
            elif role in SIDES and attributed and (words := speakers_words(sentence.text)) != sentence.text:
                result.add_words(index, words, holder, role)
            elif role in SIDES:
                result.statements.append(Statement(index, None, sentence.text, sentence.start, sentence.end, holder, role, attributed))
            if holder and (attributed or role in SIDES or names_actor(holder)):
                # "But the substance was unchanged. '...,' the statement said": a bare subject that names no person
                # or party is not whom "he" or "the statement" goes back to.
                previous = (holder, role)
            if not attributed and (source := introduced_source(sentence.span)) and names_actor(source):
                previous = resolve(Holder(source, attributed=True), index)  # "... a statement released by X." '"...
        return result

    def _article_row(self, article: Article, attribution: "ArticleAttribution", probabilities, with_sentences: bool) -> dict:
        labels = self.classifier.labels
        sentences, roles = attribution.sentences, attribution.roles
        if not sentences:
            return error_row(article, "no sentences found")
        sentence_probabilities = probabilities[: len(sentences)]
        statement_probabilities = attribution.statement_probabilities(probabilities)

        def side(role: str):
            rows = [i for i, s in enumerate(attribution.statements) if s.role == role]
            attributed = np.array([attribution.statements[i].attributed for i in rows], dtype=bool)
            weights = np.where(attributed, 1.0, SETTINGS.unattributed_weight)
            if role == "envoy" and roles.counterpart:  # what the envoy says of the other side outweighs its own posture
                about = np.array([mentions(attribution.statements[i].text, roles.counterpart.aliases) for i in rows], dtype=bool)
                weights = weights * np.where(about, SETTINGS.envoy_reading_factor, 1.0)
            side_probabilities = statement_probabilities[rows].copy()
            side_probabilities[attributed] = as_own_words(side_probabilities[attributed], labels)
            stance = side_stance(side_probabilities, weights, labels)
            evidence = [
                {
                    "text": attribution.statements[rows[i]].text,
                    "start": attribution.statements[rows[i]].start,
                    "end": attribution.statements[rows[i]].end,
                    "holder": attribution.statements[rows[i]].holder,
                    "label": labels[int(side_probabilities[i].argmax())],
                }
                for i in stance.evidence
            ]
            return stance, evidence

        envoy_stance, envoy_evidence = side("envoy")
        counterpart_stance, counterpart_evidence = side("counterpart")
        envoy_name = roles.envoy.name if roles.envoy else "the envoy"
        counterpart_name = roles.counterpart.name if roles.counterpart else "the counterpart"
        gap = gap_between(envoy_stance, counterpart_stance, envoy_name, counterpart_name)
        if roles.note:
            gap.explanation = f"no gap: {roles.note}"
        row = {
            "id": article.id,
            "title": article.title or sentences[0].text[:120],
            "envoy": roles.envoy.as_dict() if roles.envoy else None,
            "counterpart": roles.counterpart.as_dict() if roles.counterpart else None,
            "note": roles.note,
            "envoy_stance": {"score": envoy_stance.score, "label": envoy_stance.label},
            "counterpart_stance": {"score": counterpart_stance.score, "label": counterpart_stance.label},
            "gap": gap.score,
            "misreading": gap.misreading,
            "confidence": round(gap.confidence, 4),
            "explanation": gap.explanation,
            "evidence": {"envoy": envoy_evidence, "counterpart": counterpart_evidence},
            "n_sentences": len(sentences),
            "error": None,
        }
        if with_sentences:
            row["sentences"] = [
                {
                    "article_id": article.id,
                    "index": i,
                    "text": s.text,
                    "start": s.start,
                    "end": s.end,
                    "paragraph": s.paragraph,
                    "holder": attribution.sentence_holders[i],
                    "role": attribution.sentence_roles[i],
                    "label": labels[int(sentence_probabilities[i].argmax())],
                    **{f"proba_{label}": round(float(p), 4) for label, p in zip(labels, sentence_probabilities[i])},
                }
                for i, s in enumerate(sentences)
            ]
        return row


@dataclass
class Statement:
    """What one side said: a whole sentence, or a clause split off a sentence that mixes sides."""

    sentence: int
    clause: int | None  # index into ArticleAttribution.clause_texts, None for a whole sentence
    text: str
    start: int
    end: int
    holder: str | None
    role: str
    attributed: bool


@dataclass
class ArticleAttribution:
    sentences: list[Sentence]
    roles: object
    sentence_holders: list[str | None] = field(default_factory=list)
    sentence_roles: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    clause_texts: list[str] = field(default_factory=list)

    def add_clause(self, sentence: int, unit, holder: str | None, role: str, attributed: bool, whole: bool) -> None:
        """A clause read on its own; its evidence quotes the article exactly (the whole sentence for a main clause)."""
        if role not in SIDES:
            return
        parent = self.sentences[sentence]
        if whole:
            start, end = parent.start, parent.end
        else:
            offset = parent.start - (parent.span.start_char + len(parent.span.text) - len(parent.span.text.lstrip()))
            start, end = unit.start + offset, unit.end + offset
        quote = parent.text[start - parent.start : end - parent.start]
        self.statements.append(Statement(sentence, len(self.clause_texts), quote, start, end, holder, role, attributed))
        self.clause_texts.append(unit.text)

    def add_words(self, sentence: int, words: str, holder: str | None, role: str) -> None:
        """An attributed sentence read without the writer's closing gloss: the leading part, quoted exactly."""
        parent = self.sentences[sentence]
        self.statements.append(Statement(sentence, len(self.clause_texts), words, parent.start, parent.start + len(words), holder, role, True))
        self.clause_texts.append(words)

    def drop_parses(self) -> None:
        self.sentences = [replace(sentence, span=None) for sentence in self.sentences]

    def texts(self) -> list[str]:
        """Sentences first, then split-off clauses: the order of rows in the probability matrix."""
        return [s.text for s in self.sentences] + self.clause_texts

    def statement_rows(self) -> list[int]:
        """Rows of `texts()` holding what each statement said."""
        return [s.sentence if s.clause is None else len(self.sentences) + s.clause for s in self.statements]

    def statement_probabilities(self, probabilities: np.ndarray) -> np.ndarray:
        rows = self.statement_rows()
        return probabilities[rows] if rows else np.zeros((0, probabilities.shape[1]))


def error_row(article: Article, problem: str) -> dict:
    return {
        "id": article.id,
        "title": article.title,
        "envoy": None,
        "counterpart": None,
        "misreading": False,
        "gap": None,
        "confidence": 0.0,
        "error": problem,
    }
