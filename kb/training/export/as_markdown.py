"""A session plan as Markdown: header, objectives, a pipe table, reasons, annex of sheets."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.training.export.blocks import (
    Block,
    Heading,
    ListBlock,
    Paragraph,
    Run,
    Runs,
    cell_runs,
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


def to_markdown(plan: SessionPlan, methods: list[MethodSheet]) -> str:
    """The plan as Markdown: header, objectives, a pipe table, reasons, annex of sheets."""
    lines = [f"# {_md_text(plan.title)}", ""]
    lines += [f"- **{label}** : {_md_text(value)}" for label, value in fields(plan)]
    if plan.objectives:
        lines += ["", "## Objectifs", ""]
        lines += [f"- {_md_runs(cell_runs(objective))}" for objective in plan.objectives]
    lines += ["", "## Déroulé", "", _md_row([(Run(name),) for name in COLUMNS]),
              _md_row([(Run("---"),)] * len(COLUMNS))]  # fmt: skip
    lines += [_md_row([cell_runs(cell) for cell in row]) for row in rows(plan, methods)]
    found = reasons(plan, methods)
    if found:
        lines += ["", f"## {REASONS}", ""]
        lines += [f"- **{_md_text(r.title)}** ({_md_text(r.section)}) : « {_md_text(r.text)} »"
                  for r in found]  # fmt: skip
    sheets = used_methods(plan, methods)
    if sheets:
        lines += ["", f"## {ANNEX}"]
    for sheet in sheets:
        lines += ["", f"### {_md_text(sheet.title)}", "", f"*{_md_text(sheet.objectif)}*", ""]
        lines += [f"- **{label}** : {_md_text(value)}" for label, value in sheet_facts(sheet)]
        for name, found_blocks in sheet_sections(sheet):
            lines += ["", f"#### {_md_text(name)}", ""]
            lines += _md_blocks(found_blocks, shift=2)
    return "\n".join(lines) + "\n"


def _md_blocks(found: Sequence[Block], shift: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for block in found:
        if lines and not indent:  # blocks inside a list item stay on consecutive lines
            lines.append("")
        if isinstance(block, Heading):
            lines.append(f"{'#' * min(6, block.level + shift)} {_md_runs(block.runs)}")
        elif isinstance(block, Paragraph):
            lines.append(indent + _md_line_start(_md_runs(block.runs)))
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, block.start):
                marker = f"{number}. " if block.ordered else "- "
                inner = _md_blocks(item, shift, indent + " " * len(marker))
                inner = [line for line in inner if line]  # tight: one line per item block
                first = inner[0].strip() if inner else ""
                lines.append(f"{indent}{marker}{first}")
                lines += inner[1:]
        else:
            lines.append(_md_row(list(block.header)))
            lines.append(_md_row([(Run("---"),)] * len(block.header)))
            lines += [_md_row(list(row)) for row in block.rows]
    return lines


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md_text(text: str) -> str:
    # Text shown as typed: Markdown's own characters escaped, on one line.
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_line_start(text: str) -> str:
    # A paragraph that would otherwise open a list, a heading or a quote.
    return re.sub(r"^(\d+)([.)] )", r"\1\\\2", re.sub(r"^([-+#>])", r"\\\1", text))


def _md_runs(found: Runs) -> str:
    out = []
    for run in found:
        text = _MD_SPECIAL.sub(r"\\\1", run.text)
        core = text.strip()
        mark = ("**" if run.bold else "") + ("*" if run.italic else "")
        if core and mark:
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            text = f"{lead}{mark}{core}{mark[::-1]}{trail}"
        out.append(text)
    return "".join(out)


def _md_row(cells: list[Runs]) -> str:
    return "| " + " | ".join(_md_runs(cell) for cell in cells) + " |"
