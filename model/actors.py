"""Who is in an article, found from the article itself: people, the parties they speak for, and their other names.

Parties are spaCy entities (countries GPE, demonyms NORP, organisations ORG) merged by what the text shows:
a demonym and its country share a stem ("Velorian" / "Veloria"), an acronym spells an organisation's initials,
a ministry or army named with a country belongs to it. The packaged table (`aliases.json`: real capitals and
irregular demonyms such as "Kremlin" or "French") only merges names further; no party needs to be listed.
People are PERSON entities grouped by surname; the noun phrase around each mention says whom they speak for
("ministry spokeswoman Maren Tolvaj", "Tolvaj, a spokeswoman for the movement") and what role they hold
("chief mediator"). Generic names ("the government", "the rebels", "the ministry") are resolved to the party of
that kind mentioned last.
"""
from __future__ import annotations

from functools import lru_cache
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from misread.model.attribution import REPORTING_VERBS, SUBJECT_DEPS, phrase_text
from misread.model.segmentation import Sentence

PARTY_ENTITY_LABELS = {"GPE", "NORP", "ORG"}
BODY_WORDS = {"forum", "union", "bloc", "community", "league", "commission", "secretariat", "mission", "republic", "assembly"}
MONTHS_AND_DAYS = set(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
PERSON_TITLES = set("mr mrs ms dr sir president prime minister general gen col colonel lt commander sheikh".split())
# Negotiating roles and how strongly each marks the envoy; some count only with a qualifier.
ROLE_WEIGHTS = {
    "envoy": 3.0, "emissary": 3.0, "mediator": 3.0, "facilitator": 3.0, "moderator": 2.5, "intermediary": 2.5, "go-between": 2.5,
    "negotiator": 2.5, "representative": 2.0, "coordinator": 2.0, "commissioner": 2.0, "ambassador": 1.5,
    "adviser": 1.0, "advisor": 1.0,
}
ADVISER_QUALIFIERS = {"security", "special", "senior", "presidential", "peace"}
QUALIFIED_ROLES = {"representative": {"special", "personal", "high"}, "coordinator": {"special", "peace", "talks"},
                   "commissioner": {"peace", "high"}, "adviser": ADVISER_QUALIFIERS, "advisor": ADVISER_QUALIFIERS}
# Institutions that belong to the country named with them ("the Velorian foreign ministry").
STATE_INSTITUTIONS = {"ministry", "government", "army", "military", "presidency", "cabinet", "parliament", "office",
                      "department", "embassy", "administration", "navy", "police", "forces", "junta", "kremlin", "palace"}
# Words of a state's formal name: "the Korrasal Federation", "the Republic of Tarvonia" are the country.
STATE_NAME_WORDS = {"republic", "federation", "kingdom", "confederation", "emirate", "principality", "sultanate"}
# Generic names that stand for a party already named, by the kind of party they fit.
STATE_WORDS = {"government", "ministry", "authorities", "officials", "presidency", "cabinet", "junta", "administration",
               "regime", "capital", "state", "leadership", "palace", "delegation"}
GROUP_WORDS = {"rebels", "insurgents", "militants", "fighters", "group", "militia", "movement", "front", "alliance",
               "coalition", "separatists", "council", "army", "party", "faction", "organisation", "organization", "leadership", "delegation"}
GENERIC_PARTY_WORDS = STATE_WORDS | GROUP_WORDS
# Features of the land and water that name places ("Lake Malawi", "the Tillet Gorge"), never people.
PLACE_FEATURE_WORDS = {"lake", "river", "mount", "mountains", "gulf", "bay", "sea", "strait", "valley", "gorge", "plateau",
                       "island", "islands", "peninsula", "basin", "desert", "canal", "corridor"}
NOT_NAME_WORDS = GROUP_WORDS | STATE_INSTITUTIONS | BODY_WORDS | PLACE_FEATURE_WORDS  # a "name" holding one of these is no person's
# Bodies that send envoys and host talks but are rarely the side an envoy negotiates with.
INTERNATIONAL_BODY_WORDS = {"united nations", "union", "league", "forum", "organisation", "organization", "community",
                            "security council", "committee", "bank", "fund", "court", "agency", "bloc"}
INTERNATIONAL_ACRONYMS = {"UN", "U.N.", "EU", "AU", "NATO", "ECOWAS", "IGAD", "ASEAN", "OSCE", "ICRC", "SADC", "OAS", "ICC", "IAEA", "WHO", "OIC", "GCC", "UNHCR", "UNICEF", "WFP"}
# Speakers who comment on a conflict without being a side of it, and the bodies they work for.
THIRD_PARTY_NOUNS = {"analyst", "analysts", "expert", "experts", "researcher", "researchers", "professor", "scientist",
                     "scholar", "observer", "observers", "commentator", "diplomat", "diplomats", "investigator",
                     "investigators", "ombudsman", "ombudswoman", "economist", "historian", "academic", "lawyer"}
THIRD_PARTY_BODY_WORDS = {"university", "institute", "centre", "center", "studies", "foundation", "association",
                          "think tank", "crisis group", "watch", "amnesty", "red cross", "red crescent", "programme",
                          "college", "school", "academy", "newspaper", "agency"}
ACRONYM_SKIP = {"of", "for", "the", "and", "de", "du", "la", "le", "des", "in", "to"}
NAME_PARTICLES = {"al", "el", "bin", "ibn", "van", "von", "de", "da", "der", "abu", "ould", "wa"}


def normalise(text: str) -> str:
    text = re.sub(r"^(?:(?:But|And|Yet|So|Still|Then)\s+)?(?:the|The)\s+", "", text.strip())  # "But the Congress"
    return re.sub(r"['’]s?$", "", text).strip(" ,.;:\"'“”")


def looks_like_person(text: str) -> bool:
    """Dates, datelines and months are never people."""
    words = re.findall(r"[^\W\d_][\w'’.-]*", text)
    if not words or re.search(r"\d", text):
        return False
    if any(w.lower().strip(".") in MONTHS_AND_DAYS for w in words):
        return False
    if all(w.isupper() and len(w) > 1 for w in words):  # "NOUAKCHOTT -": a dateline
        return False
    return any(w[:1].isupper() for w in words)


def title_case(text: str) -> bool:
    words = re.findall(r"[^\W\d_]{4,}", text)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.6


def shares_stem(demonym: str, country: str) -> bool:
    """"Velorian" / "Veloria", "Sudanese" / "Sudan": the shorter word is (almost) a prefix of the longer one."""
    a, b = demonym.lower(), country.lower()
    if a == b or " " in a or " " in b:
        return False
    common = len(next((p for p in (a[:n] for n in range(min(len(a), len(b)), 0, -1)) if b.startswith(p)), ""))
    return common >= 4 and common >= min(len(a), len(b)) - 2


def acronym_of(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z][\w-]*", name) if w.lower() not in ACRONYM_SKIP).upper()


@lru_cache(maxsize=64)
def _words_pattern(words: frozenset[str]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\b")


def _has_word(text: str, words: set[str]) -> bool:
    """Whether any of the words occurs as a whole word: one compiled pattern per word set, as roles call this a lot."""
    return _words_pattern(frozenset(words)).search(text.lower()) is not None


@lru_cache(maxsize=4096)
def is_international_body(name: str) -> bool:
    return name.rstrip(".") in {a.rstrip(".") for a in INTERNATIONAL_ACRONYMS} or _has_word(name, INTERNATIONAL_BODY_WORDS)


def head_noun(name: str) -> str:
    """The noun a group's name is about, by which the article may call it again: "Council of the Eastern Provinces"
    -> "council", "Victims' Common Platform" -> "platform"."""
    words = re.findall(r"[\w'’-]+", name.split(" of ")[0].lower())
    return words[-1] if words else ""


def is_third_party(text: str) -> bool:
    """Analysts, experts, diplomats, think tanks and universities comment on a conflict; they are not a side."""
    return _has_word(text, THIRD_PARTY_NOUNS | THIRD_PARTY_BODY_WORDS)


@dataclass
class Party:
    name: str
    aliases: set[str] = field(default_factory=set)
    kind: str = "state"  # state (a country, its capital or institutions) or group (a movement, body, armed group)
    labels: dict[str, str] = field(default_factory=dict)  # entity label each name was tagged with
    mentions: int = 0
    first: int = 10**6  # index of the first sentence that names it
    subject_of: list[int] = field(default_factory=list)  # sentences where it is a clause's subject

    @property
    def international(self) -> bool:
        return any(is_international_body(alias) for alias in self.aliases | {self.name})

    @property
    def third_party(self) -> bool:
        return any(_has_word(alias, THIRD_PARTY_BODY_WORDS) for alias in self.aliases | {self.name})


@dataclass
class Person:
    name: str
    aliases: set[str] = field(default_factory=set)
    parties: Counter = field(default_factory=Counter)  # whom the person speaks for, by evidence count
    targets: Counter = field(default_factory=Counter)  # parties a role points at: "envoy to X", "mediator for X"
    roles: Counter = field(default_factory=Counter)  # negotiating role nouns met beside the person
    role_phrases: list[str] = field(default_factory=list)
    mentions: int = 0
    first: int = 10**6
    described: bool = False  # the text gives the person a title or job other than a negotiating role

    @property
    def party(self) -> str | None:
        return self.parties.most_common(1)[0][0] if self.parties else None

    @property
    def role_weight(self) -> float:
        return max((ROLE_WEIGHTS[r] for r in self.roles), default=0.0)


@dataclass
class RoleMention:
    """A negotiating role named without a person ("the bloc's chief mediator said ...")."""

    role: str
    phrase: str
    sentence: int
    parties: list[str]  # the side it speaks for ("the bloc's mediator")
    targets: list[str]  # the party it is sent to ("the envoy to X")
    headline: bool = False  # named in the headline, where the body may name the person
    speaks: bool = False  # the subject of a reporting verb: "the bloc's special envoy said ..."


@dataclass
class Cast:
    people: dict[str, Person]
    parties: dict[str, Party]
    role_mentions: list[RoleMention]
    party_mentions: list[tuple[int, str]]  # (sentence index, party key), in reading order
    pattern: re.Pattern | None = None
    owner: dict[str, tuple[str, str]] = field(default_factory=dict)  # alias -> ("person" | "party", key)

    def index(self) -> None:
        """Every name an actor goes by, longest first, for matching inside holder phrases."""
        self.owner = {}
        for key, party in self.parties.items():
            for alias in party.aliases | {party.name}:
                self.owner.setdefault(alias, ("party", key))
        for key, person in self.people.items():  # people after parties: a surname never hides a country
            for alias in person.aliases | {person.name}:
                self.owner[alias] = ("person", key)
        ordered = sorted(self.owner, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, ordered)) + r")(?![\w])") if ordered else None

    def named_in(self, text: str) -> list[tuple[str, str]]:
        """Actors named in a phrase, in order: ("person" | "party", key)."""
        return [self.owner[m.group(1)] for m in self.pattern.finditer(text)] if self.pattern else []

    def generic_party(self, text: str, sentence: int, exclude: set[str] = frozenset()) -> str | None:
        """The party a generic name ("the rebels", "the ministry") stands for: the last one of its kind named; or the
        group a phrase calls by its name's head noun ("the platform's spokeswoman")."""
        words = set(re.findall(r"[a-z]+", text.lower()))
        generic = words & GENERIC_PARTY_WORDS
        if not generic:
            return next((key for key, party in self.parties.items() if key not in exclude and party.kind == "group"
                         and re.search(rf"\bthe {re.escape(head_noun(party.name))}\b", text.lower())), None)
        # A party whose own name holds the word ("the movement" -> "Freedom Movement") wins outright.
        for key, party in self.parties.items():
            if key not in exclude and generic & set(re.findall(r"[a-z]+", party.name.lower())):
                return key
        kinds = {"state"} if generic <= STATE_WORDS - GROUP_WORDS else {"group"} if generic <= GROUP_WORDS - STATE_WORDS else {"state", "group"}
        # The party the last two sentences were about (their subject) before any party merely named there.
        fits = {key for key, party in self.parties.items() if key not in exclude and party.kind in kinds and not party.international}
        topical = [(max(i for i in self.parties[key].subject_of if i <= sentence), key) for key in fits
                   if any(sentence - 2 <= i <= sentence for i in self.parties[key].subject_of)]
        if topical:
            return max(topical)[1]
        for index, key in reversed(self.party_mentions):
            if index <= sentence and key not in exclude and self.parties[key].kind in kinds and not self.parties[key].international:
                return key
        return None


