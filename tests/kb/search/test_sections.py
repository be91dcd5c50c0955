"""Which section of a method or programme sheet a question asks for."""

from __future__ import annotations

import pytest

from kb.catalogue.model import PROGRAMME_SECTIONS
from kb.core.documents import Chunk, DocType
from kb.core.sentences import passage_units
from kb.search.sections import (
    CUES,
    PROGRAMME_CUES,
    section_of,
    sections_asked,
    sections_in,
    sentence_section,
    unit_sections,
)
from kb.training.methods import SECTIONS


def test_every_cue_names_a_section_of_the_template():
    assert set(CUES) == set(SECTIONS)
    assert set(PROGRAMME_CUES) <= set(PROGRAMME_SECTIONS)


@pytest.mark.parametrize(("question", "sections"), [
    ("Quelle erreur classique en fish-bowl ?", {"Pièges à éviter"}),
    ("Qui a inventé le world café ?", {"Origine et références"}),
    ("De quel article scientifique s'inspire l'outil ?", {"Origine et références"}),
    ("Dans une théorie du changement, quelqu'un est-il chargé de contester ?", {"Rôles"}),
    ("À quel moment de la CTG proposer un forum ouvert ?", {"Quand l'utiliser dans une CTG"}),
    ("Quel matériel prévoir pour un méta-plan ?", {"Préparation et installation"}),
    ("Peut-on faire un méta-plan à distance ?", {"Variantes"}),
    ("Qu'obtient-on à la fin d'un world café ?", {"Ce qu'on produit à la fin"}),
    ("Comment faire un diagnostic partagé ?", {"Déroulé pas à pas"}),
    ("Comment j'organise le séminaire de partage du diagnostic ?", {"Déroulé pas à pas"}),
    ("Comment je lance un world café ?", {"Déroulé pas à pas"}),
    # A difficulty met while running it is a pitfall the sheet lists.
    ("Comment faire quand personne n'ose entrer dans le bocal ?", {"Pièges à éviter"}),
    # "Se déroule" asks for a method's steps, "le déroulé" also for a course's programme.
    ("Comment se déroule un forum ouvert ?", {"Déroulé pas à pas"}),
    ("Quel est le déroulé de la formation EGOC ?", {"Déroulé pas à pas", "Programme"}),
    # A programme sheet's sections, as a prospect asks for them.
    ("La formation de FR Consultants, c'est pour qui ?", {"Public et prérequis"}),
    ("Qui anime l'intra de l'EGOC ?", {"Rôles", "Formateurs"}),
    ("Comment s'inscrire chez FR Consultants ?", {"Contact et inscription"}),
    ("Quel est le programme du premier jour chez FR Consultants ?", {"Programme"}),
    # "Pédagogique" qualifies what is asked: objectives are not teaching methods.
    ("Quels sont les objectifs pédagogiques de la formation ?", {"Objectifs"}),
    ("Quelle approche pédagogique chez FR Consultants ?", {"Méthodes"}),
    ("Je n'invite que des techniciens au world café : c'est gênant ?", {"Pièges à éviter"}),
    ("Après un forum ouvert, avec quoi on repart ?", {"Ce qu'on produit à la fin"}),
    ("En méta-plan, qui s'occupe de regrouper les cartes ?", {"Rôles"}),
    ("Dans le calendrier de la convention, où placer un world café ?",
     {"Quand l'utiliser dans une CTG"}),
    # The job's name is no role in a session; a question with no cue asks for no section.
    ("Que fait un chargé de coopération ?", set()),
    ("C'est quoi un fish-bowl ?", set()),
])
def test_the_section_a_question_asks_for(question, sections):
    assert sections_asked(question) == sections


def test_where_a_course_takes_place_is_no_question_on_its_programme():
    assert "Programme" not in sections_asked("Dans quelle ville se déroule la session de FR ?")


def test_the_section_of_a_passage_is_the_deepest_template_section_of_its_path():
    assert section_of("Fish-bowl (bocal à poissons) > Pièges à éviter") == "Pièges à éviter"
    assert section_of("Fish-bowl") == "Fish-bowl"
    # A subsection of the template's section is in that section.
    assert section_of("Fish-bowl > Variantes > En ligne") == "Variantes"


def test_a_passage_covers_the_sections_whose_headings_it_holds():
    text = "Animateur : tient le cadre.\n\n## Variantes\n\n- En ligne.\n\n### Astuce\n\nCourt."
    chunk = Chunk(id="c", text=text, source="s.md", title="Fish-bowl", doc_type=DocType.METHODE,
                  section="Fish-bowl > Rôles", page=None, position=4, content_hash="h")
    assert sections_in(chunk) == {"Rôles", "Variantes"}
    sections = unit_sections(chunk, passage_units(text))
    assert sections == ["Rôles", "Variantes", "Variantes", "Variantes", "Variantes"]


def _brochure_passage(section: str, doc_type: DocType = DocType.PROGRAMME) -> Chunk:
    return Chunk(id="b", text=f"{section}\n\nUn texte.", source="brochure.txt", title="Offre",
                 doc_type=doc_type, section=section, page=None, position=3, content_hash="h")


@pytest.mark.parametrize(("heading", "section"), [
    ("Le déroulement", "Programme"),
    ("Modalités pédagogiques", "Méthodes"),
    ("Objectif professionnel", "Objectifs"),
    ("CONTACT", "Contact et inscription"),
    ("Notre valeur ajoutée", "Notre valeur ajoutée"),
])
def test_a_brochure_s_own_headings_are_the_programme_sections_they_name(heading, section):
    chunk = _brochure_passage(heading)
    assert sections_in(chunk) == {section}
    assert set(unit_sections(chunk, passage_units(chunk.text))) == {section}


def test_only_a_programme_s_headings_are_read_as_programme_sections():
    assert sections_in(_brochure_passage("Le déroulement", DocType.REFERENCE)) == {"Le déroulement"}


def test_a_sentence_s_section_is_the_heading_above_it_in_the_passage():
    text = ("- Eva Jordan : ingénierie.\n\n## Tarif et modalités\n\n- 850 € TTC par stagiaire.\n\n"
            "### Financement\n\nPrise en charge possible.")
    chunk = Chunk(id="c", text=text, source="p.md", title="Piloter", doc_type=DocType.PROGRAMME,
                  section="Piloter > Formateurs", page=None, position=2, content_hash="h")
    assert sentence_section(chunk, "Eva Jordan : ingénierie.") == "Piloter > Formateurs"
    assert sentence_section(chunk, "850 € TTC par stagiaire.") == "Piloter > Tarif et modalités"
    assert (sentence_section(chunk, "Prise en charge possible.")
            == "Piloter > Tarif et modalités > Financement")
    # A sentence the passage does not hold (a model's paraphrase) sits in the passage's section.
    assert sentence_section(chunk, "Le prix est raisonnable.") == "Piloter > Formateurs"
