"""Who holds the stance in a sentence, and which part of the sentence each holder stands behind.

Holders, most specific first: subjects of reporting verbs ("Peskov emphasized ..."), "according to X" sources,
owners of reported words ("Witkoff's comments, which suggested ..."), else the main-clause subject. A sentence
that mixes holders ("X's comments suggested a thaw as Y continues to assert its claims") is split into units,
one per clause with its own holder, so each side is judged on its own words.
"""
from __future__ import annotations

import re

from dataclasses import dataclass

REPORTING_VERBS = {
    "say", "tell", "state", "emphasize", "emphasise", "stress", "warn", "suggest", "insist", "add", "note", "reiterate",
    "declare", "announce", "claim", "accuse", "vow", "reject", "refuse", "deny", "demand", "threaten", "hint", "signal",
    "indicate", "describe", "call", "urge", "affirm", "reaffirm", "assert", "confirm", "acknowledge", "argue", "repeat",
    "write", "report", "predict", "believe", "caution", "welcome", "praise", "offer", "propose", "pledge", "promise",
    "express", "voice", "dismiss", "condemn", "maintain", "tweet", "post", "explain", "admit", "agree", "underline", "speak",
}
PHRASE_DEPS = {"compound", "amod", "poss", "det", "case", "flat", "appos", "nmod", "prep", "pobj", "conj", "cc", "nummod", "npadvmod"}
# Prepositions that name who speaks ("officials from Moscow", "envoy to Russia"); others ("talks between A and B") do not.
SPEAKER_PREPOSITIONS = {"of", "from", "for", "to", "at", "in"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
RELATIVE_PRONOUNS = {"which", "who", "that", "whom"}
SPLIT_DEPS = {"advcl", "relcl", "conj"}  # clauses that can carry another holder's stance
PREVIOUS_SPEAKER = "@previous"  # "he said": the holder is whoever the previous sentence named
PERSONAL_PRONOUNS = {"he", "she", "they"}


@dataclass
class Holder:
    text: str
    attributed: bool  # True for speech, sources and reported words; False for a bare grammatical subject


@dataclass
class StanceUnit:
    holder: Holder | None
    text: str  # what the classifier reads for this holder
    start: int  # character offsets in the parsed document
    end: int
    main: bool = False  # the main clause, what is left of the sentence once the other clauses are split off


BREAKAWAY_VERBS = {"break", "split", "splinter", "defect", "secede"}
BROKE_AWAY = re.compile(r"\b(?:broke|broken|split|splintered|defected|seceded)(?: away| off)? from\b", re.I)  # their forms in text


def _broke_away(clause) -> bool:
    """"which broke away from the Congress": a clause that says a group left another."""
    return clause.dep_ in ("relcl", "acl") and clause.lemma_.lower() in BREAKAWAY_VERBS and any(
        child.dep_ == "prep" and child.lower_ == "from" for child in clause.children)


def noun_phrase(token) -> list:
    """The token and its modifiers (names, titles, possessors, "to Russia"), without relative clauses, except one
    that says the group broke away from another: "a faction calling itself the Vanguard, which broke from the
    Congress" is the Vanguard, not the Congress (roles.speaker_party reads the clause)."""
    if any(_broke_away(t) for t in token.subtree):
        return list(token.subtree)
    tokens, stack = [], [token]
    while stack:
        current = stack.pop()
        tokens.append(current)
        stack.extend(
            child
            for child in current.children
            if child.dep_ in PHRASE_DEPS and not (child.dep_ == "prep" and child.lower_ not in SPEAKER_PREPOSITIONS)
        )
    return sorted(tokens, key=lambda t: t.i)


def phrase_text(tokens) -> str:
    """The article's own text from a phrase's first token to its last ("Havili-Fonua", "the group's"), so names
    match the article verbatim; relative clauses cut out of the phrase are cut out of the text too."""
    if not tokens:
        return ""
    pieces, previous = [], None
    for token in tokens:
        skipped = token.doc[previous.i + 1 : token.i] if previous is not None else []
        if previous is not None and all(t.text in "-–'’" for t in skipped):  # "Havili-Fonua": keep the hyphen
            pieces.append(previous.whitespace_ + "".join(t.text_with_ws for t in skipped))
        elif previous is not None:
            pieces.append(" ")  # a gap where a clause was left out
        pieces.append(token.text)
        previous = token
    return "".join(pieces).strip(" ,")


def _subject(verb):
    return next((child for child in verb.children if child.dep_ in SUBJECT_DEPS), None)


def _depth(token) -> int:
    depth = 0
    while token.head.i != token.i:  # spaCy makes new Token objects on each access: compare indices
        token, depth = token.head, depth + 1
    return depth


def _is_reporting(token) -> bool:
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in REPORTING_VERBS


def clause_holder(verb) -> Holder | None:
    """The holder a clause has of its own: an explicit subject, or the noun a relative clause describes."""
    subject = _subject(verb)
    if subject is None:
        return None
    if verb.dep_ == "relcl" and subject.lower_ in RELATIVE_PRONOUNS and verb.head.pos_ in ("NOUN", "PROPN"):
        return Holder(phrase_text(noun_phrase(verb.head)), attributed=True)  # "comments, which suggested ..."
    if subject.pos_ == "PRON":
        return None
    if subject.dep_ == "nsubjpass":
        return None  # "the plan was rejected": the grammatical subject holds no stance
    return Holder(phrase_text(noun_phrase(subject)), attributed=_is_reporting(verb))


def _speaker_after_quote(span, verb) -> str | None:
    """'"...," the alliance's spokesperson, Shay Rind, told reporters': where the parser hangs the speaker inside the
    quote and leaves the verb without a subject, the words between the closing quotation mark and the verb are the
    speaker."""
    words = []
    for token in reversed(span[: verb.i - span.start]):
        if any(char in QUOTE_CHARS for char in token.text):
            words = [t for t in reversed(words) if not t.is_punct]
            return phrase_text(words) if words and len(words) <= 12 and any(t.pos_ in ("NOUN", "PROPN") for t in words) \
                and not any(t.pos_ in ("VERB", "AUX") for t in words) else None
        words.append(token)
    return None


def holders(span) -> list[Holder]:
    """Candidate stance holders of a sentence, most specific first."""
    found: list[Holder] = []
    for verb in sorted((t for t in span if _is_reporting(t)), key=_depth):  # closest to the root first
        subject = _subject(verb)
        if subject is not None and subject.pos_ != "PRON" and subject.dep_ != "nsubjpass":
            found.append(Holder(phrase_text(noun_phrase(subject)), attributed=True))
        elif subject is not None and subject.lower_ in PERSONAL_PRONOUNS:
            found.append(Holder(PREVIOUS_SPEAKER, attributed=True))
        elif verb.dep_ == "relcl" and verb.head.pos_ in ("NOUN", "PROPN"):  # "comments, which suggested" -> comments' owner
            found.append(Holder(phrase_text(noun_phrase(verb.head)), attributed=True))
        elif subject is None and (speaker := _speaker_after_quote(span, verb)):
            found.append(Holder(speaker, attributed=True))
    for token in span:  # "According to X, ..."
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor().lower_ == "to":
            found.extend(Holder(phrase_text(noun_phrase(o)), attributed=True) for o in token.nbor().children if o.dep_ == "pobj")
    main = clause_holder(span.root)
    if main is not None:
        found.append(main)
    unique: dict[str, Holder] = {}
    for holder in found:
        unique.setdefault(holder.text, holder)
    return list(unique.values())


def _unit(tokens, holder: Holder | None, prefix: str = "", main: bool = False) -> StanceUnit:
    tokens = sorted(tokens, key=lambda t: t.i)
    while tokens and tokens[0].dep_ in ("mark", "cc", "punct") or (tokens and tokens[0].lower_ in RELATIVE_PRONOUNS):
        tokens = tokens[1:]
    body = "".join(t.text_with_ws for t in tokens).strip().strip(",;").strip()
    start = tokens[0].idx if tokens else 0
    end = tokens[-1].idx + len(tokens[-1].text) if tokens else 0
    return StanceUnit(holder, f"{prefix} {body}".strip() if prefix else body, start, end, main)


def _reported(clause) -> bool:
    """Whether a clause is what a speaker reports ("X said that Y was ready": Y's readiness is X's reading). A clause
    coordinated with the reporting verb ("X said ..., but Y declared ...") is not, nor is one that names a speaker
    of its own ("..., while Y insisted ...", "Y, who said ...")."""
    if _is_reporting(clause) and clause_holder(clause) is not None:
        return False
    child = clause
    for ancestor in clause.ancestors:
        if _is_reporting(ancestor) and child.dep_ != "conj":
            return True
        child = ancestor
    return False


def _background(clause) -> bool:
    """A clause inside "since 2021, when the rebels rejected ..." tells past events: background, held by no one now."""
    return any(t.dep_ == "relcl" and t.head.ent_type_ == "DATE" for t in [clause, *clause.ancestors])


# Verbs of speaking as such: negated ("did not say", "has said nothing") they report silence, not a stance.
SPEECH_VERBS = {"say", "tell", "state", "comment", "respond", "reply", "announce", "explain", "speak", "confirm", "answer"}
# A date that places an act in an earlier period: "2018", "in 2021", "the 1990s", "March 2021", "late 2022", "last
# year", "three years ago". A day ("on 12 March 2026") or a weekday dates current news.
YEAR = re.compile(r"^(?:in |the |early |late |mid-|(?:the )?(?:spring|summer|autumn|fall|winter) (?:of )?"
                  r"|(?:january|february|march|april|may|june|july|august|september|october|november|december) )?"
                  r"(?:1[89]|20)\d\d(?:s|'s|’s)?$|^(?:last|the previous) year$|^(?:a|one|two|three|four|five|six|seven|eight|nine|ten|\d+) "
                  r"(?:years|decades?) ago$|^a year ago$", re.I)


def _silent(verb) -> bool:
    """"Ardanis has said nothing", "officials did not respond": a holder who says nothing states no stance. Not a
    speaker's own words ("We have never said ...", "I would not say this lightly"), nor "did not say no"."""
    subject = _subject(verb)
    if subject is None or subject.lower_ in ("i", "we", "you") or verb.lemma_.lower() not in SPEECH_VERBS:
        return False
    if any(child.dep_ == "aux" and child.tag_ == "MD" for child in verb.children):
        return False
    if any(child.lower_ == "no" for child in verb.children):
        return False  # "the council did not say no"
    objects = [child for child in verb.children if child.dep_ in ("dobj", "npadvmod", "ccomp")]
    negated = any(child.dep_ == "neg" for child in verb.children) and not any(o.lower_ != "nothing" and o.dep_ == "dobj" for o in objects)
    return negated or any(o.lower_ == "nothing" for o in objects)


def _past_background(verb) -> bool:
    """"In 2019 the rebels rejected the offer": an act in the simple past dated to an earlier year is background,
    held by no one now. Only a date on the verb itself counts: "refused the 2018 accord" dates the accord, not the refusal,
    and a full date ("on 12 March 2026") or a weekday dates current news."""
    # "rejected", or the emphatic "did agree"
    if verb.tag_ != "VBD" and not (verb.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "did" for c in verb.children)):
        return False
    for entity in verb.sent.ents:
        if entity.label_ != "DATE" or not YEAR.match(entity.text.strip()):
            continue
        head = entity.root
        while head.dep_ in ("pobj", "prep", "npadvmod", "advmod", "nummod", "compound") and head.head.i != head.i and head.i != verb.i:
            head = head.head
            if head.i == verb.i:
                return True
    return False