def _merge_key(surface: str, label: str, keys: dict[str, str], table_owner: dict[str, str], parties: dict[str, Party]) -> str:
    """The party a surface form belongs to: the packaged table, then stems, acronyms and institutions."""
    if surface in keys:
        return keys[surface]
    if surface in table_owner:
        return table_owner[surface]
    for key, party in parties.items():
        names = party.aliases | {party.name}
        if any(shares_stem(surface, name) for name in names):
            return key
        if surface.isupper() and 2 <= len(surface) <= 6 and any(acronym_of(n) == surface for n in names if len(n.split()) > 1):
            return key
        if len(surface.split()) > 1 and any(n.isupper() and acronym_of(surface) == n for n in names):
            return key
    words = surface.split()
    lowered = {w.lower() for w in words}
    if label in ("ORG", "GPE") and len(words) > 1 and lowered & (STATE_INSTITUTIONS | STATE_NAME_WORDS):
        # "Velorian Foreign Ministry" belongs to the party its country word names; "the Korrasal Federation" is
        # Korrasal, even where the tagger called the bare name an organisation.
        for word in words:
            for key, party in parties.items():
                if ((party.kind == "state" or lowered & STATE_NAME_WORDS)
                        and (word in party.aliases or any(shares_stem(word, n) for n in party.aliases))):
                    if lowered & STATE_NAME_WORDS:
                        party.kind = "state"
                    return key
    return surface


