"""Who holds the stance in a sentence: subjects of reporting verbs, "according to X", else the main subject."""
from __future__ import annotations

REPORTING_VERBS = {
    "say", "tell", "state", "emphasize", "emphasise", "stress", "warn", "suggest", "insist", "add", "note", "reiterate",
    "declare", "announce", "claim", "accuse", "vow", "reject", "refuse", "deny", "demand", "threaten", "hint", "signal",
    "indicate", "describe", "call", "urge", "affirm", "reaffirm", "assert", "confirm", "acknowledge", "argue", "repeat",
    "write", "report", "predict", "believe", "caution", "welcome", "praise", "offer", "propose", "pledge", "promise",
    "express", "voice", "dismiss", "condemn", "maintain", "tweet", "post", "explain", "admit", "agree", "underline",
}
PHRASE_DEPS = {"compound", "amod", "poss", "det", "case", "flat", "appos", "nmod", "prep", "pobj", "conj", "cc", "nummod", "npadvmod"}
# Prepositions that name who speaks ("officials from Moscow", "envoy to Russia"); others ("talks between A and B") do not.
SPEAKER_PREPOSITIONS = {"of", "from", "for", "to", "at", "in"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
PREVIOUS_SPEAKER = "@previous"  # "he said": the holder is whoever the previous sentence named
PERSONAL_PRONOUNS = {"he", "she", "they"}


def noun_phrase(token) -> list:
    """The token and its modifiers (names, titles, possessors, "to Russia"), without relative clauses."""
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


def _phrase_text(tokens) -> str:
    return " ".join(t.text for t in tokens).replace(" 's", "'s").replace(" ’s", "’s")


def _subject(verb):
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    return None


def holders(span) -> list[str]:
    """Candidate stance holders, most specific first: reporting-verb subjects, "according to" sources, main subject."""
    found: list[str] = []
    # Reporting verbs, closest to the root first: "Peskov emphasized that ..." -> Peskov.
    verbs = sorted((t for t in span if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in REPORTING_VERBS), key=lambda t: _depth(t))
    for verb in verbs:
        subject = _subject(verb)
        if subject is not None and subject.pos_ != "PRON":
            found.append(_phrase_text(noun_phrase(subject)))
        elif subject is not None and subject.lower_ in PERSONAL_PRONOUNS:
            found.append(PREVIOUS_SPEAKER)
        elif verb.dep_ == "relcl" and verb.head.pos_ in ("NOUN", "PROPN"):  # "comments, which suggested" -> comments' owner
            found.append(_phrase_text(noun_phrase(verb.head)))
    # "According to X, ..."
    for token in span:
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor().lower_ == "to":
            objects = [c for c in token.nbor().children if c.dep_ == "pobj"]
            found.extend(_phrase_text(noun_phrase(o)) for o in objects)
    # The main clause subject: "The Kremlin is steadfast ...", "Witkoff's comments ... have been met ..."
    root = span.root
    subject = _subject(root)
    if subject is not None and subject.pos_ != "PRON":
        found.append(_phrase_text(noun_phrase(subject)))
    return list(dict.fromkeys(found))


def _depth(token) -> int:
    depth = 0
    while token.head.i != token.i:  # spaCy makes new Token objects on each access: compare indices
        token, depth = token.head, depth + 1
    return depth
