from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import IngestError, Reason
from ingest.loaders import decode_text, load_document, split_markdown, split_plain_text
from kb.core.documents import DocType
from tests.builders import (
    make_docx,
    make_encrypted_pdf,
    make_fake_docx,
    make_image_pdf,
    make_pdf,
)
from tests.conftest import EGOC, FR_CONSULTANTS

LIMIT = 5 * 1024 * 1024


def load(path: Path, source: str | None = None):
    return load_document(path, source or path.name, LIMIT)


def refused(path: Path) -> IngestError:
    with pytest.raises(IngestError) as caught:
        load(path)
    return caught.value


def test_seed_brochures_load_with_title_and_sections(seeds_dir):
    fr = load(seeds_dir / FR_CONSULTANTS, f"seeds/{FR_CONSULTANTS}")
    egoc = load(seeds_dir / EGOC, f"seeds/{EGOC}")
    assert fr.title.startswith("Piloter et faire vivre une Convention Territoriale Globale")
    assert egoc.title.startswith("Faire vivre la relation partenaires")
    headings = {s.heading_path[0] for s in fr.sections if s.heading_path}
    assert {"Objectifs", "Formateurs", "CONTACT"} <= headings
    # A brochure without front matter is recognised as a training programme by its content.
    assert fr.doc_type == egoc.doc_type == DocType.PROGRAMME
    assert "850€" in fr.text and "02 99 29 82 42" in egoc.text


def test_markdown_front_matter_and_heading_paths(tmp_path):
    path = tmp_path / "fiche.md"
    path.write_text(
        "---\ntitle: Fiche test\ndoc_type: methode\ntags: [a]\n"
        "sources: ['https://caf.fr/x', 'seed:brochure.txt']\n---\n# Fiche test\n\nIntro.\n\n"
        "## Jour 1\n\n### Les objectifs\n\nComprendre.\n\n```\n# pas un titre\n```\n",
        encoding="utf-8",
    )
    doc = load(path)
    assert doc.title == "Fiche test" and doc.doc_type == DocType.METHODE
    assert doc.metadata["tags"] == ["a"]
    assert doc.restates == ("brochure.txt",)
    paths = [s.heading_path for s in doc.sections]
    assert ("Fiche test", "Jour 1", "Les objectifs") in paths
    assert all("pas un titre" not in p for path_ in paths for p in path_)


def test_doc_type_from_folder(tmp_path):
    folder = tmp_path / "references"
    folder.mkdir()
    path = folder / "note.txt"
    path.write_text("Une note de référence sur le schéma départemental.", encoding="utf-8")
    assert load(path, "corpus/references/note.txt").doc_type == DocType.REFERENCE
    assert load(path, "divers/note.txt").doc_type == DocType.AUTRE


def test_pdf_pages_are_kept(tmp_path):
    path = make_pdf(
        tmp_path / "prog.pdf",
        ["Objectifs\n\nComprendre la CTG.", "Tarifs\n\nSept cents euros."],
        title="Programme",
    )
    doc = load(path)
    assert doc.title == "Programme"
    assert {s.page for s in doc.sections} == {1, 2}
    assert any("Sept cents euros" in s.text and s.page == 2 for s in doc.sections)


def test_docx_headings_and_tables(tmp_path):
    path = make_docx(
        tmp_path / "plan.docx",
        "Plan de formation",
        {"Jour 1": ["Diagnostic partagé du territoire."]},
        table=[["Phase", "Contenu"], ["1", "Fish bowl"]],
    )
    doc = load(path)
    assert ("Plan de formation", "Jour 1") in [s.heading_path for s in doc.sections]
    assert "Phase | Contenu" in doc.text and "1 | Fish bowl" in doc.text


def test_html_drops_scripts_and_styles(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Page CTG</title><style>p{color:red}</style>"
        "<script>alert('x')</script></head><body><h1>La CTG</h1><p>Un contrat.</p>"
        "<ul><li>Petite enfance</li></ul><script>document.write('piège')</script></body></html>",
        encoding="utf-8",
    )
    doc = load(path)
    assert doc.title == "Page CTG"
    assert "Un contrat." in doc.text and "- Petite enfance" in doc.text
    assert "alert" not in doc.text and "piège" not in doc.text and "color" not in doc.text


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-8-sig"])
def test_text_in_any_encoding(tmp_path, encoding):
    path = tmp_path / "note.txt"
    path.write_bytes("Élus référents : coopération à Pâques, déjà prévue.".encode(encoding))
    assert "Élus référents : coopération à Pâques" in load(path).text