def build_cast(sentences: Sequence[Sentence], table: dict[str, set[str]] | None = None) -> Cast:
    """Parties, then people, then roles named without a person; last, "parties" that are only a person's name."""
    entities = _party_entities(sentences)
    cast = Cast({}, _find_parties(entities, table or {}), [], [])
    cast.party_mentions[:] = _party_mentions(entities, cast.parties)
    cast.index()
    _find_people(sentences, cast)
    _find_first_person_speakers(sentences, cast)
    _find_unnamed_roles(sentences, cast)
    _drop_parties_that_are_people(cast)
    cast.index()
    return cast


def _party_entities(sentences: Sequence[Sentence]) -> list[tuple[int, object]]:
    """Party entities with their sentence index. A title-case headline makes the tagger join common words to names
    ("Talks With Tehran Point to a Thaw"): names seen only in such a line are left out."""
    entities = [(i, e) for i, s in enumerate(sentences) for e in s.span.ents if e.label_ in PARTY_ENTITY_LABELS]
    entities += _unlabelled_groups(sentences, {normalise(e.text) for _, e in entities})
    entities += _places_tagged_as_people(sentences)
    in_running_text = {normalise(e.text) for i, e in entities if not title_case(sentences[i].text)}
    return [(i, e) for i, e in entities if normalise(e.text) in in_running_text]


