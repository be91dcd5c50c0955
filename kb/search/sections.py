"""Which section of a method or programme sheet a question asks for ("une erreur classique" →
"Pièges à éviter", "qui a inventé" → "Origine et références", "c'est pour qui ?" → "Public et
prérequis"), and which one a passage sits in.

A document declares a template by its doc_type: every method sheet follows one
(kb.training.methods.SECTIONS), every programme sheet another
(kb.catalogue.model.PROGRAMME_SECTIONS). Their headings use words a question rarely repeats: one
asks about a mistake, the sheet lists pitfalls. So each template's sections come with cues, in
`templates.toml` beside this module. An ingested brochure names the programme's sections its own
way ("Le déroulement", "Modalités pédagogiques"): its headings are read with the same cues. The
cues of a template apply only to the documents that declare it; another document's headings are
its own.
Retrieval uses this to prefer, within the sheet a question names, the section that answers it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from kb.core.documents import Chunk, DocType
from kb.core.glossary import fold
from kb.core.sentences import Unit, passage_units
from kb.core.validation import load_toml

TEMPLATES_FILE = resources.files("kb.search").joinpath("templates.toml")


def _cue(alternatives: object) -> re.Pattern[str]:
    """A section's cue from the file's list of alternatives."""
    if not (isinstance(alternatives, list) and alternatives
            and all(isinstance(a, str) for a in alternatives)):
        raise ValueError("liste d'expressions régulières attendue")
    try:
        return re.compile("|".join(alternatives))
    except re.error as exc:
        raise ValueError(f"expression régulière invalide ({exc})") from exc


class Template(BaseModel):
    """A template that the documents of one doc_type declare: its sections, each with the cue
    that says an accent-folded, lowercased text asks for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_type: DocType
    # A document's own heading counts as the section its words ask for.
    read_headings: bool
    cues: dict[str, Annotated[re.Pattern[str], BeforeValidator(_cue)]]


class _TemplatesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # By name: the name only tells the templates apart in the file and in its errors.
    templates: dict[str, Template]

    @model_validator(mode="after")
    def _one_per_doc_type(self) -> _TemplatesFile:
        declared: dict[DocType, str] = {}
        for name, template in self.templates.items():
            if template.doc_type in declared:
                raise ValueError(f"{name} : doc_type « {template.doc_type} » déjà déclaré par "
                                 f"{declared[template.doc_type]}")
            declared[template.doc_type] = name
        return self


def load_templates(file: Traversable = TEMPLATES_FILE) -> dict[DocType, Template]:
    """The templates of a file, by the doc_type that declares each. A file that does not parse,
    an entry that lacks a field or a cue that does not compile raises ValueError naming the file
    and the entry."""
    data = load_toml(file, _TemplatesFile, key="templates")
    return {template.doc_type: template for template in data.templates.values()}


TEMPLATES = load_templates()
CUES = TEMPLATES[DocType.METHODE].cues
PROGRAMME_CUES = TEMPLATES[DocType.PROGRAMME].cues
_ANY_SECTION = frozenset(section for template in TEMPLATES.values() for section in template.cues)


def sections_asked(question: str) -> set[str]:
    """The template sections (of every template) whose content `question` asks for."""
    folded = fold(question)
    return {section for template in TEMPLATES.values()
            for section, cue in template.cues.items() if cue.search(folded)}


def section_of(path: str, doc_type: DocType | None = None) -> str:
    """The section a passage of a `doc_type` document sits in, from its heading path: the
    deepest section of the template its doc_type declares ("Fish-bowl > Variantes > En ligne" →
    "Variantes"), else the last heading. In a programme, a brochure's own heading counts as the
    template section its words ask for ("Le déroulement" → "Programme", "Modalités pédagogiques"
    → "Méthodes"). Without `doc_type`, the deepest heading that is a section of any template."""
    headings = [heading.strip() for heading in path.split(" > ")]
    if doc_type is None:
        return next((h for h in reversed(headings) if h in _ANY_SECTION), headings[-1])
    template = TEMPLATES.get(doc_type)
    if template is None:
        return headings[-1]
    exact = next((h for h in reversed(headings) if h in template.cues), None)
    if exact or not template.read_headings:
        return exact or headings[-1]
    return next((section for h in reversed(headings) for section, cue in template.cues.items()
                 if cue.search(fold(h))), headings[-1])


# A sheet's sections are its level-2 headings.
_SECTION_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.MULTILINE)


def sections_in(chunk: Chunk) -> set[str]:
    """The sections a passage covers: the one it starts in, and those whose heading it holds (a
    short section shares its passage with the one before)."""
    return {section_of(chunk.section, chunk.doc_type),
            *(section_of(m, chunk.doc_type) for m in _SECTION_HEADING.findall(chunk.text))}


def unit_paths(chunk: Chunk, units: Sequence[Unit]) -> list[str]:
    """The heading path each of a passage's units (in reading order) sits under: the passage's
    own, then, after a Markdown heading inside it, that heading's (one of level 2 or above starts
    a new section, a deeper one a subsection)."""
    current = chunk.section.split(" > ") if chunk.section else []
    out = []
    for unit in units:
        if unit.heading:
            current = [*(current[:-1] if unit.heading <= 2 else current), unit.text]
        out.append(" > ".join(current))
    return out


def unit_sections(chunk: Chunk, units: Sequence[Unit]) -> list[str]:
    """The template section each of a passage's units (in reading order) sits in."""
    return [section_of(path, chunk.doc_type) for path in unit_paths(chunk, units)]


def sentence_section(chunk: Chunk, sentence: str) -> str:
    """The heading path of the passage's unit that `sentence` quotes, or the passage's own."""
    units = passage_units(chunk.text)
    return next((path for unit, path in zip(units, unit_paths(chunk, units), strict=True)
                 if unit.text and (unit.text in sentence or sentence in unit.display)),
                chunk.section)
