"""What retrieval knows of each indexed document as a whole: the words that name it (its title,
provider and client) and the other documents it restates (a summary sheet and its brochure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import PurePosixPath

from kb.documents import Chunk
from kb.tokens import tokenize

# A question word names documents when few documents carry it in their title or context: "EGOC"
# or "fish-bowl" do, "formation" or "CTG" (in many titles) do not.
NAMING_SHARE = 0.25


@dataclass(frozen=True)
class DocumentProfile:
    """One indexed document: its source, naming tokens and the file names it restates."""

    source: str
    naming: frozenset[str]
    restates: tuple[str, ...] = ()

    @classmethod
    def of(cls, source: str, title: str, context: str, restates: Iterable[str] = ()
           ) -> DocumentProfile:
        return cls(source, frozenset(tokenize(f"{title} {context}", full_forms=False)),
                   tuple(restates))

    def to_row(self) -> list:
        return [self.source, sorted(self.naming), list(self.restates)]

    @classmethod
    def from_row(cls, row: list) -> DocumentProfile:
        source, naming, restates = row
        return cls(source, frozenset(naming), tuple(restates))


class Profiles:
    """The profiles of every indexed document, by source."""

    def __init__(self, profiles: Iterable[DocumentProfile]) -> None:
        self.by_source = {p.source: p for p in profiles}

    @cached_property
    def _owners(self) -> dict[str, set[str]]:
        """Naming token → the sources it names."""
        owners: dict[str, set[str]] = {}
        for profile in self.by_source.values():
            for token in profile.naming:
                owners.setdefault(token, set()).add(profile.source)
        return owners

    def named_by(self, question: str) -> set[str]:
        """Sources named by one of the question's own words that few documents carry."""
        limit = NAMING_SHARE * len(self.by_source)
        named: set[str] = set()
        for word in set(tokenize(question, full_forms=False)):
            owners = self._owners.get(word, set())
            if len(owners) <= limit:
                named |= owners
        return named

    @cached_property
    def restating(self) -> frozenset[str]:
        """Sources that restate another indexed document: when both answer, the original is the
        one to cite."""
        names = {PurePosixPath(source).name for source in self.by_source}
        return frozenset(
            p.source for p in self.by_source.values()
            if any(r != PurePosixPath(p.source).name and r in names for r in p.restates)
        )


_TITLE_PARTS = re.compile(r"[():/]|\bet\b")


@lru_cache(maxsize=64)
def _words(question: str) -> frozenset[str]:
    """A question's own tokens (retrieval asks about every passage it ranks)."""
    return frozenset(tokenize(question, full_forms=False))


def names_document(question: str, chunk: Chunk) -> bool:
    """Whether `question` names a passage's document: by one of its aliases ("fishbowl", "open
    space", a course's provider "FR Consultants"), or its title or a part of it: every word
    of "Fish-bowl", of "bocal à poissons", or of "Animer un comité de pilotage" for "Animer un
    comité de pilotage (COPIL) et un comité technique (COTECH)". One shared word ("animer",
    "participants") is not enough."""
    return names_title(question, chunk.title, chunk.aliases)


def names_title(question: str, title: str, aliases: Iterable[str] = ()) -> bool:
    """Whether `question` names a document by its `title`, a part of it, or one of its
    `aliases` (see `names_document`)."""
    words = _words(question)
    return any(tokens <= words for tokens in _naming_forms(title, tuple(aliases)))


@lru_cache(maxsize=16384)
def _naming_forms(title: str, aliases: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """The tokens of each way a question can name a document (asked of every document, question
    after question): "Fish-bowl" is named as "fish bowl" or "fishbowl", "Méta-plan" as "méta
    plan"."""
    forms = (form for part in (*_TITLE_PARTS.split(title), *aliases)
             for form in (part.replace("-", " "), re.sub(r"[-\s]", "", part)))
    tokens = (frozenset(tokenize(form, full_forms=False)) for form in forms)
    return tuple(form for form in tokens if form)


@lru_cache(maxsize=4096)
def _title_parts(title: str) -> tuple[frozenset[str], ...]:
    """The tokens of each part of a title (asked of every document, question after question)."""
    return tuple(frozenset(tokenize(part, full_forms=False))
                 for part in _TITLE_PARTS.split(title))


def titled(title: str, term: str) -> bool:
    """Whether `term` ("CTG") is one part of a document's `title` on its own ("La convention
    territoriale globale (CTG)"): the document is about that very thing."""
    tokens = frozenset(tokenize(term, full_forms=False))
    return bool(tokens) and tokens in _title_parts(title)


def restated_files(sources: Iterable[str]) -> tuple[str, ...]:
    """The file names among a front matter's `sources` ("seed:brochure.txt", "docs/a.pdf");
    web addresses are left out."""
    names = []
    for entry in sources:
        entry = entry.strip()
        if not entry or "://" in entry:
            continue
        names.append(PurePosixPath(entry.split(":", 1)[-1].replace("\\", "/")).name)
    return tuple(dict.fromkeys(n for n in names if n))