def _find_parties(entities: list[tuple[int, object]], table: dict[str, set[str]]) -> dict[str, Party]:
    """Countries before organisations, so that "Velorian Foreign Ministry" finds Veloria."""
    table_owner = {alias: party for party, aliases in table.items() for alias in aliases}
    parties: dict[str, Party] = {}
    keys: dict[str, str] = {}
    for label_order in (("GPE", "NORP"), ("ORG",)):
        for _, entity in entities:
            if entity.label_ not in label_order:
                continue
            surface = normalise(entity.text)
            if (not surface or not surface[:1].isupper() or any(w.lower() in MONTHS_AND_DAYS for w in surface.split())
                    or re.search(r"-[a-z]+$", surface) or _titled_person(entity)):
                continue  # "Kedarumi-brokered" is a modifier; "spokesperson Faraja Mushi" is a person
            key = _merge_key(surface, entity.label_, keys, table_owner, parties)
            # "Velorian Foreign Ministry" is a state's; a named force of its own ("Arakan Army") is a group.
            kind = "state" if entity.label_ in ("GPE", "NORP") or {w.lower() for w in surface.split()} & (STATE_INSTITUTIONS - GROUP_WORDS) else "group"
            party = parties.setdefault(key, Party(key, kind=kind))
            if entity.label_ == "GPE" and party.kind == "group":
                party.kind = "state"
            party.aliases.add(surface)
            party.labels[surface] = entity.label_
            keys[surface] = key
    _merge_head_nouns(parties)
    for key, party in parties.items():  # the packaged table's other names for a real party, where it has one
        if key in table:
            party.aliases |= {a for a in table[key] if " " in a or a[:1].isupper()}
    # A party's best name: a country over its demonym, the longest organisation name over its acronym.
    preference = {"GPE": 2, "ORG": 1, "NORP": 0}
    for party in parties.values():
        if party.name not in table:
            named = [a for a in party.labels if not a.isupper()] or list(party.labels)
            party.name = max(named, key=lambda a: (preference[party.labels[a]], len(a)))
    return parties


def _merge_head_nouns(parties: dict[str, Party]) -> None:
    """"The Congress" tagged on its own is the "Mountain Peoples' Congress" named in full, when exactly one group's
    name ends in that noun ("the Federation" is a state's: the Korrasal Federation)."""
    for key in [k for k, p in parties.items() if p.kind == "group" and all(" " not in a and not a.isupper() for a in p.labels)]:
        owners = [other for other, party in parties.items() if other != key
                  and (party.kind == "group" or key.lower() in STATE_NAME_WORDS)  # "the Federation": the Korrasal Federation
                  and any(" " in name and head_noun(name) == key.lower() for name in party.labels)]
        if len(owners) == 1:
            target, merged = parties[owners[0]], parties.pop(key)
            target.aliases |= merged.aliases
            target.labels.update(merged.labels)


def _party_mentions(entities: list[tuple[int, object]], parties: dict[str, Party]) -> list[tuple[int, str]]:
    """(sentence index, party key) in reading order, for recency; counts and first mentions on the way."""
    owner = {alias: key for key, party in parties.items() for alias in party.labels}
    mentions = []
    for index, entity in entities:
        key = owner.get(normalise(entity.text))
        if key:
            parties[key].mentions += 1
            parties[key].first = min(parties[key].first, index)
            mentions.append((index, key))
            if _is_subject(entity):
                parties[key].subject_of.append(index)
    return mentions


