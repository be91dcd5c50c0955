"""Exports of a session plan: the sheets' Markdown rendered as real formatting in DOCX, HTML and
Markdown (no raw `**` or `##`), sources named by title (never `corpus/...`), a DOCX that
LibreOffice renders, and `ctg plan` writing a DOCX."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser

import pytest
from docx import Document

from kb.training.export import (
    ANNEX,
    COLUMNS,
    REASONS,
    STEPS,
    blocks,
    cell_runs,
    to_docx,
    to_html,
    to_markdown,
)
from kb.training.methods import MARKDOWN, find_method, load_method, load_methods, plain_blocks
from kb.training.sessions import Passage, draft_plan
from tests.conftest import CORPUS, REPO

METHODS = load_methods(CORPUS / "methodes")
GOAL = "une demi-journée pour lancer le diagnostic partagé, 20 personnes"
SCREENSHOT = REPO / "tests" / "e2e" / "screenshots" / "seance-export-docx.png"
RAW = ("## Rôles - **Élu·e référent·e** : ouvre et clôt, donne la légitimité politique. - "
       "**Chargé·e de coopération** : organise.")  # fmt: skip
LEAKS = ("**", "## ", "corpus/")


def _plan():
    """The reported plan, with a passage as an earlier version stored it: the sheet's raw
    Markdown, under its path in the corpus."""
    plan = draft_plan(GOAL, METHODS).model_copy(update={"date": date(2026, 12, 6)})
    first = next(s for s in plan.sequences if s.method)
    first.passage = Passage(source=f"corpus/methodes/{first.method}.md", section="Rôles",
                            text=RAW)  # fmt: skip
    return plan


def _sheets(plan):
    return [find_method(METHODS, slug) for slug in dict.fromkeys(
        s.method for s in plan.sequences if s.method)]  # fmt: skip


def _docx(plan, methods=METHODS):
    return Document(io.BytesIO(to_docx(plan, methods)))


def _docx_text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    footers = [p.text for section in document.sections for p in section.footer.paragraphs]
    return "\n".join([p.text for p in document.paragraphs] + cells + footers)


# --- reading Markdown into blocks -----------------------------------------------------------


def test_markdown_is_read_into_runs_lists_and_tables():
    found = blocks("Un **mot** et *un autre*.\n\n1. **Un** (5 min)\n2. Deux\n\n- a\n  - b\n\n"
                   "| A | B |\n| - | - |\n| **x** | y |\n")  # fmt: skip
    paragraph, ordered, bullets, table = found
    assert [(r.text, r.bold, r.italic) for r in paragraph.runs] == [
        ("Un ", False, False), ("mot", True, False), (" et ", False, False),
        ("un autre", False, True), (".", False, False)]  # fmt: skip
    assert ordered.ordered and [item[0].runs[0].text for item in ordered.items] == ["Un", "Deux"]
    assert not bullets.ordered and not bullets.items[0][1].ordered  # a nested list
    assert [r.text for r in table.header[0]] == ["A"] and table.rows[0][0][0].bold


def test_a_cell_keeps_its_bold_on_one_line():
    found = cell_runs("1. **Poser la question** (2 à 5 min)\n2. **Écrire**")
    assert "".join(r.text for r in found) == "Poser la question (2 à 5 min) ; Écrire"
    assert [r.text for r in found if r.bold] == ["Poser la question", "Écrire"]


# --- DOCX -----------------------------------------------------------------------------------


def test_the_docx_holds_the_timetable_and_the_annex_of_sheets():
    plan = _plan()
    document = _docx(plan)
    table = document.tables[0]
    assert tuple(cell.text for cell in table.rows[0].cells) == COLUMNS
    assert len(table.rows) == 1 + len(plan.sequences)
    assert table.rows[1].cells[0].text == "09:00–09:15"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for method in _sheets(plan):
        assert method.title in headings
        assert method.title in [row.cells[3].text for row in table.rows]
    assert headings.count(STEPS) == len(_sheets(plan))
    assert {"Objectifs", "Déroulé", REASONS, ANNEX} <= set(headings)


def test_the_docx_has_no_raw_markdown_and_no_source_path():
    text = _docx_text(_docx(_plan()))
    for leak in LEAKS:
        assert leak not in text, leak
    assert "Élu·e référent·e : ouvre et clôt" in text  # the passage, cleaned


def test_the_docx_renders_bold_runs_list_styles_and_restarted_numbering():
    document = _docx(_plan())
    bold = {run.text for p in document.paragraphs for run in p.runs if run.bold}
    assert "Poser la question" in bold  # méta-plan's first step, from `1. **Poser la question**`
    assert "une idée par carte" in bold  # bold inside a paragraph
    styles = [p.style.name for p in document.paragraphs]
    assert "List Bullet" in styles and "List Number" in styles
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    first_ids = {p._p.pPr.numPr.numId.val for p in numbered}
    assert len(first_ids) == len(_sheets(_plan()))  # each sheet's steps start again at 1
    sources = [p for p in document.paragraphs if p.text.startswith("Capital stratégique")
               and p.style.name == "List Bullet"]  # fmt: skip
    assert sources and sources[0].runs[0].bold  # the source named by its title, in bold


def test_a_sheet_table_becomes_a_real_table_in_every_format(tmp_path):
    sheet_file = tmp_path / "grille.md"
    original = (CORPUS / "methodes" / "meta-plan.md").read_text(encoding="utf-8")
    sheet_file.write_text(original.replace(
        "## Rôles\n",
        "## Rôles\n\n| Rôle | Tâche |\n| --- | --- |\n| **Animateur** | lit les cartes |\n\n",
    ), encoding="utf-8")  # fmt: skip
    sheet = load_method(sheet_file)
    methods = [m for m in METHODS if m.slug != "meta-plan"] + [sheet]
    plan = draft_plan(GOAL, METHODS)
    for sequence in plan.sequences:
        if sequence.method == "meta-plan":
            sequence.method = "grille"
    document = _docx(plan, methods)
    (grid,) = [t for t in document.tables[1:] if t.rows[0].cells[0].text == "Rôle"]
    assert grid.rows[1].cells[0].paragraphs[0].runs[0].bold
    assert "<th scope='col'>Rôle</th>" in to_html(plan, methods)
    assert "| **Animateur** | lit les cartes |" in to_markdown(plan, methods)


@pytest.mark.slow
def test_the_docx_opens_in_libreoffice(tmp_path):
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' et '.join(missing)} absent : apt-get install libreoffice-writer "
                    "poppler-utils")  # fmt: skip
    docx = tmp_path / "deroule.docx"
    docx.write_bytes(to_docx(_plan(), METHODS))
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"  # no clash with a running one
    subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir",
                    str(tmp_path), str(docx)], check=True, capture_output=True,
                   timeout=180)  # fmt: skip
    pdf = tmp_path / "deroule.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    first_page = ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1"]
    subprocess.run([*first_page, str(pdf), str(tmp_path / "page")], check=True,
                   capture_output=True, timeout=60)  # fmt: skip
    (png,) = tmp_path.glob("page*.png")
    assert png.stat().st_size > 5_000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(png, SCREENSHOT)


# --- HTML -----------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


def test_the_html_is_semantic_and_printable():
    page = to_html(_plan(), METHODS)
    parsed = _Tags()
    parsed.feed(page)
    for tag in ("h1", "h2", "h3", "p", "ul", "ol", "li", "table", "thead", "strong"):
        assert tag in parsed.tags, tag
    assert "pre" not in parsed.tags and "<pre" not in page
    assert "@media print" in page
    text = "".join(parsed.text)
    for leak in LEAKS:
        assert leak not in page, leak
    assert "Élu·e référent·e : ouvre et clôt" in text
    assert "<strong>Poser la question</strong>" in page


def test_markdown_and_html_hold_the_timetable_and_html_is_escaped():
    plan = draft_plan(GOAL, METHODS).model_copy(update={"title": "<script>x</script>"})
    markdown = to_markdown(plan, METHODS)
    assert "| Horaire | Durée |" in markdown and ANNEX in markdown
    page = to_html(plan, METHODS)
    assert "<script>x" not in page and "&lt;script&gt;x" in page
    timetable = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert timetable.count("<tr") == len(plan.sequences)


# --- Markdown -------------------------------------------------------------------------------


def test_the_markdown_renders_the_sheets_as_clean_markdown_under_headings():
    plan = _plan()
    markdown = to_markdown(plan, METHODS)
    assert "corpus/" not in markdown
    tokens = MARKDOWN.parse(markdown)
    # What a reader sees once it is rendered: no stray markup.
    for text in plain_blocks(markdown):
        assert "**" not in text and "##" not in text, text
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert {"Objectifs", "Déroulé", REASONS, ANNEX, STEPS} <= set(headings)
    assert all(sheet.title in headings for sheet in _sheets(plan))
    kinds = {t.type for t in tokens}
    assert {"ordered_list_open", "bullet_list_open", "table_open"} <= kinds
    assert any(child.type == "strong_open" for t in tokens for child in t.children or ())
    assert "1. **Poser la question** (2 à 5 min) : lire la question, vérifier qu'elle est " \
           "comprise." in markdown  # one step per line, its title in bold


def test_the_markdown_reasons_quote_plain_text_named_by_the_sheets_title():
    plan = _plan()
    markdown = to_markdown(plan, METHODS)
    reasons = markdown.split(f"## {REASONS}", 1)[1].split("\n## ", 1)[0]
    title = _sheets(plan)[0].title
    (line,) = [line for line in reasons.splitlines() if line.startswith("- ")]
    assert line.startswith(f"- **{title}** (Rôles) : « Élu·e référent·e : ouvre et clôt")
    assert "## " not in line and line.count("**") == 2


# --- the command line -----------------------------------------------------------------------


def test_ctg_plan_writes_a_docx(tmp_path):
    target = tmp_path / "plan.docx"
    env = {**os.environ, "CTG_DATA_DIR": str(tmp_path / "data"),
           "CTG_CORPUS_DIR": str(CORPUS), "HF_HUB_OFFLINE": "1"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "kb", "plan", "lancer le diagnostic partagé", "--duree", "3h30",
         "--participants", "20", "-o", str(target)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = Document(str(target)).tables[0]
    assert len(table.rows) > 3 and table.rows[0].cells[0].text == "Horaire"

