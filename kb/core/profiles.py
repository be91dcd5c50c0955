"""What the index knows of each indexed document as a whole: the words that name it (its title,
provider and client) and the other documents it restates (a summary sheet and its brochure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath

from kb.core.tokens import tokenize


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
    def owners(self) -> dict[str, set[str]]:
        """Naming token → the sources it names."""
        owners: dict[str, set[str]] = {}
        for profile in self.by_source.values():
            for token in profile.naming:
                owners.setdefault(token, set()).add(profile.source)
        return owners

    @cached_property
    def restating(self) -> frozenset[str]:
        """Sources that restate another indexed document: when both answer, the original is the
        one to cite."""
        names = {PurePosixPath(source).name for source in self.by_source}
        return frozenset(
            p.source for p in self.by_source.values()
            if any(r != PurePosixPath(p.source).name and r in names for r in p.restates)
        )


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
