"""A session plan as Markdown, DOCX (python-docx) and printable HTML: the plan's fields, the
timetable, then an annex with the method sheets it uses (title, objectif, step by step)."""

from __future__ import annotations

import html
import io

from docx import Document

from kb.training.methods import MethodSheet
from kb.training.sessions import SessionPlan, minutes

COLUMNS = ("Horaire", "Durée", "Objectif", "Méthode", "Contenus", "Animation", "Matériel",
           "Production")  # fmt: skip
STEPS = "Déroulé pas à pas"


def fields(plan: SessionPlan) -> list[tuple[str, str]]:
    """The plan's header, as (label, value) pairs; empty values are left out."""
    pairs = [
        ("Public", plan.audience),
        ("Date", plan.date.strftime("%d/%m/%Y") if plan.date else ""),
        ("Début", plan.start.strftime("%H:%M")),
        ("Temps disponible", minutes(plan.available)),
        ("Durée du déroulé", minutes(plan.total)),
        ("Participants", str(plan.participants or "")),
        ("Objectifs", " ; ".join(plan.objectives)),
    ]
    return [(label, value) for label, value in pairs if value]


def rows(plan: SessionPlan, methods: list[MethodSheet]) -> list[tuple[str, ...]]:
    """One row of `COLUMNS` per sequence, methods named by their sheet's title."""
    titles = {method.slug: method.title for method in methods}
    return [
        (
            f"{start:%H:%M}–{end:%H:%M}",
            minutes(sequence.duration),
            sequence.objective,
            titles.get(sequence.method, sequence.method or ""),
            sequence.contents,
            sequence.animation,
            ", ".join(sequence.materials),
            sequence.output,
        )
        for start, end, sequence in plan.schedule()
    ]


def used_methods(plan: SessionPlan, methods: list[MethodSheet]) -> list[MethodSheet]:
    """The sheets the plan's sequences use, in order of first use."""
    slugs = list(dict.fromkeys(s.method for s in plan.sequences if s.method))
    sheets = {method.slug: method for method in methods}
    return [sheets[slug] for slug in slugs if slug in sheets]


def to_markdown(plan: SessionPlan, methods: list[MethodSheet]) -> str:
    """The plan as Markdown: fields, a pipe table, sources cited, annex."""
    lines = [f"# {plan.title}", ""]
    lines += [f"- **{label}** : {value}" for label, value in fields(plan)]
    lines += ["", "## Déroulé", "", _md_row(COLUMNS), _md_row(("---",) * len(COLUMNS))]
    lines += [_md_row(row) for row in rows(plan, methods)]
    cited = [s for s in plan.sequences if s.passage]
    if cited:
        lines += ["", "## Pourquoi ces méthodes", ""]
        lines += [f"- {s.passage.source} ({s.passage.section}) : « {s.passage.text} »"
                  for s in cited]  # fmt: skip
    for sheet in used_methods(plan, methods):
        lines += ["", f"## Annexe : {sheet.title}", "", f"*{sheet.objectif}*", "",
                  f"### {STEPS}", "", sheet.sections.get(STEPS, "")]  # fmt: skip
    return "\n".join(lines) + "\n"


def _md_row(cells: tuple[str, ...]) -> str:
    # A pipe or a line break inside a cell would split the table.
    clean = (" ".join(cell.split()).replace("|", "\\|") for cell in cells)
    return "| " + " | ".join(clean) + " |"


def to_docx(plan: SessionPlan, methods: list[MethodSheet]) -> bytes:
    """The plan as a Word document: heading, fields, timetable, annex of sheets."""
    document = Document()
    document.add_heading(plan.title, level=0)
    for label, value in fields(plan):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label} : ").bold = True
        paragraph.add_run(value)
    document.add_heading("Déroulé", level=1)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = name
    for row in rows(plan, methods):
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    sheets = used_methods(plan, methods)
    if sheets:
        document.add_heading("Annexe : fiches méthodes", level=1)
    for sheet in sheets:
        document.add_heading(sheet.title, level=2)
        document.add_paragraph(sheet.objectif, style="Intense Quote")
        document.add_heading(STEPS, level=3)
        for paragraph in sheet.sections.get(STEPS, "").split("\n\n"):
            document.add_paragraph(paragraph.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


PRINT_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #111; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #888; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #eee; }
.annexe { page-break-before: always; }
@media print { body { margin: 0; } @page { size: A4 landscape; margin: 1.5cm; } }
"""


def to_html(plan: SessionPlan, methods: list[MethodSheet]) -> str:
    """The plan as a printable HTML page; every value is escaped."""
    esc = html.escape
    head = "".join(f"<li><strong>{esc(k)}</strong> : {esc(v)}</li>" for k, v in fields(plan))
    header = "".join(f"<th>{esc(name)}</th>" for name in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
        for row in rows(plan, methods)
    )
    annex = "".join(
        f"<section class='annexe'><h2>{esc(sheet.title)}</h2><p><em>{esc(sheet.objectif)}</em>"
        f"</p><h3>{STEPS}</h3><pre>{esc(sheet.sections.get(STEPS, ''))}</pre></section>"
        for sheet in used_methods(plan, methods)
    )
    return (
        f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>{esc(plan.title)}"
        f"</title><style>{PRINT_CSS}</style></head><body><h1>{esc(plan.title)}</h1>"
        f"<ul>{head}</ul><h2>Déroulé</h2><table><thead><tr>{header}</tr></thead>"
        f"<tbody>{body}</tbody></table>{annex}</body></html>"
    )


EXPORTS = {
    "md": ("text/markdown", to_markdown),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", to_docx),
    "html": ("text/html", to_html),
}
"""File extension → (MIME type, exporter), shared by the app's download buttons and the CLI."""
