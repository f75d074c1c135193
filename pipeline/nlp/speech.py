"""Stage 7, quotes and speakers: what was said, by whom, how and to whom.

In: a speech trigger, its actors, the sentence's quote spans. Out: a `Quote` record and the
ADDRESSEE (and, where the parse left the reporting verb without a subject, SPEAKER) actors.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from pipeline.nlp.context import ArticleContext
from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.quotes import QuoteSpan, quotes_for_verb
from pipeline.nlp.roles import RoleContext, actor_for_token
from pipeline.nlp.syntax import children, first_child
from pipeline.nlp.types import Actor, Quote, Role


def build_quote(
    verb: Token, actors: list[Actor], quotes: list[QuoteSpan], sent: Span, offset: int, rc: RoleContext
) -> tuple[Quote, list[Actor]]:
    """The quote of a speech verb: its direct quotes, else the reported clause; with the
    speaker, the reporting verb and the outlet or audience (also returned as ADDRESSEE actors)."""
    speaker = next((a for a in actors if a.role is Role.SPEAKER), None)
    extra: list[Actor] = []
    heard_by = addressee(verb, rc.lexicon)
    if heard_by is not None:
        extra += actor_for_token(heard_by, Role.ADDRESSEE, rc)
    own = quotes_for_verb(quotes, verb, offset)
    if own:
        text = " … ".join(q.text for q in own)
        start, end, direct = own[0].start, own[-1].end, True
    else:
        clause = first_child(verb, "ccomp", "xcomp", "dobj")
        span = sent.doc[clause.left_edge.i : clause.right_edge.i + 1] if clause is not None else sent
        text, start, end, direct = (
            span.text,
            offset + span.start_char,
            offset + span.end_char,
            False,
        )
    name = (speaker.canonical or speaker.text) if speaker is not None else None
    addressee_text = extra[0].canonical or extra[0].text if extra else None
    return Quote(text, start, end, direct, name, verb.lemma_.lower(), addressee_text), extra


def has_content(verb: Token, quotes: list[QuoteSpan], offset: int) -> bool:
    """A speech act with something said: a quote, or a reported clause."""
    return bool(quotes_for_verb(quotes, verb, offset)) or first_child(verb, "ccomp") is not None


def continued_quote(quotes: list[QuoteSpan], context: ArticleContext) -> Quote | None:
    """A sentence that is only a quote continues the last speaker's words."""
    if not quotes or context.last_speaker is None:
        return None
    return Quote(quotes[0].text, quotes[0].start, quotes[-1].end, True, context.last_speaker.canonical, None, None)


def addressee(verb: Token, lexicon: Lexicon) -> Token | None:
    """'reporters' in 'told reporters', 'Al Jazeera' in 'speaking to Al Jazeera' or
    'in an interview with CNN', 'AFP' in 'cited by AFP'."""
    if verb.lemma_ in lexicon.addressee_object_verbs:
        obj = first_child(verb, "dobj", "dative")
        if obj is not None:
            return obj
    for prep in children(verb, "prep"):
        found = _prep_object(prep, ("to",))
        if found:
            return found
    for clause in [*children(verb, "advcl", "xcomp", "conj"), *children(verb.head, "advcl")]:
        if clause.lemma_ in lexicon.addressee_verbs and clause.i != verb.i:
            for prep in children(clause, "prep"):
                found = _prep_object(prep, ("to", "with"))
                if found:
                    return found
    for prep in children(verb, "prep"):
        if prep.lower_ == "in":
            noun = first_child(prep, "pobj")
            if noun is not None and noun.lemma_ in lexicon.speech_venues:
                for inner in children(noun, "prep"):
                    found = _prep_object(inner, ("with", "to", "on"))
                    if found:
                        return found
    subject = first_child(verb, "nsubj")
    if subject is not None:
        for clause in children(subject, "acl"):
            agent = first_child(clause, "agent")
            if clause.lemma_ in lexicon.citing_verbs and agent is not None:
                obj = first_child(agent, "pobj")
                if obj is not None:
                    return obj
    return None


def _prep_object(prep: Token, preps: tuple[str, ...]) -> Token | None:
    if prep.lower_ not in preps:
        return None
    return first_child(prep, "pobj")


def reporting_speaker(verb: Token, sent: Span, rc: RoleContext) -> list[Actor]:
    """The speaker of a speech verb the parse left without a subject: a name right after the
    verb that the parser read as its object ('..., said the ministry'), else the source of an
    'according to X' in the sentence."""
    lexicon = rc.lexicon
    for obj in children(verb, "dobj", "attr", "npadvmod"):
        if obj.i > verb.i and rc.entity_at(obj) is not None and verb.lemma_ in lexicon.said_verbs:
            return actor_for_token(obj, Role.SPEAKER, rc)
    for token in sent:
        if token.lower_ in lexicon.preps.attribution:
            to = first_child(token, "prep")
            source = first_child(to, "pobj") if to is not None else None
            if source is not None:
                return actor_for_token(source, Role.SPEAKER, rc)
    return []
