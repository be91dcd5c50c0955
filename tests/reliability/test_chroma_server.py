"""The same ingestion and retrieval checks on the embedded store and on a Chroma server
(`chroma run`), then what only a server allows: several instances sharing one index, each with
its own data folder and BM25 side index."""

from __future__ import annotations

import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.pipeline import Status, ingest
from kb.core.config import Settings
from kb.core.store import StoreError, open_store
from kb.search.retrieval import HybridRetriever
from tests.conftest import INTER, INTRA, make_settings
from tests.processes import isolated_env
from tests.reliability.support import (
    ChromaServer,
    chroma_server,
    copy_tree,
    ctg,
    free_port,
    index_state,
)

PRICE = "Combien coûte la formation sur la coopération entre partenaires ?"
NEW_NOTE = "# Centre social\n\nLe centre social de Plouhinec anime le comité des parents.\n"


@dataclass(frozen=True)
class Backend:
    name: str
    server: ChromaServer | None
    collection: str

    def settings(self, data_dir: Path) -> Settings:
        url = self.server.url if self.server else None
        return make_settings(data_dir, chroma_url=url, collection=self.collection)

    def other_instance(self, tmp_path: Path) -> Settings:
        """Another instance: another machine (its own folder) for a server, another process on
        the same folder for the embedded store."""
        return self.settings(tmp_path / ("other" if self.server else "data"))

    def env(self, settings: Settings) -> dict[str, str]:
        extra = {"chroma_url": settings.chroma_url} if settings.chroma_url else {}
        return isolated_env(settings.data_dir, collection=settings.collection, **extra)


@pytest.fixture(params=["embedded", "server"])
def backend(request) -> Backend:
    """The embedded store, or the session's Chroma server with collections of this test's own."""
    server = request.getfixturevalue("chroma") if request.param == "server" else None
    return Backend(request.param, server, f"t{uuid.uuid4().hex[:12]}")


@pytest.fixture
def seeds(tmp_path, brochures_dir) -> Path:
    return copy_tree(brochures_dir, tmp_path / "seeds")


def statuses(report) -> dict[str, Status]:
    return {r.source: r.status for r in report.results}


def texts(retriever: HybridRetriever, question: str, k: int = 5) -> list[str]:
    return [hit.chunk.text for hit in retriever.search(question, k=k)]


def test_ingest_search_reingest_edit_and_delete(backend, tmp_path, seeds, embeddings):
    settings = backend.settings(tmp_path / "data")
    store = open_store(settings, embeddings)
    assert set(statuses(ingest([seeds], settings, store)).values()) == {Status.INDEXED}
    retriever = HybridRetriever(store=store)
    assert any("780 €" in text for text in texts(retriever, PRICE))
    built = index_state(store)
    assert built.problems == [] and len(built.documents) == 2

    assert set(statuses(ingest([seeds], settings, store)).values()) == {Status.UNCHANGED}
    assert index_state(store) == built

    (seeds / INTER).write_text(
        "Formation courte\n\nUne journée sur la gouvernance partagée à Quimperlé.", encoding="utf-8"
    )
    (seeds / INTRA).unlink()
    assert statuses(ingest([seeds], settings, store)) == {
        f"seeds/{INTER}": Status.INDEXED,
        f"seeds/{INTRA}": Status.REMOVED,
    }
    after = index_state(store)
    assert after.problems == [] and list(after.documents) == [f"seeds/{INTER}"]
    assert "Quimperlé" in texts(retriever, "Où a lieu la journée ?", k=1)[0]
    assert not any("780 €" in chunk.text for chunk in store.iter_chunks())


def test_bm25_is_rebuilt_from_chroma_when_its_folder_is_lost(backend, tmp_path, seeds, embeddings):
    settings = backend.settings(tmp_path / "data")
    store = open_store(settings, embeddings)
    ingest([seeds], settings, store)
    built = index_state(store)
    shutil.rmtree(settings.data_dir / "bm25")
    reopened = open_store(settings, embeddings)
    assert any("780 €" in text for text in texts(HybridRetriever(store=reopened), PRICE))
    assert index_state(reopened) == built


