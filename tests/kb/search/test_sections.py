"""Which section of a method or programme sheet a question asks for."""

from __future__ import annotations

import pytest

from kb.catalogue.model import PROGRAMME_SECTIONS
from kb.core.documents import Chunk, DocType
from kb.core.sentences import passage_units
from kb.search.sections import (
    CUES,
    PROGRAMME_CUES,
    TEMPLATES,
    load_templates,
    section_of,
    sections_asked,
    sections_in,
    sentence_section,
    unit_sections,
)
from kb.training.methods import SECTIONS
from tests.builders import refusal


def test_every_cue_names_a_section_of_the_template():
    assert set(CUES) == set(SECTIONS)
    assert set(PROGRAMME_CUES) <= set(PROGRAMME_SECTIONS)


def test_method_and_programme_sheets_declare_the_templates_of_the_file():
    assert set(TEMPLATES) == {DocType.METHODE, DocType.PROGRAMME}
    assert TEMPLATES[DocType.METHODE].cues is CUES
    assert TEMPLATES[DocType.PROGRAMME].cues is PROGRAMME_CUES
    # A brochure names a programme's sections its own way; a method sheet follows its template.
    assert TEMPLATES[DocType.PROGRAMME].read_headings
    assert not TEMPLATES[DocType.METHODE].read_headings


_TEMPLATES_FILE = r"""
[method_sheet]
doc_type = "methode"
read_headings = false

[method_sheet.cues]
"Variantes" = ['''\bvariantes?\b''', '''\ben ligne\b''']
"""


def test_a_section_s_cue_is_its_alternatives_joined(tmp_path):
    path = tmp_path / "modeles.toml"
    path.write_text(_TEMPLATES_FILE, encoding="utf-8")
    cue = load_templates(path)[DocType.METHODE].cues["Variantes"]
    assert cue.search("une variante ?")
    assert cue.search("et en ligne ?")
    assert not cue.search("en lignes")


@pytest.mark.parametrize(("text", "problem"), [
    (_TEMPLATES_FILE.replace("en ligne", "en (ligne"),
     "method_sheet.cues.Variantes : expression régulière invalide (missing ), unterminated"),
    (_TEMPLATES_FILE.replace("read_headings = false", ""),
     "method_sheet.read_headings : clé obligatoire absente"),
    (_TEMPLATES_FILE.replace(r"['''\bvariantes?\b''', '''\ben ligne\b''']", "'variantes'"),
     "method_sheet.cues.Variantes : liste d'expressions régulières attendue"),
    (_TEMPLATES_FILE + _TEMPLATES_FILE.replace("method_sheet", "other_sheet"),
     "other_sheet : doc_type « methode » déjà déclaré par method_sheet"),
    (_TEMPLATES_FILE.replace('"Variantes" =', '"Variantes"'), "illisible"),
])
def test_a_broken_templates_file_is_named_with_its_entry(tmp_path, text, problem):
    assert problem in refusal(load_templates, tmp_path / "modeles.toml", text)


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
    method = DocType.METHODE
    assert section_of("Fish-bowl (bocal à poissons) > Pièges à éviter", method) == "Pièges à éviter"
    assert section_of("Fish-bowl", method) == "Fish-bowl"
    # A subsection of the template's section is in that section.
    assert section_of("Fish-bowl > Variantes > En ligne", method) == "Variantes"
    # A path of no known document: a heading of any template is its section.
    assert section_of("Fish-bowl > Variantes > En ligne") == "Variantes"
    assert section_of("Offre > Tarif et modalités > Financement") == "Tarif et modalités"


@pytest.mark.parametrize(("path", "doc_type", "section"), [
    # Each template's sections are its own: a method sheet's are none of a programme's.
    ("Offre > Rôles > Détail", DocType.PROGRAMME, "Détail"),
    ("Fiche > Tarif et modalités > Financement", DocType.PROGRAMME, "Tarif et modalités"),
    ("Fiche > Tarif et modalités > Financement", DocType.METHODE, "Financement"),
])
def test_a_heading_is_a_section_of_the_template_its_document_declares(path, doc_type, section):
    assert section_of(path, doc_type) == section


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


@pytest.mark.parametrize(("doc_type", "heading", "section"), [
    (DocType.METHODE, "Variantes", "Variantes"),
    (DocType.REFERENCE, "Variantes", "En ligne"),
    (DocType.AUTRE, "Variantes", "En ligne"),
    (DocType.PROGRAMME, "Le déroulement", "Programme"),
    (DocType.REFERENCE, "Le déroulement", "En ligne"),
    (DocType.AUTRE, "Le déroulement", "En ligne"),
])
def test_only_a_document_declaring_a_template_has_its_sections(doc_type, heading, section):
    text = "Un texte.\n\nUn autre."
    chunk = Chunk(id="g", text=text, source="guide.md", title="Guide", doc_type=doc_type,
                  section=f"Guide > {heading} > En ligne", page=None, position=2,
                  content_hash="h")
    assert sections_in(chunk) == {section}
    assert unit_sections(chunk, passage_units(text)) == [section, section]


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
