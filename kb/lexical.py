"""The BM25 side index: French tokens (stemmed, accents folded, stop words dropped, glossary
expanded), persisted beside Chroma and rebuilt from Chroma's own contents."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from kb.glossary import SYNONYMS, expand, fold

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("french")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_FRENCH

    return frozenset(fold(w) for w in STOPWORDS_FRENCH)


def tokenize(text: str, full_forms: bool = True) -> list[str]:
    """Lexical tokens of `text`: glossary-expanded, elisions removed, stemmed, accents folded."""
    stop = _stop_words()
    words = [_ELISION.sub("", w) for w in _WORD.findall(expand(text, full_forms).lower())]
    words = [w for w in words if w and fold(w) not in stop]
    return [f for f in (fold(s) for s in _stemmer().stemWords(words)) if f]


# Words that ask, link or qualify rather than name what is asked about.
_NOT_NAMING = frozenset({
    "quel", "quelle", "quels", "quelles", "lequel", "laquelle", "lesquels", "lesquelles",
    "comment", "pourquoi", "combien", "quand", "qui", "ou", "que", "quoi", "faut", "peut",
    "avant", "apres", "pendant", "depuis", "chez", "lors", "entre", "vers", "sans", "sous",
    "des", "ainsi", "aussi", "deja", "encore", "toujours", "jamais", "tres", "plus", "moins",
    "bien", "faire", "fait", "etre", "avoir", "doit", "peuvent", "doivent",
})


def content_words(text: str) -> list[str]:
    """The words of `text` that name something: no stop word, no question word, no number."""
    stop = _stop_words() | _NOT_NAMING
    words = (_ELISION.sub("", w) for w in _WORD.findall(text))
    return list(dict.fromkeys(
        w for w in words if len(w) > 1 and not w.isdigit() and fold(w.lower()) not in stop
    ))


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Each token of a synonym group mapped to the tokens of its whole group."""
    table: dict[str, tuple[str, ...]] = {}
    for group in SYNONYMS:
        tokens = tuple(dict.fromkeys(t for word in group for t in tokenize(word)))
        for token in tokens:
            table[token] = tuple(dict.fromkeys(table.get(token, ()) + tokens))
    return table


def query_tokens(query: str) -> list[str]:
    """Tokens of a question, widened to their synonyms; the user's own words count twice so that
    a synonym never outweighs them."""
    tokens = tokenize(query, full_forms=False)
    synonyms = _synonyms()
    return tokens + tokens + [t for token in tokens for t in synonyms.get(token, ()) if t != token]


@dataclass(frozen=True)
class LexicalEntry:
    """What the index keeps of a chunk: enough to filter without asking Chroma."""

    id: str
    source: str
    doc_type: str


class LexicalIndex:
    """BM25 over chunk texts, with per-chunk source and type for filtering."""

    def __init__(self, entries: list[LexicalEntry], model, fingerprint: str) -> None:
        self.entries = entries
        self.fingerprint = fingerprint
        self._model = model
        self._ids = {e.id for e in entries}

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
        """The words none of whose tokens, nor their synonyms, occurs in any indexed passage."""
        vocabulary = self._model.vocab_dict if self._model is not None else {}
        synonyms = _synonyms()
        return [
            w for w in words
            if not any(s in vocabulary
                       for t in tokenize(w, False) for s in (t, *synonyms.get(t, ())))
        ]

    def __contains__(self, chunk_id: str) -> bool:
        return chunk_id in self._ids

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
            model = bm25s.BM25.load(str(directory / "bm25")) if entries else None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(entries, model, meta["fingerprint"])
