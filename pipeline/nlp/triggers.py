"""Find event triggers in a sentence: ontology lemmas and phrases, checked against the parse."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Span, Token

from pipeline.nlp.ontology import Lexicon, Ontology, TriggerContext

NOMINAL_DEPS = frozenset(
    {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "conj", "compound", "dative", "oprd", "npadvmod", "ROOT"}
)
# Speech verbs that need visible content (a clause or a quote) to count as a statement:
# "added 200 trucks" is not a statement, "added that talks would resume" is.
CONTENT_SPEECH = frozenset(
    {"say", "tell", "add", "state", "write", "insist", "argue", "explain", "assert",
     "affirm", "suggest", "predict", "recall", "note", "stress", "emphasize", "emphasise",
     "tweet", "admit", "acknowledge", "pledge", "promise"}
)  # fmt: skip
_QUOTE_MARKS = frozenset('"“”')
# Words that can open the object or adjunct of a headline verb.
_OBJECT_STARTS = frozenset({"NOUN", "PROPN", "DET", "ADJ", "ADP", "NUM", "PRON"})
# Tokens inside these entities are names, never triggers (EVENT entities such as "the 2024
# war" may still be).
NAMED_ENTITY_TYPES = frozenset(
    {
        "DATE",
        "TIME",
        "PERSON",
        "GPE",
        "LOC",
        "FAC",
        "ORG",
        "NORP",
        "CARDINAL",
        "MONEY",
        "PERCENT",
        "ORDINAL",
        "QUANTITY",
        "WORK_OF_ART",
        "LAW",
        "PRODUCT",
        "LANGUAGE",
    }
)


@dataclass(frozen=True, slots=True)
class Trigger:
    """A candidate event trigger: its head token, token span and the lemma that matched."""

    event_type: str
    head: Token
    start: int  # token index in the doc
    end: int
    lemma: str
    nominal: bool

    @property
    def text(self) -> str:
        return self.head.doc[self.start : self.end].text


class TriggerFinder:
    """Matches the ontology's verbs, nouns and phrases; built once per spaCy pipeline."""

    def __init__(self, nlp: Language, ontology: Ontology, lexicon: Lexicon) -> None:
        self._ontology = ontology
        self._lexicon = lexicon
        self._phrases = Matcher(nlp.vocab)
        self._phrase_starts = frozenset(
            form for phrase in ontology.phrase_types for form in _lemma_forms(phrase.split()[0])
        )
        for phrase, types in ontology.phrase_types.items():
            pattern = [{"LEMMA": {"IN": _lemma_forms(word)}} for word in phrase.split()]
            self._phrases.add(f"{types[0]}|{phrase}", [pattern])

    def find(self, sent: Span, *, headline: bool = False) -> list[Trigger]:
        """All candidate triggers in the sentence, at most one per head token. In a headline a
        verb the tagger read as a noun ("Kenyan police fire tear gas") is still a verb."""
        found: dict[int, Trigger] = {}
        for phrase in self._phrase_triggers(sent):
            found.setdefault(phrase.head.i, phrase)
        for token in sent:
            if token.i in found:
                continue
            single = self._token_trigger(token)
            if single is None and headline:
                single = self._headline_verb(token)
            if single is not None:
                found[token.i] = single
        return sorted(found.values(), key=lambda t: t.start)

    def _phrase_triggers(self, sent: Span) -> list[Trigger]:
        triggers: list[Trigger] = []
        if not any(t.lemma_.lower() in self._phrase_starts or t.lower_ in self._phrase_starts for t in sent):
            return triggers  # most sentences hold no phrase's first word: skip the matcher
        for match_id, start, end in self._phrases(sent, as_spans=False):
            label = sent.doc.vocab.strings[match_id]
            event_type, phrase = label.split("|", 1)
            span = sent[start:end]
            head = span.root
            spec = self._ontology.types[event_type]
            needed = spec.requires.get(phrase)
            if phrase in spec.phrases and (needed is None or _context_fits(head, needed)):
                nominal = head.pos_ != "VERB"
                triggers.append(Trigger(event_type, head, span.start, span.end, phrase, nominal))
        return triggers

    def _token_trigger(self, token: Token) -> Trigger | None:
        if token.ent_type_ in NAMED_ENTITY_TYPES:
            return None  # "March" the month, "Strike Group" the unit: names, not triggers
        lemma = token.lemma_.lower()
        if _reads_as_verb(token):
            if token.dep_ == "amod":
                return None  # "the besieged territory"
            verb_lemma = lemma if token.pos_ == "VERB" else token.lower_.removesuffix("s")
            for event_type in self._ontology.verb_types.get(verb_lemma, ()):
                if self._verb_fits(token, event_type, verb_lemma):
                    return Trigger(event_type, token, token.i, token.i + 1, verb_lemma, False)
            return None
        if token.pos_ in ("NOUN", "PROPN") or (token.pos_ in ("VERB", "ADJ") and token.dep_ in NOMINAL_DEPS):
            noun_lemma = _noun_lemma(token)
            types = self._ontology.noun_types.get(noun_lemma) or self._ontology.noun_types.get(token.lower_)
            if types:
                return Trigger(types[0], token, token.i, token.i + 1, noun_lemma, True)
        return None

    def _headline_verb(self, token: Token) -> Trigger | None:
        """Headlinese drops articles, so "police fire tear gas" and "Armenia and Azerbaijan sign
        peace framework" parse as one noun phrase. A word that is only a verb in the ontology, between
        a noun (its subject) and the start of an object, is read as the verb."""
        lemma = token.lower_.removesuffix("s") if token.tag_ == "NNS" else token.lower_
        sent = token.sent
        if token.pos_ not in ("NOUN", "PROPN") or token.ent_type_ in NAMED_ENTITY_TYPES or token.i == sent.start:
            return None
        if lemma not in self._ontology.verb_types or lemma in self._ontology.noun_types:
            return None
        before, after = token.doc[token.i - 1], token.doc[token.i + 1] if token.i + 1 < sent.end else None
        if before.pos_ not in ("NOUN", "PROPN", "ADJ") or after is None or after.pos_ not in _OBJECT_STARTS:
            return None
        for event_type in self._ontology.verb_types[lemma]:
            if event_type != "STATEMENT" and self._verb_fits(token, event_type, lemma):
                return Trigger(event_type, token, token.i, token.i + 1, lemma, False)
        return None

    def _verb_fits(self, token: Token, event_type: str, lemma: str) -> bool:
        spec = self._ontology.types[event_type]
        objects = {c.lemma_.lower() for c in token.children if c.dep_ in ("dobj", "nsubjpass")}
        if objects & set(spec.exclude_objects):
            return False
        needed = spec.requires.get(lemma)
        if needed is not None and not _context_fits(token, needed):
            return False
        excluded = spec.excludes.get(lemma)
        if excluded is not None and _context_fits(token, excluded):
            return False
        if event_type == "STATEMENT":
            return self._is_statement(token, lemma)
        return True

    def _is_statement(self, token: Token, lemma: str) -> bool:
        if self.is_media_subject(token):
            return False  # "AFP reported": attribution, not a statement
        if any(c.dep_ == "dobj" and c.lower_ == "what" for c in token.children):
            return False  # "protested against what it called ...": a label inside another act
        if lemma not in CONTENT_SPEECH:
            return True
        has_clause = any(c.dep_ in ("ccomp", "xcomp", "parataxis") for c in token.children)
        has_quote = any(t.text in _QUOTE_MARKS for t in token.sent)
        return has_clause or has_quote or token.dep_ in ("parataxis", "ccomp")

    def is_media_subject(self, token: Token) -> bool:
        outlets = self._lexicon.media_outlets_lower
        for child in token.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                phrase = token.doc[child.left_edge.i : child.i + 1].text.lower()
                if phrase in outlets or child.text.lower() in outlets:
                    return True
        return False