DOCUMENT_NOUNS = {"statement", "communiqué", "communique", "declaration", "letter", "release", "message", "note", "post"}


def introduced_source(span) -> str | None:
    """"His assessment sat awkwardly beside a statement released by the Lao foreign ministry.": the body a sentence
    names as the author of a document, whose words a quote that follows, given to no one, most likely gives."""
    for token in span:
        if token.pos_ != "NOUN" or token.lemma_.lower() not in DOCUMENT_NOUNS:
            continue
        authors = [child for child in token.children if child.dep_ == "poss" and child.pos_ in ("PROPN", "NOUN")]
        for link in token.children:
            if link.dep_ == "prep" and link.lower_ in ("by", "from"):
                authors += [o for o in link.children if o.dep_ == "pobj"]
            if link.dep_ == "acl":  # "a statement released by ..."
                authors += [o for agent in link.children if agent.dep_ == "agent" for o in agent.children if o.dep_ == "pobj"]
        if authors:
            return phrase_text(noun_phrase(authors[0]))
    return None


def states_no_current_stance(span) -> bool:
    """Whether a sentence's main clause reports silence or a past act dated to an earlier year: no stance held now."""
    root = span.root
    return _silent(root) or _past_background(root)


def _coordinated_speaker(verb) -> bool:
    """"X said ..., and the minister said ...": a second speaker after a conjunction, however the parser hung it
    (often as the first verb's complement)."""
    before = verb.left_edge.i - 1
    return _is_reporting(verb) and before >= 0 and verb.doc[before].pos_ == "CCONJ" and clause_holder(verb) is not None


