"""Article-level entity resolution: aliases, label voting, country codes and places."""

from __future__ import annotations

import pytest
from pipeline.nlp.entities import EntityResolver, Mention, clean_name
from pipeline.nlp.lexicon import load_lexicon
from pipeline.nlp.places import CountryCoder, Gazetteer, normalize_place, shared_country_coder, shared_gazetteer


@pytest.fixture(scope="module")
def resolver() -> EntityResolver:
    return EntityResolver(shared_country_coder(load_lexicon()), shared_gazetteer(), load_lexicon())


def mentions(*items: tuple[str, str]) -> list[Mention]:
    return [Mention((i, 0), text, label, i * 100, i * 100 + len(text)) for i, (text, label) in enumerate(items)]


def test_short_names_join_the_full_name_and_labels_are_voted(resolver: EntityResolver) -> None:
    found = resolver.resolve(
        mentions(
            ("Abdel Fattah al-Sisi", "PERSON"),
            ("Sisi", "ORG"),
            ("Donald Trump", "PERSON"),
            ("Trump", "ORG"),
            ("Trump", "PERSON"),
            ("Trump’s", "ORG"),
        )
    )
    by_text = {(m.text, m.start): m for m in found.values()}
    assert by_text[("Sisi", 100)].canonical == "Abdel Fattah al-Sisi"
    assert {m.label for m in found.values() if m.canonical == "Donald Trump"} == {"PERSON"}
    assert by_text[("Trump’s", 500)].canonical == "Donald Trump"


def test_places_are_not_merged_by_shared_words(resolver: EntityResolver) -> None:
    found = resolver.resolve(mentions(("Gaza", "GPE"), ("Gaza City", "GPE")))
    assert {m.canonical for m in found.values()} == {"Gaza", "Gaza City"}


def test_acronyms_join_their_long_form(resolver: EntityResolver) -> None:
    found = resolver.resolve(mentions(("United Nations", "ORG"), ("UN", "ORG")))
    assert {m.canonical for m in found.values()} == {"United Nations"}


@pytest.mark.parametrize(
    ("text", "label", "code"),
    [
        ("Israeli", "NORP", "ISR"),
        ("Palestinian", "NORP", "PSE"),
        ("Turkish", "NORP", "TUR"),
        ("Egypt", "GPE", "EGY"),
        ("Gaza", "GPE", "PSE"),
        ("the United States", "GPE", "USA"),
        ("Cairo", "GPE", "EGY"),
        ("Hamas", "ORG", None),
    ],
)
def test_country_codes(resolver: EntityResolver, text: str, label: str, code: str | None) -> None:
    (entity,) = resolver.resolve(mentions((text, label))).values()
    assert entity.country_code == code


def test_cities_are_geocoded_with_geonames_ids(resolver: EntityResolver) -> None:
    found = resolver.resolve(mentions(("Sharm El-Sheikh", "GPE"), ("Khan Younis", "GPE"), ("Israel", "GPE")))
    geos = {m.text: m.geo for m in found.values()}
    assert geos["Sharm El-Sheikh"] is not None and geos["Sharm El-Sheikh"].geonames_id == 349340
    assert geos["Khan Younis"] is not None and geos["Khan Younis"].country_code == "PSE"
    assert geos["Khan Younis"].precision == "CITY"
    assert geos["Israel"] is None  # a country: coded, not placed on a point


def test_ambiguous_city_prefers_a_country_of_the_article() -> None:
    gazetteer: Gazetteer = shared_gazetteer()
    point = gazetteer.lookup("Rafah", frozenset({"PSE"}))
    assert point is not None and point.country_code == "PSE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("President Donald Trump", "Donald Trump"),
        ("the Palestinian Authority", "Palestinian Authority"),
        ("Hamas’s", "Hamas"),
        ("Trump's", "Trump"),
    ],
)
def test_clean_name(text: str, expected: str) -> None:
    assert clean_name(text, load_lexicon().title_words) == expected


def test_place_names_normalize_across_spellings() -> None:
    assert normalize_place("Deir el-Balah") == normalize_place("Deir al Balah")


def test_country_coder_ignores_non_places() -> None:
    coder: CountryCoder = shared_country_coder(load_lexicon())
    assert coder.code("a spokesman of the civil defence agency") is None
