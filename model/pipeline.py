"""The article pipeline: segment, attribute, classify (batched across articles), assign roles, score the gap."""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import Iterable, Iterator

from model.attribution import PREVIOUS_SPEAKER, holders
from model.classifier import FramingClassifier
from model.gap import gap_between, side_stance
from model.roles import AliasMatcher, assign_role, find_roles, load_alias_table
from model.segmentation import Sentence, load_spacy, segment_many

MAX_ARTICLE_CHARS = 1_000_000
ENGLISH_FUNCTION_WORDS = set("the of and to in a an is that for on with as by was said it at from has have be are were will not but this its their his her they he she".split())
ENGLISH_MIN_SHARE = 0.12  # English news runs at 0.3-0.45; other languages share only a few of these words


@dataclass
class Article:
    id: str
    text: str
    title: str = ""
    error: str | None = None  # set by readers when the input could not be read


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
    ) -> None:
        self.classifier = classifier
        self.nlp = nlp or load_spacy()
        self.alias_table = load_alias_table(aliases_file)
        self.envoy, self.counterpart = envoy, counterpart
        self.max_chars = max_chars
        self.articles_per_batch = articles_per_batch

    def analyze(self, articles: Iterable[Article], with_sentences: bool = False) -> Iterator[dict]:
        """One row per input article, in input order; `sentences` rows are attached when asked for."""
        articles = iter(articles)
        while chunk := list(islice(articles, self.articles_per_batch)):
            yield from self._analyze_chunk(chunk, with_sentences)

    def _analyze_chunk(self, chunk: list[Article], with_sentences: bool) -> list[dict]:
        problems = [input_problem(a, self.max_chars) for a in chunk]
        valid = [a for a, p in zip(chunk, problems) if p is None]
        segmented = dict(zip((a.id for a in valid), segment_many(self.nlp, (a.text for a in valid))))
        # One classifier call for the sentences of every article in the chunk keeps batches full.
        flat = [s.text for a in valid for s in segmented[a.id]]
        probabilities = self.classifier.predict_proba(flat)
        rows, cursor = [], 0
        for article, problem in zip(chunk, problems):
            if problem:
                rows.append(error_row(article, problem))
                continue
            sentences = segmented[article.id]
            rows.append(self._article_row(article, sentences, probabilities[cursor : cursor + len(sentences)], with_sentences))
            cursor += len(sentences)
        return rows

    def _article_row(self, article: Article, sentences: list[Sentence], probabilities, with_sentences: bool) -> dict:
        labels = self.classifier.labels
        if not sentences:
            return error_row(article, "no sentences found")
        roles = find_roles(sentences, self.alias_table, self.envoy, self.counterpart)
        matcher = AliasMatcher(roles.parties)
        sentence_holders, sentence_roles, previous = [], [], (None, "none")
        for sentence in sentences:
            candidates = [previous[0] if h == PREVIOUS_SPEAKER else h for h in holders(sentence.span)]
            candidates = [c for c in candidates if c]
            # The first candidate that speaks for a side decides; otherwise the most specific one.
            scored = [(c, assign_role(c, roles, matcher)) for c in candidates]
            holder, role = next((x for x in scored if x[1] in ("envoy", "counterpart")), scored[0] if scored else (None, "none"))
            sentence_holders.append(holder)
            sentence_roles.append(role)
            if holder:
                previous = (holder, role)
        envoy_idx = [i for i, r in enumerate(sentence_roles) if r == "envoy"]
        counterpart_idx = [i for i, r in enumerate(sentence_roles) if r == "counterpart"]
        envoy_stance = side_stance(probabilities, envoy_idx, labels)
        counterpart_stance = side_stance(probabilities, counterpart_idx, labels)
        envoy_name = roles.envoy.name if roles.envoy else "the envoy"
        counterpart_name = roles.counterpart.name if roles.counterpart else "the counterpart"
        gap = gap_between(envoy_stance, counterpart_stance, envoy_name, counterpart_name)
        if roles.note:
            gap.explanation = f"no gap: {roles.note}"

        def evidence(indices: list[int]) -> list[dict]:
            return [
                {
                    "text": sentences[i].text,
                    "start": sentences[i].start,
                    "end": sentences[i].end,
                    "holder": sentence_holders[i],
                    "label": labels[int(probabilities[i].argmax())],
                }
                for i in indices
            ]

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
            "evidence": {"envoy": evidence(envoy_stance.evidence), "counterpart": evidence(counterpart_stance.evidence)},
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
                    "holder": sentence_holders[i],
                    "role": sentence_roles[i],
                    "label": labels[int(probabilities[i].argmax())],
                    **{f"proba_{label}": round(float(p), 4) for label, p in zip(labels, probabilities[i])},
                }
                for i, s in enumerate(sentences)
            ]
        return row


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
