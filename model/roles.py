"""Who is the envoy, who is the counterpart, and which side each sentence's holder speaks for."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from model.attribution import noun_phrase
from model.segmentation import Sentence

ALIASES_FILE = Path(__file__).with_name("aliases.json")
ROLE_NOUNS = {"envoy", "ambassador", "negotiator", "mediator", "emissary", "representative", "intermediary", "go-between"}
# An envoy "to the UN" deals with its members, not with the organisation: no counterpart hint from these.
INTERNATIONAL_BODIES = {"United Nations", "European Union", "NATO"}
TITLE_WORDS = ROLE_NOUNS | {"special", "chief", "peace", "top", "senior", "president", "minister", "secretary", "general", "foreign"}


@dataclass
class Party:
    name: str
    aliases: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)  # the phrases that identified it

    def as_dict(self) -> dict:
        return {"name": self.name, "aliases": sorted(self.aliases), "evidence": self.evidence[:3]}


@dataclass
class Roles:
    envoy: Party | None
    counterpart: Party | None
    parties: dict[str, set[str]]  # every known party (counterpart included) with this article's aliases
    note: str = ""


def load_alias_table(extra: str | Path | None = None) -> dict[str, set[str]]:
    """The packaged table of parties and aliases, extended by a user file of the same shape."""
    table = {k: set(v) for k, v in json.loads(ALIASES_FILE.read_text()).items() if not k.startswith("_")}
    if extra:
        path = Path(extra)
        try:
            user = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"{path}: cannot read the aliases file ({err}); expected JSON like {{\"Russia\": [\"Kremlin\", \"Moscow\"]}}.") from err
        if not isinstance(user, dict) or not all(isinstance(v, list) for v in user.values()):
            raise ValueError(f"{path}: expected an object mapping each party to a list of aliases.")
        for party, aliases in user.items():
            table.setdefault(party, set()).update(aliases)
    return table


class AliasMatcher:
    """Finds, in a phrase, the first alias of any party (longest alias wins at one position)."""

    def __init__(self, table: dict[str, set[str]]):
        self.owner = {alias: party for party, aliases in table.items() for alias in aliases}
        ordered = sorted(self.owner, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, ordered)) + r")(?![\w])") if ordered else None

    def first(self, text: str) -> str | None:
        match = self.pattern.search(text) if self.pattern else None
        return self.owner[match.group(1)] if match else None

    def all(self, text: str) -> list[str]:
        return [self.owner[m.group(1)] for m in self.pattern.finditer(text)] if self.pattern else []


def _person_name(tokens) -> tuple[str, int] | None:
    """The PERSON entity in a phrase (weight 2), else its run of proper nouns (weight 1: NER sometimes tags a
    surname as ORG, but title-case headlines also make common words proper nouns)."""
    for token in tokens:
        if token.ent_type_ == "PERSON":
            entity = next(e for e in token.doc.ents if e.start <= token.i < e.end)
            return entity.text.removesuffix("'s").removesuffix("’s"), 2
    proper = [
        t
        for t in tokens
        if t.pos_ == "PROPN" and t.ent_type_ not in ("GPE", "NORP", "ORG") and t.text[:1].isupper() and t.lower_ not in TITLE_WORDS
    ]
    return (" ".join(t.text for t in proper), 1) if proper else None


def _role_phrases(sentences: Sequence[Sentence]):
    for sentence in sentences:
        for token in sentence.span:
            if token.lower_ in ROLE_NOUNS and not (token.lower_ == "representative" and "special" not in {c.lower_ for c in token.children}):
                # "envoy Steve Witkoff" (envoy is a compound of the name), "Witkoff, the envoy" (appos), "US envoy ..., John Witkoff"
                anchor = token.head if token.dep_ in ("compound", "appos") else token
                yield token, noun_phrase(anchor)


def find_roles(
    sentences: Sequence[Sentence],
    table: dict[str, set[str]],
    envoy: str | None = None,
    counterpart: str | None = None,
) -> Roles:
    matcher = AliasMatcher(table)
    parties = {name: set(aliases) for name, aliases in table.items()}

    # Envoy: people named next to a role noun; the most frequent wins. "envoy to Russia" hints the counterpart.
    names, sides, hinted, evidence, unnamed = Counter(), Counter(), Counter(), {}, Counter()
    for role_token, phrase in _role_phrases(sentences):
        found = _person_name(phrase)
        if found:
            name, weight = found
            names[name] += weight
            evidence.setdefault(name, []).append(" ".join(t.text for t in phrase))
        else:
            unnamed[" ".join(t.text for t in phrase if t.dep_ in ("amod", "compound") or t is role_token)] += 1
        for token in phrase:
            party = matcher.first(token.text) if token.dep_ in ("compound", "amod", "poss", "nmod") else None
            if party:
                sides[party] += 1
        for child in role_token.children:
            if child.dep_ == "prep" and child.lower_ == "to":
                for obj in child.children:
                    party = matcher.first(" ".join(t.text for t in noun_phrase(obj)))
                    if party and party not in INTERNATIONAL_BODIES:
                        hinted[party] += 1
    envoy_party = None
    if envoy:
        envoy_party = Party(envoy, {envoy, envoy.split()[-1]}, ["given by --envoy"])
    elif names:
        name = names.most_common(1)[0][0]
        envoy_party = Party(name, {name, name.split()[-1]}, evidence[name])
    elif unnamed:
        # "Ukraine's chief negotiator said ...": an envoy known only by role is still the envoy.
        title = unnamed.most_common(1)[0][0]
        envoy_party = Party(title, {title}, [f"named only by role: {title}"])
    envoy_side = sides.most_common(1)[0][0] if sides else None

    # Spokespeople and ministers speak for their party: "Kremlin spokesperson Dmitry Peskov" -> Peskov is Russia.
    for sentence in sentences:
        for entity in sentence.span.ents:
            if entity.label_ != "PERSON" or (envoy_party and entity.text in envoy_party.aliases):
                continue
            phrase_text = " ".join(t.text for t in noun_phrase(entity.root.head if entity.root.dep_ == "appos" else entity.root))
            party = matcher.first(phrase_text)
            if party and party != envoy_side:
                parties[party].update({entity.text, entity.text.split()[-1]})

    if envoy_party is None:
        return Roles(None, None, parties, note="no envoy found")

    # Counterpart: an explicit hint, else the party other than the envoy's own side that holds the most sentences.
    if counterpart:
        name = next((p for p, aliases in parties.items() if counterpart == p or counterpart in aliases), counterpart)
        parties.setdefault(name, {counterpart})
        chosen, why = name, ["given by --counterpart"]
    elif hinted:
        chosen = hinted.most_common(1)[0][0]
        why = [f"envoy to {chosen}"]
    else:
        article_matcher = AliasMatcher(parties)
        mentions = Counter(
            party for sentence in sentences for party in article_matcher.all(sentence.text) if party != envoy_side
        )
        if not mentions:
            return Roles(envoy_party, None, parties, note="no counterpart found")
        chosen = mentions.most_common(1)[0][0]
        why = [f"most mentioned party other than the envoy's side ({mentions[chosen]} mentions)"]
    counterpart_party = Party(chosen, parties[chosen], why)
    return Roles(envoy_party, counterpart_party, parties)


def assign_role(holder: str | None, roles: Roles, matcher: AliasMatcher) -> str:
    """envoy, counterpart, other (a holder speaking for someone else) or none (no holder found)."""
    if not holder:
        return "none"
    if roles.envoy and _mentions(holder, roles.envoy.aliases):
        return "envoy"
    party = matcher.first(holder)
    if roles.counterpart and party == roles.counterpart.name:
        return "counterpart"
    return "other"


def _mentions(text: str, aliases: set[str]) -> bool:
    return any(re.search(rf"(?<![\w]){re.escape(alias)}(?![\w])", text) for alias in aliases)
