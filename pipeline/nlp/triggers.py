"""Stage 2, trigger candidates: ontology lemmas and phrases, checked against their contexts.

In: a parsed sentence (lemma, POS, dependency parse, entities). Out: `Trigger`s, at most one per
head token. A lemma several types share ("seize" a town, weapons, a suspect, land) is tried with
the types that require a context for it first; the contexts are DependencyMatcher patterns
(pipeline/nlp/patterns.py). Casualty figures and refused concessions join the candidates in
`candidates()`, so that later stages see one list.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from pipeline.nlp.casualties import CasualtyFinding
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.modality import is_negated
from pipeline.nlp.ontology import Ontology
from pipeline.nlp.patterns import ContextMatcher, lemma_forms
from pipeline.nlp.syntax import clause_subject

NOMINAL_DEPS = frozenset(
    {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "conj", "compound", "dative", "oprd", "npadvmod", "ROOT"}
)
_QUOTE_MARKS = frozenset('"“”')
# Parts of speech that can open the object or adjunct of a headline verb.
_OBJECT_STARTS = frozenset({"NOUN", "PROPN", "DET", "ADJ", "ADP", "NUM", "PRON"})
# Tokens inside these entities are names, never triggers (EVENT entities such as "the 2024
# war" may still be).
NAMED_ENTITY_TYPES = frozenset(
    {"DATE", "TIME", "PERSON", "GPE", "LOC", "FAC", "ORG", "NORP", "CARDINAL", "MONEY", "PERCENT", "ORDINAL",
     "QUANTITY", "WORK_OF_ART", "LAW", "PRODUCT", "LANGUAGE"}
)  # fmt: skip
_PARTICIPLE_TAGS = frozenset({"VBN", "VBD"})


@dataclass(frozen=True, slots=True)
class Trigger:
    """A candidate event trigger: its head token, token span and the lemma that matched."""

    event_type: str
    head: Token
    start: int  # token index in the doc
    end: int
    lemma: str
    nominal: bool
    mode: str | None = None  # a mode its context tells (the type's mode_contexts), over its lemma's

    @property
    def text(self) -> str:
        return self.head.doc[self.start : self.end].text


class TriggerFinder:
    """Matches the ontology's verbs, nouns and phrases; built once per spaCy pipeline."""

    def __init__(self, nlp: Language, ontology: Ontology, lexicon: Lexicon) -> None:
        self._ontology = ontology
        self._lexicon = lexicon
        self._contexts = ContextMatcher(ontology, lexicon.word_classes)
        # Phrases are matched on lemmas by hash (PhraseMatcher), each word in its lemma forms.
        self._phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        starts: set[str] = set()
        for phrase in ontology.phrase_types:
            words = [token.text for token in nlp.make_doc(phrase)]  # "sit-in" is three tokens
            starts.update(lemma_forms(words[0]))
            variants = itertools.product(*(_phrase_forms(word) for word in words))
            self._phrases.add(phrase, [Doc(nlp.vocab, words=list(v), lemmas=list(v)) for v in variants])
        self._phrase_starts = frozenset(starts)
        # Every word a single-token trigger can be looked up by; a token none of whose forms is
        # here is no trigger, whatever its parse (most tokens: checked before reading the parse).
        self._trigger_words = frozenset(ontology.verb_types) | frozenset(ontology.noun_types)

    def candidates(self, sent: Span, findings: list[CasualtyFinding], *, headline: bool) -> list[Trigger]:
        """Every candidate of the sentence: lexical triggers, refused concessions ("would not
        disarm"), and casualty figures that no violent trigger already carries."""
        triggers = {t.head.i: t for t in self.find(sent, headline=headline)}
        refusal = self._ontology.roles.refusal
        for token in sent:
            if (
                token.pos_ == "VERB"
                and token.lemma_.lower() in self._lexicon.concessions
                and token.i not in triggers
                and is_negated(token, self._lexicon)
                and _agentive(clause_subject(token)[0], self._lexicon)
                and not _ends_an_event(token, frozenset(triggers), self._lexicon)
            ):
                triggers[token.i] = Trigger(refusal, token, token.i, token.i + 1, token.lemma_.lower(), False)
        report = self._ontology.roles.casualty_report
        for finding in findings:
            token = finding.trigger
            existing = triggers.get(token.i)
            if existing is None or not self._ontology.has(existing.event_type, "casualties"):
                triggers[token.i] = Trigger(
                    report, token, token.i, token.i + 1, token.lemma_.lower(), token.pos_ != "VERB"
                )
        return sorted(triggers.values(), key=lambda t: t.start)

    def find(self, sent: Span, *, headline: bool = False) -> list[Trigger]:
        """All lexical candidates in the sentence, at most one per head token. In a headline a
        verb the tagger read as a noun ("Kenyan police fire tear gas") is still a verb."""
        found: dict[int, Trigger] = {}
        covered: set[int] = set()
        for phrase in self._phrase_triggers(sent):
            if phrase.head.i not in found:
                found[phrase.head.i] = phrase
                covered.update(range(phrase.start, phrase.end))  # "hunger" of "hunger strike" is no trigger
        for token in sent:
            if token.i in found or token.i in covered:
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
        for match_id, start, end in self._phrases(sent, as_spans=False):  # positions in the doc
            phrase = sent.doc.vocab.strings[match_id]
            span = sent.doc[start:end]
            head = span.root
            for event_type in self._ontology.phrase_types[phrase]:
                if self._fits(head, event_type, phrase, nominal=False):
                    mode = self._mode(head, event_type)
                    triggers.append(Trigger(event_type, head, span.start, span.end, phrase, head.pos_ != "VERB", mode))
                    break
        return triggers

    def _token_trigger(self, token: Token) -> Trigger | None:
        lemma = token.lemma_.lower()
        lower = token.lower_
        words = self._trigger_words
        if lemma not in words and lower not in words and lower.removesuffix("s") not in words:
            return None  # the forms looked up below are the lemma, the word and the word less "s"
        if token.ent_type_ in NAMED_ENTITY_TYPES:
            return None  # "March" the month, "Strike Group" the unit: names, not triggers
        if _reads_as_verb(token):
            if token.dep_ == "amod" or _hyphened_participle(token):
                return None  # "the besieged territory", "UAE-backed forces"
            verb_lemma = lemma if token.pos_ == "VERB" else token.lower_.removesuffix("s")
            for event_type in self._ontology.verb_types.get(verb_lemma, ()):
                if self._verb_fits(token, event_type, verb_lemma):
                    return Trigger(
                        event_type, token, token.i, token.i + 1, verb_lemma, False, self._mode(token, event_type)
                    )
            return None
        if token.pos_ in ("NOUN", "PROPN") or (token.pos_ in ("VERB", "ADJ") and token.dep_ in NOMINAL_DEPS):
            noun_lemma = _noun_lemma(token)
            if noun_lemma not in self._ontology.noun_types:
                noun_lemma = token.lower_
            for event_type in self._ontology.noun_types.get(noun_lemma, ()):
                if self._fits(token, event_type, noun_lemma, nominal=True):
                    return Trigger(
                        event_type, token, token.i, token.i + 1, noun_lemma, True, self._mode(token, event_type)
                    )
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
        statement = self._ontology.roles.statement
        for event_type in self._ontology.verb_types[lemma]:
            if event_type != statement and self._verb_fits(token, event_type, lemma):
                return Trigger(event_type, token, token.i, token.i + 1, lemma, False, self._mode(token, event_type))
        return None

    def _mode(self, token: Token, event_type: str) -> str | None:
        contexts = self._ontology.types[event_type].mode_contexts
        return self._contexts.mode(token, event_type, list(contexts)) if contexts else None

    def _fits(self, token: Token, event_type: str, lemma: str, *, nominal: bool) -> bool:
        """The context the ontology requires for (type, lemma) is there, and none it excludes;
        nouns have contexts of their own (`noun_requires`, `noun_excludes`)."""
        contexts = self._contexts
        required, excluded = ("noun_requires", "noun_excludes") if nominal else ("requires", "excludes")
        if contexts.has(required, event_type, lemma) and not contexts.fits(token, required, event_type, lemma):
            return False
        return not (contexts.has(excluded, event_type, lemma) and contexts.fits(token, excluded, event_type, lemma))

    def _verb_fits(self, token: Token, event_type: str, lemma: str) -> bool:
        spec = self._ontology.types[event_type]
        objects = {c.lemma_.lower() for c in token.children if c.dep_ in ("dobj", "nsubjpass")}
        if objects & set(spec.exclude_objects) or not self._fits(token, event_type, lemma, nominal=False):
            return False
        if event_type == self._ontology.roles.statement:
            return self._is_statement(token, lemma)
        return True

    def _is_statement(self, token: Token, lemma: str) -> bool:
        if self.is_media_subject(token):
            return False  # "AFP reported": attribution, not a statement
        if any(c.dep_ == "dobj" and c.tag_ in ("WP", "WDT") for c in token.children):
            return False  # "protested against what it called ...": a label inside another act
        if lemma not in self._lexicon.content_speech:
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


