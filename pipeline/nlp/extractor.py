"""Article text in, events out: the extraction pipeline over spaCy docs.

An article is segmented, its segments parsed in one `nlp.pipe` with the batch's other articles,
its entities resolved together, and each sentence run through the chain of stages in
`pipeline/nlp/chain.py`; then the article-level check of conflicting casualty figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import spacy
from spacy.language import Language

from pipeline import __version__
from pipeline.nlp.attributes import index_attribute_ruler
from pipeline.nlp.chain import SentenceChain
from pipeline.nlp.conflicts import mark_conflicts
from pipeline.nlp.context import ArticleContext
from pipeline.nlp.document import ParsedArticle
from pipeline.nlp.entities import EntityResolver
from pipeline.nlp.language import add_lemma_fixes, looks_english
from pipeline.nlp.lemmatizer import remember_lemmas
from pipeline.nlp.lexicon import Lexicon, load_lexicon
from pipeline.nlp.models import DEFAULT_MODEL
from pipeline.nlp.ontology import Ontology, load_ontology
from pipeline.nlp.places import shared_country_coder, shared_gazetteer
from pipeline.nlp.segment import Dateline, segment_article
from pipeline.nlp.types import ArticleText, ExtractedEvent, Segment

# The events of one article, or why extracting it failed (the exception, as text).
Outcome = list[ExtractedEvent] | str


class EventExtractor:
    """Holds the spaCy pipeline and the shared resources; one per worker process."""

    def __init__(self, nlp: Language, ontology: Ontology | None = None, lexicon: Lexicon | None = None) -> None:
        self.nlp = nlp
        self.ontology = ontology or load_ontology()
        self.lexicon = lexicon or load_lexicon()
        index_attribute_ruler(nlp)
        add_lemma_fixes(nlp, self.lexicon)
        remember_lemmas(nlp)
        self._resolver = EntityResolver(shared_country_coder(self.lexicon), shared_gazetteer(), self.lexicon)
        self._chain = SentenceChain(nlp, self.ontology, self.lexicon)
        self._promo = tuple(self.lexicon.promo_prefixes)

    @classmethod
    def load(cls, model: str = DEFAULT_MODEL) -> EventExtractor:
        return cls(spacy.load(model))

    @property
    def version(self) -> str:
        """Changes whenever code, ontology or model change what is extracted."""
        model = f"{self.nlp.meta.get('name', 'model')}-{self.nlp.meta.get('version', '0')}"
        return f"newsevents-{__version__}+ontology-{self.ontology.version}+lexicon-{self.lexicon.version}+{model}"

    def extract(self, article: ArticleText) -> list[ExtractedEvent]:
        return self.extract_batch([article])[0]

    def extract_each(self, articles: Sequence[ArticleText]) -> list[Outcome]:
        """Every article's outcome: the batch at once; if that fails, each article alone, so
        that one bad article costs only itself (its outcome is the error, as text)."""
        try:
            return list(self.extract_batch(articles))
        except Exception:  # noqa: BLE001 - isolate the article that broke the batch, below
            pass
        outcomes: list[Outcome] = []
        for article in articles:
            try:
                outcomes.append(self.extract(article))
            except Exception as err:  # noqa: BLE001 - reported per article, to become a dead letter
                outcomes.append(f"{type(err).__name__}: {err}")
        return outcomes

    def extract_batch(self, articles: Sequence[ArticleText], batch_size: int = 64) -> list[list[ExtractedEvent]]:
        """Events of each article; spaCy sees all segments of the batch in one `nlp.pipe`."""
        plans: list[tuple[list[Segment], Dateline | None, int] | None] = []
        texts: list[str] = []
        for article in articles:
            if not self._extractable(article):
                plans.append(None)
                continue
            segments, dateline = segment_article(article.title, article.body, self._promo)
            plans.append((segments, dateline, len(texts)))
            texts.extend(segment.text for segment in segments)
        docs = list(self.nlp.pipe(texts, batch_size=batch_size))
        results: list[list[ExtractedEvent]] = []
        for article, plan in zip(articles, plans, strict=True):
            if plan is None:
                results.append([])
                continue
            segments, dateline, first = plan
            parsed = ParsedArticle.build(segments, docs[first : first + len(segments)], dateline, self._resolver)
            results.append(self._events(article, parsed))
        return results

    def _extractable(self, article: ArticleText) -> bool:
        if article.language and not article.language.lower().startswith("en"):
            return False
        return looks_english(article.body, self.lexicon.english_function_words)

    def _events(self, article: ArticleText, parsed: ParsedArticle) -> list[ExtractedEvent]:
        lexicon = self.lexicon
        context = ArticleContext(lexicon.group_anaphors, lexicon.pronouns, media=lexicon.media_outlets_lower)
        events: list[ExtractedEvent] = []
        for sentence in parsed.sentences():
            events += self._chain.events(sentence, parsed, context, article)
        return mark_conflicts(events)
