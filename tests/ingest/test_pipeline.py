from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ingest.errors import Reason
from ingest.pipeline import IngestionLocked, Status, ingest
from kb.core.store import StoreError, open_store
from kb.search.retrieval import HybridRetriever
from tests.builders import make_encrypted_pdf, make_image_pdf, make_pdf
from tests.conftest import INTER, INTRA, make_settings


@pytest.fixture
def workspace(tmp_path, brochures_dir, embeddings, monkeypatch):
    """A corpus folder with both test brochures, its settings and an empty store."""
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    shutil.copytree(brochures_dir, corpus)
    settings = make_settings(tmp_path / "data")
    return corpus, settings, open_store(settings, embeddings)


def state(store) -> dict[str, list[str]]:
    """Documents and their chunk ids, as the index holds them."""
    out: dict[str, list[str]] = {}
    for chunk in store.iter_chunks():
        out.setdefault(chunk.source, []).append(chunk.id)
    return {k: sorted(v) for k, v in out.items()}


def results(report) -> dict[str, Status]:
    return {r.source: r.status for r in report.results}


def test_seeds_are_indexed_and_searchable(seed_index):
    hits = HybridRetriever(store=seed_index).search("Combien coûte la formation FR Consultants ?")
    assert any("850€" in h.chunk.text for h in hits)
    assert seed_index.stats()["programme"]["documents"] == 2
    chunk = hits[0].chunk
    assert chunk.title and chunk.source.startswith("seeds/") and chunk.content_hash


def test_sources_are_relative_to_the_working_directory(workspace):
    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    assert set(store.documents()) == {f"corpus/{INTER}", f"corpus/{INTRA}"}


def test_reingesting_changes_nothing(workspace):
    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    before = state(store)
    report = ingest([corpus], settings, store)
    assert set(results(report).values()) == {Status.UNCHANGED}
    assert state(store) == before
    assert len(store.lexical) == sum(len(v) for v in before.values())


def test_editing_and_deleting_files_update_the_index(workspace):
    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    retriever = HybridRetriever(store=store)
    (corpus / INTER).write_text(
        "Formation courte\n\nUne journée sur la gouvernance partagée à Quimperlé.", encoding="utf-8"
    )
    (corpus / INTRA).unlink()
    report = ingest([corpus], settings, store)
    assert results(report) == {
        f"corpus/{INTER}": Status.INDEXED,
        f"corpus/{INTRA}": Status.REMOVED,
    }
    assert set(state(store)) == {f"corpus/{INTER}"}
    assert "Quimperlé" in retriever.search("Où a lieu la journée ?", k=1)[0].chunk.text
    assert not any("780 €" in c.text for c in store.iter_chunks())


