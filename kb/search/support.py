"""How well a sentence answers a question, and which passage supports a sentence.

Both use the same two signals: stemmed French tokens weighted by rarity (kb.core.lexical) and the
sentence embeddings of the index's own model, plus, for questions, the kind of fact asked for
(read once by kb.search.analysis) and the retrieval rank of the passage.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence, Set
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from kb.core.config import RetrievalSettings
from kb.core.documents import SearchHit
from kb.core.injection import looks_like_injection
from kb.core.sentences import Unit, passage_units
from kb.core.tokens import light_tokens, tokenize
from kb.search.analysis import QuestionAnalysis
from kb.search.answer_types import holds

# A unit's answer score is a linear function of FEATURES, fitted by a softmax ranking loss on the
# even-numbered lines of tests/eval/seeds_dev.jsonl (bench/answer.py --fit refits and prints
# them); the odd-numbered lines are held out in the tests.
FEATURES = ("lexical", "neighbours", "passage_lexical", "dense", "dense_neighbours",
            "retrieval", "first", "typed", "untyped", "question", "length", "label", "foreign")
WEIGHTS = np.array([4.6, 2.9, 1.0, 2.6, 1.2, 1.1, 1.1, 1.6, -1.6, -1.0, 0.1, -0.7, -1.2],
                   dtype=np.float32)
CONTEXT_SHARE = 0.35  # a question word found only in the passage's headings counts this much

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Candidate:
    """A unit of a retrieved passage, scored as an answer to the question."""

    unit: Unit
    hit: SearchHit
    rank: int  # of the passage in retrieval, from 1
    features: np.ndarray
    score: float = 0.0

    def feature(self, name: str) -> float:
        """The value of one of FEATURES ("lexical", "typed", "foreign"…) for this unit."""
        return float(self.features[FEATURES.index(name)])


class _VectorCache:
    """Unit embeddings by passage id: the same passages come back question after question."""

    def __init__(self, size: int = 512) -> None:
        self._items: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def vectors(self, embeddings: Embeddings, key: str, texts: list[str]) -> np.ndarray:
        slot = (id(embeddings), key)
        with self._lock:
            if slot in self._items:
                self._items.move_to_end(slot)
                return self._items[slot]
        vectors = (
            np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
            if texts
            else (np.zeros((0, 1), dtype=np.float32))
        )
        with self._lock:
            self._items[slot] = vectors
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return vectors


_CACHE = _VectorCache()


def _unit_vector(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def passage_vectors(embeddings: Embeddings, hit: SearchHit, units: Sequence[Unit]) -> np.ndarray:
    """Normalised embeddings of a passage's units (cached by passage id and content)."""
    key = f"{hit.chunk.id}:{len(units)}"
    return _unit_vector(_CACHE.vectors(embeddings, key, [u.display for u in units]))


def _weights(token_lists: list[list[str]]) -> dict[str, float]:
    """Inverse document frequency of tokens over the candidate units: a word every passage
    shares ("formation", "CTG") tells little about which sentence answers."""
    df = Counter(t for tokens in token_lists for t in set(tokens))
    n = len(token_lists) or 1
    return {t: math.log(1.0 + n / c) for t, c in df.items()}


def _coverage(asked: Counter[str], idf: dict[str, float], default: float,
              tokens: Set[str], context: Set[str] = frozenset()) -> float:
    """Share of the question's weight found in `tokens` (or, partly, in `context`)."""
    total = sum(n * idf.get(t, default) for t, n in asked.items()) or 1.0
    found = sum(
        n * idf.get(t, default) * (1.0 if t in tokens else CONTEXT_SHARE if t in context else 0.0)
        for t, n in asked.items()
    )
    return found / total


# Words by which a question points at the document itself ("annoncé dans la fiche EGOC").
_DOCUMENT_WORDS = "fiche brochure plaquette document"


def _topic(hit: SearchHit) -> set[str]:
    """The words naming a passage's document: its title, provider and client, and the words
    for a document."""
    return set(tokenize(f"{hit.chunk.title} {hit.chunk.context} {_DOCUMENT_WORDS}"))


def _focus(asked: Counter[str], topic: set[str]) -> Counter[str]:
    """The question's words less those naming the passage's document: the whole passage shares
    them, so a sentence repeating "FR Consultants" is no closer to the fact asked for than its
    neighbours. Nor do the words that ask rather than name ("que fait…", "faut-il") point at a
    sentence."""
    light = light_tokens()
    focus = Counter({t: n for t, n in asked.items() if t not in topic and t not in light})
    return focus or Counter({t: n for t, n in asked.items() if t not in light}) or asked


