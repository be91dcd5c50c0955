"""Structure-aware splitting: sections stay whole where they fit, lists and tables are not cut,
small neighbouring sections are packed together, and every chunk keeps its section path and page.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from kb.core.documents import Chunk, LoadedDocument, Section

_LIST_OR_TABLE = re.compile(r"^\s*([-*•+]\s|\d+[.)]\s|\|)|\t")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"A-ZÀ-ÖØ-Þ0-9])")


@dataclass
class _Piece:
    text: str
    heading_path: tuple[str, ...]
    page: int | None


def chunk_document(doc: LoadedDocument, chunk_size: int) -> list[Chunk]:
    """Cut `doc` into chunks of at most about `chunk_size` characters."""
    pieces = [piece for section in doc.sections for piece in _split_section(section, chunk_size)]
    merged = _pack_small(pieces, chunk_size)
    prefix = hashlib.sha1(doc.source.encode()).hexdigest()[:16]
    return [
        Chunk(
            id=f"{prefix}-{doc.content_hash[:12]}-{position:04d}",
            text=piece.text,
            source=doc.source,
            title=doc.title,
            doc_type=doc.doc_type,
            section=" > ".join(piece.heading_path),
            page=piece.page,
            position=position,
            content_hash=doc.content_hash,
            path=doc.path,
            context=doc.context,
            restates=doc.restates,
            aliases=doc.aliases,
        )
        for position, piece in enumerate(merged)
    ]


def _blocks(text: str) -> list[str]:
    """Paragraphs, with consecutive list items or table rows kept as one block."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip("\n")
        if not paragraph.strip():
            continue
        if (
            blocks
            and _LIST_OR_TABLE.match(paragraph)
            and _LIST_OR_TABLE.match(blocks[-1].splitlines()[-1])
        ):
            blocks[-1] += "\n" + paragraph
        else:
            blocks.append(paragraph)
    return blocks


def _split_long(block: str, size: int) -> list[str]:
    """A block too long for one chunk, cut at sentence ends, then lines, then hard."""
    for pattern in (_SENTENCE_END, re.compile(r"\n")):
        parts = [p for p in pattern.split(block) if p.strip()]
        if len(parts) > 1:
            return _pack_strings(parts, size, sep=" " if pattern is _SENTENCE_END else "\n")
    return [block[i : i + size] for i in range(0, len(block), size)]


def _pack_strings(parts: list[str], size: int, sep: str) -> list[str]:
    out: list[str] = []
    for part in parts:
        if len(part) > size:
            out.extend(_split_long(part, size))
        elif out and len(out[-1]) + len(sep) + len(part) <= size:
            out[-1] += sep + part
        else:
            out.append(part)
    return out


def _split_section(section: Section, size: int) -> list[_Piece]:
    texts = _pack_strings(_blocks(section.text), size, sep="\n\n")
    return [_Piece(t, section.heading_path, section.page) for t in texts]


def _pack_small(pieces: list[_Piece], size: int) -> list[_Piece]:
    """Join a short piece with the following ones on the same page, so that a heading and a
    one-line answer ('Pré-requis : aucun') travel with their neighbours."""
    small = size // 3
    out: list[_Piece] = []
    for piece in pieces:
        last = out[-1] if out else None
        if (
            last is not None
            and len(last.text) < small
            and last.page == piece.page
            and len(last.text) + 2 + len(piece.text) <= size
        ):
            last.text += "\n\n" + piece.text
            last.heading_path = last.heading_path or piece.heading_path
        else:
            out.append(_Piece(piece.text, piece.heading_path, piece.page))
    return out
