"""Citations the model cannot fake: every sentence of an answer is matched, after generation, to
the retrieved passage that supports it; a sentence that none supports is flagged.

A model's own "[n]" markers are ignored (small local models never write them, others may
invent them). Support needs shared words and a close meaning, and every number of the sentence
must be written in the passage: a price or a date cannot pass unless the source states it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from kb.core.config import DEFAULT_ANSWERS, AnswerSettings
from kb.core.documents import Citation, SearchHit
from kb.core.injection import looks_like_injection
from kb.core.sentences import passage_units
from kb.core.tokens import tokenize
from kb.search.analysis import QuestionAnalysis
from kb.search.sections import sentence_section
from kb.search.support import passage_vectors

_MARKER = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
_DIGITS = re.compile(r"\d+")
_GROUPED = re.compile(r"(?<=\d)[\s\u00a0\u202f.](?=\d{3}\b)")


@dataclass(frozen=True)
class Supported:
    """An answer sentence and the passage that supports it (None: unsupported)."""

    sentence: str
    hit: SearchHit | None
    lexical: float = 0.0
    dense: float = 0.0
    # The label or introduction the sentence is quoted under ("Tarifs", "Les rôles"): shown
    # once above a list's items ("": none).
    lead: str = ""

    @property
    def display(self) -> str:
        """The sentence as read on its own, after its list's introduction if it has one."""
        return f"{self.lead} : {self.sentence}" if self.lead else self.sentence


def strip_markers(text: str) -> str:
    """A model's answer without the citation markers it wrote itself."""
    return _MARKER.sub("", text)


def numbers(text: str) -> set[str]:
    """The numbers a text writes, as digit runs, with "1 200" also read as "1200"."""
    return set(_DIGITS.findall(text)) | set(_DIGITS.findall(_GROUPED.sub("", text)))


def _lexical(sentence_tokens: list[str], passage_tokens: Set[str]) -> float:
    if not sentence_tokens:
        return 0.0
    return sum(t in passage_tokens for t in sentence_tokens) / len(sentence_tokens)


def attach(
    sentences: list[str], hits: Sequence[SearchHit], embeddings: Embeddings,
    question: QuestionAnalysis | None = None, tuning: AnswerSettings = DEFAULT_ANSWERS,
) -> list[Supported]:
    """Each sentence with its best supporting passage among `hits`, or None. A question, a
    fragment, or a sentence made of the `question`'s own words is none (thresholds: `tuning`)."""
    if not sentences:
        return []
    passages = [
        (hit, set(tokenize(f"{hit.chunk.title} {hit.chunk.section}\n{hit.chunk.text}")),
         numbers(hit.chunk.text), passage_vectors(embeddings, hit, passage_units(hit.chunk.text)))
        for hit in hits
    ]
    vectors = np.asarray(embeddings.embed_documents(sentences), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    asked = question.tokens if question is not None else frozenset()
    out = []
    for sentence, vector in zip(sentences, vectors, strict=True):
        tokens = tokenize(sentence)
        stated = numbers(sentence)
        best = Supported(sentence, None)
        if (looks_like_injection(sentence) or sentence.rstrip().endswith("?")
                or len(tokens) < tuning.min_tokens or _lexical(tokens, asked) >= tuning.echo):
            out.append(best)
            continue
        for hit, passage_tokens, passage_numbers, unit_vectors in passages:
            lexical = _lexical(tokens, passage_tokens)
            dense = float((unit_vectors @ vector).max()) if len(unit_vectors) else 0.0
            supported = stated <= passage_numbers and (
                (lexical >= tuning.strong_lexical and dense >= tuning.related_dense)
                or (lexical >= tuning.weak_lexical and dense >= tuning.close_dense)
            )
            if supported and lexical + dense > best.lexical + best.dense:
                best = Supported(sentence, hit, lexical, dense)
        out.append(best)
    return out


def quote(sentences: Sequence[Supported], book: CitationBook) -> str:
    """The cited sentences as Markdown: prose joined by spaces; the items of a list, when more
    than one follow each other, as bullets under their introduction with a blank line around
    them; a lone item after its label ("Tarifs : 850 €"). A sentence that `book` finds
    unsupported is left out."""
    blocks: list[tuple[str, list[str]]] = []  # (introduction, cited sentences)
    for item in sentences:
        text = book.cite(item)
        if not text:
            continue
        if item.lead and blocks and blocks[-1][0] == item.lead:
            blocks[-1][1].append(text)
        else:
            blocks.append((item.lead, [text]))
    out = ""
    after_list = False
    for lead, texts in blocks:
        listed = len(texts) > 1
        if out:
            out += "\n\n" if listed or after_list else " "
        if listed:
            out += f"{lead} :\n" + "\n".join(f"- {text}" for text in texts)
        else:
            out += f"{lead} : {texts[0]}" if lead else texts[0]
        after_list = listed
    return out


class CitationBook:
    """Numbers passages in order of first use as supported sentences arrive (so that streamed
    pieces and the final answer agree), and keeps which sentences each passage supports."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._hits: dict[str, SearchHit] = {}
        self._supports: dict[str, list[str]] = {}

    def cite(self, item: Supported) -> str:
        """The sentence followed by its marker; an unsupported sentence gives ''."""
        if item.hit is None:
            return ""
        chunk_id = item.hit.chunk.id
        number = self._numbers.setdefault(chunk_id, len(self._numbers) + 1)
        self._hits[chunk_id] = item.hit
        self._supports.setdefault(chunk_id, []).append(item.sentence)
        return f"{item.sentence} [{number}]"

    def citations(self) -> list[Citation]:
        return [
            Citation(number=n, chunk=self._hits[c].chunk, supports=tuple(self._supports[c]),
                     score=self._hits[c].score,
                     section=sentence_section(self._hits[c].chunk, self._supports[c][0]))
            for c, n in self._numbers.items()
        ]
