"""A session plan as a printable HTML page (semantic markup, a print stylesheet)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from kb.training.export.blocks import Block, Heading, ListBlock, Paragraph, Runs, cell_runs
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

PRINT_CSS = """
body { font-family: Arial, "Liberation Sans", system-ui, sans-serif; margin: 2em auto;
       max-width: 70em; padding: 0 1.5em; color: #1a1a1a; line-height: 1.45; }
h1, h2, h3, h4, h5 { color: #1f3a5f; line-height: 1.2; }
h1 { font-size: 1.7em; border-bottom: 2px solid #1f3a5f; padding-bottom: .2em; }
.fiche { display: flex; flex-wrap: wrap; gap: .3em 2em; margin: 0 0 1em; padding: 0; }
.fiche div { display: flex; gap: .4em; } .fiche dt { font-weight: bold; } .fiche dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: .9em; margin: .5em 0 1em; }
th, td { border: 1px solid #8a99ab; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #dce6f1; }
.deroule td:nth-child(-n+2) { white-space: nowrap; }
.pause td { background: #f2f2f2; }
.objectif { font-style: italic; border-left: 4px solid #1f3a5f; padding-left: .8em; }
blockquote { margin: .3em 0 .3em 1.5em; font-style: italic; }
.annexe article { margin-top: 2em; }
@media print {
  @page { size: A4; margin: 1.5cm; }
  @page paysage { size: A4 landscape; margin: 1.2cm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  .deroule { page: paysage; }
  thead { display: table-header-group; }
  tr, li, blockquote { break-inside: avoid; }
  h1, h2, h3, h4, h5 { break-after: avoid; }
  .annexe, .annexe article + article { break-before: page; }
  .annexe article { margin-top: 0; }
  a { color: inherit; text-decoration: none; }
}
"""


def to_html(plan: SessionPlan, methods: list[MethodSheet]) -> str:
    """The plan as a printable HTML page (A4, the timetable in landscape); every value is
    escaped, the sheets' Markdown becomes headings, paragraphs, lists and tables."""
    esc = html.escape
    header = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in fields(plan))
    parts = [f"<header><h1>{esc(plan.title)}</h1><dl class='fiche'>{header}</dl></header>"]
    if plan.objectives:
        items = "".join(f"<li>{_html_runs(cell_runs(o))}</li>" for o in plan.objectives)
        parts.append(f"<section><h2>Objectifs</h2><ul>{items}</ul></section>")
    head = "".join(f"<th scope='col'>{esc(name)}</th>" for name in COLUMNS)
    body = "".join(
        ("<tr>" if sequence.kind == "sequence" else "<tr class='pause'>")
        + "".join(f"<td>{_html_runs(cell_runs(cell))}</td>" for cell in row)
        + "</tr>"
        for row, sequence in zip(rows(plan, methods), plan.sequences, strict=True)
    )
    parts.append(f"<section class='deroule'><h2>Déroulé</h2><table><thead><tr>{head}</tr>"
                 f"</thead><tbody>{body}</tbody></table></section>")  # fmt: skip
    found = reasons(plan, methods)
    if found:
        items = "".join(
            f"<li><strong>{esc(r.title)}</strong> ({esc(r.section)}) : "
            f"<q>{esc(r.text)}</q></li>"
            for r in found
        )
        parts.append(f"<section><h2>{REASONS}</h2><ul>{items}</ul></section>")
    sheets = used_methods(plan, methods)
    if sheets:
        parts.append(f"<section class='annexe'><h2>{esc(ANNEX)}</h2>"
                     + "".join(_html_sheet(sheet) for sheet in sheets) + "</section>")  # fmt: skip
    return (
        f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(plan.title)}</title><style>{PRINT_CSS}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )


def _html_sheet(sheet: MethodSheet) -> str:
    esc = html.escape
    facts = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>"
                    for k, v in sheet_facts(sheet))  # fmt: skip
    sections = "".join(
        f"<h4>{esc(name)}</h4>{_html_blocks(found, shift=3)}"
        for name, found in sheet_sections(sheet)
    )
    return (f"<article><h3>{esc(sheet.title)}</h3><p class='objectif'>{esc(sheet.objectif)}</p>"
            f"<dl class='fiche'>{facts}</dl>{sections}</article>")  # fmt: skip


def _html_blocks(found: Sequence[Block], shift: int, tight: bool = False) -> str:
    out = []
    for block in found:
        if isinstance(block, Heading):
            level = min(6, block.level + shift)
            out.append(f"<h{level}>{_html_runs(block.runs)}</h{level}>")
        elif isinstance(block, Paragraph):
            text = _html_runs(block.runs)
            out.append(text if tight else f"<p>{text}</p>")
        elif isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            start = f" start='{block.start}'" if block.ordered and block.start != 1 else ""
            items = "".join(
                f"<li>{_html_blocks(item, shift, tight=len(item) == 1)}</li>"
                for item in block.items
            )
            out.append(f"<{tag}{start}>{items}</{tag}>")
        else:
            head = "".join(f"<th scope='col'>{_html_runs(cell)}</th>" for cell in block.header)
            body = "".join(
                "<tr>" + "".join(f"<td>{_html_runs(cell)}</td>" for cell in row) + "</tr>"
                for row in block.rows
            )
            thead = f"<thead><tr>{head}</tr></thead>" if block.header else ""
            out.append(f"<table>{thead}<tbody>{body}</tbody></table>")
    return "".join(out)


def _html_runs(found: Runs) -> str:
    out = []
    for run in found:
        text = html.escape(run.text)
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)
