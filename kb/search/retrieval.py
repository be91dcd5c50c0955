"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass
from functools import cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from kb.core.config import RetrievalSettings
from kb.core.documents import Chunk, DocType, SearchHit
from kb.core.store import DocumentRecord, Store
from kb.search.analysis import QuestionAnalysis, analyse
from kb.search.answer_types import holds
from kb.search.headings import closest
from kb.search.naming import named_by, names_document, names_title, titled
from kb.search.parts import agreement, asks_last, resolve_last
from kb.search.sections import sections_in
from kb.search.support import rerank


def _searched(record: DocumentRecord, doc_types: set[str] | None,
              sources: set[str] | None) -> bool:
    """Whether a search restricted to `doc_types` and `sources` reads this document."""
    return ((not sources or record.source in sources)
            and (not doc_types or record.doc_type in doc_types))


def _where(doc_types: set[str] | None, sources: set[str] | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if doc_types:
        clauses.append({"doc_type": {"$in": sorted(doc_types)}})
    if sources:
        clauses.append({"source": {"$in": sorted(sources)}})
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


def _keeping(hits: list[SearchHit], k: int, kept: Callable[[SearchHit], bool]
             ) -> list[SearchHit]:
    """`hits` with each `kept` one among the first `k`, in place of the lowest one there that
    is not kept."""
    top, rest = hits[:k], hits[k:]
    for hit in [hit for hit in rest if kept(hit)]:
        lowest = next((j for j in reversed(range(len(top))) if not kept(top[j])), None)
        if lowest is None:
            break
        rest.remove(hit)
        rest.insert(0, top.pop(lowest))
        top.append(hit)
    return top + rest


@dataclass(frozen=True)
class Retrieved:
    """The passages retrieved for an analysed question, best first, and those of them that are
    the section it asks for: of a sheet's template, in a sheet it names (kb.search.sections), or
    where a document answers it by its headings (kb.search.headings). Retrieval puts such a
    passage first; the extractive answer quotes it."""

    analysis: QuestionAnalysis
    hits: tuple[SearchHit, ...]
    asked_sections: frozenset[str] = frozenset()  # passage ids

    def first_is_asked_section(self) -> bool:
        """Whether the first passage is the section the question asks for."""
        return bool(self.hits) and self.hits[0].chunk.id in self.asked_sections


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over the store; `search` returns scored hits for a question,
    `retrieve` the same for its analysis, `invoke` Documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    k: int = 5
    candidates: int = 40
    rerank: bool | None = None  # None: as configured (CTG_RERANK)
    doc_types: set[str] | None = None
    sources: set[str] | None = None

    @property
    def weights(self) -> RetrievalSettings:
        """The rules' weights, as configured (`CTG_RETRIEVAL__*`)."""
        return self.store.settings.retrieval

    def search(
        self,
        query: str,
        k: int | None = None,
        doc_types: set[str] | None = None,
        sources: set[str] | None = None,
    ) -> list[SearchHit]:
        """The `k` best passages for `query`, optionally restricted to types or sources.

        Raises `QuestionError` for an empty or oversized question."""
        return list(self.retrieve(analyse(query), k, doc_types, sources).hits)

    def retrieve(
        self,
        question: QuestionAnalysis,
        k: int | None = None,
        doc_types: set[str] | None = None,
        sources: set[str] | None = None,
    ) -> Retrieved:
        """The `k` best passages for an analysed question, optionally restricted to types or
        sources, with those that are the section it asks for."""
        k = k or self.k
        w = self.weights
        doc_types = doc_types if doc_types is not None else self.doc_types
        sources = sources if sources is not None else self.sources
        pool = max(self.candidates, 4 * k)
        dense = self.store.dense_search(question.expanded, pool, _where(doc_types, sources))
        index = self.store.lexical
        lexical = index.search(question.text, pool, doc_types, sources)
        # The documents this search reads, as the BM25 index last saw them: one snapshot for
        # every rule below.
        documents = self.store.indexed_documents()
        if doc_types or sources:
            documents = {source: record for source, record in documents.items()
                         if _searched(record, doc_types, sources)}

        scores: dict[str, float] = {}
        dense_rank: dict[str, int] = {}
        lexical_rank: dict[str, int] = {}
        similarity: dict[str, float] = {}
        chunks: dict[str, Chunk] = {}
        for rank, (chunk, sim) in enumerate(dense, 1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + w.dense_weight / (w.rrf_k + rank)
            dense_rank[chunk.id] = rank
            similarity[chunk.id] = sim
            chunks[chunk.id] = chunk
        for rank, (chunk_id, _) in enumerate(lexical, 1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + w.lexical_weight / (w.rrf_k + rank)
            lexical_rank[chunk_id] = rank
        restating = index.profiles.restating
        # The programme sheets written from an indexed brochure: the brochure, the original, is
        # the one to quote.
        rewritten = {source for source in restating
                     if source in documents and documents[source].doc_type == DocType.PROGRAMME}
        course = w.course_penalty * question.course
        named = {source for source in named_by(index.profiles, question.own_tokens)
                 if not question.course or (
                     source in documents and documents[source].doc_type == DocType.PROGRAMME)}
        for chunk_id in scores:
            source = index.source_of(chunk_id)
            record = documents.get(source) if source is not None else None
            restated = (w.programme_restatement_penalty if source in rewritten
                        else w.restatement_penalty * (source in restating))
            scores[chunk_id] += (w.named_bonus * (source in named) - restated
                                 - course * (record is not None
                                             and record.doc_type != DocType.PROGRAMME))
        in_document = None
        if question.parts:
            in_document = self._parts_in_documents(question.parts, documents)
            self._add_to_shortlist(scores, chunks, 3 * k, lambda c: w.part_bonus * agreement(
                in_document(c.source), c.section))
        wanted = question.sections
        if wanted and named:
            self._add_to_shortlist(scores, chunks, 3 * k, lambda c: w.section_bonus * (
                c.source in named and bool(sections_in(c) & wanted)))
        if wanted:
            self._add_asked_sections(question, named, rewritten, scores, chunks, documents)
        kinds = question.kinds
        if kinds:
            self._add_to_shortlist(scores, chunks, 3 * k, lambda c: w.answer_type_bonus * any(
                holds(c.text, kind) for kind in kinds))
        by_heading = question.heading
        if by_heading.subject:
            self._add_openings(by_heading.subject, scores, chunks, documents)
        if by_heading:
            self._add_to_shortlist(scores, chunks, 3 * k, lambda c: w.heading_bonus * (
                by_heading.answers(c) is not None))
        reorder = self.store.settings.rerank if self.rerank is None else self.rerank
        depth = max(k, w.rerank_depth) if reorder else k
        best = sorted(scores, key=scores.__getitem__, reverse=True)[:depth]
        chunks.update(self.store.get_chunks([i for i in best if i not in chunks]))
        if reorder and 0 < len(named) <= w.named_pool_documents:
            best += self._named_pool(named, best, scores, chunks, documents)
        hits = [
            SearchHit(
                chunk=chunks[i],
                score=scores[i],
                dense_rank=dense_rank.get(i),
                lexical_rank=lexical_rank.get(i),
                dense_similarity=similarity.get(i),
            )
            for i in best
            if i in chunks
        ]
        # Of the passages whose headings answer, the ones closest to naming the question.
        gaps = {hit.chunk.id: by_heading.answers(hit.chunk) for hit in hits} if by_heading else {}
        nearest = closest(gaps.values())
        asked_sections = frozenset(
            hit.chunk.id for hit in hits
            if (bool(wanted) and bool(sections_in(hit.chunk) & wanted)
                and names_document(question.own_tokens, hit.chunk))
            or (nearest is not None and gaps[hit.chunk.id] == nearest))
        if reorder:
            hits = rerank(question, hits, self.store.vectors, w.rerank_weight)
        # The section asked for in a sheet the question names by its title answers it ("Comment
        # animer un fish-bowl ?" → its "Déroulé pas à pas"), however well another passage shares
        # words. Not in a programme sheet written from an indexed brochure.
        hits.sort(key=lambda hit: not (hit.chunk.id in asked_sections
                                       and hit.chunk.source not in rewritten))
        if reorder and in_document is not None:
            # The reranker reads sentences, not headings: under "Phase 3 Jour 1", the answer to
            # "qui est convié à la dernière étape ?" shares no word with the question.
            fused = set(best[:k])
            hits = _keeping(hits, k, lambda hit: hit.chunk.id in fused and agreement(
                in_document(hit.chunk.source), hit.chunk.section) > 0)
        kept = tuple(hits[:k])
        return Retrieved(question, kept, frozenset(
            hit.chunk.id for hit in kept if hit.chunk.id in asked_sections))

    def _named_pool(self, named: set[str], best: list[str], scores: dict[str, float],
                    chunks: dict[str, Chunk], documents: dict[str, DocumentRecord]) -> list[str]:
        """The passages of the `named` documents not in `best` yet, read into `chunks` with
        their fused score, or the shortlist's lowest when the fusion did not find them."""
        # The manifest says how long each document is: a long one is not read at all.
        pooled = sorted(source for source in named if source in documents
                        and documents[source].chunks <= self.weights.named_pool_passages)
        if not pooled:
            return []
        floor = min((scores[i] for i in best), default=0.0)
        added: list[str] = []
        passages = self.store.iter_chunks({"source": {"$in": pooled}}, documents)
        for chunk in sorted(passages, key=lambda c: (c.source, c.position)):
            if chunk.id in best:
                continue
            chunks[chunk.id] = chunk
            scores.setdefault(chunk.id, floor)
            added.append(chunk.id)
        return added

    def _add_openings(self, subject: str, scores: dict[str, float], chunks: dict[str, Chunk],
                      documents: dict[str, DocumentRecord]) -> None:
        """Bring the opening passage of each document titled by `subject` level with the best
        passage (the heading bonus then puts it first)."""
        titled_by = sorted(source for source, record in documents.items()
                           if titled(record.title, subject))
        if titled_by:
            self._lift({"$and": [{"source": {"$in": titled_by}}, {"position": 0}]}, documents,
                       scores, chunks)

    def _add_asked_sections(self, question: QuestionAnalysis, named: set[str],
                            rewritten: set[str], scores: dict[str, float],
                            chunks: dict[str, Chunk], documents: dict[str, DocumentRecord]
                            ) -> None:
        """Put the section asked for in a sheet the question names by its title ("Comment s'y
        prendre pour le diagnostic partagé ?" → its "Déroulé pas à pas") above the best passage,
        however few words it shares with the question. The manifest holds titles, not aliases:
        a sheet named by an alias is among the `named` ones. Not one of the `rewritten`
        programme sheets, written from an indexed brochure."""
        short = sorted(source for source, record in documents.items()
                       if record.chunks <= self.weights.named_pool_passages
                       and (source in named or names_title(question.own_tokens, record.title))
                       and source not in rewritten)
        if short:
            self._lift({"source": {"$in": short}}, documents, scores, chunks,
                       self.weights.section_bonus,
                       lambda c: bool(sections_in(c) & question.sections)
                       and names_document(question.own_tokens, c))

    def _lift(self, where: dict[str, Any], documents: dict[str, DocumentRecord],
              scores: dict[str, float], chunks: dict[str, Chunk], above: float = 0.0,
              keep: Callable[[Chunk], bool] = lambda chunk: True) -> None:
        """Bring the passages `where` selects (those `keep` accepts) level with the best one,
        plus `above`, reading them into `chunks`."""
        top = max(scores.values(), default=0.0)
        for chunk in self.store.iter_chunks(where, documents):
            if keep(chunk):
                chunks[chunk.id] = chunk
                scores[chunk.id] = max(scores.get(chunk.id, 0.0), top) + above

    def _parts_in_documents(
        self, asked: Set[tuple[str, int]], documents: dict[str, DocumentRecord]
    ) -> Callable[[str], Set[tuple[str, int]]]:
        """The parts `asked` names in each document: "la dernière étape" is the highest phase
        its headings number (kb.search.parts.resolve_last); a long document is not read for it."""
        if not asks_last(asked):
            return lambda source: asked

        @cache
        def in_document(source: str) -> Set[tuple[str, int]]:
            record = documents.get(source)
            long = record is None or record.chunks > self.weights.named_pool_passages
            headings = [] if long else [
                c.section for c in self.store.iter_chunks({"source": source}, documents)]
            return resolve_last(asked, headings)

        return in_document

    def _add_to_shortlist(self, scores: dict[str, float], chunks: dict[str, Chunk], size: int,
                          bonus: Callable[[Chunk], float]) -> None:
        """Add `bonus(chunk)` to the fused score of the `size` best passages, reading from the
        store those only the lexical side found."""
        shortlist = sorted(scores, key=scores.__getitem__, reverse=True)[:size]
        chunks.update(self.store.get_chunks([i for i in shortlist if i not in chunks]))
        for chunk_id in shortlist:
            if chunk_id in chunks:
                scores[chunk_id] += bonus(chunks[chunk_id])

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=hit.chunk.text,
                id=hit.chunk.id,
                metadata={
                    **hit.chunk.metadata(),
                    "score": hit.score,
                    "dense_similarity": hit.dense_similarity,
                },
            )
            for hit in self.search(query)
        ]
