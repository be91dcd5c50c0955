"""Numbered parts of a programme ("phase 2", "le premier jour"): a question about one part is
answered under that part's heading, not under another's."""

from __future__ import annotations

import re

from kb.glossary import fold

_KINDS = {"phase": "phase", "etape": "phase", "jour": "jour", "journee": "jour",
          "module": "module", "partie": "partie"}
_ORDINALS = {"premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2,
             "troisieme": 3, "quatrieme": 4, "cinquieme": 5}
_KIND = "|".join(_KINDS)
_NUMBERED = re.compile(rf"\b({_KIND})s?\s*(\d{{1,2}})\b")
_ORDINAL = re.compile(rf"\b({'|'.join(_ORDINALS)})s?\s+({_KIND})s?\b")


def parts(text: str) -> set[tuple[str, int]]:
    """The numbered parts `text` names, as (kind, number): "Phase 2 Jour 1" → phase 2, jour 1."""
    folded = fold(text)
    found = {(_KINDS[kind], int(n)) for kind, n in _NUMBERED.findall(folded)}
    found |= {(_KINDS[kind], _ORDINALS[word]) for word, kind in _ORDINAL.findall(folded)}
    return found


def agreement(asked: set[tuple[str, int]], heading: str) -> int:
    """+1 when `heading` names a part the question asks about, -1 when it names only other parts
    of the same kind ("Phase 3" for a question on phase 2), 0 otherwise."""
    named = parts(heading)
    if asked & named:
        return 1
    kinds = {kind for kind, _ in asked}
    return -1 if any(kind in kinds for kind, _ in named) else 0
