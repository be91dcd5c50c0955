"""Embeddings kept on disk: each text is embedded once per model, then read back.

Ingestion embeds every quotable sentence of every passage, so that ranking the sentences of
retrieved passages at question time only reads vectors (measured: embedding them then took about
1 ms a sentence, most of a reranked search). The file is a cache: a missing or deleted one only
costs the time to embed again, never a wrong answer.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)"
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
                db.execute(_SCHEMA)
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
