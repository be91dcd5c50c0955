"""Sentence units of brochure text and of generated answers.

Seed passages are PDF text: sentences wrap across lines, labels sit alone on a line ("Public",
then "1 groupe d'agents CAF 42"), lists and tab-separated table rows carry facts without final
punctuation. A unit is what a reader would quote: a sentence, a list item, a table cell, or a
short label line joined to the value that follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kb.core.glossary import fold

# Emphasis, footnote calls and in-page links of converted brochures, dropped from what is shown.
_MARKUP = re.compile(
    r"\*\*|__|\^\[\d+\]|\^\{([^}]*)\}|\[\\\[\d+\\\]\]\(#\)|\[\d+\]|"
    r"(?<!\w)\*|\*(?!\w)"
)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
# A list item that is only a link ("- [Fish-bowl](fish-bowl.md)", under "Voir aussi") points to
# another document: it states nothing, and the document it names answers for itself.
_LINK_ONLY = re.compile(r"^\s*\[[^\]]+\]\([^)]*\)\s*[.;,]?\s*$")
_HEADING_MARKS = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
# A paragraph wholly in bold ("**Quelle différence entre COPIL et COTECH ?**") is a heading of
# the lowest level: what follows develops it.
_BOLD_LINE = re.compile(r"^\s*\*\*[^*]+\*\*\s*$")
BOLD_HEADING_LEVEL = 6
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+\s*$")  # |---|:--:|
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(A-ZÀ-ÖØ-Þ0-9])")
# A period after a lone letter or a common abbreviation does not end a sentence ("T.T.C. PAR").
_ABBREVIATION = re.compile(r"(?:\b\w|\bM|\bMme|\bcf|\bp|\bex|\bn°?)\.$", re.IGNORECASE)
_CLAUSE_END = (".", "!", "?", "…", ":", ";")
LABEL_MAX = 40  # characters: a line this short without final punctuation reads as a heading
VALUE_MAX = 90  # a label is joined only to a short value, never to a paragraph
HEADER_MAX = 60  # characters of a column name


# Field names of training brochures (the items Qualiopi asks a programme to state): alone on a
# line, they label the value on the next line.
FIELDS = frozenset({
    "public", "public vise", "pre-requis", "prerequis", "objectif", "objectifs",
    "objectif professionnel", "objectifs pedagogiques", "contenu", "programme", "duree",
    "date", "dates", "calendrier", "lieu", "lieux", "tarif", "tarifs", "prix", "cout",
    "cout stagiaire", "modalites d'acces", "modalites d'animation", "modalites pedagogiques",
    "modalites d'evaluation", "format", "formateur", "formateurs", "intervenant",
    "intervenants", "effectif", "categorie", "contact", "contacts", "taux de satisfaction",
    "accessibilite", "delais d'acces", "horaires", "inscription", "inscriptions", "certification",
})


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a passage; `lead` is the label or row heading it belongs to."""

    text: str
    position: int
    lead: str = ""
    # A Markdown heading's level (0: not a heading); what follows it develops it, up to the next
    # heading of its level or above.
    heading: int = 0

    @property
    def display(self) -> str:
        return f"{self.lead} : {self.text}" if self.lead else self.text


def strip_markup(text: str) -> str:
    """Text without Markdown heading marks, emphasis, links or footnote calls, which cut words in
    two for search ("**G**rand") and clutter a quotation."""
    text = _HEADING_MARKS.sub("", _LINK.sub(r"\1", text))
    return _MARKUP.sub(lambda m: m.group(1) or "", text)


def clean(text: str) -> str:
    """Text as shown to a reader: markup stripped, spaces collapsed."""
    return " ".join(strip_markup(text).split()).strip(" *")


def _is_heading(text: str, longest: int = LABEL_MAX) -> bool:
    return (
        len(text) <= longest
        and not text.endswith(_CLAUSE_END[:-2])
        and not any(c.isdigit() for c in text)
    )


def _is_field(text: str) -> bool:
    """A field name, or several joined by slashes or dashes ("Calendrier - Lieux -")."""
    parts = [p.strip(" :") for p in re.split(r"[/–-](?=\s)|\s[/–-]", fold(text))]
    return len(text) <= LABEL_MAX and all(p in FIELDS for p in parts if p) and any(parts)


def _is_header(cells: list[str]) -> bool:
    """A table's first row naming its columns: three cells or more, the others short names."""
    return len(cells) >= 3 and all(cell and _is_heading(cell, HEADER_MAX) for cell in cells[1:])


def split_sentences(text: str) -> list[str]:
    """Sentences of one line of prose, not cut after abbreviations or initials."""
    parts: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if parts and _ABBREVIATION.search(parts[-1]):
            parts[-1] += " " + piece
        else:
            parts.append(piece)
    return [p for p in (clean(p) for p in parts) if any(c.isalnum() for c in p)]


def _blocks(text: str) -> list[list[str]]:
    """Paragraphs as lists of lines; a paragraph that starts in lower case continues the
    previous one (PDF text often has blank lines inside sentences)."""
    blocks: list[list[str]] = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.rstrip() for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        first = lines[0].lstrip()
        if blocks and first[:1].islower() and not _BULLET.match(first) and "\t" not in first:
            blocks[-1].extend(lines)
        else:
            blocks.append(lines)
    return blocks


