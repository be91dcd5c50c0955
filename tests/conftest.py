"""Shared fixtures: brochures written for the tests, the real seed files when ../shared sits
beside the repository (CI), real embeddings, a real Chroma store in a temporary folder."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

import kb  # noqa: F401 -- offline environment first
from kb.core.config import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = REPO / "corpus"
EVAL = REPO / "tests" / "eval"
# Two brochure-like documents written for the tests: an inter course and an intra offer.
BROCHURES = REPO / "tests" / "fixtures" / "brochures"
INTER = "programme-inter.txt"
INTRA = "accompagnement-intra.txt"
FR_CONSULTANTS = "000_82d55ce07b10d159.txt"
EGOC = "003_6a075cde25f75532.txt"
# The six dated days of the EGOC offer's three phases, as the brochure gives them.
EGOC_DAYS = [date(2022, 11, 24), date(2022, 12, 2), date(2023, 4, 4), date(2023, 6, 2),
             date(2023, 9, 19), date(2023, 11, 9)]


# What makes a test slow: a real embedding model (every fixture built on `embeddings`), or
# servers, browsers and child processes (these folders, and modules marked `slow` themselves).
SLOW_FIXTURES = frozenset({"embeddings"})
SLOW_FOLDERS = frozenset({"e2e", "reliability"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark slow what loads a model or starts a server, so `make test-fast` leaves it out."""
    for item in items:
        folder = item.path.relative_to(REPO / "tests").parts[0]
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or folder in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The two real seed brochures; tests reading them skip when ../shared is absent."""
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds absent: the seed brochures are not shipped with the project")
    return SEEDS


@pytest.fixture(scope="session")
def brochures_dir() -> Path:
    """The two brochures written for the tests, always present."""
    return BROCHURES


@pytest.fixture(scope="session")
def embeddings():
    """The default, real embedding model (USE multilingual, shipped with its weights)."""
    from kb.core.embeddings import load_embeddings

    return load_embeddings()


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, _env_file=None, **overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, seeds_dir, embeddings):
    """A store holding only the two seed documents, built once for the session."""
    from ingest.pipeline import ingest
    from kb.core.store import open_store

    root = tmp_path_factory.mktemp("seed-index")
    corpus = root / "seeds"
    shutil.copytree(seeds_dir, corpus)
    settings = make_settings(root / "data")
    store = open_store(settings, embeddings)
    report = ingest([corpus], settings, store)
    assert report.ok, report.errors
    return store


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, seeds_dir, embeddings):
    """A store holding the shipped corpus plus the seeds, built once for the session."""
    from ingest.pipeline import ingest
    from kb.core.store import open_store

    root = tmp_path_factory.mktemp("corpus-index")
    shutil.copytree(seeds_dir, root / "seeds")
    shutil.copytree(CORPUS, root / "corpus")
    settings = make_settings(root / "data")
    store = open_store(settings, embeddings)
    report = ingest([root / "corpus", root / "seeds"], settings, store)
    assert report.ok, report.errors
    return store


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory, embeddings):
    """A store holding the shipped corpus alone, as `make run` opens it."""
    from ingest.pipeline import ingest
    from kb.core.store import open_store

    root = tmp_path_factory.mktemp("shipped-index")
    shutil.copytree(CORPUS, root / "corpus")
    settings = make_settings(root / "data")
    store = open_store(settings, embeddings)
    report = ingest([root / "corpus"], settings, store)
    assert report.ok, report.errors
    return store