def clause_subject(entity):
    """The subject token the entity heads ("The Arakan Army, which ..., gave a different account"), or None."""
    token = getattr(entity, "root", None)  # groups found without a tag carry no parse
    if token is None:
        return None
    while token.dep_ in ("compound", "poss", "amod") and token.head.i != token.i:
        token = token.head
    return token if token.dep_ in SUBJECT_DEPS else None


def _is_subject(entity) -> bool:
    return clause_subject(entity) is not None


def _add_person(people: dict[str, Person], name: str, index: int) -> Person:
    """The person a name belongs to (grouped by surname), with this mention counted."""
    surname = _surname(name)
    person = people.get(surname) or next((p for p in people.values() if surname in p.aliases), None)
    if person is None:
        person = people.setdefault(surname, Person(name))
    if len(name) > len(person.name):
        person.name = name
    person.aliases |= {name, surname}
    person.mentions += 1
    person.first = min(person.first, index)
    return person


def _add_role(person: Person, role: str, phrase: str) -> None:
    person.roles[role] += 1
    person.role_phrases.append(phrase)


def _parties_named(cast: Cast, tokens) -> list[str]:
    return [key for kind, key in cast.named_in(" ".join(t.text for t in tokens)) if kind == "party"]


def _find_people(sentences: Sequence[Sentence], cast: Cast) -> None:
    """PERSON entities grouped by surname, with the parties and roles their noun phrases name. A name seen only in a
    title-case headline, a party's name, or a place after "in" / "at" is not a person (datelines are never parsed)."""
    person_entities = [(i, e) for i, s in enumerate(sentences) for e in s.span.ents if e.label_ == "PERSON"]
    in_running_text = {normalise(e.text) for i, e in person_entities if not title_case(sentences[i].text)}
    party_names = {alias for party in cast.parties.values() for alias in party.labels}
    for index, entity in person_entities:
        name = _strip_titles(normalise(entity.text))
        words = {w.lower() for w in name.split()}
        if (not looks_like_person(name) or name in party_names or normalise(entity.text) not in in_running_text
                or {w for w in words if w[:1].isalpha()} & NOT_NAME_WORDS
                or any(w.isupper() and len(w) > 1 for w in name.split())  # "AU High Representative"
                or name.split()[-1][:1].islower()  # "the Synod minister": a description; surnames are capitalised
                or (entity.root.dep_ == "compound" and entity.root.head.pos_ == "NOUN")  # "the Ravna basin"
                or (entity.root.dep_ == "pobj" and entity.root.head.lower_ in ("in", "at"))):
            continue
        person = _add_person(cast.people, name, index)
        phrase = _phrase_around(entity)
        target_tokens = _target_tokens(phrase)
        targeted = {t.i for t in target_tokens}
        # "Kernevel's chief negotiator", "the envoy for the Lagvazeti conflict": the role's side or target, not its holder.
        holds_role = entity.root.i not in targeted and not (entity.root.dep_ == "poss" and _role_of(entity.root.head))
        for role in (_roles_in(phrase) if holds_role else []) + _roles_in_relative_clause(entity):
            _add_role(person, role, phrase_text(phrase))
        person.described |= any(t.pos_ == "NOUN" and t.lower_ not in ROLE_WEIGHTS for t in phrase) or any(
            t.lower_.strip(".") in PERSON_TITLES for t in phrase)
        person.targets.update(_parties_named(cast, target_tokens))
        # "X, who was sent to win over the rebels": whom a clause about the person acts on is not the person's side.
        acted_on = {x.i for t in phrase if t.dep_ in ("relcl", "acl") for o in t.subtree
                    if o.dep_ == "dobj" or (o.dep_ == "pobj" and o.head.lower_ not in SIDE_PREPOSITIONS) for x in o.subtree}
        context = [t for t in phrase if not entity.start <= t.i < entity.end and t.i not in targeted and t.i not in acted_on]
        named = _parties_named(cast, context)
        for key in named or filter(None, [cast.generic_party(" ".join(t.text for t in context), index)]):
            person.parties[key] += 1
        if not person.parties and any(t.lower_ in SPOKESPERSON_NOUNS for t in context):
            # "The ministry struck a different tone. Spokesman X told ...": an official of no named party speaks for
            # the party the sentence before was about (its subject), or else named last.
            before = [key for i, key in cast.party_mentions if i == index - 1 and not cast.parties[key].international]
            topic = [key for key in before if index - 1 in cast.parties[key].subject_of]
            if before:
                person.parties[(topic or before)[-1]] += 1


FIRST_PERSON_SINGULAR = {"i", "me", "my", "myself"}
QUOTE_REACH = 3  # sentences either side in which a quote's first-person words still count


