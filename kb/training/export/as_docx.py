"""A session plan as a Word document (python-docx) a trainer can print."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from kb.training.export.blocks import (
    Block,
    Heading,
    ListBlock,
    Paragraph,
    Runs,
    Table,
    cell_runs,
    plain,
)
from kb.training.export.content import (
    ANNEX,
    COLUMNS,
    REASONS,
    fields,
    reasons,
    rows,
    sheet_facts,
    sheet_sections,
    used_methods,
)
from kb.training.methods import MethodSheet
from kb.training.sessions import SessionPlan

FONT = "Arial"  # LibreOffice shows it as Liberation Sans, which has the same metrics
INK = RGBColor(0x1F, 0x3A, 0x5F)
HEADER_FILL = "DCE6F1"
BREAK_FILL = "F2F2F2"
# Timetable column widths in cm, for A4 landscape with 1.5 cm margins (26.7 cm in all).
WIDTHS = (2.2, 1.5, 4.6, 3.3, 6.3, 2.6, 3.1, 3.1)


def to_docx(plan: SessionPlan, methods: list[MethodSheet]) -> bytes:
    """The plan as a Word document a trainer can print: a landscape first part (header,
    objectives, timetable, reasons), then the sheets in a portrait annex."""
    document = Document()
    _styles(document)
    _page(document.sections[0], landscape=True)
    _footer(document.sections[0], plan.title)
    document.add_heading(plan.title, level=0)
    info = document.add_paragraph()
    for index, (label, value) in enumerate(fields(plan)):
        info.add_run("   ·   " if index else "")
        info.add_run(f"{label} : ").bold = True
        info.add_run(value)
    if plan.objectives:
        document.add_heading("Objectifs", level=1)
        for objective in plan.objectives:
            _docx_runs(document.add_paragraph(style="List Bullet"), cell_runs(objective))
    document.add_heading("Déroulé", level=1)
    _docx_timetable(document, rows(plan, methods), [s.kind for s in plan.sequences])
    found = reasons(plan, methods)
    if found:
        document.add_heading(REASONS, level=1)
    for reason in found:
        paragraph = document.add_paragraph(style="List Bullet")
        paragraph.add_run(reason.title).bold = True
        paragraph.add_run(f" ({reason.section}) : ")
        paragraph.add_run(f"« {reason.text} »").italic = True
    sheets = used_methods(plan, methods)
    if sheets:
        annex = document.add_section(WD_SECTION.NEW_PAGE)
        _page(annex, landscape=False)
        document.add_heading(ANNEX, level=1)
    for number, sheet in enumerate(sheets):
        if number:
            document.add_page_break()
        document.add_heading(sheet.title, level=2)
        document.add_paragraph(sheet.objectif, style="Intense Quote")
        facts = document.add_paragraph()
        for index, (label, value) in enumerate(sheet_facts(sheet)):
            facts.add_run("\n" if index else "")
            facts.add_run(f"{label} : ").bold = True
            facts.add_run(value)
        for name, found_blocks in sheet_sections(sheet):
            document.add_heading(name, level=3)
            _docx_blocks(document, found_blocks, depth=0)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _styles(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 22), ("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 11),
                       ("Heading 4", 10), ("Intense Quote", 10)):  # fmt: skip
        style = document.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            style.element.rPr.rFonts.attrib.pop(qn(attribute), None)
        if name != "Intense Quote":
            style.font.color.rgb = INK
    document.styles["Heading 1"].paragraph_format.space_before = Pt(14)
    document.styles["Heading 3"].paragraph_format.space_before = Pt(10)


def _page(section: Any, landscape: bool) -> None:
    long, short = Cm(29.7), Cm(21.0)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    margin = Cm(1.5) if landscape else Cm(2.0)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = Cm(1.5)


def _footer(section: Any, title: str) -> None:
    # "Titre · page N", N a PAGE field that Word and LibreOffice fill in.
    paragraph = section.footer.paragraphs[0]
    paragraph.style.font.size = Pt(8)
    paragraph.add_run(f"{title} · page ")
    field = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        field._r.append(element)


def _docx_timetable(document: Any, values: list[tuple[str, ...]], kinds: list[str]) -> None:
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    _repeat_header(header)
    for cell, name in zip(header.cells, COLUMNS, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(name)
        run.bold = True
        _shade(cell, HEADER_FILL)
    for row, kind in zip(values, kinds, strict=True):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _docx_runs(cell.paragraphs[0], cell_runs(value))
            if kind != "sequence":  # breaks and lunch stand out from the work
                _shade(cell, BREAK_FILL)
    for column, width in zip(table.columns, WIDTHS, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice follows
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS, strict=True):
            cell.width = Cm(width)
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(0)
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def _repeat_header(row: Any) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _docx_runs(paragraph: Any, found: Runs) -> Any:
    for piece in found:
        run = paragraph.add_run(piece.text)
        run.bold = piece.bold or None
        run.italic = piece.italic or None
    return paragraph


def _docx_blocks(document: Any, found: Sequence[Block], depth: int) -> None:
    for block in found:
        if isinstance(block, Heading):
            document.add_heading(plain(block.runs), level=min(9, block.level + 2))
        elif isinstance(block, Paragraph):
            style = f"List Continue{_level(depth)}" if depth else None
            _docx_runs(document.add_paragraph(style=style), block.runs)
        elif isinstance(block, ListBlock):
            _docx_list(document, block, depth + 1)
        else:
            _docx_table(document, block)


def _level(depth: int) -> str:
    return f" {min(depth, 3)}" if depth > 1 else ""


def _docx_list(document: Any, block: ListBlock, depth: int) -> None:
    # Each item's first paragraph takes the list style, the rest continue it; an ordered list
    # restarts at its own first number instead of going on from the previous list.
    style = ("List Number" if block.ordered else "List Bullet") + _level(depth)
    numbering = _restart(document, style, block.start) if block.ordered else None
    for item in block.items:
        first, *rest = item or (Paragraph(()),)
        if isinstance(first, Paragraph | Heading):
            paragraph = _docx_runs(document.add_paragraph(style=style), first.runs)
            if numbering is not None:
                _number(paragraph, numbering)
        else:
            rest = [first, *rest]
        _docx_blocks(document, rest, depth)


def _restart(document: Any, style: str, start: int) -> int:
    numbering = document.part.numbering_part.numbering_definitions._numbering
    style_numbering = document.styles[style].element.pPr.numPr
    abstract = numbering.num_having_numId(style_numbering.numId.val).abstractNumId.val
    num = numbering.add_num(abstract)
    level = style_numbering.ilvl.val if style_numbering.ilvl is not None else 0
    num.add_lvlOverride(ilvl=level).add_startOverride(start)
    return num.numId


def _number(paragraph: Any, num_id: int) -> None:
    properties = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    properties.get_or_add_numId().val = num_id


def _docx_table(document: Any, block: Table) -> None:
    width = max([len(block.header), *(len(row) for row in block.rows)])
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    for index, row in enumerate([block.header, *block.rows] if block.header else block.rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            _docx_runs(cell.paragraphs[0], value)
            if index == 0 and block.header:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
                _shade(cell, HEADER_FILL)
    document.add_paragraph()
