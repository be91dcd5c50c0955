"""Passage text as a reader sees it, for terminals and exports: markup dropped, and lines that
the source hard-wrapped joined back into their paragraph."""

from __future__ import annotations

import re

from kb.core.sentences import clean

_HEADING = re.compile(r"^\s*#{1,6}\s+")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_TABLE = re.compile(r"^\s*\|")


def paragraphs(text: str) -> list[str]:
    """The paragraphs, headings, list items and table rows of a passage, one string each, without
    Markdown marks; a list item keeps a "• " bullet, a table row its cells joined by " · "."""
    blocks: list[str] = []
    joinable = False  # whether the next plain line continues the last block
    for line in text.splitlines():
        if not line.strip():
            joinable = False
            continue
        if _TABLE.match(line):
            cells = [clean(cell) for cell in line.strip().strip("|").split("|")]
            if any(cells) and not all(set(cell) <= set("-: ") for cell in cells):
                blocks.append(" · ".join(cell for cell in cells if cell))
            joinable = False
        elif _HEADING.match(line):
            blocks.append(clean(_HEADING.sub("", line)))
            joinable = False
        elif _ITEM.match(line):
            blocks.append("• " + clean(_ITEM.sub("", line)))
            joinable = True
        elif joinable and blocks:
            blocks[-1] = f"{blocks[-1]} {clean(line)}"
        else:
            blocks.append(clean(line))
            joinable = True
    return [block for block in blocks if block.strip("• ")]