def test_another_instance_ingesting_is_seen_after_reopening(backend, tmp_path, seeds, embeddings):
    settings = backend.settings(tmp_path / "data")
    store = open_store(settings, embeddings)
    ingest([seeds], settings, store)
    retriever = HybridRetriever(store=store)
    retriever.search(PRICE)  # the BM25 index is loaded: this instance is running
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "centre-social.md").write_text(NEW_NOTE, encoding="utf-8")
    other = backend.other_instance(tmp_path)
    done = ctg(tmp_path, backend.env(other), "ingest", "extra")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "1 indexé(s)" in done.stdout

    retriever.search("centre social de Plouhinec")  # a stale instance may miss it, not fail
    reopened = open_store(settings, embeddings)
    hits = HybridRetriever(store=reopened).search("centre social de Plouhinec", k=3)
    new = {hit.chunk.source: hit for hit in hits}.get("extra/centre-social.md")
    assert new is not None and new.lexical_rank == 1
    if backend.server:
        assert new.dense_rank == 1  # the vectors the other instance wrote are searched too
    else:
        # Embedded Chroma keeps one in-memory vector index per process: vectors written by
        # another process are searched after a restart (README: use a server for several
        # processes). The passage is found all the same, through BM25.
        assert new.dense_rank is None
    state = index_state(reopened)
    assert state.problems == [] and len(state.documents) == 3


# --- server only -----------------------------------------------------------------------------


def test_an_unreachable_server_is_a_french_store_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError) as caught:
        open_store(make_settings(tmp_path / "data", chroma_url=url))
    assert str(caught.value).startswith(f"Impossible de joindre la base Chroma ({url})")
    done = ctg(tmp_path, isolated_env(tmp_path / "data", chroma_url=url), "stats")
    assert done.returncode == 2
    assert "Impossible de joindre la base Chroma" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_server_that_stops_is_a_french_store_error(tmp_path, seeds, embeddings):
    with chroma_server(tmp_path / "db") as server:
        settings = make_settings(tmp_path / "data", chroma_url=server.url)
        store = open_store(settings, embeddings)
        ingest([seeds], settings, store)
        retriever = HybridRetriever(store=store)
        retriever.search(PRICE)
    with pytest.raises(StoreError) as caught:
        retriever.search(PRICE)
    assert "Chroma" in str(caught.value)


def test_instances_ingesting_at_once_into_one_server_lose_nothing(
    chroma, tmp_path, seeds, embeddings
):
    """Each instance's lock only guards its own data folder. Here B has written a changed
    document's chunks and not yet committed them when A starts its own ingestion."""
    collection = f"t{uuid.uuid4().hex[:12]}"
    a = make_settings(tmp_path / "a", chroma_url=chroma.url, collection=collection)
    b = make_settings(tmp_path / "b", chroma_url=chroma.url, collection=collection)
    store_b = open_store(b, embeddings)
    ingest([seeds], b, store_b)
    (seeds / INTER).write_text("Formation courte à Quimperlé, 990 € par stagiaire.",
                                        encoding="utf-8")
    written, resume = threading.Event(), threading.Event()
    commit = store_b._manifest.upsert

    def slow_commit(**kwargs):
        written.set()
        resume.wait(timeout=60)
        commit(**kwargs)

    store_b._manifest.upsert = slow_commit
    worker = threading.Thread(target=ingest, args=([seeds], b, store_b))
    worker.start()
    try:
        assert written.wait(timeout=60)
        (tmp_path / "extra").mkdir()
        (tmp_path / "extra" / "centre-social.md").write_text(NEW_NOTE, encoding="utf-8")
        ingest([tmp_path / "extra"], a, open_store(a, embeddings))
    finally:
        resume.set()
        worker.join(timeout=60)
    reopened = open_store(b, embeddings)
    chunks = {s: len(reopened.chunks_of(s)) for s in reopened.documents()}
    assert chunks == {s: r.chunks for s, r in reopened.documents().items()}
    assert "990 €" in reopened.chunks_of(f"seeds/{INTER}")[0].text