def _lines(block: list[str]) -> list[tuple[str, str]]:
    """The logical lines of a paragraph as (kind, text): wrapped prose is joined back, list items
    and table rows stay apart."""
    out: list[tuple[str, str]] = []
    for line in block:
        stripped = line.strip()
        if _HEADING_MARKS.match(line) or (len(block) == 1 and _BOLD_LINE.match(line)):
            out.append(("heading", stripped))
        elif stripped.startswith("|"):
            # A Markdown table: the row above the rule is the header, each row below a record.
            if _TABLE_RULE.match(stripped):
                if out and out[-1][0] == "row":
                    out.pop()
                continue
            out.append(("row", "\t".join(c.strip() for c in stripped.strip("|").split("|"))))
        elif "\t" in line:
            out.append(("row", line))
        elif _BULLET.match(line):
            if not _LINK_ONLY.match(_BULLET.sub("", line)):
                out.append(("item", _BULLET.sub("", line)))
        elif out and out[-1][0] in ("item", "prose") and not out[-1][1].rstrip().endswith(
                _CLAUSE_END):
            out[-1] = (out[-1][0], f"{out[-1][1]} {line.strip()}")
        else:
            out.append(("prose", line.strip()))
    return out


# Scoring, the section rule, citations and the app each read a retrieved passage's units: the
# same few passages, question after question.
@lru_cache(maxsize=1024)
def passage_units(text: str) -> tuple[Unit, ...]:
    """The quotable units of a passage, in reading order. A field name ("Public", "Tarifs")
    leads the short value after it; a line ending with a colon leads what follows it; a short
    heading leads the items of the list under it; a table cell is led by its row's first cell."""
    units: list[Unit] = []
    label = ""  # what leads the next units
    kind_of_label = ""  # "intro", "field", "heading" or "row"
    table = ""  # the name of the table being read, from its header row
    listed = False  # list items have followed the current introduction
    for block in _blocks(text):
        for kind, line in _lines(block):
            if kind == "row":
                if kind_of_label == "intro":
                    units.append(Unit(label, len(units)))  # what the table is about
                cells = [clean(c) for c in line.split("\t")]
                if kind_of_label != "row" and _is_header(cells):
                    # Column names are no facts; the first cell names the table ("Phase 2").
                    label, kind_of_label, table = "", "row", cells[0]
                    continue
                if cells[0] and len(cells[0]) > LABEL_MAX:
                    units.extend(Unit(s, len(units)) for s in split_sentences(cells[0]))
                elif cells[0]:
                    label = f"{table} · {cells[0]}" if table else cells[0]
                    kind_of_label = "row"
                for cell in cells[1:]:
                    units.extend(Unit(s, len(units), label) for s in split_sentences(cell))
                continue
            table = ""
            if kind == "heading":
                if kind_of_label == "intro" and not listed:
                    units.append(Unit(label, len(units)))  # an introduction with nothing after
                heading = clean(line)
                if not heading:
                    continue
                marks = _HEADING_MARKS.match(line)
                level = len(marks.group().strip()) if marks else BOLD_HEADING_LEVEL
                units.append(Unit(heading, len(units), heading=level))
                label, kind_of_label = (heading, "heading") if _is_heading(heading) else ("", "")
                continue
            sentences = split_sentences(line)
            if not sentences:
                continue
            if kind == "item" and not sentences[-1].endswith(":"):
                units.extend(Unit(s, len(units), label) for s in sentences)
                listed = True
                continue
            if sentences[-1].endswith(":"):
                # An introduction is quoted with what it introduces, not alone.
                *sentences, introduction = sentences
                units.extend(Unit(s, len(units)) for s in sentences)
                if kind_of_label == "intro":
                    units.append(Unit(label, len(units)))  # an introduction with nothing after
                label, kind_of_label, listed = introduction.rstrip(" :"), "intro", False
                continue
            single = len(sentences) == 1
            # An introduction leads the value after it, not the prose after its list.
            leads = (kind_of_label == "intro" and not listed) or (
                kind_of_label == "field" and single and len(sentences[0]) <= VALUE_MAX
                and not _is_field(sentences[0])
            )
            units.extend(Unit(s, len(units), label if leads and i == 0 else "")
                         for i, s in enumerate(sentences))
            label, kind_of_label = "", ""
            if single and _is_field(sentences[0]):
                # A field name is no fact: it is quoted only with its value.
                units.pop()
                label, kind_of_label = sentences[0], "field"
            elif single and _is_heading(sentences[0]):
                label, kind_of_label = sentences[0], "heading"
    if kind_of_label == "intro":
        units.append(Unit(label, len(units)))
    return tuple(units)


def answer_sentences(text: str) -> list[str]:
    """The sentences of a generated answer (paragraphs, list items and sentence ends)."""
    return [
        sentence
        for block in _blocks(text)
        for _, line in _lines(block)
        for sentence in split_sentences(line)
    ]
