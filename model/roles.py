"""Who is the envoy, who is the counterpart, and which side each statement's holder speaks for.

Both are chosen for reasons the text gives (see `model/actors.py` for how the cast is found):
- envoy: the person the article gives a negotiating role (envoy, mediator, chief negotiator, special
  representative, ...), the strongest role and most mentioned first; an envoy known only by title is kept as such.
- counterpart: the party the envoy deals with, ranked on what the text says of each party ("envoy to X", X met or
  talked with beside the envoy, X in the envoy's own statements, statements by X's people, the headline, mentions) by
  a linear ranker learned on the project's articles (`counterpart_ranker.json`, `training/train_ranker.py`); never the
  envoy's own side. Analysts, experts, diplomats and mediators speak for no side.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from misread.model.actors import (
    GROUP_WORDS, PERSON_NOUNS, QUALIFIED_ROLES, ROLE_WEIGHTS, SPOKESPERSON_NOUNS, STATE_INSTITUTIONS, STATE_WORDS, THIRD_PARTY_NOUNS, Cast,
    RoleMention, build_cast,
    clause_subject, shares_stem, _has_word, _phrase_around, is_third_party,
)
from misread.model.attribution import BROKE_AWAY, attributed_speakers, speakers_by_sentence
from misread.model.segmentation import Sentence

ALIASES_FILE = Path(__file__).with_name("aliases.json")
# Go-betweens speak for no side: another mediator's words are never the counterpart's own.
MEDIATING_ROLES = {"envoy", "emissary", "mediator", "mediators", "facilitator", "moderator", "intermediary", "go-between"}
QUALIFIED_ROLE_NOUNS = set(QUALIFIED_ROLES)  # "special representative", "peace coordinator": go-betweens too
EARLY_ENVOY_BONUS, EARLY_SENTENCES = 2.0, 2  # the envoy whose reading a story reports is usually in its lede
# Words that put a party across the table from the envoy: "talks with X", "met X", "X's response to the envoy".
DEALING_WORDS = {"with", "meet", "met", "visit", "to", "urge", "press", "tell", "told", "between", "from", "answer",
                 "respond", "reply", "reject", "accept", "persuade", "engage", "negotiate", "talk", "host", "receive"}


@dataclass
class Choice:
    name: str
    aliases: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)  # why it was chosen

    def as_dict(self) -> dict:
        return {"name": self.name, "aliases": sorted(self.aliases), "evidence": self.evidence[:3]}


@dataclass
class Roles:
    envoy: Choice | None
    counterpart: Choice | None
    cast: Cast
    envoy_person: str | None = None  # key into cast.people; None for an envoy known only by title
    envoy_roles: set[str] = field(default_factory=set)
    envoy_side: set[str] = field(default_factory=set)  # party keys the envoy speaks for
    counterpart_key: str | None = None
    note: str = ""


def load_alias_table(extra: str | Path | None = None) -> dict[str, set[str]]:
    """Real parties' other names (capitals, irregular demonyms), extended by a user file of the same shape."""
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


def find_roles(
    sentences: Sequence[Sentence],
    table: dict[str, set[str]] | None = None,
    envoy: str | None = None,
    counterpart: str | None = None,
    statement_holders: Sequence[Sequence[str]] | None = None,
) -> Roles:
    """The envoy and the counterpart of one article; `statement_holders` are each sentence's attributed holders
    (found here when not given)."""
    if statement_holders is None:
        statement_holders = attributed_speakers(speakers_by_sentence(sentences))
    cast = build_cast(sentences, table)
    roles = Roles(None, None, cast)
    _choose_envoy(roles, sentences, envoy, statement_holders)
    if roles.envoy is None:
        roles.note = "no envoy found"
        return roles
    _choose_counterpart(roles, sentences, counterpart, statement_holders)
    if roles.counterpart is None:
        roles.note = "no counterpart found"
    return roles


def envoy_score(person) -> float:
    """Role strength, how often the article returns to the person, and whether the story opens with them."""
    return person.role_weight + 0.5 * person.mentions + (EARLY_ENVOY_BONUS if person.first <= EARLY_SENTENCES else 0.0)


