from __future__ import annotations

import pytest

from kb.core.documents import Chunk, DocType
from kb.search.headings import HeadingMatch, closest, last_heading


def _chunk(title: str, section: str, position: int) -> Chunk:
    return Chunk(id="c", text="…", source="s.md", title=title, doc_type=DocType.REFERENCE,
                 section=section, page=None, position=position, content_hash="h")


CTG = "La convention territoriale globale (CTG)"
SHEET = "Le·la chargé·e de coopération CTG : fonction, missions, employeurs"
MISSIONS = "Ce que fait un·e chargé·e de coopération : les missions relevées dans les offres"


@pytest.mark.parametrize(("question", "section", "position", "gap"), [
    # What a thing is: the opening of the document it titles, or a heading about it.
    ("C'est quoi une CTG ?", CTG, 0, 0),
    ("C'est quoi une CTG ?", f"{CTG} > Qui signe une CTG ?", 3, None),
    ("C'est quoi le bonus territoire ?", f"{CTG} > Le bonus territoire : ce que c'est", 4, 0),
    ("C'est quoi le bonus territoire ?", f"{CTG} > Exemple : le bonus territoire en Moselle", 5,
     None),
    # Another question: a heading naming every word of it, and more than one word.
    ("Quelles sont les missions d'un chargé de coopération ?", f"X > {MISSIONS}", 2, 0),
    ("Quelles sont les missions d'un chargé de coopération ?",
     "X > Le référentiel et la fiche nationale de mission", 6, None),
    ("Quelles missions ?", "X > Les missions", 1, None),
    # A section's heading may leave to its document's title one word of the question; the
    # title itself names the whole document, not the section that answers.
    ("Quelles sont les missions d'un chargé de coopération CTG ?", f"{SHEET} > {MISSIONS}", 2,
     1),
    ("Quelles sont les missions d'un chargé de coopération CTG ?", SHEET, 0, None),
    ("Quelles sont les missions d'un chargé de coopération CTG dans la Loire ?",
     f"{SHEET} > {MISSIONS}", 2, None),
    ("Quelles sont les missions d'un chargé de coopération CTG ?", f"X > {MISSIONS}", 2, None),
])
def test_a_passage_answers_by_its_heading(question, section, position, gap):
    title = section.split(" > ")[0]
    assert HeadingMatch.of(question).answers(_chunk(title, section, position)) == gap


def test_the_headings_closest_to_the_question_answer_it():
    """"Qui emploie… le·la chargé·e de coopération" leaves "missions" to the sheet's title: the
    heading naming every word is closer."""
    match = HeadingMatch.of("Quelles sont les missions d'un chargé de coopération ?")
    employer = match.gap("Qui emploie et qui paie le·la chargé·e de coopération", SHEET)
    assert employer == 1 and match.gap(MISSIONS, SHEET) == 0
    assert closest([None, employer, 0]) == 0 and closest([None, None]) is None


def test_a_question_of_one_word_and_no_subject_matches_no_heading():
    assert not HeadingMatch.of("Et alors ?")
    assert HeadingMatch.of("C'est quoi une CTG ?")
    assert last_heading("A > B > C") == "C" and last_heading("A") == "A"
