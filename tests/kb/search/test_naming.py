from __future__ import annotations

import pytest

from kb.core.documents import Chunk, DocType
from kb.core.profiles import DocumentProfile, Profiles
from kb.search.analysis import analyse
from kb.search.naming import named_by, names_document, titled


def _words(question: str) -> frozenset[str]:
    return analyse(question).own_tokens


def _profiles() -> Profiles:
    return Profiles([
        DocumentProfile.of("progs/egoc.txt", "Faire vivre la coopération", "EGOC · formation"),
        DocumentProfile.of("progs/fr.txt", "Piloter une CTG", "FR Consultants · formation inter"),
        DocumentProfile.of("methodes/fish-bowl.md", "Fish-bowl", ""),
        DocumentProfile.of("methodes/meta-plan.md", "Méta-plan", ""),
        DocumentProfile.of("references/ctg.md", "La CTG", "",
                           restates=["fr.txt", "absent.pdf"]),
        DocumentProfile.of("references/sdsf.md", "Le SDSF", "", restates=["absent.pdf"]),
        DocumentProfile.of("references/seul.md", "Seul", "", restates=["seul.md"]),
        DocumentProfile.of("references/glossaire.md", "Glossaire de la CTG", ""),
    ])


def test_a_rare_word_of_a_title_or_context_names_its_documents():
    profiles = _profiles()

    def named(question: str) -> set[str]:
        return named_by(profiles, _words(question))

    assert named("Quel est le tarif de l'EGOC ?") == {"progs/egoc.txt"}
    assert named("Comment se déroule un fish bowl ?") == {"methodes/fish-bowl.md"}
    # "formation" is in two contexts of eight and "CTG" in three titles: too common to name.
    assert named("Quelle formation sur la CTG choisir ?") == {"progs/fr.txt", "progs/egoc.txt"}
    assert named("Qui finance la CTG ?") == set()


def _sheet(title: str, aliases: tuple[str, ...] = ()) -> Chunk:
    return Chunk(id="c", text="", source="s.md", title=title, doc_type=DocType.METHODE,
                 section="", page=None, position=0, content_hash="h", aliases=aliases)


@pytest.mark.parametrize("question, named", [
    ("Comment animer un fish-bowl ?", True),
    ("Qui est au centre du fishbowl ?", True),  # one word for two
    ("Et le fish bowl, on le prépare comment ?", True),
    ("Que met-on dans le bocal à poissons ?", True),  # the part in parentheses
    ("Comment se passe un bocal fermé ?", False),  # one word of a part is not its name
    ("Qui fait quoi dans le cercle excentrique ?", True),  # an alias
])
def test_a_question_names_a_document_by_its_title_a_part_of_it_or_an_alias(question, named):
    assert names_document(_words(question), _sheet("Fish-bowl (bocal à poissons)",
                                                   ("cercle excentrique",))) == named


def test_one_word_shared_with_a_long_title_does_not_name_it():
    title = "Animer un comité de pilotage (COPIL) et un comité technique (COTECH)"
    assert names_document(_words("Comment animer le comité de pilotage ?"), _sheet(title))
    assert names_document(_words("Qui vient au COPIL ?"), _sheet(title))
    assert not names_document(_words("Qui anime quoi lors de la rencontre ?"), _sheet(title))


@pytest.mark.parametrize(("title", "term", "expected"), [
    ("La convention territoriale globale (CTG)", "CTG", True),
    ("Le schéma départemental des services aux familles (SDSF) et le CDSF", "CDSF", True),
    ("Glossaire des sigles de la CTG", "CTG", False),  # about the acronyms, not the CTG
    ("Le·la chargé·e de coopération CTG : fonction, missions", "CTG", False),
])
def test_a_title_is_about_a_term_when_the_term_is_one_of_its_parts(title, term, expected):
    assert titled(title, term) is expected