def _choose_envoy(roles: Roles, sentences: Sequence[Sentence], given: str | None, statement_holders) -> None:
    cast = roles.cast
    if given:
        key = next((k for k, p in cast.people.items() if given == p.name or given in p.aliases), None)
        person = cast.people.get(key) if key else None
        roles.envoy_person = key
        roles.envoy = Choice(person.name if person else given, (person.aliases if person else {given}) | {given}, ["given by --envoy"])
    else:
        # A role that speaks before a name is given ("The bloc's mediator said ... '...,' Diabaté-Keita told
        # reporters") lends its role to that name, which then competes with the people named beside a role.
        linked: dict[str, RoleMention] = {}
        for mention in sorted(cast.role_mentions, key=lambda m: (m.headline, -ROLE_WEIGHTS[m.role], m.sentence)):
            key = _named_after(cast, mention, statement_holders)
            if key and key not in linked:
                linked[key] = mention
                _give_role(cast.people[key], mention)
        candidates = [(k, p) for k, p in cast.people.items() if p.role_weight > 0]
        # "Lunmark's lead negotiator, Sabeth Ilvarre" is named, but "Kessary's chief negotiator" on the other side is
        # a title the article introduces first and names nearby: that person competes too.
        near = _link_rival_titles(cast, candidates, sentences, statement_holders)
        candidates += [(k, cast.people[k]) for k in near if k not in dict(candidates)]
        if candidates:
            key, person = max(candidates, key=lambda kp: (envoy_score(kp[1]), -kp[1].first))
            roles.envoy_person = key
            why = [f"named after the role: {linked[key].phrase} said, then {person.name}"] if key in linked else []
            if key in near:
                why = [f"named beside the role: {near[key].phrase} (sentence {near[key].sentence + 1}), then {person.name}"]
            roles.envoy = Choice(person.name, set(person.aliases), why + [f"named as {phrase}" for phrase in person.role_phrases])
        elif cast.role_mentions:
            # Roles in the body first; a headline's "Church mediator hails..." only when the body names none.
            mention = min(cast.role_mentions, key=lambda m: (m.headline, -ROLE_WEIGHTS[m.role], m.sentence))
            # A story introduces its envoy where it first names the role; later "the mediator"s only refer back.
            first = min(cast.role_mentions, key=lambda m: (m.headline, m.sentence))
            key = _named_near(cast, first, sentences, statement_holders)
            if key:
                mention = first
                person = cast.people[key]
                person.roles[mention.role] += 1
                roles.envoy_person = key
                roles.envoy = Choice(person.name, set(person.aliases) | {mention.phrase},
                                     [f"named beside the role: {mention.phrase} (sentence {mention.sentence + 1}), then {person.name}"])
            else:
                roles.envoy = Choice(mention.phrase, {mention.phrase}, [f"named only by role: {mention.phrase}"])
                roles.envoy_roles = {mention.role}
                roles.envoy_side = set(mention.parties)
        else:
            return
    person = cast.people.get(roles.envoy_person) if roles.envoy_person else None
    if person:
        roles.envoy_roles = set(person.roles)
        roles.envoy_side = set(person.parties)
    # Title-only mentions of the envoy's role ("the mediator said") are the envoy too, and the side such a mention
    # names ("the European Union's special representative") is the envoy's own.
    # When the envoy is the only person the article gives a negotiating role, any go-between's title is the envoy's.
    sole_negotiator = person is not None and all(p is person or p.role_weight == 0 for p in cast.people.values())
    for mention in cast.role_mentions:
        if not mention.headline and (mention.role in roles.envoy_roles or not roles.envoy_roles
                                     or (sole_negotiator and mention.role in MEDIATING_ROLES | QUALIFIED_ROLE_NOUNS)):
            roles.envoy.aliases.add(mention.phrase)
            roles.envoy_side.update(mention.parties)
            roles.envoy_roles.add(mention.role)


def _give_role(person, mention: RoleMention) -> None:
    """A person linked to a title-only role takes the role, from where the title was first used."""
    person.roles[mention.role] += 1
    person.first = min(person.first, mention.sentence)


def _link_rival_titles(cast: Cast, candidates: list, sentences: Sequence[Sentence], statement_holders) -> dict[str, RoleMention]:
    """Title-only roles of a side no named role-holder belongs to, each linked (at its first mention) to the person
    introduced near it; the linked person takes the role."""
    named_sides = {party for _, person in candidates for party in person.parties}
    linked: dict[str, RoleMention] = {}
    sides_done: set[str] = set()
    for mention in sorted(cast.role_mentions, key=lambda m: m.sentence):
        side = frozenset(mention.parties)
        if mention.headline or not side or side & named_sides or side & sides_done:
            continue
        sides_done |= side
        key = _named_near(cast, mention, sentences, statement_holders)
        if key and key not in linked:
            linked[key] = mention
            _give_role(cast.people[key], mention)
    return linked