def test_bad_files_are_reported_and_good_files_indexed(workspace):
    corpus, settings, store = workspace
    (corpus / "vide.txt").write_bytes(b"")
    (corpus / "binaire.txt").write_bytes(bytes(range(256)) * 50)
    (corpus / "corrompu.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    make_encrypted_pdf(corpus / "chiffre.pdf", "Secret", "motdepasse")
    make_image_pdf(corpus / "scan.pdf")
    (corpus / "latin1.txt").write_bytes("Réunion des élus à Montbéliard.".encode("latin-1"))
    (corpus / "tableau.xlsx").write_bytes(b"PK\x03\x04")
    report = ingest([corpus], settings, store)
    reasons = {r.source.split("/")[-1]: r.reason for r in report.errors}
    assert reasons == {
        "vide.txt": Reason.EMPTY,
        "binaire.txt": Reason.BINARY,
        "corrompu.pdf": Reason.CORRUPT,
        "chiffre.pdf": Reason.ENCRYPTED,
        "scan.pdf": Reason.NO_TEXT,
        "tableau.xlsx": Reason.UNKNOWN_FORMAT,
    }
    assert all(r.message and r.message[0].isupper() for r in report.errors)
    assert not report.ok
    assert set(store.documents()) == {
        f"corpus/{INTER}",
        f"corpus/{INTRA}",
        "corpus/latin1.txt",
    }


def test_a_failure_mid_document_keeps_its_previous_chunks(workspace, monkeypatch):
    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    before = state(store)
    (corpus / INTER).write_text(
        "Nouvelle version du programme, tarif révisé.", encoding="utf-8"
    )
    (corpus / "nouveau.md").write_text("# Nouveau\n\nUn document de plus.", encoding="utf-8")
    real = store.embeddings.embed_documents

    def flaky(texts):
        if any("tarif révisé" in t for t in texts):
            raise RuntimeError("panne simulée")
        return real(texts)

    monkeypatch.setattr(store.embeddings, "embed_documents", flaky)
    report = ingest([corpus], settings, store)
    assert results(report)[f"corpus/{INTER}"] == Status.ERROR
    assert "panne simulée" in report.errors[0].message
    after = state(store)
    assert after[f"corpus/{INTER}"] == before[f"corpus/{INTER}"]
    assert "corpus/nouveau.md" in after


def test_a_crash_before_commit_leaves_no_trace(workspace, monkeypatch):
    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    before = state(store)
    (corpus / INTRA).write_text("Version modifiée de la fiche intra.", encoding="utf-8")
    manifest = store._manifest

    class Crash(BaseException):
        """Not an Exception: like a kill, nothing in the pipeline catches it."""

    def die(**_):
        raise Crash

    monkeypatch.setattr(manifest, "upsert", die)
    with pytest.raises(Crash):
        ingest([corpus], settings, store)
    monkeypatch.undo()
    # The new chunks reached Chroma but were never committed: readers do not see them.
    reopened = open_store(settings, store.embeddings)
    assert state(reopened) == before
    assert not any("Version modifiée" in c.text for c in reopened.iter_chunks())
    report = ingest([corpus], settings, reopened)
    assert report.swept > 0
    assert results(report)[f"corpus/{INTRA}"] == Status.INDEXED
    assert any("Version modifiée" in c.text for c in reopened.iter_chunks())


def test_a_second_ingestion_is_refused_while_one_runs(workspace):
    from filelock import FileLock

    corpus, settings, store = workspace
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(settings.data_dir / "ingest.lock"), pytest.raises(IngestionLocked) as caught:
        ingest([corpus], settings, store)
    assert "Une autre ingestion est en cours" in str(caught.value)


def test_symlinks_leaving_the_corpus_are_not_followed(workspace, tmp_path):
    corpus, settings, store = workspace
    outside = tmp_path / "secret.txt"
    outside.write_text("Données hors corpus à ne pas indexer.", encoding="utf-8")
    (corpus / "lien.txt").symlink_to(outside)
    report = ingest([corpus], settings, store)
    assert [r.reason for r in report.errors] == [Reason.UNSAFE_PATH]
    assert not any("hors corpus" in c.text for c in store.iter_chunks())


def test_opening_the_index_with_another_model_is_a_clear_error(workspace):
    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    other = make_settings(settings.data_dir, embeddings="st:/nulle/part")
    with pytest.raises(StoreError) as caught:
        open_store(other, store.embeddings)
    assert "ctg ingest --rebuild" in str(caught.value)


def test_progress_is_reported_for_every_file(workspace):
    corpus, settings, store = workspace
    make_pdf(corpus / "annexe.pdf", ["Annexe : calendrier des comités de pilotage."])
    seen: list[tuple[int, int]] = []
    ingest([corpus], settings, store, progress=lambda done, total, _: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_bm25_index_is_rebuilt_from_chroma_when_lost(workspace):
    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    expected = len(store.lexical)
    shutil.rmtree(Path(settings.data_dir) / "bm25")
    reopened = open_store(settings, store.embeddings)
    assert len(reopened.lexical) == expected
    assert reopened.lexical.search("tarif par stagiaire", 3)


def test_bm25_index_made_with_other_tokens_is_rebuilt(workspace, monkeypatch):
    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    saved = store.lexical.fingerprint
    monkeypatch.setattr("kb.core.store.TOKENS_VERSION", -1)
    reopened = open_store(settings, store.embeddings)
    assert reopened.lexical.fingerprint != saved
    assert len(reopened.lexical) == len(store.lexical)


def test_rebuild_starts_from_an_empty_index(workspace):
    corpus, settings, store = workspace
    (corpus / "extra.md").write_text("# Extra\n\nUn document de plus.", encoding="utf-8")
    ingest([corpus], settings, store)
    (corpus / "extra.md").unlink()
    # Only one folder is rebuilt, so nothing outside it may survive.
    report = ingest([corpus / INTRA], settings, store, rebuild=True)
    assert results(report) == {f"corpus/{INTRA}": Status.INDEXED}
    assert set(store.documents()) == {f"corpus/{INTRA}"}
    assert {c.source for c in store.iter_chunks()} == {f"corpus/{INTRA}"}


def test_remove_document_updates_index_and_catalogue(workspace):
    from ingest.pipeline import remove_document
    from kb.catalogue.model import Catalogue, catalogue_path

    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    assert len(Catalogue.load(catalogue_path(settings)).courses) == 2
    remove_document(f"corpus/{INTRA}", settings, store)
    assert set(store.documents()) == {f"corpus/{INTER}"}
    assert [c.source for c in Catalogue.load(catalogue_path(settings)).courses] == [
        f"corpus/{INTER}"
    ]
    assert (corpus / INTRA).exists()


def test_a_missing_path_is_reported_and_the_rest_indexed(workspace, tmp_path):
    corpus, settings, store = workspace
    report = ingest([tmp_path / "absent", corpus], settings, store)
    assert [(r.reason, r.message.split(" :")[0]) for r in report.errors] == [
        (Reason.UNREADABLE, "Chemin introuvable")
    ]
    assert len(store.documents()) == 2


def test_a_new_reader_version_indexes_every_file_again(workspace, monkeypatch):
    corpus, settings, store = workspace
    ingest([corpus], settings, store)
    monkeypatch.setattr("ingest.loaders.READER_VERSION", -1)
    report = ingest([corpus], settings, store)
    assert set(results(report).values()) == {Status.INDEXED}
    assert set(results(ingest([corpus], settings, store)).values()) == {Status.UNCHANGED}