def _find_first_person_speakers(sentences: Sequence[Sentence], cast: Cast) -> None:
    """'"I came away optimistic," Rosaura Quispe Mamani said': whoever says "I" in a quote is a person, even where the
    tagger calls the name a place, an organisation or a title."""
    known = {alias for person in cast.people.values() for alias in person.aliases}
    quoting = [any(q in s.text for q in ('"', "“", "”")) for s in sentences]
    first_person = [q and any(t.lower_ in FIRST_PERSON_SINGULAR for t in s.span) for q, s in zip(quoting, sentences)]
    for index, sentence in enumerate(sentences):
        # The "I" may sit in another sentence of the same quote ('"I cannot go on. ... ," X said').
        nearby = first_person[max(0, index - QUOTE_REACH) : index + QUOTE_REACH + 1]
        if not quoting[index] or not any(nearby):
            continue
        for token in sentence.span:
            if token.dep_ != "nsubj" or token.pos_ != "PROPN" or token.head.lemma_.lower() not in REPORTING_VERBS:
                continue
            run = [t for t in token.lefts if t.dep_ == "compound" and t.pos_ == "PROPN"] + [token]
            name = _strip_titles(token.doc[run[0].i : token.i + 1].text)
            words = {w.lower() for w in name.split()}
            if (len(run) >= 2 and name not in known and looks_like_person(name)
                    and not words & (NOT_NAME_WORDS | set(ROLE_WEIGHTS))):
                _add_person(cast.people, name, index)


def _find_unnamed_roles(sentences: Sequence[Sentence], cast: Cast) -> None:
    """Roles named without a tagged person: "the bloc's chief mediator", "the envoy"."""
    people = cast.people
    for index, sentence in enumerate(sentences):
        in_headline = sentence.headline or title_case(sentence.text)
        for token in sentence.span:
            role = _role_of(token)
            if role is None or token.ent_type_ == "PERSON":
                continue
            phrase = _phrase_around(token)
            target_tokens = _target_tokens(phrase)
            targeted = {t.i for t in target_tokens}
            own = [t for t in phrase if t.i not in targeted]  # a name in "envoy for X" is where the role works
            possessor = {x.i for child in token.children if child.dep_ == "poss" for x in child.subtree}
            if any(t.ent_type_ == "PERSON" and t.i not in possessor for t in own):
                continue  # the role of a tagged person; "Kernevel's negotiator" names only whose negotiator it is
            text = phrase_text(phrase)
            # "the bloc's high representative for the region, Kwame Asante, said": the parser often hangs the name
            # elsewhere, but a name right after the role's phrase and a comma is the role's holder.
            after = token.right_edge.i + 1
            while after < sentence.span.end and token.doc[after].is_punct:
                after += 1
            following = token.doc[after] if after < sentence.span.end and after > token.right_edge.i + 1 else None
            holder = next((p for p in people.values() if following is not None and following.ent_type_ == "PERSON"
                           and following.text in {w for a in p.aliases for w in a.split()}), None)
            # Whom the role is sent to is never its holder ("the envoy for the Lagvazeti conflict"), but a name in
            # apposition after it is ("the envoy for Venezuela, Richard Calloway": the parser hangs it on the target).
            apposed = {x.i for t in target_tokens if t.dep_ == "appos" for x in t.subtree}
            holder_text = phrase_text([t for t in phrase if (t.i not in targeted or t.i in apposed) and t.i not in possessor])
            holder = holder or next((p for p in people.values() if any(re.search(rf"(?<!\w){re.escape(a)}(?!\w)", holder_text) for a in p.aliases)), None)
            sides = _parties_named(cast, [t for t in own if t.i < token.i])  # "the bloc's mediator", "EU envoy"
            name = None if holder else _untagged_name([t for t in own if t.i not in possessor])
            if holder or name:
                # "Aalbers, a former ambassador": the role of a person already known; "facilitator Yann-Ber Kerhervé",
                # tagged as a product: a name beside a role is a person. "X, Castamar's chief negotiator" speaks for
                # Castamar where nothing else has said whom X speaks for.
                person = holder or _add_person(people, name, index)
                _add_role(person, role, text)
                if not person.parties:
                    person.parties.update(sides)
                continue
            cast.role_mentions.append(RoleMention(
                role, POSSESSIVE_END.sub("", text), index,  # "the envoy's visit": the role is "the envoy"
                parties=sides,
                targets=_parties_named(cast, target_tokens),
                headline=in_headline,
                speaks=token.dep_ == "nsubj" and token.head.lemma_.lower() in REPORTING_VERBS,
            ))


POSSESSIVE_END = re.compile(r"\s*['’]s?$")


