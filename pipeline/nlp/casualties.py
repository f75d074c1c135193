"""Stage, casualties: who was killed or injured, how many, how hedged, and who says so.

In: a parsed sentence. Out: `CasualtyFinding`s (which become candidates of their own when no
violent trigger carries them) and, per event that carries casualties, one `CasualtyClaim`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from spacy.tokens import Doc, Span, Token
from text_to_num import text2num

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.syntax import RELATIVE_TAGS, children, first_child, noun_phrase, under_without
from pipeline.nlp.types import CasualtyClaim, EventTime, Granularity, TimeMethod

Kind = Literal["killed", "injured"]
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_CHARS = re.compile(r"^[\d,.]+$")


@dataclass(frozen=True, slots=True)
class CasualtyFinding:
    """One casualty figure in a sentence, tied to the word that says what happened."""

    trigger: Token
    kind: Kind
    number: int | None
    qualifier: str
    figure_text: str
    victims: str | None


def find_casualties(sent: Span, lexicon: Lexicon) -> list[CasualtyFinding]:
    findings: list[CasualtyFinding] = []
    for token in sent:
        kind = _casualty_kind(token, lexicon)
        if kind is None:
            continue
        if under_without(token):
            continue  # "without reporting casualties": no figure, no claim
        victim = _victim_of(token, lexicon)
        is_noun = token.lemma_.lower() in lexicon.death_nouns and token.pos_ != "VERB"
        if is_noun and token.lemma_.lower() == "body" and token.tag_ != "NNS":
            continue  # "a national body of technocrats"; "three bodies" counts
        if not is_noun and not _is_human(victim, lexicon):
            continue
        finding = _figure(token, kind, victim, lexicon)
        if finding is not None:
            findings.append(finding)
    return _dedupe(findings)


# Every kind below needs one of these parts of speech.
_CASUALTY_POS = frozenset({"VERB", "ADJ", "NOUN", "PROPN"})


def _casualty_kind(token: Token, lexicon: Lexicon) -> Kind | None:
    pos = token.pos_
    if pos not in _CASUALTY_POS:
        return None  # most tokens: decided before their strings are read
    lemma, lower = token.lemma_.lower(), token.lower_
    if pos == "VERB" and lemma in lexicon.killed_verbs:
        return "killed"
    if pos == "VERB" and lemma in lexicon.injured_verbs:
        return "injured"
    if lower in lexicon.killed_adjectives and pos in ("ADJ", "NOUN", "VERB"):
        return "killed"
    if lower in lexicon.injured_adjectives and pos in ("ADJ", "NOUN", "VERB"):
        return "injured"
    if pos in ("NOUN", "PROPN") and lemma in lexicon.death_nouns:
        return "killed"
    if pos in ("NOUN", "PROPN") and lemma in lexicon.injury_nouns:
        return "injured"
    return None


def _victim_of(token: Token, lexicon: Lexicon) -> Token | None:
    """The noun naming the victims ('people' in 'killed 12 people'), never the cause."""
    if token.pos_ == "VERB":
        return _verb_victim(token, lexicon)
    if token.dep_ == "amod" and token.head.pos_ in ("NOUN", "PROPN", "NUM"):
        return token.head  # "12 wounded civilians"
    if token.dep_ == "acomp":
        return first_child(token.head, "nsubj")
    of = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    owner = first_child(of, "pobj") if of is not None else None
    if owner is not None and owner.pos_ in ("NOUN", "PROPN") and owner.lemma_.lower() in lexicon.victim_nouns:
        return owner  # "the deaths of two protesters"
    return token  # "three bodies", "12 dead", "the death toll"


def _verb_victim(verb: Token, lexicon: Lexicon) -> Token | None:
    # A participle with an object of its own is active, whatever the parser attached it to.
    passive = verb.tag_ == "VBN" and verb.dep_ in ("acl", "amod") and first_child(verb, "dobj") is None
    if passive and verb.head.pos_ in ("NOUN", "PROPN", "NUM", "PRON"):
        return verb.head  # "67,000 Palestinians killed since ..."
    # A bare participle ("67,000 Palestinians killed", no auxiliary) is passive even when the
    # parser calls its noun a subject.
    bare_participle = verb.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass") for c in verb.children)
    intransitive = verb.lemma_ in lexicon.intransitive_killing or bare_participle
    deps = ("dobj", "nsubjpass", "nsubj") if intransitive else ("dobj", "nsubjpass")
    for dep in deps:
        found = first_child(verb, dep)
        if found is not None and found.lower_ in lexicon.vague_numbers:
            # "dozens of civilians were wounded": the victims are in the "of" phrase
            of = next((c for c in found.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            found = first_child(of, "pobj") if of is not None else found
        if found is None or found.lemma_.lower() in lexicon.death_nouns | lexicon.cause_nouns:
            continue
        if found.tag_ in RELATIVE_TAGS and verb.dep_ == "relcl":
            return verb.head  # "people who were killed", "those who died"
        return found
    subject = first_child(verb, "nsubj")
    caused = subject is not None and subject.lemma_.lower() in lexicon.cause_nouns  # "the strike killed": active
    return _adjacent_object(verb, lexicon) if caused or not (intransitive or verb.tag_ == "VBN") else None


def _adjacent_object(verb: Token, lexicon: Lexicon) -> Token | None:
    """The victims right after an active verb the parser left without an object: in "killed at
    least 17 people, including ..., residents said" it made "people" the subject of "said"."""
    for word in verb.doc[verb.i + 1 : min(verb.i + 6, verb.sent.end)]:
        if word.is_punct or word.pos_ in ("VERB", "AUX"):
            return None
        counted = any(c.dep_ == "nummod" for c in word.children)
        if word.pos_ == "NOUN" and (counted or word.lemma_.lower() in lexicon.victim_nouns):
            return word
    return None


