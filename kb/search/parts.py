"""Numbered parts of a programme ("phase 2", "le premier jour", "la dernière étape"): a question
about one part is answered under that part's heading, not under another's."""

from __future__ import annotations

import re
from collections.abc import Iterable, Set

from kb.core.glossary import fold

_KINDS = {"phase": "phase", "etape": "phase", "jour": "jour", "journee": "jour",
          "module": "module", "partie": "partie"}
_ORDINALS = {"premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2,
             "troisieme": 3, "quatrieme": 4, "cinquieme": 5}
_KIND = "|".join(_KINDS)
_NUMBERED = re.compile(rf"\b({_KIND})s?\s*(\d{{1,2}})\b")
_ORDINAL = re.compile(rf"\b({'|'.join(_ORDINALS)})s?\s+({_KIND})s?\b")
_LAST = re.compile(rf"\bderni(?:er|ere)s?\s+({_KIND})s?\b")
# The number of "the last" part ("la dernière phase") until a document's own parts say which
# one it is (`resolve_last`).
LAST = 0


def parts(text: str) -> set[tuple[str, int]]:
    """The numbered parts `text` names, as (kind, number): "Phase 2 Jour 1" → phase 2, jour 1."""
    folded = fold(text)
    found = {(_KINDS[kind], int(n)) for kind, n in _NUMBERED.findall(folded)}
    found |= {(_KINDS[kind], _ORDINALS[word]) for word, kind in _ORDINAL.findall(folded)}
    found |= {(_KINDS[kind], LAST) for kind in _LAST.findall(folded)}
    return found


def asks_last(asked: Set[tuple[str, int]]) -> bool:
    """Whether one of the parts `asked` is the last of its kind ("la dernière étape")."""
    return any(number == LAST for _, number in asked)


def resolve_last(asked: Set[tuple[str, int]], texts: Iterable[str]) -> Set[tuple[str, int]]:
    """`asked` with the last part of a kind ("la dernière étape") read as the highest of that
    kind the document's `texts` (its headings) number; dropped when they number none."""
    if not asks_last(asked):
        return asked
    numbered = {part for text in texts for part in parts(text)}
    resolved = {part for part in asked if part[1] != LAST}
    for kind, number in asked:
        highest = max((n for k, n in numbered if k == kind), default=LAST)
        if number == LAST and highest != LAST:
            resolved.add((kind, highest))
    return resolved


def agreement(asked: Set[tuple[str, int]], heading: str) -> int:
    """+1 when `heading` names a part the question asks about, -1 when it names only other parts
    of the same kind ("Phase 3" for a question on phase 2), 0 otherwise."""
    named = parts(heading)
    if asked & named:
        return 1
    kinds = {kind for kind, _ in asked}
    return -1 if any(kind in kinds for kind, _ in named) else 0