def _drop_parties_that_are_people(cast: Cast) -> None:
    """A "party" that is only a person's name, tagged as an organisation somewhere, is that person."""
    person_names = {alias for person in cast.people.values() for alias in person.aliases}
    for key in [k for k, party in cast.parties.items() if party.aliases <= person_names or any(k in name.split() for name in person_names)]:
        del cast.parties[key]
    cast.party_mentions[:] = [(i, k) for i, k in cast.party_mentions if k in cast.parties]
    for person in cast.people.values():
        for counter in (person.parties, person.targets):
            for key in [k for k in counter if k not in cast.parties]:
                del counter[key]
    for mention in cast.role_mentions:
        mention.parties[:] = [k for k in mention.parties if k in cast.parties]
        mention.targets[:] = [k for k in mention.targets if k in cast.parties]


NOT_PERSON_LABELS = {"GPE", "NORP", "ORG", "DATE", "TIME", "LOC", "FAC", "EVENT", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "LAW", "LANGUAGE"}


def _untagged_name(phrase) -> str | None:
    """A run of two or more capitalised proper nouns, none tagged as a place, group or date."""
    runs, current = [], []
    for token in phrase:
        if token.pos_ == "PROPN" and token.text[:1].isupper() and token.ent_type_ not in NOT_PERSON_LABELS and token.lower_ not in ROLE_WEIGHTS:
            current.append(token)
        else:
            runs.append(current)
            current = []
    runs.append(current)
    names = [_strip_titles(phrase_text(run)) for run in runs if len(run) >= 2]
    return next((name for name in names if looks_like_person(name) and len(name.split()) >= 2), None)


@dataclass
class _NamedGroup:
    """A group the tagger missed ("the Tekohu Self-Determination Front"), in the shape of a spaCy entity."""

    text: str
    label_: str = "ORG"


GROUP_NAME = re.compile(
    r"\b((?:[A-Z][\w'’-]*\s+){0,5}(?:(?:of|for|the|and|de|del|la|du)\s+(?:[A-Z][\w'’-]*\s+){0,3})?"
    r"(?:Front|Movement|Army|Council|Alliance|Coalition|Party|Forces|Brigades?|Organi[sz]ation|Platform|Congress|"
    r"Militia|Guard|Assembly|Committee)(?:\s+(?:of|for)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s*){1,3})?)")


def _unlabelled_groups(sentences: Sequence[Sentence], known: set[str]) -> list[tuple[int, _NamedGroup]]:
    """Capitalised names ending in Front, Movement, Army, Council... that no entity covers."""
    found = []
    for index, sentence in enumerate(sentences):
        if sentence.headline or title_case(sentence.text):
            continue
        for match in GROUP_NAME.finditer(sentence.text):
            name = normalise(match.group(1))
            if len(name.split()) >= 2 and name[:1].isupper() and not any(name in k for k in known):
                found.append((index, _NamedGroup(name)))
    return found


# Nouns that only a place or a state owns: "the Lunmark capital", "Lunmark's ministry", "Lunmark officials".
TERRITORY_NOUNS = {"capital", "ministry", "army", "forces", "embassy", "delegation", "officials", "authorities", "territory", "border"}


def _places_tagged_as_people(sentences: Sequence[Sentence]) -> list[tuple[int, object]]:
    """One-word "people" the tagger made of an invented country: never given a first name, and somewhere owning what
    only a state owns ("the Lunmark capital", "Lunmark's ministry") or joined to a place ("Neither Kessary nor
    Lunmark"). Every mention of such a name is read as a place."""
    from spacy.tokens import Span

    people = [(i, e) for i, s in enumerate(sentences) for e in s.span.ents if e.label_ == "PERSON"]
    surnames = {e.text.split()[-1] for _, e in people if len(e) > 1}

    def place_cue(token) -> bool:
        joined = [token.head] if token.dep_ == "conj" else []
        joined += [t for t in token.children if t.dep_ == "conj"]
        return ((token.dep_ in ("poss", "compound") and token.head.lower_ in TERRITORY_NOUNS)
                or any(t.ent_type_ in ("GPE", "NORP") for t in joined))

    places = {e.text for _, e in people if len(e) == 1 and e.text not in surnames and place_cue(e.root)}
    return [(i, Span(e.doc, e.start, e.end, label="GPE")) for i, e in people if e.text in places]


SIDE_PREPOSITIONS = {"as", "by", "for", "of"}  # "named as the bloc's envoy", "asked by Nouakchott", "works for the EU"
# Titles of someone who speaks for a party, though the phrase may not name it ("Deputy Prime Minister X told ...").
SPOKESPERSON_NOUNS = {"spokesman", "spokeswoman", "spokesperson", "minister", "deputy", "official", "premier", "secretary", "chancellor"}
PERSON_NOUNS = {"spokesman", "spokeswoman", "spokesperson", "minister", "president", "commander", "leader", "colonel",
                "general", "chief", "chairman", "chairwoman", "secretary", "official", "governor", "deputy", "adviser",
                "advisor", "negotiator", "envoy", "mediator", "ambassador", "emissary", "facilitator", "coordinator"}


