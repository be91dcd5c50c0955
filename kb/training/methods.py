"""Method sheets (`corpus/methodes/*.md`): typed front matter, loading, filters, lookup by name,
and reading their Markdown (timed steps, plain text).

A sheet is Markdown with YAML front matter; its body follows the template in `SECTIONS`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import frontmatter
import yaml
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kb.core.validation import describe_error

Moment = Literal[
    "diagnostic", "mobilisation", "plan-actions", "gouvernance", "evaluation", "formation"
]

SECTIONS: tuple[str, ...] = (
    "À quoi ça sert",
    "Quand l'utiliser dans une CTG",
    "Préparation et installation",
    "Déroulé pas à pas",
    "Rôles",
    "Variantes",
    "Pièges à éviter",
    "Ce qu'on produit à la fin",
    "Origine et références",
)
"""The H2 sections every sheet has, in this order (an optional `Voir aussi` may follow)."""
STEPS = "Déroulé pas à pas"
SEE_ALSO = "Voir aussi"

MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")
"""The parser for sheet bodies: CommonMark and tables; raw HTML stays text, never markup."""

# Strict ints: YAML already yields ints, so a quoted "60" is a typo worth reporting.
Count = Annotated[int, Field(strict=True, gt=0)]


class MethodFrontMatter(BaseModel):
    """The YAML header of a sheet; unknown keys are refused so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    doc_type: Literal["methode"]
    tags: list[str] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    updated: date
    objectif: str = Field(min_length=1)
    duree_min: Count
    duree_max: Count
    participants_min: Count
    participants_max: Count
    moments: list[Moment] = Field(min_length=1)
    materiel: list[str] = Field(min_length=1)
    aliases: list[str] = []

    @model_validator(mode="after")
    def _bounds_in_order(self) -> MethodFrontMatter:
        if self.duree_min > self.duree_max:
            raise ValueError(f"duree_min ({self.duree_min}) dépasse duree_max ({self.duree_max})")
        if self.participants_min > self.participants_max:
            raise ValueError(
                f"participants_min ({self.participants_min}) dépasse "
                f"participants_max ({self.participants_max})"
            )
        return self


@dataclass(frozen=True)
class Step:
    """One numbered step of a sheet's `Déroulé pas à pas`, with its timing range in minutes."""

    title: str
    low: int
    high: int
    optional: bool = False  # "(5 à 15 min, facultatif)": a session may leave it out


# "3. **Titre** (10 à 20 min) : ..." or "2. **Titre** (5 min, facultatif)".
_STEP = re.compile(
    r"^\d+\.\s+\*\*(?P<title>.+?)\*\*\s*\((?P<low>\d+)(?:\s*(?:à|-|–)\s*(?P<high>\d+))?\s*min"
    r"(?P<rest>[^)\n]*)",
    re.MULTILINE,
)


class MethodSheet(MethodFrontMatter):
    """A loaded sheet: its front matter plus where it lives and what its body says."""

    slug: str
    path: Path
    body: str
    sections: dict[str, str]

    def names(self) -> set[str]:
        """Folded forms of every name the sheet answers to: slug, title, aliases."""
        return {_fold(name) for name in (self.slug, self.title, *self.aliases)}

    def steps(self) -> list[Step]:
        """The timed steps of `Déroulé pas à pas`, in order; a step without a timing is left
        out (the corpus tests make sure shipped sheets have none)."""
        return [
            Step(
                found["title"].strip(),
                int(found["low"]),
                int(found["high"] or found["low"]),
                optional="facultati" in found["rest"],
            )
            for found in _STEP.finditer(self.sections.get(STEPS, ""))
        ]

    def related(self) -> list[str]:
        """The slugs of the other sheets its `Voir aussi` links to (`[Titre](autre-fiche.md)`),
        in order; links to anything else are left out."""
        return [found["slug"] for found in _SHEET_LINK.finditer(self.sections.get(SEE_ALSO, ""))]