def _reads_as_verb(token: Token) -> bool:
    """A verb, or a word the tagger took for a noun but the parse uses as a predicate with a
    subject (headlines: "Houthis attack ship", "army and RSF battle for El Obeid")."""
    if token.pos_ == "VERB":
        return token.dep_ not in NOMINAL_DEPS - {"conj", "ROOT"}
    if token.pos_ in ("NOUN", "PROPN") and token.dep_ in ("ROOT", "conj"):
        has_subject = any(c.dep_ == "nsubj" for c in token.children)
        # A root with a subject is a predicate ("thousands flee"); a conjunct needs more.
        return has_subject and (token.dep_ == "ROOT" or any(c.dep_ in ("dobj", "prep") for c in token.children))
    return False


def _context_fits(token: Token, needed: TriggerContext) -> bool:
    """'press for', 'ask ... to', 'fled their homes': the words a verb needs around it."""
    for child in token.children:
        if child.dep_ in ("prep", "prt") and child.lower_ in needed.preps:
            return True
        if child.dep_ in needed.deps:
            return True
        if child.dep_ in ("dobj", "nsubjpass", "xcomp") and child.lemma_.lower() in needed.objects:
            return True  # xcomp: "asked not to be named"
        if child.dep_ == "nsubj" and (
            child.lemma_.lower() in needed.subjects
            or any(
                g.dep_ == "prep" and any(o.lemma_.lower() in needed.subjects for o in g.children)
                for g in child.children
            )
        ):
            return True  # "thousands fled", "thousands of residents fled"
        if child.dep_ in ("dobj", "nsubjpass") and any(
            g.dep_ == "prep" and g.lower_ == "of" and any(o.lemma_.lower() in needed.objects for o in g.children)
            for g in child.children
        ):
            return True  # "most of the drones", "40 of the 63 drones"
        if child.dep_ == "dobj" and any(g.dep_ == "prep" and g.lower_ in needed.preps for g in child.children):
            return True  # "asks the force for more troops"
        if child.dep_ == "prep" and any(
            g.dep_ == "pobj" and g.lemma_.lower() in needed.objects for g in child.children
        ):
            return True
    return False


def _noun_lemma(token: Token) -> str:
    """Noun lemma, mending the tagger where it read a plural noun as a verb ("talks")."""
    if token.pos_ == "VERB" and token.tag_ == "VBZ" and token.lower_.endswith("s"):
        return token.lower_[:-1]
    return token.lemma_.lower()


def _lemma_forms(word: str) -> list[str]:
    """Lemma and surface forms to accept for one word of a phrase."""
    forms = {word, word.lower()}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    forms.add(word + "s")
    return sorted(forms)
