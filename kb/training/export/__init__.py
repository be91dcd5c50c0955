"""A session plan as Markdown, DOCX and printable HTML: its header and objectives, the
timetable, why each method was chosen, then an annex with the method sheets it uses. Sources are
named by their titles, never by their path in the corpus."""

from __future__ import annotations

from collections.abc import Callable

from kb.training.export.as_docx import to_docx
from kb.training.export.as_html import to_html
from kb.training.export.as_markdown import to_markdown
from kb.training.export.blocks import blocks, cell_runs
from kb.training.export.content import ANNEX, COLUMNS, REASONS, STEPS, rows
from kb.training.methods import MethodSheet
from kb.training.sessions import SessionPlan

__all__ = ["ANNEX", "COLUMNS", "EXPORTS", "REASONS", "STEPS", "blocks", "cell_runs", "rows",
           "to_docx", "to_html", "to_markdown"]

Exporter = Callable[[SessionPlan, list[MethodSheet]], str | bytes]

EXPORTS: dict[str, tuple[str, Exporter]] = {
    "md": ("text/markdown", to_markdown),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", to_docx),
    "html": ("text/html", to_html),
}
"""File extension → (MIME type, exporter), shared by the app's download buttons and the CLI."""
