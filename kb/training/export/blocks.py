"""Markdown read once into blocks (headings, paragraphs, lists, tables) of styled runs, from the
markdown-it tokens of `kb.training.methods.MARKDOWN`: each export renders those blocks its own
way, so no `**` or `##` ever reaches the reader."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kb.training.methods import MARKDOWN


@dataclass(frozen=True)
class Run:
    """Text with one look: plain, bold, italic or both."""

    text: str
    bold: bool = False
    italic: bool = False


Runs = tuple[Run, ...]


@dataclass(frozen=True)
class Heading:
    level: int
    runs: Runs


@dataclass(frozen=True)
class Paragraph:
    runs: Runs


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    start: int
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Runs, ...]
    rows: tuple[tuple[Runs, ...], ...]


Block = Heading | Paragraph | ListBlock | Table


def blocks(markdown: str) -> list[Block]:
    """The blocks of a Markdown text: headings, paragraphs, lists (nested), tables. Links keep
    their text, images their description; code is kept as text, quotes as their content."""
    found, _ = _blocks(MARKDOWN.parse(markdown), 0, None)
    return found


def _blocks(tokens: list[Any], index: int, until: str | None) -> tuple[list[Block], int]:
    found: list[Block] = []
    while index < len(tokens):
        token = tokens[index]
        if token.type == until:
            return found, index + 1
        if token.type == "heading_open":
            found.append(Heading(int(token.tag[1:]), runs(tokens[index + 1])))
            index += 3
        elif token.type == "paragraph_open":
            found.append(Paragraph(runs(tokens[index + 1])))
            index += 3
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            listed, index = _list(tokens, index)
            found.append(listed)
        elif token.type == "table_open":
            table, index = _table(tokens, index + 1)
            found.append(table)
        elif token.type == "blockquote_open":
            quoted, index = _blocks(tokens, index + 1, "blockquote_close")
            found += quoted
        elif token.type in ("code_block", "fence"):
            found += [Paragraph((Run(line),)) for line in token.content.splitlines() if line]
            index += 1
        else:  # hr, and raw HTML (which the parser keeps as text anyway)
            index += 1
    return found, index


def _list(tokens: list[Any], index: int) -> tuple[ListBlock, int]:
    opening = tokens[index]
    closing = opening.type.replace("_open", "_close")
    items: list[tuple[Block, ...]] = []
    index += 1
    while tokens[index].type != closing:  # list_item_open
        item, index = _blocks(tokens, index + 1, "list_item_close")
        items.append(tuple(item))
    start = opening.attrGet("start") if opening.type == "ordered_list_open" else None
    return ListBlock(opening.type == "ordered_list_open", int(start or 1), tuple(items)), index + 1


def _table(tokens: list[Any], index: int) -> tuple[Table, int]:
    header: list[tuple[Runs, ...]] = []
    body: list[tuple[Runs, ...]] = []
    row: list[Runs] = []
    in_head = False
    while tokens[index].type != "table_close":
        kind = tokens[index].type
        if kind in ("thead_open", "thead_close"):
            in_head = kind == "thead_open"
        elif kind == "tr_open":
            row = []
        elif kind == "inline":
            row.append(runs(tokens[index]))
        elif kind == "tr_close":
            (header if in_head else body).append(tuple(row))
        index += 1
    return Table(header[0] if header else (), tuple(body)), index + 1


def runs(token: Any) -> Runs:
    """The runs of an inline token: emphasis becomes bold or italic, line breaks spaces."""
    bold = italic = 0
    pieces: list[Run] = []
    for child in token.children or ():
        if child.type in ("strong_open", "strong_close"):
            bold += 1 if child.type == "strong_open" else -1
        elif child.type in ("em_open", "em_close"):
            italic += 1 if child.type == "em_open" else -1
        elif child.type in ("text", "code_inline", "image", "softbreak", "hardbreak"):
            text = child.content if child.type not in ("softbreak", "hardbreak") else " "
            pieces.append(Run(text, bold > 0, italic > 0))
    return _tidy(pieces)


def _tidy(pieces: Iterable[Run]) -> Runs:
    # Neighbours with the same look merged, runs of spaces made one, the ends trimmed.
    merged: list[Run] = []
    for piece in pieces:
        text = re.sub(r"\s+", " ", piece.text)
        if merged and merged[-1].text.endswith(" "):
            text = text.lstrip(" ")
        if not text:
            continue
        if merged and (merged[-1].bold, merged[-1].italic) == (piece.bold, piece.italic):
            merged[-1] = Run(merged[-1].text + text, piece.bold, piece.italic)
        else:
            merged.append(Run(text, piece.bold, piece.italic))
    if merged:
        merged[0] = Run(merged[0].text.lstrip(), merged[0].bold, merged[0].italic)
        merged[-1] = Run(merged[-1].text.rstrip(), merged[-1].bold, merged[-1].italic)
    return tuple(run for run in merged if run.text)


def cell_runs(text: str) -> Runs:
    """A timetable cell read as Markdown and laid on one line: "1. **Titre** …" keeps its bold
    title, list items and paragraphs are joined by " ; "."""
    parts: list[Runs] = []

    def collect(found: Iterable[Block]) -> None:
        for block in found:
            if isinstance(block, Heading | Paragraph):
                parts.append(block.runs)
            elif isinstance(block, ListBlock):
                for item in block.items:
                    collect(item)
            else:
                parts.extend(cell for row in (block.header, *block.rows) for cell in row)

    collect(blocks(text))
    joined: list[Run] = []
    for index, part in enumerate(part for part in parts if part):
        joined += [Run(" ; ")] if index else []
        joined += part
    return _tidy(joined)


def plain(found: Runs) -> str:
    return "".join(run.text for run in found)
