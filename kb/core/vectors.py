"""Embeddings kept on disk: each text is embedded once per model, then read back.

Ingestion embeds every quotable sentence of every passage, so that ranking the sentences of
retrieved passages at question time only reads vectors (measured: embedding them then took about
1 ms a sentence, most of a reranked search). The file is a cache: a missing or deleted one only
costs the time to embed again, never a wrong answer. It records which document uses which
vectors, so that the vectors of a removed or edited passage leave with it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS owners (owner TEXT NOT NULL, key BLOB NOT NULL,"
    " PRIMARY KEY (owner, key));"
    "CREATE INDEX IF NOT EXISTS owners_by_key ON owners (key);"
)
# SQLite's default bound on parameters in one statement is far above this.
_BATCH = 500


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class StoredEmbeddings(Embeddings):
    """`model`'s document embeddings, read from an SQLite file when already computed.

    Queries are never stored: each question is new."""

    def __init__(self, model: Embeddings, path: Path) -> None:
        self.model = model
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            # A damaged cache is only lost time: start it again.
            for damaged in (path, path.with_name(f"{path.name}-wal"),
                            path.with_name(f"{path.name}-shm")):
                damaged.unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        # Streamlit serves each browser session from its own thread; one connection, one lock.
        db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        try:
            with db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        known = self._vectors(texts)
        return [known[t].tolist() for t in texts]

    def remember(self, texts: list[str]) -> None:
        """Embed and keep those of `texts` not kept yet."""
        self._vectors(texts)

    def own(self, owner: str, texts: list[str]) -> None:
        """Record `texts` as the ones `owner` (a document) uses from now on; the vectors it used
        before and no other owner uses are deleted."""
        self._own(owner, {_key(t) for t in texts})

    def forget(self, owner: str) -> None:
        """`owner` uses no vector any more: delete those no other owner uses."""
        self._own(owner, set())

    def retain(self, owners: set[str]) -> None:
        """Forget every owner but `owners` (documents that left the index while this file was
        away, or during a rebuild)."""
        with self._lock:
            known = {o for (o,) in self._db.execute("SELECT DISTINCT owner FROM owners")}
        for owner in known - owners:
            self.forget(owner)

    def _own(self, owner: str, keys: set[bytes]) -> None:
        with self._lock, self._db:
            before = {k for (k,) in self._db.execute(
                "SELECT key FROM owners WHERE owner = ?", (owner,))}
            self._db.execute("DELETE FROM owners WHERE owner = ?", (owner,))
            self._db.executemany("INSERT OR IGNORE INTO owners (owner, key) VALUES (?, ?)",
                                 [(owner, k) for k in keys])
            # Vectors nobody ever owned (embedded at question time) are left: only those a
            # document gave up can be known to be unused.
            self._db.executemany(
                "DELETE FROM vectors WHERE key = ? AND NOT EXISTS "
                "(SELECT 1 FROM owners WHERE owners.key = vectors.key)",
                [(k,) for k in before - keys],
            )

    def _vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The vectors of `texts` by text, computing and keeping the missing ones."""
        keys = {t: _key(t) for t in texts}
        kept = self._read(list(keys.values()))
        missing = [t for t, k in keys.items() if k not in kept]
        if missing:
            computed = np.asarray(self.model.embed_documents(missing), dtype=np.float32)
            fresh = {keys[t]: v for t, v in zip(missing, computed, strict=True)}
            self._write(fresh)
            kept.update(fresh)
        return {t: kept[k] for t, k in keys.items()}

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _read(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), _BATCH):
                part = keys[start : start + _BATCH]
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                    part,
                ).fetchall()
                found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return found

    def _write(self, vectors: dict[bytes, np.ndarray]) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(k, v.astype(np.float32).tobytes()) for k, v in vectors.items()],
            )


def vectors_path(data_dir: Path, model_id: str) -> Path:
    """Where the vectors of `model_id` are kept under the data directory."""
    return data_dir / "vectors" / f"{hashlib.sha256(model_id.encode()).hexdigest()[:16]}.sqlite"
