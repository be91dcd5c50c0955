"""CTG acronyms and their full forms, used to expand queries and chunks before lexical search,
and the words practitioners use for the same thing.

Both are data, in `glossary.toml` beside this module: the single source of truth, which
`corpus/references/glossaire.md` must list entry for entry (a test checks that they agree).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from kb.core.validation import load_toml

GLOSSARY_FILE = resources.files("kb.core").joinpath("glossary.toml")


@dataclass(frozen=True)
class Term:
    """An acronym, its full form, and other names users give it."""

    acronym: str
    full_form: str
    synonyms: tuple[str, ...] = ()


# An empty name would match every text.
_Name = Annotated[str, Field(min_length=1)]


class _Entry(BaseModel):
    """A term as the glossary file writes it, under its acronym."""

    model_config = ConfigDict(extra="forbid")

    full_form: _Name
    synonyms: tuple[_Name, ...] = ()


class _GlossaryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    synonyms: tuple[tuple[_Name, ...], ...]
    terms: dict[_Name, _Entry]


def load_glossary(file: Traversable = GLOSSARY_FILE
                  ) -> tuple[tuple[Term, ...], tuple[tuple[str, ...], ...]]:
    """The terms of a glossary file, in its order, and its synonym groups. A file that does not
    parse, or an entry that lacks a field, raises ValueError naming the file and the entry."""
    data = load_toml(file, _GlossaryFile)
    terms = tuple(Term(acronym, entry.full_form, entry.synonyms)
                  for acronym, entry in data.terms.items())
    return terms, data.synonyms


GLOSSARY, SYNONYMS = load_glossary()


def fold(text: str) -> str:
    """Lowercase and strip accents, so that 'Orientée' and 'orientee' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def _compile() -> list[tuple[re.Pattern[str], Term]]:
    """One pattern per term matching its acronym or any long form."""
    patterns = []
    for term in GLOSSARY:
        names = [term.acronym, term.full_form, *term.synonyms]
        alternatives = "|".join(re.escape(fold(n)) for n in sorted(names, key=len, reverse=True))
        # Letters and hyphens bound a match, digits do not: "CAF42" is the CAF, "mars" is not ARS.
        pattern = re.compile(rf"(?<![a-z0-9-])(?:{alternatives})s?(?![a-z-])")
        patterns.append((pattern, term))
    return patterns


_PATTERNS = _compile()


def expand(text: str, full_forms: bool = True) -> str:
    """Return `text` followed by the acronym (and, with `full_forms`, the full form) of every
    glossary term it uses, so that an acronym and its spelled-out form match both ways.

    Passages get both; a question gets only the acronyms, as a full form's common words
    ("grand", "centre") would otherwise pull in unrelated passages.
    """
    folded = fold(text)
    additions = [
        f"{term.acronym} {term.full_form}" if full_forms else term.acronym
        for pattern, term in _PATTERNS
        if pattern.search(folded)
    ]
    return f"{text}\n{' '.join(additions)}" if additions else text