def _named_after(cast: Cast, mention, statement_holders, window: int = 2) -> str | None:
    """"The bloc's special envoy said on Monday ... '...,' Ludmila Ostrowska told reporters": a role that speaks
    without a name, then, within two sentences, a newly named speaker, not a spokesperson, whom the text ties to no
    side ("a retired judge" is fine) or to the role's own side ("the minister for territorial policy")."""
    if not mention.speaks or mention.headline:
        return None
    for index in range(mention.sentence, min(mention.sentence + window + 1, len(statement_holders))):
        for holder in statement_holders[index]:
            words = set(re.findall(r"[a-z-]+", holder.lower()))
            if words & SPOKESPERSON_NOUNS - {"minister"}:
                continue  # "foreign ministry spokeswoman X" speaks for a side, never as the go-between
            if index == mention.sentence and mention.role in words:
                continue  # the role's own phrase: "Kernevel's chief negotiator" names whose negotiator, not who
            for kind, key in cast.named_in(holder)[:1]:
                person = cast.people[key] if kind == "person" else None
                # A party named only beside the person ("a Danish diplomat") is a nationality, not a side.
                side = person.party if person and person.party and cast.parties[person.party].mentions > 1 else None
                if person and person.first >= mention.sentence and (side is None or side in mention.parties):
                    return key
    return None


# Who speaks in another capacity than a go-between's: a side's official or leader, or a commentator (envoys are
# often diplomats or former ombudsmen, so those stay).
OTHER_CAPACITY_NOUNS = ((PERSON_NOUNS - set(ROLE_WEIGHTS) - {"adviser", "advisor", "chief"})
                        | (THIRD_PARTY_NOUNS - {"diplomat", "diplomats", "ombudsman", "ombudswoman"})
                        | {"lecturer", "fellow", "lawmaker", "legislator", "senator", "mayor", "resident"})


def _named_near(cast: Cast, mention, sentences: Sequence[Sentence], statement_holders, reach: int = 4) -> str | None:
    """"The bloc's special representative said ... Nadir Oksvold, a hydrologist appointed in January, met ..." or
    "Few have spent as long on the file as Akech Manyiel. He has held the title of presidential envoy ...": a role
    that no name stands beside belongs to a person the text introduces near it (within four sentences and one
    paragraph: a quote may run on before its speaker is named) who is quoted, has no negotiating role of their
    own, is given no other capacity (an official, a leader, an analyst) and speaks for no side but the role's;
    of several, the one named nearest, as a sentence's subject rather than its object."""
    if mention.headline:
        return None
    text = " ".join(sentence.text for sentence in sentences)
    paragraph = sentences[mention.sentence].paragraph
    quoted = Counter(key for holders in statement_holders for holder in holders for kind, key in cast.named_in(holder)[:1] if kind == "person")
    nearest: dict[str, tuple[int, bool]] = {}
    other_capacity: set[str] = set()
    for index, sentence in enumerate(sentences):
        for entity in sentence.span.ents:
            for kind, key in cast.named_in(entity.text)[:1]:
                if kind != "person":
                    continue
                if {t.lower_ for t in _phrase_around(entity)} & OTHER_CAPACITY_NOUNS:
                    other_capacity.add(key)
                if abs(index - mention.sentence) <= reach and abs(sentence.paragraph - paragraph) <= 1:
                    place = (abs(index - mention.sentence), clause_subject(entity) is None)
                    nearest[key] = min(nearest.get(key, place), place)

    def free(key: str) -> bool:
        person = cast.people[key]
        side = person.party if person.party and cast.parties[person.party].mentions > 1 else None
        # News introduces a person by full name; a "person" only ever named by one word ("mediating between Arvandia
        # and Samkhari") is most often a place the tagger missed.
        in_full = " " in person.name or re.search(rf"\b[A-Z][\w'’-]+ {re.escape(person.name)}\b", text)
        # "Malawi" beside a "Malawian" party: a country the tagger took for a person.
        place = " " not in person.name and any(shares_stem(label, person.name) for party in cast.parties.values() for label in party.labels)
        introduced_here = person.first >= mention.sentence - reach
        return (person.role_weight == 0 and introduced_here and in_full and not place and key not in other_capacity
                and (side is None or side in mention.parties))

    candidates = [key for key in nearest if quoted[key] and free(key)]
    return min(candidates, key=lambda key: (nearest[key], -quoted[key], cast.people[key].first), default=None)


