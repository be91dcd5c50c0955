"""The BM25 side index over French tokens (kb.core.tokens), persisted beside Chroma and rebuilt from
Chroma's own contents, with the profile of each indexed document (kb.core.profiles)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.core.profiles import DocumentProfile, Profiles
from kb.core.tokens import query_tokens, synonyms, tokenize


@dataclass(frozen=True)
class LexicalEntry:
    """What the index keeps of a chunk: enough to filter without asking Chroma."""

    id: str
    source: str
    doc_type: str


class LexicalIndex:
    """BM25 over chunk texts, with per-chunk source and type for filtering, and the profiles of
    the documents they come from."""

    def __init__(self, entries: list[LexicalEntry], model, fingerprint: str,
                 profiles: Profiles | None = None) -> None:
        self.entries = entries
        self.fingerprint = fingerprint
        self.profiles = profiles or Profiles(())
        self._model = model
        self._sources = {e.id: e.source for e in entries}

    def source_of(self, chunk_id: str) -> str | None:
        return self._sources.get(chunk_id)

    @classmethod
    def build(cls, items: Iterable[tuple[LexicalEntry, str]], fingerprint: str) -> LexicalIndex:
        import bm25s

        entries: list[LexicalEntry] = []
        tokens: list[list[str]] = []
        for entry, text in items:
            entries.append(entry)
            tokens.append(tokenize(text) or ["∅"])
        model = None
        if entries:
            model = bm25s.BM25()
            model.index(tokens, show_progress=False)
        return cls(entries, model, fingerprint)

    def unknown(self, words: list[str]) -> list[str]:
        """The words none of whose tokens, nor their synonyms, occurs in any indexed passage (a
        word made of stop words only, such as the "Pas" of "Pas-de-Calais", is not one)."""
        vocabulary = self._model.vocab_dict if self._model is not None else {}
        table = synonyms()
        return [
            w for w in words
            if (tokens := tokenize(w, False))
            and not any(s in vocabulary for t in tokens for s in (t, *table.get(t, ())))
        ]

    def __contains__(self, chunk_id: str) -> bool:
        return chunk_id in self._sources

    def __len__(self) -> int:
        return len(self.entries)

    def search(
        self,
        query: str,
        k: int,
        doc_types: set[str] | None = None,
        sources: set[str] | None = None,
    ) -> list[tuple[str, float]]:
        """The `k` best chunk ids for `query` with their BM25 scores (zero scores dropped)."""
        if self._model is None or k <= 0:
            return []
        tokens = query_tokens(query)
        if not tokens:
            return []
        mask = None
        if doc_types or sources:
            mask = np.array(
                [
                    (not doc_types or e.doc_type in doc_types)
                    and (not sources or e.source in sources)
                    for e in self.entries
                ],
                dtype=np.float32,
            )
        ids, scores = self._model.retrieve(
            [tokens],
            k=min(k, len(self.entries)),
            show_progress=False,
            weight_mask=mask,
            n_threads=1,
        )
        return [
            (self.entries[i].id, float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0
        ]

    def save(self, directory: Path) -> None:
        """Write the index atomically: a reader sees the old one or the new one, never a mix."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bm25-", dir=directory.parent))
        meta = {
            "fingerprint": self.fingerprint,
            "entries": [[e.id, e.source, e.doc_type] for e in self.entries],
            "documents": [p.to_row() for p in self.profiles.by_source.values()],
        }
        (staging / "entries.json").write_text(json.dumps(meta), encoding="utf-8")
        if self._model is not None:
            self._model.save(str(staging / "bm25"))
        old = Path(tempfile.mkdtemp(prefix=".bm25-old-", dir=directory.parent))
        try:
            if directory.exists():
                os.replace(directory, old / "index")
            os.replace(staging, directory)
        except OSError:
            # Another process saved the same index at the same moment: its copy will do.
            shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The saved index, or None when there is none (or it is unreadable: it gets rebuilt)."""
        import bm25s

        try:
            meta = json.loads((directory / "entries.json").read_text(encoding="utf-8"))
            entries = [LexicalEntry(*row) for row in meta["entries"]]
            # An index saved before profiles existed has no "documents": it gets rebuilt.
            profiles = Profiles(DocumentProfile.from_row(row) for row in meta["documents"])
            model = bm25s.BM25.load(str(directory / "bm25")) if entries else None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(entries, model, meta["fingerprint"], profiles)