def _is_human(victim: Token | None, lexicon: Lexicon) -> bool:
    """Victims a casualty report can be about: people, not 'those who impose sanctions'."""
    if victim is None:
        return False
    if victim.ent_type_ in ("PERSON", "NORP") or victim.lower_ in ("he", "she", "him", "her", "they", "them"):
        return True
    counted = any(c.dep_ == "nummod" for c in victim.children)  # "killed 68 migrants": a figure means people
    return counted or victim.lemma_.lower() in lexicon.victim_nouns or victim.like_num or victim.pos_ == "NUM"


def _figure(token: Token, kind: Kind, victim: Token | None, lexicon: Lexicon) -> CasualtyFinding | None:
    number_token = _number_token(token, victim, lexicon)
    victims = None
    if (
        victim is not None
        and victim.pos_ in ("NOUN", "PROPN")
        and victim.lemma_.lower() not in lexicon.death_nouns | {"toll"}
    ):
        victims = victim.text
    elif victim is not None and victim.lemma_.lower() in ("body", "dead", "wounded", "injured"):
        victims = None
    if number_token is None:
        count = _singular_count(victim, lexicon)
        if count is None and victim is not None and victim.lower_ in lexicon.vague_numbers:
            return CasualtyFinding(token, kind, None, "EXACT", victim.text, victims)
        if count is None:
            return (
                None
                if token.lemma_.lower() in lexicon.death_nouns
                else CasualtyFinding(token, kind, None, "EXACT", token.text, victims)
            )
        return CasualtyFinding(token, kind, count, "EXACT", victim.text if victim is not None else token.text, victims)
    start, end = _number_extent(number_token)
    number = parse_number(token.doc[start:end].text, lexicon)
    qualifier, qual_start = _qualifier(token.doc, start, lexicon)
    figure_text = token.doc[qual_start:end].text
    return CasualtyFinding(token, kind, number, qualifier, figure_text, victims)


def _number_token(token: Token, victim: Token | None, lexicon: Lexicon) -> Token | None:
    candidates: list[Token] = []
    if victim is not None:
        if victim.like_num or victim.pos_ == "NUM":
            candidates.append(victim)
        candidates += [c for c in victim.children if c.dep_ == "nummod"]
        for prep in children(victim, "prep"):
            if prep.lower_ == "of":
                candidates += [c for c in prep.children if c.pos_ == "NUM"]
    candidates += [c for c in token.children if c.dep_ == "nummod"]
    counter = _counter_noun(token, lexicon)
    if not candidates and counter is not None:
        # "put the number of dead at one", "the tally of people killed rose to 300"
        # The parser may hang "at 300" on any noun of the clause ("since the ceasefire at 300"):
        # any "at"/"to" figure below the verb that holds the counter is the count.
        for prep in (t for t in counter.head.subtree if t.dep_ == "prep" and t.lower_ in ("at", "to")):
            candidates += [c for c in prep.children if c.dep_ == "pobj" and (c.like_num or c.pos_ == "NUM")]
    if not candidates and token.lemma_.lower() in ("toll", "death", "fatality", "casualty"):
        head = token.head if token.dep_ in ("nsubj", "nsubjpass") else token
        for prep in children(head, "prep", "agent"):
            if prep.lower_ in ("to", "at", "of", "past", "above", "beyond"):
                candidates += [c for c in prep.children if c.dep_ == "pobj" and (c.like_num or c.pos_ == "NUM")]
        candidates += [c for c in head.children if c.dep_ in ("dobj", "attr") and (c.like_num or c.pos_ == "NUM")]
    return candidates[0] if candidates else None


def _counter_noun(token: Token, lexicon: Lexicon) -> Token | None:
    """'number' in "the number of dead" or "the number of people killed"."""
    current = token
    for _ in range(3):
        if (
            current.dep_ == "pobj"
            and current.head.lower_ == "of"
            and current.head.head.lemma_.lower() in lexicon.counter_nouns
        ):
            return current.head.head
        if current.dep_ not in ("acl", "amod", "pobj") or current.head.i == current.i:
            return None
        current = current.head
    return None


