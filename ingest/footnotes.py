"""Footnotes brought to where they are called. A note printed at the foot of a page or at the end
of a document is written again after its call mark, so that the passage citing it carries it
("…du groupe [1] (note : « Pratiques émancipatrices… » - M. Séguier)")."""

from __future__ import annotations

import re
from dataclasses import replace

from kb.core.documents import Section

# A call or a note's own mark: "^[1]", "[^1]", "[1]", or a word processor's "[\[1\]](#…)".
_MARK = r"(?:\^\[(\d{1,3})\]|\[\^(\d{1,3})\]|\[\\?\[(\d{1,3})\\?\]\]\([^)\s]*\)|\[(\d{1,3})\])"
_NOTE = re.compile(rf"^\s*{_MARK}:?\s+(\S.*)$")
_CALL = re.compile(_MARK)
MAX_NOTE = 300  # characters of a note repeated at its call


def _number(match: re.Match[str]) -> str:
    return next(g for g in match.groups()[:4] if g)


def attach_footnotes(sections: list[Section]) -> list[Section]:
    """`sections` with each note's text added after the nearest earlier call of its number that
    has no note yet. Calls without a note, and notes without a call, are left as they are."""
    open_calls: dict[str, list[tuple[int, int, int]]] = {}  # number → (section, line, end)
    notes: dict[tuple[int, int], list[tuple[int, str]]] = {}  # (section, line) → (end, text)
    lines = [section.text.split("\n") for section in sections]
    for s, section_lines in enumerate(lines):
        for i, line in enumerate(section_lines):
            note = _NOTE.match(line)
            if note:
                calls = open_calls.get(_number(note))
                if calls:
                    at_section, at_line, end = calls.pop()
                    text = note.group(5).strip()[:MAX_NOTE]
                    notes.setdefault((at_section, at_line), []).append((end, text))
                continue
            for call in _CALL.finditer(line):
                open_calls.setdefault(_number(call), []).append((s, i, call.end()))
    if not notes:
        return sections
    for (s, i), added in notes.items():
        line = lines[s][i]
        for end, text in sorted(added, reverse=True):
            line = f"{line[:end]} (note : {text}){line[end:]}"
        lines[s][i] = line
    return [replace(section, text="\n".join(section_lines))
            for section, section_lines in zip(sections, lines, strict=True)]
