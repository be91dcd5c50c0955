"""The app under `streamlit.testing.v1.AppTest`, on a real index: corpus/ ingested once per
session (tests/conftest.py), as `make run` opens it, or a small index of its own for a test that
deletes."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kb.core.config import get_settings
from tests.conftest import CORPUS, REPO, make_settings

TIMEOUT = 60  # seconds for one run: the first one opens the index and loads the model
PASSWORD = "mot-de-passe-de-test"


def _fresh_process_state() -> None:
    """Forget settings and cached resources, as a newly started app would."""
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app_env(monkeypatch) -> Callable[..., None]:
    """Point the app at a data directory, with `CTG_*` settings; caches are cleared around."""

    def point(data_dir: Path, **settings: str) -> None:
        monkeypatch.setenv("CTG_DATA_DIR", str(data_dir))
        monkeypatch.setenv("CTG_CORPUS_DIR", str(CORPUS))
        monkeypatch.setenv("CTG_LLM", "extractive")
        monkeypatch.delenv("CTG_ADMIN_PASSWORD", raising=False)
        for name, value in settings.items():
            monkeypatch.setenv(f"CTG_{name.upper()}", value)
        _fresh_process_state()

    yield point
    _fresh_process_state()


@pytest.fixture
def corpus_app(app_env, shipped_index) -> Path:
    """The app on the shipped corpus index; returns its data directory."""
    data_dir = shipped_index.settings.data_dir
    app_env(data_dir, admin_password=PASSWORD)
    return data_dir


@pytest.fixture
def small_index(tmp_path, embeddings) -> Path:
    """A data directory indexing two documents of corpus/ (one programme), for tests that
    change the index; returns the data directory."""
    from ingest.pipeline import ingest
    from kb.core.store import open_store

    folder = tmp_path / "corpus"
    for name in ("programmes/fr-consultants-piloter-ctg.md", "references/ctg.md"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / name, folder / name)
    settings = make_settings(tmp_path / "data")
    report = ingest([folder], settings, open_store(settings, embeddings))
    assert report.ok, report.errors
    return settings.data_dir


def _settle() -> None:
    """Wait for the app's background warm-up (ui.resources). Compiling a page script while
    another thread compiles can fail in CPython 3.11 ("AST constructor recursion depth
    mismatch": the AST state is shared between threads, see CPython gh-106905); seen once in a
    clean-clone run. A race the tests must not depend on."""
    for thread in threading.enumerate():
        if thread.name == "ctg-warm-up":
            thread.join(TIMEOUT)


def open_page(page: str | None = None) -> AppTest:
    """The app run once, then switched to `page` (a module of ui/pages/) and run again."""
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()
    assert not app.exception, app.exception
    if page:
        _settle()
        app.switch_page(f"ui/pages/{page}.py").run()
        assert not app.exception, app.exception
    _settle()
    return app


def shown(markdown: str) -> str:
    """Markdown as read on screen: the app's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(node, kind: str) -> list[str]:
    """The text of every element of `kind` ("markdown", "caption", "info"…) under `node`."""
    return [shown(str(element.value)) for element in getattr(node, kind)]