@pytest.mark.parametrize(
    ("name", "content", "reason", "words"),
    [
        ("vide.txt", b"", Reason.EMPTY, "vide"),
        ("blancs.md", b"  \n\n\t ", Reason.EMPTY, "vide"),
        ("image.txt", bytes(range(256)) * 40, Reason.BINARY, "binaires"),
        ("corrompu.pdf", b"%PDF-1.4\n" + b"\x8f\x01garbage" * 200, Reason.CORRUPT, "corrompu"),
        ("tableur.xlsx", b"PK\x03\x04 data", Reason.UNKNOWN_FORMAT, "Format non pris en charge"),
        ("faux.docx", None, Reason.CORRUPT, "DOCX illisible"),
        ("cassé.md", b"---\ntitle: [non ferm\n---\ntexte", Reason.BAD_FRONT_MATTER, "YAML"),
        (
            "types.md",
            b"---\ntitle: [1, 2]\nupdated: pas-une-date\n---\ntexte",
            Reason.BAD_FRONT_MATTER,
            "title",
        ),
        (
            "typeinconnu.md",
            b"---\ndoc_type: recette\n---\ntexte",
            Reason.BAD_FRONT_MATTER,
            "doc_type",
        ),
    ],
)
def test_bad_files_are_refused_in_french(tmp_path, name, content, reason, words):
    path = tmp_path / name
    if content is None:
        make_fake_docx(path)
    else:
        path.write_bytes(content)
    error = refused(path)
    assert error.reason == reason
    assert words in error.message


def test_truncated_pdf_is_corrupt(tmp_path):
    whole = make_pdf(tmp_path / "entier.pdf", ["Un programme de formation complet."] * 3)
    cut = tmp_path / "tronque.pdf"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    assert refused(cut).reason in {Reason.CORRUPT, Reason.NO_TEXT}


def test_encrypted_pdf_with_password_is_refused(tmp_path):
    path = make_encrypted_pdf(tmp_path / "secret.pdf", "Contenu confidentiel", "motdepasse")
    error = refused(path)
    assert error.reason == Reason.ENCRYPTED and "mot de passe" in error.message


def test_encrypted_pdf_with_empty_password_is_read(tmp_path):
    path = make_encrypted_pdf(tmp_path / "ouvert.pdf", "Contenu lisible par tous", "")
    assert "Contenu lisible par tous" in load(path).text


def test_scanned_pdf_has_no_text(tmp_path):
    error = refused(make_image_pdf(tmp_path / "scan.pdf"))
    assert error.reason == Reason.NO_TEXT and "OCR" in error.message


def test_file_over_the_limit(tmp_path):
    path = tmp_path / "gros.txt"
    path.write_text("a" * 2048, encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        load_document(path, "gros.txt", 1024)
    assert caught.value.reason == Reason.TOO_LARGE and "limite" in caught.value.message


def test_decode_refuses_binary_with_nul_bytes():
    with pytest.raises(IngestError):
        decode_text(b"texte\x00\x00binaire")


def test_html_comments_in_markdown_never_reach_a_passage(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("# Page\n\n<!-- source : https://exemple.fr/page -->\nLe texte lu.\n\n"
                    "<!--\nnote sur\nplusieurs lignes\n-->\nLa suite.\n", encoding="utf-8")
    doc = load(path)
    assert "Le texte lu." in doc.text and "La suite." in doc.text
    assert "<!--" not in doc.text and "exemple.fr" not in doc.text and "plusieurs" not in doc.text


def test_split_markdown_resets_deeper_headings():
    sections = split_markdown("# A\n\nx\n\n## B\n\ny\n\n# C\n\nz")
    assert [s.heading_path for s in sections] == [("A",), ("A", "B"), ("C",)]


def test_plain_text_labels_with_a_colon_stay_under_their_heading():
    text = ("Phase 2 Jour 1 : mardi 4 avril 2023\n\nÉchange entre institutions\n\n"
            "Fin de matinée :\n\nSe redire les ambitions.\n\nAnimation fish-bowl : TC\n\n"
            "CAF : responsable intervention sociale\n")
    headings = [s.heading_path for s in split_plain_text(text)]
    assert headings == [("Phase 2 Jour 1 : mardi 4 avril 2023",), ("Échange entre institutions",)]
