"""Plain data types shared across ingestion, storage, retrieval and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class DocType(StrEnum):
    """Kinds of documents; filters and the course catalogue depend on them."""

    PROGRAMME = "programme"
    METHODE = "methode"
    REFERENCE = "reference"
    AUTRE = "autre"


DOC_TYPE_LABELS: dict[DocType, str] = {
    DocType.PROGRAMME: "Programme de formation",
    DocType.METHODE: "Fiche méthode",
    DocType.REFERENCE: "Référence",
    DocType.AUTRE: "Autre document",
}


@dataclass(frozen=True)
class Section:
    """A piece of a document as a loader found it: a PDF page, or a Markdown/HTML/DOCX section."""

    text: str
    heading_path: tuple[str, ...] = ()
    page: int | None = None


@dataclass
class LoadedDocument:
    """A readable file: its identity, front matter and sections, before chunking."""

    source: str  # path relative to the corpus root, with forward slashes: the document's id
    path: str  # absolute path on disk, for opening the file
    title: str
    doc_type: DocType
    content_hash: str
    sections: list[Section]
    metadata: dict[str, Any] = field(default_factory=dict)
    # Words that situate every passage of the document (a course's provider and kind): they are
    # indexed with each chunk, since a passage rarely names its own provider.
    context: str = ""
    # File names of the documents this one restates (from its front matter `sources`).
    restates: tuple[str, ...] = ()
    # Other names the document answers to ("fishbowl", "open space"), from its front matter.
    aliases: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)


@dataclass(frozen=True)
class Chunk:
    """A passage stored in the index; `id` is stable across runs for the same content."""

    id: str
    text: str
    source: str
    title: str
    doc_type: DocType
    section: str
    page: int | None
    position: int
    content_hash: str
    path: str = ""
    context: str = ""
    restates: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata as Chroma stores it (no None values allowed there)."""
        meta: dict[str, str | int] = {
            "source": self.source,
            "title": self.title,
            "doc_type": str(self.doc_type),
            "section": self.section,
            "position": self.position,
            "content_hash": self.content_hash,
            "path": self.path,
            "context": self.context,
            "restates": "|".join(self.restates),
            "aliases": "|".join(self.aliases),
        }
        if self.page is not None:
            meta["page"] = self.page
        return meta

    @classmethod
    def from_store(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        page = meta.get("page")
        return cls(
            id=chunk_id,
            text=text,
            source=str(meta["source"]),
            title=str(meta.get("title", "")),
            doc_type=DocType(meta.get("doc_type", DocType.AUTRE)),
            section=str(meta.get("section", "")),
            page=int(page) if page is not None else None,
            position=int(meta.get("position", 0)),
            content_hash=str(meta.get("content_hash", "")),
            path=str(meta.get("path", "")),
            context=str(meta.get("context", "")),
            restates=tuple(filter(None, str(meta.get("restates", "")).split("|"))),
            aliases=tuple(filter(None, str(meta.get("aliases", "")).split("|"))),
        )

    @property
    def location(self) -> str:
        """Where the passage sits, for a citation: its section path and page ('p. 3')."""
        return self.located()

    def located(self, section: str | None = None) -> str:
        """`section` (by default the passage's own) and page, without repeating the document's
        title: a file without headings has its title for section."""
        section = self.section if section is None else section
        parts = [section] if section and section != self.title else []
        if self.page is not None:
            parts.append(f"p. {self.page}")
        return " · ".join(parts)


@dataclass(frozen=True)
class SearchHit:
    """A retrieved passage with its fused score and the ranks each retriever gave it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_similarity: float | None = None


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: the passage, where it sits, and the answer's sentences it
    supports (so that a reader checks each claim in one click)."""

    number: int
    chunk: Chunk
    supports: tuple[str, ...] = ()
    score: float = 0.0
    # The heading path of the first sentence it supports: a passage that starts in "Formateurs"
    # and holds "## Tarif et modalités" is cited for a price under the latter.
    section: str = ""

    @property
    def location(self) -> str:
        """Where the supported sentence sits: its section path, and the page."""
        return self.chunk.located(self.section or None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.number,
            "title": self.chunk.title,
            "source": self.chunk.source,
            "path": self.chunk.path,
            "page": self.chunk.page,
            "section": self.section or self.chunk.section,
            "text": self.chunk.text,
            "supports": list(self.supports),
        }


@dataclass
class Answer:
    """What the assistant says and why: the text with its [n] markers, the citations behind
    them, whether it abstained, the backend that wrote it and the retrieval it stood on."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    backend: str = "extractive"
    notice: str | None = None
    standalone_question: str = ""
    passages: list[SearchHit] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    confidence: float = 0.0
    # The calibrated probability that the answer holds (kb.answers.answerability); None
    # without a fitted gate.
    certainty: float | None = None
    # For an abstention, the sentence of each closest passage that comes nearest to answering.
    nearest: dict[str, str] = field(default_factory=dict)

    @property
    def retrieval_scores(self) -> list[float]:
        return [hit.score for hit in self.passages]

    def uncited(self, limit: int = 3) -> list[SearchHit]:
        """The passages retrieved for an answer but not cited in it, best first: the right one
        is more often among them than the answer quotes it (README, "Qualité mesurée")."""
        if self.abstained:
            return []
        cited = {citation.chunk.id for citation in self.citations}
        return [hit for hit in self.passages if hit.chunk.id not in cited][:limit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "certainty": self.certainty,
            "backend": self.backend,
            "notice": self.notice,
            "citations": [c.to_dict() for c in self.citations],
        }
