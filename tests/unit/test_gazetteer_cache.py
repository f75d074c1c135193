"""The gazetteer index is cached on disk, so worker processes start without rebuilding it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline.nlp import places
from pipeline.nlp.places import Gazetteer, GazetteerIndex, index_cache_path, load_index

NAMES = ["Rafah", "Khan Younis", "Deir al Balah", "Paris", "Springfield", "Kharkiv", "Nowhere-At-All"]


@pytest.fixture(scope="module")
def built() -> GazetteerIndex:
    return places.build_index()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch, built: GazetteerIndex) -> list[int]:
    """Counts builds, and serves the module's one built index."""
    calls: list[int] = []

    def build() -> GazetteerIndex:
        calls.append(1)
        return built

    monkeypatch.setattr(places, "build_index", build)
    return calls


def test_second_load_reads_the_cache_and_looks_up_alike(
    tmp_path: Path, builds: list[int], built: GazetteerIndex
) -> None:
    first = load_index(tmp_path)
    second = load_index(tmp_path)
    assert builds == [1]
    assert index_cache_path(tmp_path).is_file()
    fresh, cached = Gazetteer(built), Gazetteer(second)
    for name in NAMES:
        for prefer in (frozenset(), frozenset({"PSE"}), frozenset({"USA"})):
            assert cached.lookup(name, prefer) == fresh.lookup(name, prefer)
    assert Gazetteer(first).lookup("Khan Younis") is not None


def test_damaged_cache_is_rebuilt_and_rewritten(tmp_path: Path, builds: list[int]) -> None:
    path = index_cache_path(tmp_path)
    path.write_bytes(b"not a pickle")
    assert Gazetteer(load_index(tmp_path)).lookup("Rafah") is not None
    assert builds == [1]
    load_index(tmp_path)
    assert builds == [1]


def test_unwritable_cache_directory_still_gives_a_gazetteer(tmp_path: Path, builds: list[int]) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    assert Gazetteer(load_index(blocked)).lookup("Rafah") is not None
    assert builds == [1]


def test_indexes_of_other_versions_are_removed(tmp_path: Path, builds: list[int]) -> None:
    stale = tmp_path / "gazetteer-0.0-5000-000000000000-py30.pickle"
    stale.write_bytes(b"old")
    load_index(tmp_path)
    assert not stale.exists()
    assert [p.name for p in tmp_path.iterdir()] == [index_cache_path(tmp_path).name]


def test_cache_directory_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSEVENTS_CACHE_DIR", str(tmp_path / "mine"))
    assert places.cache_directory() == tmp_path / "mine"
    monkeypatch.delenv("NEWSEVENTS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert places.cache_directory() == tmp_path / "xdg" / "newsevents"


def test_a_failed_write_leaves_no_partial_file(
    tmp_path: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(places.pickle, "dump", full_disk)
    assert Gazetteer(load_index(tmp_path)).lookup("Rafah") is not None
    assert list(tmp_path.iterdir()) == []


def test_the_cache_name_changes_with_how_names_are_normalized(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = index_cache_path(tmp_path)
    monkeypatch.setattr(places, "_ARTICLES", {**places._ARTICLES, "le": "al"})
    assert index_cache_path(tmp_path) != before
