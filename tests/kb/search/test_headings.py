from __future__ import annotations

import pytest

from kb.core.documents import Chunk, DocType
from kb.search.headings import HeadingMatch, last_heading


def _chunk(title: str, section: str, position: int) -> Chunk:
    return Chunk(id="c", text="…", source="s.md", title=title, doc_type=DocType.REFERENCE,
                 section=section, page=None, position=position, content_hash="h")


CTG = "La convention territoriale globale (CTG)"
MISSIONS = "Ce que fait un·e chargé·e de coopération : les missions relevées dans les offres"


@pytest.mark.parametrize(("question", "section", "position", "answers"), [
    # What a thing is: the opening of the document it titles, or a heading about it.
    ("C'est quoi une CTG ?", CTG, 0, True),
    ("C'est quoi une CTG ?", f"{CTG} > Qui signe une CTG ?", 3, False),
    ("C'est quoi le bonus territoire ?", f"{CTG} > Le bonus territoire : ce que c'est", 4, True),
    ("C'est quoi le bonus territoire ?", f"{CTG} > Exemple : le bonus territoire en Moselle", 5,
     False),
    # Another question: a heading naming every word of it, and more than one word.
    ("Quelles sont les missions d'un chargé de coopération ?", f"X > {MISSIONS}", 2, True),
    ("Quelles sont les missions d'un chargé de coopération ?",
     "X > Le référentiel et la fiche nationale de mission", 6, False),
    ("Quelles missions ?", "X > Les missions", 1, False),
])
def test_a_passage_answers_by_its_heading(question, section, position, answers):
    title = section.split(" > ")[0]
    assert HeadingMatch.of(question).answers(_chunk(title, section, position)) is answers


def test_a_question_of_one_word_and_no_subject_matches_no_heading():
    assert not HeadingMatch.of("Et alors ?")
    assert HeadingMatch.of("C'est quoi une CTG ?")
    assert last_heading("A > B > C") == "C" and last_heading("A") == "A"
