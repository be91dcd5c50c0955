"""Every file of the shipped corpus: valid front matter, no empty section, no broken link.
Method and programme sheets are also checked against their own models (tests/kb)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import frontmatter
import pytest

from ingest.loaders import FrontMatter, split_markdown
from kb.catalogue.model import PROGRAMME_SECTIONS
from kb.core.documents import DocType
from tests.conftest import CORPUS

FILES = sorted(CORPUS.rglob("*.md"))
FOLDERS = {"methodes": DocType.METHODE, "programmes": DocType.PROGRAMME,
           "references": DocType.REFERENCE}
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_the_corpus_has_its_three_parts():
    assert {f.parent.name for f in FILES} == set(FOLDERS)
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_front_matter_is_complete(path: Path):
    meta = FrontMatter.model_validate(frontmatter.load(path).metadata)
    assert meta.title and meta.title.strip()
    assert meta.doc_type == FOLDERS[path.parent.name]
    assert meta.sources, "every fact must be traceable"
    assert all(s.startswith(("http://", "https://", "seed:")) for s in meta.sources)
    assert isinstance(meta.updated, date)
    assert meta.tags


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_section_is_empty(path: Path):
    sections = split_markdown(frontmatter.load(path).content)
    for section in sections:
        body = "\n".join(section.text.splitlines()[1:]).strip()
        depth = len(section.heading_path)
        has_subsections = any(
            len(other.heading_path) > depth and other.heading_path[:depth] == section.heading_path
            for other in sections
        )
        assert body or has_subsections, f"empty section {' > '.join(section.heading_path)}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_text_names_its_sources_as_a_reader_knows_them(path: Path):
    # "seed" is this project's word for the brochures it started from: a practitioner reading
    # "(seed 003)" learns nothing; the sheet names the document ("le compte rendu de l'EGOC").
    body = frontmatter.load(path).content
    assert not re.search(r"\bseeds?\b", body, re.IGNORECASE)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_links_between_sheets_resolve(path: Path):
    for target in _LINK.findall(path.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        assert (path.parent / target).resolve().is_file(), f"broken link to {target}"


@pytest.mark.parametrize("path", sorted((CORPUS / "programmes").glob("*.md")), ids=lambda p: p.name)
def test_programme_sheets_follow_their_template(path: Path):
    headings = re.findall(r"^## +(.+?)\s*$", frontmatter.load(path).content, re.MULTILINE)
    assert [h for h in headings if h in PROGRAMME_SECTIONS] == list(PROGRAMME_SECTIONS)