def _number_extent(number: Token) -> tuple[int, int]:
    """Token span of a number written in several tokens ('forty - seven', '1.2 million')."""
    start = end = number.i
    for child in number.children:
        if child.dep_ in ("compound", "quantmod", "nummod", "punct") and (
            child.like_num or child.pos_ == "NUM" or child.text in "-‐"
        ):
            start, end = min(start, child.i), max(end, child.i)
    return start, end + 1


def parse_number(text: str, lexicon: Lexicon) -> int | None:
    """67,183 / 47 / three / forty-seven / 1.2 million -> int; hundreds / dozens -> None."""
    cleaned = text.strip().lower().replace("‐", "-")
    if not cleaned or cleaned in lexicon.vague_numbers:
        return None
    words = cleaned.split()
    scale = 1
    if len(words) > 1 and words[-1] in _SCALES:
        scale = _SCALES[words[-1]]
        words = words[:-1]
    head = " ".join(words).replace(" - ", "-")
    if _NUMBER_CHARS.match(head):
        try:
            return int(float(head.replace(",", "")) * scale)
        except ValueError:
            return None
    try:
        return int(text2num(head, "en")) * scale
    except ValueError:
        return None


def _qualifier(doc: Doc, number_start: int, lexicon: Lexicon) -> tuple[str, int]:
    """Hedge before the number ('at least', 'more than') and where it starts."""
    before = [t.lower_ for t in doc[max(0, number_start - 4) : number_start]]
    for qualifier, phrases in lexicon.qualifiers.items():
        for phrase in phrases:
            words = phrase.split()
            if before[-len(words) :] == words:
                return qualifier, number_start - len(words)
    return "EXACT", number_start


def _singular_count(victim: Token | None, lexicon: Lexicon) -> int | None:
    """'a paramedic was killed', 'his daughter died', a named person killed -> 1."""
    if victim is None or victim.tag_ in ("NNS", "NNPS"):
        return None
    if victim.ent_type_ == "PERSON" or victim.lower_ in ("he", "she", "him", "her"):
        return 1
    if victim.lemma_.lower() not in lexicon.victim_nouns or victim.lemma_.lower() in lexicon.collective_nouns:
        return None
    det = first_child(victim, "det", "nummod", "poss")
    return 1 if det is not None else None


def _dedupe(findings: list[CasualtyFinding]) -> list[CasualtyFinding]:
    """One finding per figure: 'the death toll' and 'killed' can both point at 67,183."""
    kept: list[CasualtyFinding] = []
    for finding in findings:
        twin = next(
            (
                k
                for k in kept
                if k.kind == finding.kind and k.figure_text == finding.figure_text and finding.number is not None
            ),
            None,
        )
        if twin is None:
            kept.append(finding)
    return kept


def combine(findings: list[CasualtyFinding]) -> CasualtyClaim | None:
    """One claim from the findings of one sentence: the first killed and injured figures."""
    killed = next((f for f in findings if f.kind == "killed"), None)
    injured = next((f for f in findings if f.kind == "injured"), None)
    lead = killed or injured
    if lead is None:
        return None
    return CasualtyClaim(
        killed=killed.number if killed else None,
        injured=injured.number if injured else None,
        qualifier=lead.qualifier,
        scope="UNKNOWN",
        figure_text=lead.figure_text,
        victims=lead.victims or (injured.victims if injured else None),
    )


def attributed_source(sent: Span, lexicon: Lexicon) -> str | None:
    """'the health ministry' in 'according to the health ministry ...' or 'citing medics'."""
    for token in sent:
        if token.lower_ in lexicon.preps.attribution:
            to = first_child(token, "prep")
            obj = first_child(to, "pobj") if to is not None else None
            if obj is not None:
                start, end = noun_phrase(obj, lexicon.quantity_heads)
                return token.doc[start:end].text
        if token.lower_ in lexicon.citing_verbs and token.dep_ in ("advcl", "acl", "prep", "xcomp"):
            obj = first_child(token, "dobj", "pobj")
            if obj is not None:
                start, end = noun_phrase(obj, lexicon.quantity_heads)
                return token.doc[start:end].text
    return None


def scope_claim(
    claim: CasualtyClaim, sentence_text: str, event_time: EventTime, published_ms: int, lexicon: Lexicon, incident: bool
) -> CasualtyClaim:
    """CUMULATIVE for running totals ('since October 2023', 'the death toll'), INCIDENT for a
    figure tied to one attack or one dated day, UNKNOWN otherwise."""
    text = sentence_text.lower()
    cued = any(re.search(rf"\b{re.escape(cue)}\b", text) for cue in lexicon.cumulative_cues)
    if event_time.granularity is Granularity.RANGE or cued:
        since = event_time.start_ms if event_time.granularity is Granularity.RANGE else None
        return replace(claim, scope="CUMULATIVE", since_ms=since, as_of_ms=_day(published_ms))
    dated_day = event_time.method is not TimeMethod.PUBLICATION_DATE and event_time.granularity is Granularity.DAY
    return replace(claim, scope="INCIDENT" if incident or dated_day else "UNKNOWN", as_of_ms=event_time.start_ms)


def _day(ms: int) -> int:
    return ms - ms % 86_400_000