def _phrase_forms(word: str) -> list[str]:
    """A phrase word's lemma, and its plural where the lemmatizer leaves one ("talks")."""
    if not word.isalpha():
        return [word]
    return sorted({word, word + "s", word[:-1] + "ies" if word.endswith("y") else word + "s"})


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


def _hyphened_participle(token: Token) -> bool:
    """'UAE-backed', 'Saudi-led', 'US-brokered': a participle glued to a name by a hyphen
    modifies a noun; it reports no act of its own."""
    if token.tag_ not in _PARTICIPLE_TAGS or token.i < 2:
        return False
    hyphen = token.doc[token.i - 1]
    return hyphen.text in "-‐" and not hyphen.whitespace_ and not token.doc[token.i - 2].whitespace_


def _noun_lemma(token: Token) -> str:
    """Noun lemma, mending the tagger where it read a plural noun as a verb ("talks")."""
    if token.pos_ == "VERB" and token.tag_ == "VBZ" and token.lower_.endswith("s"):
        return token.lower_[:-1]
    return token.lemma_.lower()


def _agentive(subject: Token | None, lexicon: Lexicon) -> bool:
    """Can refuse: a person, group or country ('Hamas will not disarm'), not 'the aggression'."""
    if subject is None:
        return False
    if subject.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or subject.pos_ == "PRON":
        return True
    lemma = subject.lemma_.lower()
    return lemma in lexicon.actor_nouns or lemma in lexicon.group_anaphors or lemma in lexicon.victim_nouns


def _ends_an_event(verb: Token, heads: frozenset[int], lexicon: Lexicon) -> bool:
    """A verb of stopping whose object is an event: what it says is about that event."""
    return verb.lemma_.lower() in lexicon.terminative_verbs and any(
        c.dep_ in ("dobj", "nsubjpass", "xcomp") and c.i in heads for c in verb.children
    )
