"""Small real input files built inside tests: PDFs, DOCX, HTML, odd encodings."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from fpdf import FPDF


def _pdf(pages: list[str]) -> FPDF:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return pdf


def make_pdf(path: Path, pages: list[str], title: str | None = None) -> Path:
    """A PDF with a text layer, one string per page (Latin-1 characters only: core font)."""
    pdf = _pdf(pages)
    if title:
        pdf.set_title(title)
    pdf.output(str(path))
    return path


def make_encrypted_pdf(path: Path, text: str, user_password: str) -> Path:
    """An AES-encrypted PDF; with an empty user password anyone may open it."""
    pdf = _pdf([text])
    pdf.set_encryption(
        owner_password="proprietaire", user_password=user_password, encryption_method="AES_128"
    )
    pdf.output(str(path))
    return path


def make_image_pdf(path: Path) -> Path:
    """A PDF whose only page holds drawn shapes and no text, like a scan."""
    pdf = FPDF()
    pdf.add_page()
    for i in range(20):
        pdf.rect(10 + i * 5, 10 + i * 5, 50, 30, style="F")
    pdf.output(str(path))
    return path


def make_docx(
    path: Path, title: str, sections: dict[str, list[str]], table: list[list[str]] | None = None
) -> Path:
    """A Word document with a title, headed sections and an optional table."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for heading, paragraphs in sections.items():
        document.add_heading(heading, level=2)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def make_fake_docx(path: Path) -> Path:
    """A ZIP archive named .docx that holds no Word document."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.txt", "pas un document Word")
    return path


def refusal(load: Callable[[Path], object], path: Path, text: str) -> str:
    """The error `load` raises on a data file holding `text`, which names the file."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(path.name)) as raised:
        load(path)
    return str(raised.value)