def _choose_counterpart(roles: Roles, sentences: Sequence[Sentence], given: str | None, statement_holders) -> None:
    cast = roles.cast
    if given:
        key = next((k for k, p in cast.parties.items() if given == p.name or given in p.aliases), None)
        roles.counterpart_key = key or given
        party = cast.parties.get(key) if key else None
        roles.counterpart = Choice(party.name if party else given, (party.aliases if party else set()) | {given}, ["given by --counterpart"])
        _add_spokespeople(roles)
        return
    candidates, reasons = counterpart_candidates(roles, sentences, statement_holders)
    ranker = load_ranker()
    scores = {key: ranker.score(features) for key, features in candidates.items()}
    if not scores or max(scores.values()) < ranker.null_score:
        return
    key = max(scores, key=lambda k: (scores[k], -cast.parties[k].first))
    party = cast.parties[key]
    roles.counterpart_key = key
    why = list(dict.fromkeys(reasons.get(key, [])))[:2] + [f"ranker score {scores[key]:+.1f} over {len(scores)} parties"]
    roles.counterpart = Choice(party.name, set(party.aliases), why)
    _add_spokespeople(roles)
    for index, found in enumerate(statement_holders):  # what the article calls it: "the Velorian leadership"
        roles.counterpart.aliases |= {h for h in found if len(h.split()) <= 5 and speaker_party(cast, h, index, roles.envoy_side) == key}


@dataclass(frozen=True)
class CounterpartRanker:
    """A linear score over each candidate's cues, learned on the project's articles (training/train_ranker.py): the
    highest-scoring party is the counterpart, unless none beats the score of "no counterpart"."""

    weights: dict[str, float]
    null_score: float

    def score(self, features: dict[str, float]) -> float:
        return sum(self.weights[name] * value for name, value in features.items())


RANKER_FILE = Path(__file__).with_name("counterpart_ranker.json")
# What the text says of a candidate party; every cue is read the same way for any article and any party.
COUNTERPART_FEATURES = (
    "target_hint",  # "envoy to X", for an envoy of a state
    "international_target",  # "UN envoy for X": where an international body's envoy works, not always whom it faces
    "dealing",  # X met, talked with, answered ... in a sentence naming the envoy
    "reading",  # X named in the envoy's own statements: the side whose stance the envoy reads
    "reading_subject",  # X the subject of a clause in the envoy's statement ("said X had shown flexibility")
    "statements",  # statements by X's people
    "log_mentions",
    "headline",  # named in the headline
    "lede",  # named in the first two sentences
    "group",  # a movement, armed group or body rather than a state
    "international",  # a body of states (UN, unions, leagues)
    "third_party",  # a commentators' institution (university, think tank)
)


@lru_cache(maxsize=1)
def load_ranker(path: Path = RANKER_FILE) -> CounterpartRanker:
    data = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(data["weights"]) ^ set(COUNTERPART_FEATURES)
    if unknown:
        raise ValueError(f"{path}: weights {sorted(unknown)} do not match the features roles.py computes; "
                         f"retrain with python training/train_ranker.py")
    return CounterpartRanker(data["weights"], data["null_score"])


