from __future__ import annotations

import re

import pytest

from kb.core.glossary import GLOSSARY, SYNONYMS, Term, expand, fold, load_glossary
from tests.builders import refusal
from tests.conftest import CORPUS


def test_acronyms_and_full_forms_expand_both_ways():
    assert "Approche orientée changement" in expand("Comment animer une AOC ?")
    assert "AOC" in expand("l'approche orientée changement en atelier")
    assert "DDETS" in expand(
        "la direction départementale de l'emploi, du travail et des solidarités"
    )


def test_the_words_practitioners_use_name_the_acronym_too():
    assert expand("Je suis employée par l'interco ?", full_forms=False).endswith("EPCI")
    assert expand("les intercommunalités du Cher", full_forms=False).endswith("EPCI")
    assert expand("une démarche intercommunale") == "une démarche intercommunale"


def test_questions_get_acronyms_only():
    assert expand("Que signifie EGOC ?", full_forms=False).endswith("EGOC")
    assert "Entente" not in expand("Que signifie EGOC ?", full_forms=False)


@pytest.mark.parametrize("text", ["en mars prochain", "un cd-rom", "les arts", "la ramure"])
def test_ordinary_words_are_not_taken_for_acronyms(text):
    assert expand(text) == text


def test_department_numbers_do_not_hide_acronyms():
    assert "Caisse d'allocations familiales" in expand("la CAF42 et le CD42")


def test_fold_strips_accents_and_case():
    assert fold("Élue Référente") == "elue referente"


def test_glossary_page_lists_exactly_the_glossary():
    """corpus/references/glossaire.md and kb/core/glossary.toml must not drift apart."""
    page = (CORPUS / "references" / "glossaire.md").read_text(encoding="utf-8")
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in page.splitlines()
        if line.startswith("|") and not re.match(r"^\|\s*(Sigle|-)", line)
    ]
    in_page = [(r[0], r[1], tuple(s.strip() for s in r[2].split(",") if s.strip())) for r in rows]
    in_code = [(t.acronym, t.full_form, t.synonyms) for t in GLOSSARY]
    assert in_page == in_code


def test_the_glossary_file_holds_the_terms_and_synonym_groups():
    assert Term("CCT", "Chargé de coopération territoriale", (
        "chargée de coopération territoriale", "chargé de coopération", "chargée de coopération",
        "chargé·e de coopération")) in GLOSSARY
    assert ("étape", "phase", "séance") in SYNONYMS


def test_a_glossary_file_reads_as_terms_in_its_order(tmp_path):
    path = tmp_path / "glossaire.toml"
    path.write_text('''synonyms = [["tarif", "prix"]]

[terms.RPE]
full_form = "Relais petite enfance"

[terms.CAF]
full_form = "Caisse d'allocations familiales"
synonyms = ["Caf"]
''', encoding="utf-8")
    assert load_glossary(path) == (
        (Term("RPE", "Relais petite enfance"), Term("CAF", "Caisse d'allocations familiales",
                                                    ("Caf",))),
        (("tarif", "prix"),),
    )


@pytest.mark.parametrize(("text", "problem"), [
    # The entry is named by its acronym.
    ('synonyms = []\n[terms.LAEP]\nsynonym = ["lieu"]\n',
     "terms.LAEP.full_form : clé obligatoire absente; terms.LAEP.synonym : clé inconnue"),
    ('[terms.RPE]\nfull_form = "Relais petite enfance"\n', "synonyms : clé obligatoire absente"),
    ('synonyms = []\n[terms.LAEP]\nfull_form = "Lieu\n', "illisible"),
])
def test_a_broken_glossary_file_is_named_with_its_entry(tmp_path, text, problem):
    assert problem in refusal(load_glossary, tmp_path / "glossaire.toml", text)