def _inside_quotes(span, quote_open: bool) -> set[int]:
    """Indices of the tokens inside quotation marks; `quote_open` when the sentence goes on a quote begun earlier."""
    inside, quoted = quote_open, set()
    for token in span:
        if any(char in QUOTE_CHARS for char in token.text):
            inside = _quote_states(token.text, inside)
        elif inside:
            quoted.add(token.i)
    return quoted


def stance_units(span, quote_open: bool = False) -> list[StanceUnit]:
    """The sentence as one unit, plus one unit per subordinate clause that has a holder of its own. A subject inside
    quotation marks is what the speaker talks about, never another holder ("... no envoy will trade it away")."""
    quoted = _inside_quotes(span, quote_open)
    heads = [
        t
        for t in span
        if (t.dep_ in SPLIT_DEPS or _coordinated_speaker(t))
        and t.pos_ in ("VERB", "AUX")
        and clause_holder(t) is not None
        and t.i not in quoted
        and not _reported(t)
        and not _background(t)
    ]
    if not heads:
        return []
    split_tokens = {t.i for head in heads for t in head.subtree}
    units = []
    for head in heads:
        nested = {t.i for other in heads if other is not head and other.i in {x.i for x in head.subtree} for t in other.subtree}
        tokens = [t for t in head.subtree if t.i not in nested]
        holder = clause_holder(head)
        prefix = holder.text if head.dep_ == "relcl" else ""  # "which suggested a thaw" reads as "X's comments suggested a thaw"
        units.append(_unit(tokens, holder, prefix))
    main_tokens = [t for t in span if t.i not in split_tokens]
    main_holder = next(iter(holders_of_tokens(span, split_tokens)), None)
    units.insert(0, _unit(main_tokens, main_holder, main=True))
    return [unit for unit in units if unit.text]


