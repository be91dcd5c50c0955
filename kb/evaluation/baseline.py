"""Plain BM25 over the same index, with none of the project's rules: the baseline every figure is
measured beside, in the same run (bm25s, French Snowball stemmer, French stop words)."""

from __future__ import annotations

import bm25s
import Stemmer

from kb.core.documents import SearchHit
from kb.core.store import Store

BASELINES = ("bm25",)


class PlainBM25:
    """BM25 over every passage the store holds, built once from Chroma's own documents."""

    def __init__(self, store: Store) -> None:
        self._chunks = list(store.iter_chunks())
        self._stemmer = Stemmer.Stemmer("french")
        self._model = bm25s.BM25()
        if self._chunks:
            corpus = self._tokens([chunk.text for chunk in self._chunks])
            self._model.index(corpus, show_progress=False)

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        return bm25s.tokenize(  # strings, not ids, when return_ids is false
            texts, stopwords="fr", stemmer=self._stemmer, return_ids=False, show_progress=False
        )

    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        """The `k` passages BM25 scores highest for `query`, best first."""
        if not self._chunks:
            return []
        k = min(k, len(self._chunks))
        # Words no passage holds are dropped: bm25s refuses a query made of unknown tokens.
        known = [[t for t in self._tokens([query])[0] if t in self._model.vocab_dict]]
        if not known[0]:
            return []
        ids, scores = self._model.retrieve(known, k=k, show_progress=False)
        return [
            SearchHit(chunk=self._chunks[int(i)], score=float(score), lexical_rank=rank)
            for rank, (i, score) in enumerate(zip(ids[0], scores[0], strict=True), 1)
            if score > 0
        ]