def counterpart_candidates(roles: Roles, sentences: Sequence[Sentence], statement_holders) -> tuple[dict[str, dict[str, float]], dict[str, list[str]]]:
    """Each party that could sit across the table from the envoy (never the envoy's own side), with its cues and the
    sentences behind them."""
    cast = roles.cast
    counts: dict[str, Counter] = {key: Counter() for key in cast.parties}
    reasons: dict[str, list[str]] = {}
    person = cast.people.get(roles.envoy_person) if roles.envoy_person else None
    targets = Counter(person.targets) if person else Counter()
    for mention in cast.role_mentions:
        if mention.role in roles.envoy_roles:
            targets.update(mention.targets)
    international_envoy = any(cast.parties[k].international for k in roles.envoy_side if k in cast.parties)
    for key, count in targets.items():
        counts[key]["international_target" if international_envoy else "target_hint"] += count
        reasons.setdefault(key, []).append(f"envoy to {cast.parties[key].name}")
    envoy_pattern = _alias_pattern(roles.envoy.aliases)
    for index, sentence in enumerate(sentences):
        if envoy_pattern and envoy_pattern.search(sentence.text):
            for entity in sentence.span.ents:
                key = _party_key(cast, entity.text)
                if key and _dealt_with(entity):
                    counts[key]["dealing"] += 1
                    reasons.setdefault(key, []).append(f"dealt with beside the envoy: {sentence.text[:80]}")
        for holder in statement_holders[index] if index < len(statement_holders) else ():
            if assign_role(holder, roles, index) == "envoy":
                for kind, key in dict.fromkeys(cast.named_in(sentence.text.replace(holder, " "))):
                    if kind == "party":
                        counts[key]["reading"] += 1
                        reasons.setdefault(key, []).append(f"in the envoy's reading: {sentence.text[:80]}")
                for key in _clause_subjects(cast, sentence.span, holder):
                    counts[key]["reading_subject"] += 1
                continue
            key = speaker_party(cast, holder, index, roles.envoy_side)
            if key:
                counts[key]["statements"] += 1
                reasons.setdefault(key, []).append(f"speaks: {holder}")
    headline = {key for kind, key in cast.named_in(sentences[0].text) if kind == "party"} if sentences else set()
    lede = {key for s in sentences[: EARLY_SENTENCES + 1] for kind, key in cast.named_in(s.text) if kind == "party"}
    features = {}
    for key, party in cast.parties.items():
        if key in roles.envoy_side:
            continue
        row = {name: float(counts[key][name]) for name in COUNTERPART_FEATURES}
        row.update(log_mentions=math.log1p(party.mentions), headline=float(key in headline), lede=float(key in lede),
                   group=float(party.kind == "group"), international=float(party.international), third_party=float(party.third_party))
        features[key] = row
    return features, reasons


REPORTING_LEMMAS = {  # verbs of saying only: "X rejected" inside an envoy statement is still X as subject
   "say", "tell", "add", "note", "state", "insist", "warn", "stress", "describe", "report", "announce"}


def _clause_subjects(cast: Cast, span, holder: str) -> set[str]:
    """Parties that are the subject of a clause inside a statement ("... said the group had shown flexibility"), not
    the speaker of the reporting verb."""
    found = set()
    for entity in span.ents:
        if entity.text in holder:
            continue
        key = _party_key(cast, entity.text)
        token = clause_subject(entity)
        if key and token is not None and token.head.lemma_.lower() not in REPORTING_LEMMAS:
            found.add(key)
    return found


def _add_spokespeople(roles: Roles) -> None:
    for person in roles.cast.people.values():
        if person.party == roles.counterpart_key and person.name not in roles.envoy.aliases:
            roles.counterpart.aliases |= person.aliases


def _dealt_with(entity) -> bool:
    head = entity.root.head
    if head.dep_ == "prep" and head.head.lower_ in ROLE_WEIGHTS:
        return False  # "envoy to X" is already the target hint
    return head.lower_ in DEALING_WORDS or head.lemma_.lower() in DEALING_WORDS or (
        entity.root.dep_ in ("pobj", "dobj") and head.head.lemma_.lower() in DEALING_WORDS)


def _party_key(cast: Cast, text: str) -> str | None:
    return next((key for kind, key in cast.named_in(text) if kind == "party"), None)


def _alias_pattern(aliases: set[str]) -> re.Pattern | None:
    ordered = sorted((a for a in aliases if a), key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(map(re.escape, ordered)) + r")(?![\w])") if ordered else None


def speaker_party(cast: Cast, holder: str, sentence: int, exclude: set[str] = frozenset()) -> str | None:
    """The party a holder phrase speaks for: a person's party, the party the phrase is about ("Colombia's National
    Liberation Army" is the army, not Colombia), or the party a generic name ("the ministry", "the rebels") stands
    for. Analysts, experts, diplomats and mediators speak for no side."""
    if is_third_party(holder) or _has_mediating_role(holder):
        return None
    before, *broke_away = BROKE_AWAY.split(holder, maxsplit=1)
    if broke_away:  # "A splinter faction calling itself the Red Vanguard, which broke away from the Congress": not the Congress
        return next((key for kind, key in cast.named_in(before) if kind == "party"), None)
    party = _speaker_party(cast, holder, sentence, exclude)
    if party is None:
        return None
    # "An opposition lawmaker in Ostmir" speaks against that government, not for it (unless the party is itself
    # "the National Opposition Alliance"); "Chad's rebels" are not Chad.
    against = OPPONENT_WORDS | (REBEL_WORDS if cast.parties[party].kind == "state" else set())
    if _has_word(holder, against) and not _has_word(cast.parties[party].name, against):
        return None
    return party