# A Markdown link to a sibling sheet: "[Théorie du changement](theorie-du-changement.md)".
_SHEET_LINK = re.compile(r"\[[^\]]+\]\((?:\./)?(?P<slug>[\w-]+)\.md\)")
_H2 = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)

# French labels for the pydantic errors a sheet author is likely to hit.
def parse_sections(body: str) -> dict[str, str]:
    """Split a Markdown body into {H2 title: text under it}, in document order."""
    headings = list(_H2.finditer(body))
    sections: dict[str, str] = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        end = following.start() if following else len(body)
        sections[heading.group(1)] = body[heading.end() : end].strip()
    return sections


def plain_blocks(markdown: str, headings: bool = True) -> list[str]:
    """The text of each paragraph, list item, table cell (and heading, unless `headings` is
    false) of a Markdown text, markup removed: what a reader sees, without the `**` and `##`."""
    tokens = MARKDOWN.parse(markdown)
    return [
        text
        for previous, token in zip([None, *tokens], tokens, strict=False)
        if token.type == "inline"
        and (headings or previous is None or previous.type != "heading_open")
        and (text := inline_text(token))
    ]


def inline_text(token) -> str:
    """The visible text of an inline token: emphasis and links dropped, line breaks as spaces."""
    parts = [
        child.content if child.type in ("text", "code_inline") else " "
        for child in token.children or ()
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    ]
    return " ".join("".join(parts).split())


def load_method(path: Path | str) -> MethodSheet:
    """Read one sheet; a bad front matter raises ValueError naming the file."""
    path = Path(path)
    try:
        post = frontmatter.load(path)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"Fiche méthode {path.name} : en-tête YAML illisible ({exc})") from exc
    try:
        header = MethodFrontMatter.model_validate(post.metadata)
    except ValidationError as exc:
        problems = "; ".join(describe_error(error) for error in exc.errors())
        raise ValueError(f"Fiche méthode {path.name} invalide : {problems}") from exc
    return MethodSheet(
        **header.model_dump(),
        slug=path.stem,
        path=path,
        body=post.content,
        sections=parse_sections(post.content),
    )


def load_methods(directory: Path | str) -> list[MethodSheet]:
    """Load every `*.md` sheet of a directory, sorted by title (accents ignored)."""
    methods = [load_method(path) for path in Path(directory).glob("*.md")]
    return sorted(methods, key=lambda method: _fold(method.title))


@dataclass(frozen=True)
class MethodLibrary:
    """The sheets shown to trainers, and the files that could not be read as sheets."""

    sheets: list[MethodSheet]
    problems: list[str]


def load_library(shipped: Path | str, added: Path | str | None = None) -> MethodLibrary:
    """The shipped sheets (a bad one raises ValueError: it is ours to fix) and those added
    through the Bibliothèque, which replace a shipped sheet of the same name. An added file that
    is not a valid sheet is left out and reported: it is still indexed for questions."""
    sheets = {method.slug: method for method in load_methods(shipped)}
    problems: list[str] = []
    for path in sorted(Path(added).glob("*.md")) if added else []:
        try:
            method = load_method(path)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        sheets[method.slug] = method
    return MethodLibrary(sorted(sheets.values(), key=lambda m: _fold(m.title)), problems)


def filter_methods(
    methods: list[MethodSheet],
    moment: Moment | None = None,
    duration: int | None = None,
    participants: int | None = None,
) -> list[MethodSheet]:
    """Keep the sheets usable at this CTG moment, within `duration` minutes, for this group."""
    return [
        method
        for method in methods
        if (moment is None or moment in method.moments)
        and (duration is None or method.duree_min <= duration)
        and (
            participants is None
            or method.participants_min <= participants <= method.participants_max
        )
    ]


def find_method(methods: list[MethodSheet], name: str) -> MethodSheet | None:
    """The sheet whose slug, title or alias matches `name`, ignoring case, accents, spacing."""
    wanted = _fold(name)
    return next((method for method in methods if wanted in method.names()), None)


def _fold(text: str) -> str:
    # "Fish-bowl", "fish bowl" and "FISHBOWL" must meet, as must "méta-plan" and "metaplan".
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())
