"""The index: Chroma (vectors, text, metadata) and the BM25 side index, kept in step.

A document is committed by its record in a manifest collection. Chunks whose content hash is not
the one the manifest records are invisible to readers and swept away by the next ingestion, so a
crash at any point leaves the index as it was before or after a document, never in between.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from kb.core.config import Settings
from kb.core.documents import Chunk, DocType
from kb.core.lexical import LexicalEntry, LexicalIndex
from kb.core.profiles import DocumentProfile, Profiles
from kb.core.sentences import passage_units, strip_markup
from kb.core.tokens import TOKENS_VERSION
from kb.core.vectors import StoredEmbeddings, vectors_path

_PAGE = 2000
# How often an open store checks whether another process changed the index.
FRESHNESS_SECONDS = 1.0


class StoreError(RuntimeError):
    """The index cannot be used as configured; the message says what to do, in French."""


@dataclass(frozen=True)
class DocumentRecord:
    """What the manifest knows of an indexed document."""

    source: str
    content_hash: str
    title: str
    doc_type: str
    chunks: int
    indexed_at: str
    path: str = ""


def embedding_text(chunk: Chunk) -> str:
    """The text embedded and indexed for a chunk: the passage under its title and section."""
    heading = " — ".join(filter(None, [chunk.title, chunk.context, chunk.section]))
    return strip_markup(f"{heading}\n{chunk.text}")


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class _Guarded:
    """A Chroma collection whose connection failures become a `StoreError` in French, so that a
    server that stops mid-session is reported, not dumped as a traceback."""

    def __init__(self, collection: Any, where: str) -> None:
        self._collection = collection
        self._where = where

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            import httpx

            try:
                return attribute(*args, **kwargs)
            except (httpx.TransportError, ConnectionError) as exc:
                raise StoreError(
                    f"La base Chroma ({self._where}) ne répond plus : vérifiez que le serveur "
                    "est démarré."
                ) from exc

        return call


def _manifest_id(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()


class Store:
    """Chroma collections for chunks and the manifest, plus the BM25 index, for one model."""

    def __init__(
        self, settings: Settings, embeddings: Embeddings, model_id: str, check_model: bool = True
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.model_id = model_id
        # The model behind a disk cache: passages and their sentences are embedded once.
        self.vectors = StoredEmbeddings(embeddings, vectors_path(settings.data_dir, model_id))
        try:
            self._client = _client(settings)
        except Exception as exc:  # chromadb raises bare exceptions for unreachable servers
            where = settings.chroma_url or settings.chroma_dir
            raise StoreError(f"Impossible de joindre la base Chroma ({where}) : {exc}") from exc
        self._open_collections()
        built_with = (self._chunks.metadata or {}).get("embedding_model")
        if check_model and built_with != model_id:
            raise StoreError(
                f"L'index a été construit avec le modèle d'embeddings « {built_with} », mais la "
                f"configuration demande « {model_id} ». Reconstruisez l'index : "
                "ctg ingest --rebuild"
            )
        self._lexical: LexicalIndex | None = None
        # The committed documents the BM25 index was last checked against.
        self._indexed: dict[str, DocumentRecord] = {}
        # Concurrent searches share one store: only one of them loads or rebuilds the index.
        self._lexical_lock = threading.RLock()
        self._checked_at = 0.0

    # --- reading ---------------------------------------------------------------------------

    def documents(self) -> dict[str, DocumentRecord]:
        """Committed documents by source."""
        got = self._manifest.get(include=["metadatas"])
        return {
            meta["source"]: DocumentRecord(
                **{k: meta[k] for k in DocumentRecord.__dataclass_fields__ if k in meta}
            )
            for meta in got["metadatas"] or []
        }

    def fingerprint(self, documents: dict[str, DocumentRecord] | None = None) -> str:
        """A digest of what is committed; the BM25 index is rebuilt when it no longer matches."""
        documents = self.documents() if documents is None else documents
        state = sorted((s, r.content_hash) for s, r in documents.items())
        return hashlib.sha256(
            json.dumps([self.model_id, TOKENS_VERSION, state]).encode()
        ).hexdigest()

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index, loaded from disk, or rebuilt from Chroma when missing or stale."""
        return self._fresh_lexical()

    def indexed_documents(self) -> dict[str, DocumentRecord]:
        """The committed documents as the BM25 index last saw them (at most FRESHNESS_SECONDS
        old): what a search reads, without a manifest read of its own (77 ms at 100 000
        passages)."""
        with self._lexical_lock:
            self._fresh_lexical()
            return self._indexed

    def _fresh_lexical(self) -> LexicalIndex:
        with self._lexical_lock:
            now = time.monotonic()
            if self._lexical is not None and now - self._checked_at <= FRESHNESS_SECONDS:
                return self._lexical
            # Missing, or another process (`ctg ingest`, another instance) may have committed.
            self._checked_at = now
            documents = self._indexed = self.documents()
            current = self.fingerprint(documents)
            if self._lexical is not None and self._lexical.fingerprint == current:
                return self._lexical
            loaded = LexicalIndex.load(self._lexical_dir)
            self._lexical = (
                loaded
                if loaded is not None and loaded.fingerprint == current
                else self.rebuild_lexical(documents)
            )
            return self._lexical

    @property
    def _lexical_dir(self) -> Path:
        return self.settings.data_dir / "bm25" / self.settings.collection

    def _pages(self, include: list[str], where: dict[str, Any] | None = None) -> Iterator[dict]:
        """Chroma's stored chunks, `_PAGE` at a time (the corpus is never held in memory)."""
        offset = 0
        while True:
            got = self._chunks.get(where=where, limit=_PAGE, offset=offset, include=include)
            yield got
            if len(got["ids"]) < _PAGE:
                return
            offset += _PAGE

    def iter_chunks(
        self,
        where: dict[str, Any] | None = None,
        documents: dict[str, DocumentRecord] | None = None,
    ) -> Iterator[Chunk]:
        """Every committed chunk (of `documents`, when the caller has just read them)."""
        documents = self.documents() if documents is None else documents
        committed = {s: r.content_hash for s, r in documents.items()}
        for got in self._pages(["documents", "metadatas"], where):
            for chunk_id, text, meta in zip(
                got["ids"], got["documents"], got["metadatas"], strict=True
            ):
                if committed.get(meta["source"]) == meta["content_hash"]:
                    yield Chunk.from_store(chunk_id, text, meta)

    def get_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        if not ids:
            return {}
        got = self._chunks.get(ids=ids, include=["documents", "metadatas"])
        return {
            i: Chunk.from_store(i, t, m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    def chunks_of(self, source: str) -> list[Chunk]:
        """The committed chunks of one document, in reading order."""
        return sorted(self.iter_chunks({"source": source}), key=lambda c: c.position)

    def dense_search(
        self, query: str, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        """Nearest committed chunks to `query` with their cosine similarity."""
        total = self._chunks.count()
        if total == 0 or k <= 0:
            return []
        vector = self.embeddings.embed_query(query)
        got = self._chunks.query(
            query_embeddings=[vector],
            n_results=min(k, total),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        lexical = self.lexical
        return [
            (Chunk.from_store(i, t, m), 1.0 - float(d))
            for i, t, m, d in zip(
                got["ids"][0],
                got["documents"][0],
                got["metadatas"][0],
                got["distances"][0],
                strict=True,
            )
            # A chunk deleted by another process can linger in the vector index without metadata.
            if m is not None and i in lexical
        ]

    def count(self) -> int:
        return len(self.lexical)

    def stats(self) -> dict[str, dict[str, int]]:
        """Documents and chunks per document type."""
        out: dict[str, dict[str, int]] = {}
        for record in self.documents().values():
            row = out.setdefault(record.doc_type, {"documents": 0, "chunks": 0})
            row["documents"] += 1
            row["chunks"] += record.chunks
        return out

    # --- writing ---------------------------------------------------------------------------

    def write_document(
        self,
        record: DocumentRecord,
        chunks: list[Chunk],
        vectors: list[list[float]] | None = None,
    ) -> None:
        """Replace a document's chunks: new chunks first, then the commit, then the sweep.

        `vectors` are the chunks' embeddings when the caller already has them (benchmarks)."""
        texts = [embedding_text(c) for c in chunks]
        if vectors is None:
            vectors = self.vectors.embed_documents(texts) if chunks else []
        # The sentences that answers are ranked by (kb.search.support) are embedded now, not when a
        # question retrieves their passage; the document's former ones are let go.
        units = [u.display for c in chunks for u in passage_units(c.text)]
        self.vectors.remember(units)
        self.vectors.own(record.source, [*texts, *units])
        for start in range(0, len(chunks), _PAGE):
            part = chunks[start : start + _PAGE]
            self._chunks.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + _PAGE],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
            )
        self._manifest.upsert(
            ids=[_manifest_id(record.source)],
            embeddings=[[1.0]],
            documents=[record.source],
            metadatas=[asdict(record)],
        )
        self._chunks.delete(
            where={
                "$and": [{"source": record.source}, {"content_hash": {"$ne": record.content_hash}}]
            }
        )
        self._lexical = None

    def delete_document(self, source: str) -> None:
        """Remove a document: uncommit it first, then drop its chunks."""
        self._manifest.delete(ids=[_manifest_id(source)])
        self._chunks.delete(where={"source": source})
        self.vectors.forget(source)
        self._lexical = None

    def prune_vectors(self) -> None:
        """Let go of the kept vectors of documents that are no longer indexed (a rebuild does
        not re-index a file that disappeared meanwhile)."""
        self.vectors.retain(set(self.documents()))

    def sweep(self, within: Callable[[str], bool] = lambda source: True) -> int:
        """Delete the chunks of sources `within` that an interrupted run left uncommitted;
        returns how many."""
        committed = {s: r.content_hash for s, r in self.documents().items()}
        stale = [
            i
            for got in self._pages(["metadatas"])
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
            if committed.get(m["source"]) != m["content_hash"] and within(m["source"])
        ]
        for start in range(0, len(stale), _PAGE):
            self._chunks.delete(ids=stale[start : start + _PAGE])
        if stale:
            self._lexical = None
        return len(stale)

    def rebuild_lexical(self, documents: dict[str, DocumentRecord] | None = None) -> LexicalIndex:
        """Rebuild the BM25 index from Chroma's committed chunks and save it."""
        documents = self.documents() if documents is None else documents
        profiles: dict[str, DocumentProfile] = {}

        def items() -> Iterator[tuple[LexicalEntry, str]]:
            for c in self.iter_chunks(documents=documents):
                if c.source not in profiles:
                    profiles[c.source] = DocumentProfile.of(c.source, c.title, c.context,
                                                            c.restates)
                yield LexicalEntry(c.id, c.source, str(c.doc_type)), embedding_text(c)

        index = LexicalIndex.build(items(), self.fingerprint(documents))
        index.profiles = Profiles(profiles.values())
        index.save(self._lexical_dir)
        self._lexical, self._indexed = index, documents
        return index

    def reset(self) -> None:
        """Drop both collections and start empty (the BM25 index follows on its next use)."""
        for name in (self._chunks.name, self._manifest.name):
            self._client.delete_collection(name)
        self._open_collections()
        self._lexical = None

    def _open_collections(self) -> None:
        where = self.settings.chroma_url or str(self.settings.chroma_dir)
        self._chunks = _Guarded(self._client.get_or_create_collection(
            f"{self.settings.collection}-chunks",
            embedding_function=None,
            metadata={"embedding_model": self.model_id, "hnsw:space": "cosine"},
        ), where)
        self._manifest = _Guarded(self._client.get_or_create_collection(
            f"{self.settings.collection}-manifest", embedding_function=None
        ), where)


def new_record(
    source: str, content_hash: str, title: str, doc_type: DocType, chunks: int, path: str
) -> DocumentRecord:
    return DocumentRecord(
        source=source,
        content_hash=content_hash,
        title=title,
        doc_type=str(doc_type),
        chunks=chunks,
        indexed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        path=path,
    )


def open_store(
    settings: Settings, embeddings: Embeddings | None = None, check_model: bool = True
) -> Store:
    """The store for `settings`, with the configured embedding model."""
    from kb.core.embeddings import get_embeddings

    return Store(settings, embeddings or get_embeddings(settings), settings.embeddings, check_model)