def holders_of_tokens(span, excluded: set[int]) -> list[Holder]:
    """Holders of the main clause only: those whose verb lies outside the split-off clauses."""
    return [h for h in holders(span) if not _holder_inside(span, h, excluded)]


def _holder_inside(span, holder: Holder, excluded: set[int]) -> bool:
    if not holder.text or holder.text == PREVIOUS_SPEAKER:
        return False
    first_word = re.split(r"[\s'’]", holder.text)[0]  # "Oskaria's envoy": the token is "Oskaria"
    matches = [t for t in span if t.text == first_word]
    return bool(matches) and all(t.i in excluded for t in matches)


# "..., which could further complicate the talks": a closing non-restrictive clause with a modal is the writer's
# conjecture about what was said (third-party speculation by the guideline), not the speaker's own words.
WRITERS_GLOSS = re.compile(r",\s+which\s+(?:could|may|might|would|is likely to|risks?|threatens? to)\b[^\"“”]*$", re.IGNORECASE)


def speakers_words(text: str) -> str:
    """A reported statement without the writer's closing gloss; unchanged when there is none or it sits in a quote."""
    match = WRITERS_GLOSS.search(text)
    if match is None:
        return text
    before = text[: match.start()]
    if before.count('"') % 2 or before.count("“") > before.count("”"):
        return text  # the clause is inside a quotation: the speaker's words after all
    return before