OPPONENT_WORDS = {"opposition", "dissident", "dissidents", "exiled"}
REBEL_WORDS = {"rebel", "rebels", "insurgent", "insurgents", "separatist", "separatists"}


def _speaker_party(cast: Cast, holder: str, sentence: int, exclude: set[str]) -> str | None:
    named = cast.named_in(holder)
    for kind, key in named:
        if kind == "person" and cast.people[key].party:
            return cast.people[key].party
    parties = [key for kind, key in named if kind == "party"]
    if parties:
        last = parties[-1]
        alias = next((a for a in sorted(cast.parties[last].aliases, key=len, reverse=True) if a in holder), "")
        after = holder[holder.rfind(alias) + len(alias) :] if alias else holder  # the words after the party's name
        group_words = set(re.findall(r"[a-z]+", after.lower())) & (GROUP_WORDS - STATE_WORDS - STATE_INSTITUTIONS)  # not "Sudan's army"
        if cast.parties[last].kind == "state" and group_words:  # "Chad's rebel movement": the movement
            return cast.generic_party(" ".join(group_words), sentence, exclude=set(exclude) | {last}) or last
        return last
    return cast.generic_party(holder, sentence, exclude=exclude)


def _has_mediating_role(holder: str) -> bool:
    return bool(set(re.findall(r"[a-z-]+", holder.lower())) & MEDIATING_ROLES)


def assign_role(holder: str | None, roles: Roles | None, sentence: int = 0, attributed: bool = True) -> str:
    """envoy, counterpart, other (a holder speaking for someone else) or none (no holder found)."""
    if not holder:
        return "none"
    if roles is None or roles.envoy is None:
        return "other"
    cast = roles.cast
    named = cast.named_in(holder)
    people = [key for kind, key in named if kind == "person"]
    if roles.envoy_person and roles.envoy_person in people[:1]:
        return "envoy"
    if not people and mentions(holder, roles.envoy.aliases):
        return "envoy"
    # "The mediator said", "the Pakistani envoy said": a go-between's title, with no one but the envoy's own side named.
    role_words = set(re.findall(r"[a-z-]+", holder.lower())) & (roles.envoy_roles | MEDIATING_ROLES)
    if (not people and attributed and role_words and not re.match(r"(no|any|every|each)\b", holder.lower())
            and {key for kind, key in named} <= roles.envoy_side):
        return "envoy"
    party = speaker_party(cast, holder, sentence, roles.envoy_side)
    if roles.counterpart_key and party == roles.counterpart_key:
        return "counterpart"
    # "The Ministry of Communication", named without its country, is the government's: the counterpart's where the
    # counterpart is a state and the envoy speaks for none.
    counterpart = cast.parties.get(roles.counterpart_key) if roles.counterpart_key else None
    if (party and counterpart and _state_like(counterpart) and _unqualified_institution(cast.parties[party])
            and not any(cast.parties[k].kind == "state" for k in roles.envoy_side if k in cast.parties)):
        return "counterpart"
    return "other"


def _state_like(party) -> bool:
    """A state, or a party the tagger called an organisation whose names hold no group word and no acronym."""
    names = party.aliases | {party.name}
    return party.kind == "state" or not any(_has_word(n, GROUP_WORDS - STATE_WORDS) or (n.isupper() and len(n) > 1) for n in names)


# How a state body's name opens when no country word comes first ("Ministry of ...", "Foreign Office").
INSTITUTION_OPENERS = {"ministry", "foreign", "defence", "defense", "interior", "presidency", "office", "state", "the",
                       "department", "national", "presidential", "cabinet", "government"}


def _unqualified_institution(party) -> bool:
    """A state body named without its country ("Ministry of Communication", "the presidency")."""
    return party.kind == "state" and all(_has_word(alias, STATE_INSTITUTIONS) and alias.split()[0].lower() in INSTITUTION_OPENERS
                                         for alias in party.aliases | {party.name})


def mentions(text: str, aliases: set[str]) -> bool:
    return any(re.search(rf"(?<![\w]){re.escape(alias)}(?![\w])", text) for alias in aliases if alias)