def _titled_person(entity) -> bool:
    """An organisation or place tag on a name with a person's title beside it ("government spokesperson Faraja
    Mushi", "Mushi, the ministry's spokesperson") is the tagger's mistake: it is a person."""
    root = getattr(entity, "root", None)
    if root is None or len(entity.text.split()) < 2:
        return False
    beside = [t for t in root.children if t.dep_ in ("compound", "appos", "amod") and t.i < entity.start or t.dep_ == "appos"]
    return any(t.lower_ in PERSON_NOUNS for t in beside) or (root.dep_ == "appos" and root.head.lower_ in PERSON_NOUNS)


def _strip_titles(name: str) -> str:
    words = name.split()
    while len(words) > 1 and words[0].lower().strip(".") in PERSON_TITLES:
        words = words[1:]
    return " ".join(words)


def _surname(name: str) -> str:
    words = name.split()
    if len(words) >= 2 and words[-2].lower() in NAME_PARTICLES:
        return " ".join(words[-2:])
    return words[-1]


NEGOTIATION_WORDS = {"talks", "negotiations", "dialogue"}


def _role_of(token) -> str | None:
    role = token.lower_
    if role not in ROLE_WEIGHTS or token.pos_ not in ("NOUN", "PROPN"):
        return None
    qualifiers = QUALIFIED_ROLES.get(role)
    if qualifiers:
        beside = {t.lower_ for t in token.children} | {token.nbor(-1).lower_ if token.i > 0 else ""}
        # "the government's coordinator for talks with the victims" is as qualified as a "talks coordinator"
        object_of = {t.lower_ for p in token.children if p.dep_ == "prep" and p.lower_ in ("for", "on", "in") for t in p.children if t.dep_ == "pobj"}
        if not qualifiers & beside and not object_of & (NEGOTIATION_WORDS | {"peace"}):
            return None
    return role


# A go-between's work told as a verb ("who has chaired the talks", "who mediated between them").
ROLE_VERBS = {"mediate": "mediator", "facilitate": "facilitator", "broker": "mediator", "moderate": "moderator",
              "chair": "mediator", "negotiate": "negotiator"}


def _roles_in_relative_clause(entity) -> list[str]:
    """"Brekke, who has served as the envoy since 2021, said": the role of a name told in its relative clause."""
    roles = []
    for clause in (c for c in entity.root.children if c.dep_ == "relcl"):
        roles += [role for role in map(_role_of, clause.subtree) if role]
        verb_role = ROLE_VERBS.get(clause.lemma_.lower())
        if verb_role and (clause.lemma_.lower() != "chair" or any(t.lower_ in NEGOTIATION_WORDS for t in clause.subtree)):
            roles.append(verb_role)
    return roles


def _roles_in(phrase) -> list[str]:
    return [role for role in (_role_of(t) for t in phrase) if role]


def _target_tokens(phrase) -> list:
    """Tokens under "to", "for" or "on" attached to a role noun: the party the role is sent to."""
    from misread.model.attribution import noun_phrase

    found = []
    for token in phrase:
        if _role_of(token):
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ in ("to", "for", "on", "with"):
                    found += [t for obj in child.children if obj.dep_ == "pobj" for t in noun_phrase(obj)]
    return found


def _phrase_around(span_or_token) -> list:
    """The noun phrase a name or role sits in: titles and countries before it ("US special envoy Mark Ellison"),
    appositions after it ("Ellison, the bloc's mediator"), and "envoy to X" / "spokesman for X"."""
    from misread.model.attribution import noun_phrase

    root = span_or_token.root if hasattr(span_or_token, "root") else span_or_token
    anchor = root
    for _ in range(3):  # the parser often hangs "X for the South Caucasus, Vesel" on "Caucasus": climb back to X
        if anchor.dep_ in ("compound", "appos", "flat") and anchor.head.pos_ in ("NOUN", "PROPN"):
            anchor = anchor.head
        elif anchor.dep_ == "pobj" and anchor.head.lower_ in ("for", "of", "to", "on") and anchor.head.head.pos_ in ("NOUN", "PROPN") and root.dep_ == "appos":
            anchor = anchor.head.head
        else:
            break
    tokens = {t.i: t for t in noun_phrase(anchor)}
    for child in anchor.children:
        if child.dep_ == "appos":  # "Halloway, a former minister named last month as the bloc's envoy": all of it
            tokens.update({t.i: t for t in child.subtree})
    sentence = root.sent
    return [tokens[i] for i in sorted(tokens) if sentence.start <= i < sentence.end]
