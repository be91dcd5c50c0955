"""Embeddings kept on disk: computed once, read back across processes, never wrong."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.pipeline import ingest, remove_document
from kb.core.sentences import passage_units
from kb.core.store import embedding_text, open_store
from kb.core.vectors import StoredEmbeddings
from kb.search.retrieval import HybridRetriever
from tests.conftest import make_settings


class CountingModel:
    """A stand-in model that records what it was asked to embed (isolates the cache logic)."""

    def __init__(self) -> None:
        self.documents: list[str] = []
        self.queries: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents.extend(texts)
        return [[float(len(t)), float(sum(map(ord, t)) % 97), 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return [0.0, 0.0, 1.0]


class QuestionsOnly:
    """The real model for questions; passages and sentences must come from the disk."""

    def __init__(self, model) -> None:
        self.model = model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError(f"embedded again: {texts[:3]}")

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)


def test_each_text_is_embedded_once_even_after_reopening(tmp_path):
    path = tmp_path / "vectors.sqlite"
    model = CountingModel()
    first = StoredEmbeddings(model, path)
    got = first.embed_documents(["Le COPIL valide.", "Le COTECH prépare.", "Le COPIL valide."])
    assert model.documents == ["Le COPIL valide.", "Le COTECH prépare."]
    assert got[0] == got[2] == model.embed_documents(["Le COPIL valide."])[0]
    first.close()

    model.documents.clear()
    again = StoredEmbeddings(model, path).embed_documents(["Le COTECH prépare.", "Nouveau."])
    assert model.documents == ["Nouveau."]
    assert again[0] == CountingModel().embed_documents(["Le COTECH prépare."])[0]


def test_questions_are_never_stored(tmp_path):
    model = CountingModel()
    stored = StoredEmbeddings(model, tmp_path / "vectors.sqlite")
    stored.embed_query("Qui signe la CTG ?")
    stored.embed_query("Qui signe la CTG ?")
    assert model.queries == ["Qui signe la CTG ?", "Qui signe la CTG ?"]
    assert model.documents == []


def test_a_damaged_file_is_started_again(tmp_path):
    path = tmp_path / "vectors.sqlite"
    path.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    model = CountingModel()
    assert StoredEmbeddings(model, path).embed_documents(["Le RPE informe."]) == \
        CountingModel().embed_documents(["Le RPE informe."])
    assert model.documents == ["Le RPE informe."]


def test_ingestion_embeds_every_passage_and_sentence_of_the_brochures(tmp_path, brochures_dir,
                                                                        embeddings):
    settings = make_settings(tmp_path / "data")
    store = open_store(settings, embeddings)
    assert ingest([brochures_dir], settings, store).ok
    chunks = list(store.iter_chunks())
    sentences = [u.display for c in chunks for u in passage_units(c.text)]
    assert len(sentences) > 2 * len(chunks)

    # At question time, the vectors are read back: the model only embeds the question.
    store.vectors = StoredEmbeddings(QuestionsOnly(embeddings), store.vectors.path)
    sample = sentences[::7] + [embedding_text(c) for c in chunks[::5]]
    got = np.array(store.vectors.embed_documents(sample))
    assert got == pytest.approx(np.array(embeddings.embed_documents(sample)), abs=1e-6)
    hits = HybridRetriever(store=store, rerank=True).search("Combien coûte la formation ?")
    assert len(hits) == min(5, len(chunks))


def test_rebuilding_the_index_embeds_nothing_again(tmp_path, embeddings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "copil.md").write_text(
        "# Le COPIL\n\nLe comité de pilotage valide le plan d'actions. Il se réunit deux fois "
        "par an.\n\n## Composition\n\nLa Caf, l'EPCI et les communes y siègent.\n",
        encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    assert ingest([corpus], settings, open_store(settings, embeddings)).ok

    counted = CountingModel()
    store = open_store(settings, counted)
    assert ingest([corpus], settings, store, rebuild=True).ok
    assert counted.documents == []
    assert store.count() > 0


def test_a_vector_leaves_with_the_last_document_using_it(tmp_path):
    model = CountingModel()
    stored = StoredEmbeddings(model, tmp_path / "vectors.sqlite")
    stored.remember(["Commun.", "Seulement A.", "Seulement B.", "Question du jour."])
    stored.own("a.md", ["Commun.", "Seulement A."])
    stored.own("b.md", ["Commun.", "Seulement B."])

    stored.own("a.md", ["Commun.", "Nouveau A."])  # a.md was edited
    stored.forget("b.md")  # b.md was removed
    model.documents.clear()
    stored.embed_documents(["Commun.", "Seulement A.", "Seulement B.", "Question du jour."])
    # Still used by a.md, or never owned by a document (embedded when a question came): kept.
    assert model.documents == ["Seulement A.", "Seulement B."]


def test_editing_or_removing_a_file_lets_its_vectors_go(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "copil.md").write_text(
        "# Le COPIL\n\nLe comité de pilotage valide le plan d'actions.\n", encoding="utf-8")
    (corpus / "cotech.md").write_text(
        "# Le COTECH\n\nLe comité technique prépare les décisions du COPIL.\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    model = CountingModel()
    store = open_store(settings, model)
    assert ingest([corpus], settings, store).ok
    kept_before = _rows(store)

    (corpus / "copil.md").write_text(
        "# Le COPIL\n\nLe comité de pilotage arbitre et valide.\n", encoding="utf-8")
    (corpus / "cotech.md").unlink()
    assert ingest([corpus], settings, store).ok
    kept = _rows(store)
    assert 0 < kept < kept_before

    # What is left is exactly what the index still uses: a rebuild embeds nothing.
    model.documents.clear()
    assert ingest([corpus], settings, store, rebuild=True).ok
    assert model.documents == []
    assert _rows(store) == kept


def _two_notes(tmp_path):
    """Two indexed notes (the COPIL, the RPE): their folder, settings and store."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "copil.md").write_text("# Le COPIL\n\nIl valide le plan.\n", encoding="utf-8")
    (corpus / "rpe.md").write_text("# Le RPE\n\nIl informe les familles.\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    store = open_store(settings, CountingModel())
    assert ingest([corpus], settings, store).ok
    return corpus, settings, store


def test_a_document_removed_from_the_library_takes_its_vectors(tmp_path):
    _, settings, store = _two_notes(tmp_path)
    both = _rows(store)
    remove_document(next(s for s in store.documents() if s.endswith("rpe.md")), settings, store)
    assert 0 < _rows(store) < both


def test_a_rebuild_lets_go_of_a_file_removed_meanwhile(tmp_path):
    corpus, settings, store = _two_notes(tmp_path)
    both = _rows(store)
    (corpus / "rpe.md").unlink()
    assert ingest([corpus], settings, store, rebuild=True).ok
    assert 0 < _rows(store) < both


def _rows(store) -> int:
    import sqlite3

    with sqlite3.connect(store.vectors.path) as db:
        return db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