MAX_QUOTE_SENTENCES = 8  # a quote "open" for longer is a stray quotation mark, not a speech
QUOTE_CHARS = '"“”'


def _quote_states(text: str, inside: bool) -> bool:
    """Whether a quotation is open at the end of `text`, given whether it was open at its start."""
    for char in text:
        if char == "“":
            inside = True
        elif char == "”":
            inside = False
        elif char == '"':
            inside = not inside
    return inside


def quote_open_at_start(sentences) -> list[bool]:
    """For each sentence, whether it begins inside a quotation opened in an earlier sentence."""
    states, inside, run = [], False, 0
    for sentence in sentences:
        states.append(inside)
        inside = _quote_states(sentence.text, inside)
        run = run + 1 if inside else 0
        if run > MAX_QUOTE_SENTENCES:  # a stray quotation mark, not a speech
            inside, run = False, 0
    return states


def speakers_by_sentence(sentences) -> list[list[Holder]]:
    """Each sentence's candidate holders; the later sentences of a multi-sentence quote get the quote's speaker."""
    found = [holders(sentence.span) for sentence in sentences]
    for index, speaker in quoted_speakers(sentences, found).items():
        found[index] = [speaker]
    return found


def attributed_speakers(sentence_holders: list[list[Holder]]) -> list[list[str]]:
    """The named speakers of each sentence (pronouns left out: they need the reading order to resolve)."""
    return [[h.text for h in found if h.attributed and h.text != PREVIOUS_SPEAKER] for found in sentence_holders]


def quoted_speakers(sentences, sentence_holders: list[list[Holder]]) -> dict[int, Holder]:
    """Sentences of a direct quote that runs over several sentences, mapped to the speaker the quote is given to
    ('"We will not move. Our position is final," Karimi said.' or 'Karimi said: "We will not move. ...'). A sentence
    wholly inside the quote speaks in that voice even where a verb inside it looks like a speaker ("whenever the
    government calls us"); a quote given to no one goes on in the voice of whoever spoke last."""
    speakers: dict[int, Holder] = {}
    group: list[int] = []
    wholly_quoted: set[int] = set()
    inside = False
    for index, sentence in enumerate(sentences):
        opened_before = inside
        inside = _quote_states(sentence.text, inside)
        if opened_before or inside:
            group.append(index)
            if _wholly_quoted(sentence.text, opened_before):
                wholly_quoted.add(index)
        if group and not inside:
            said = [h for i in (group[-1], group[0]) if i not in wholly_quoted for h in sentence_holders[i] if h.attributed]
            if len(group) > 1 and len(group) <= MAX_QUOTE_SENTENCES:
                speaker = said[0] if said else Holder(PREVIOUS_SPEAKER, attributed=True)
                for i in group:
                    if i in wholly_quoted or not any(h.attributed for h in sentence_holders[i]):
                        speakers[i] = speaker
            group = []
        elif len(group) > MAX_QUOTE_SENTENCES:
            group, inside = [], False
    return speakers


def _wholly_quoted(text: str, opened_before: bool) -> bool:
    """No words of the writer's in the sentence: it opens inside a quote or with a quotation mark, and nothing but
    punctuation follows where the quote closes."""
    text = text.strip()
    if not text or not (opened_before or text[0] in '"“'):
        return False
    inside = opened_before
    for position, char in enumerate(text):
        was_inside = inside
        inside = _quote_states(char, inside) if char in QUOTE_CHARS else inside
        if was_inside and not inside and re.search(r"\w", text[position + 1 :]):
            return False
    return True
