"""Document text shown through Streamlit's Markdown without ever being interpreted as Markdown.

Passages come from files anyone may drop in the Bibliothèque: every ASCII punctuation mark is
escaped (CommonMark lets a backslash escape any of them), so that a passage cannot open a link,
a heading, a LaTeX formula or a colour directive. Only our own `**` marks survive, around the
sentence an answer leans on, and the bullets of the lists an answer quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

from kb.core.reading import paragraphs
from kb.core.sentences import passage_units
from kb.core.tokens import tokenize

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ESCAPED_BULLET = re.compile(r"^\\-(?= )", re.MULTILINE)
_ITEM = "• "  # the bullet kb.core.reading gives a list item
# A paraphrase (from a language model) is matched to the passage sentence sharing this share of
# its words; below it, nothing is highlighted rather than the wrong sentence.
MIN_OVERLAP = 0.5

Span = tuple[int, int]


def escape(text: str) -> str:
    """`text` as Markdown that displays it literally."""
    return _PUNCTUATION.sub(r"\\\1", text)


def answer_markdown(text: str) -> str:
    """An answer as Markdown that displays its text literally, but for the list bullets the
    assistant puts at the start of a line ("- "): a list's items stay a list."""
    return _ESCAPED_BULLET.sub("-", escape(text))


def readable(text: str) -> str:
    """A passage as a reader sees it (`kb.core.reading.paragraphs`): markup dropped, lines the
    source hard-wrapped joined; a blank line between blocks, except inside a list."""
    blocks = paragraphs(text)
    if not blocks:
        return ""
    shown = [blocks[0]]
    for previous, block in pairwise(blocks):
        both_items = previous.startswith(_ITEM) and block.startswith(_ITEM)
        shown.append(("\n" if both_items else "\n\n") + block)
    return "".join(shown)


def literal(text: str, bold: Iterable[Span] = ()) -> str:
    """Multi-line `text` as Markdown that shows it as written, line breaks kept, with the
    character ranges of `bold` in bold."""
    spans = _merged(bold)
    paragraphs: list[list[str]] = [[]]
    offset = 0
    for line in text.split("\n"):
        shown = _line(line, offset, spans)
        offset += len(line) + 1
        if shown:
            paragraphs[-1].append(shown)
        elif paragraphs[-1]:
            paragraphs.append([])
    # A backslash at the end of a line is a hard break; a blank line ends a paragraph.
    return "\n\n".join("\\\n".join(lines) for lines in paragraphs if lines)


def _merged(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching ranges as one: two bold runs side by side would write `****`,
    which Markdown shows as stars."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _line(line: str, offset: int, spans: list[Span]) -> str:
    start = len(line) - len(line.lstrip())  # leading spaces would open a code block
    cuts = {start, len(line)}
    for a, b in spans:
        cuts.update(min(max(x - offset, start), len(line)) for x in (a, b))
    pieces = []
    for a, b in pairwise(sorted(cuts)):
        piece = line[a:b]
        inside = any(s <= offset + a and offset + b <= e for s, e in spans)
        if inside and piece.strip():
            # Emphasis must hug its text: spaces stay outside the marks.
            core = piece.strip()
            left, right = piece[: len(piece) - len(piece.lstrip())], piece[len(piece.rstrip()) :]
            pieces.append(f"{escape(left)}**{escape(core)}**{escape(right)}")
        else:
            pieces.append(escape(piece))
    return "".join(pieces)


def _letters(text: str) -> tuple[str, list[int]]:
    """The letters and digits of `text`, lowercased, with the offset each comes from."""
    kept = [(c.lower(), i) for i, c in enumerate(text) if c.isalnum() and len(c.lower()) == 1]
    return "".join(c for c, _ in kept), [i for _, i in kept]


def _locate(text: str, sentence: str) -> Span | None:
    """Where `sentence` sits in `text`, ignoring case, spaces, punctuation and markup."""
    haystack, offsets = _letters(text)
    needle, _ = _letters(sentence)
    at = haystack.find(needle) if needle else -1
    if at < 0:
        return None
    return offsets[at], offsets[at + len(needle) - 1] + 1


def support_spans(text: str, sentences: Iterable[str]) -> list[Span | None]:
    """Where `text` states each of `sentences` (None where it cannot be told).

    A quoted sentence may carry the label it was read under ("Tarifs : 850 €"), so its tail is
    tried too; a paraphrase is matched to the passage sentence sharing most of its words."""
    spans: list[Span | None] = []
    for sentence in sentences:
        parts = sentence.split(" : ")
        tails = (" : ".join(parts[i:]) for i in range(len(parts)))
        found = next((span for tail in tails if (span := _locate(text, tail))), None)
        spans.append(found or _closest_unit(text, sentence))
    return spans


def _closest_unit(text: str, sentence: str) -> Span | None:
    wanted = set(tokenize(sentence))
    if not wanted:
        return None
    best, best_overlap = None, MIN_OVERLAP
    for unit in passage_units(text):
        overlap = len(wanted & set(tokenize(unit.text))) / len(wanted)
        if overlap >= best_overlap:
            best, best_overlap = unit.text, overlap
    return _locate(text, best) if best else None
