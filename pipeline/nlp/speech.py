"""Speech events: what was said, by whom, how and to whom."""

from __future__ import annotations

from spacy.tokens import Span, Token

from pipeline.nlp.context import ArticleContext
from pipeline.nlp.quotes import QuoteSpan, addressee, quotes_for_verb
from pipeline.nlp.roles import RoleContext, actor_for_token
from pipeline.nlp.syntax import first_child
from pipeline.nlp.types import Actor, Quote, Role


def build_quote(
    verb: Token, actors: list[Actor], quotes: list[QuoteSpan], sent: Span, offset: int, rc: RoleContext
) -> tuple[Quote, list[Actor]]:
    """The quote of a speech verb: its direct quotes, else the reported clause; with the
    speaker, the reporting verb and the outlet or audience (also returned as ADDRESSEE actors)."""
    speaker = next((a for a in actors if a.role is Role.SPEAKER), None)
    extra: list[Actor] = []
    heard_by = addressee(verb)
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