def _named(question: QuestionAnalysis, topics: list[set[str]]) -> set[str]:
    """The question's own words (not their synonyms) that name some retrieved documents but
    not all of them ("EGOC", "Loire"): the question is about those documents."""
    if len(topics) < 2:
        return set()
    words = {t for t in question.own_tokens if len(t) > 1}
    shared = topics[0].intersection(*topics[1:])
    return {t for t in words if any(t in topic for topic in topics)} - shared


def score_candidates(
    question: QuestionAnalysis, hits: Sequence[SearchHit], embeddings: Embeddings,
    weights: np.ndarray | None = None,
) -> list[Candidate]:
    """Every unit of the retrieved passages, best answer first."""
    if not hits:
        return []
    weights = WEIGHTS if weights is None else weights
    kinds = question.kinds
    asked = Counter(question.query_tokens)
    question_vector = _unit_vector(
        np.asarray(embeddings.embed_query(question.text), dtype=np.float32))
    # A sentence that addresses the model is data, never an answer.
    per_hit = [[u for u in passage_units(hit.chunk.text) if not looks_like_injection(u.display)]
               for hit in hits]
    unit_tokens = [[set(tokenize(u.display)) for u in units] for units in per_hit]
    idf = _weights([list(t) for tokens in unit_tokens for t in tokens])
    default = max(idf.values(), default=1.0)
    top = hits[0].score or 1.0
    topics = [_topic(hit) for hit in hits]
    named = _named(question, topics)
    out: list[Candidate] = []
    for rank, (hit, units, tokens, topic) in enumerate(
            zip(hits, per_hit, unit_tokens, topics, strict=True), 1):
        if not units:
            continue
        headings = set(tokenize(f"{hit.chunk.title} {hit.chunk.section}"))
        passage = set().union(*tokens) | headings
        passage_lexical = _coverage(asked, idf, default, passage)
        focus = _focus(asked, topic)
        # The question names other documents than this one: its sentences answer for another.
        foreign = 1.0 if named and not named & (passage | topic) else 0.0
        similarities = passage_vectors(embeddings, hit, units) @ question_vector
        for i, (unit, unit_set, similarity) in enumerate(zip(units, tokens, similarities,
                                                             strict=True)):
            typed = bool(kinds) and any(holds(unit.display, k) for k in kinds)
            around = slice(max(i - 1, 0), i + 2)
            features = np.array([
                _coverage(focus, idf, default, unit_set, headings),
                _coverage(focus, idf, default, set().union(*tokens[around])),
                passage_lexical,
                float(similarity),
                float(similarities[around].max()),
                hit.score / top,
                1.0 if rank == 1 else 0.0,
                1.0 if typed else 0.0,
                1.0 if kinds and not typed else 0.0,
                1.0 if unit.text.rstrip(" .»”\"").endswith("?") else 0.0,
                math.log(len(unit.display)),
                1.0 if not unit.lead and len(unit.text) <= 40 and not _NUMBER.search(unit.text)
                else 0.0,
                foreign,
            ], dtype=np.float32)
            out.append(Candidate(unit, hit, rank, features, float(features @ weights)))
    out.sort(key=lambda c: c.score, reverse=True)
    return out


def rerank(question: QuestionAnalysis, hits: list[SearchHit], embeddings: Embeddings,
           fused_weight: float = RetrievalSettings().rerank_weight) -> list[SearchHit]:
    """`hits` reordered by the answer score of their best unit, plus the fused retrieval score
    (relative to the best) weighted by `fused_weight`: a passage is worth the sentence in it that
    answers best. A passage spelling out the acronym asked about comes first."""
    if len(hits) < 2:
        return hits
    best: dict[str, float] = {}
    for candidate in score_candidates(question, hits, embeddings):
        best.setdefault(candidate.hit.chunk.id, candidate.score)
    definitions = question.definitions
    top = hits[0].score or 1.0
    return sorted(
        hits,
        key=lambda hit: (
            any(holds(hit.chunk.text, k) for k in definitions),
            best.get(hit.chunk.id, -math.inf) + fused_weight * hit.score / top,
        ),
        reverse=True,
    )
