"""Answers rated by users, kept in SQLite under the data directory."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Rating = Literal[1, -1]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT ''
)
"""
MAX_COMMENT_CHARS = 2000


@dataclass(frozen=True)
class Feedback:
    id: int
    created_at: str
    question: str
    answer: str
    citations: list[str]
    rating: Rating
    comment: str


class FeedbackStore:
    """Append-only feedback log; one short connection per call keeps it safe across threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def add(self, question: str, answer: str, citations: list[str], rating: Rating,
            comment: str = "") -> int:
        """Record a rating (1 = utile, -1 = pas utile); returns its id."""
        if rating not in (1, -1):
            raise ValueError("La note doit être 1 (utile) ou -1 (pas utile).")
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, question, answer, citations, rating, comment)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), question, answer,
                 json.dumps(citations, ensure_ascii=False), rating,
                 comment.strip()[:MAX_COMMENT_CHARS]),
            )
            rowid = cursor.lastrowid
            if rowid is None:  # never after an INSERT; sqlite3 types it optional
                raise sqlite3.DatabaseError("La note n'a pas été enregistrée.")
            return rowid

    def all(self) -> list[Feedback]:
        """Every rating, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, created_at, question, answer, citations, rating, comment "
                "FROM feedback ORDER BY id DESC"
            ).fetchall()
        return [Feedback(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]

    def to_csv(self) -> str:
        """All ratings as CSV (semicolon-separated, as French spreadsheets expect)."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["id", "date", "question", "réponse", "sources", "note", "commentaire"])
        for f in self.all():
            writer.writerow([f.id, f.created_at, f.question, f.answer, " | ".join(f.citations),
                             "utile" if f.rating == 1 else "pas utile", f.comment])
        return out.getvalue()


def feedback_store(settings) -> FeedbackStore:
    return FeedbackStore(settings.data_dir / "feedback.sqlite3")
