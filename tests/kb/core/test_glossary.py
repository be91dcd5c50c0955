from __future__ import annotations

import re

import pytest

from kb.core.glossary import GLOSSARY, expand, fold
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
    """corpus/references/glossaire.md and kb/glossary.py must not drift apart."""
    page = (CORPUS / "references" / "glossaire.md").read_text(encoding="utf-8")
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in page.splitlines()
        if line.startswith("|") and not re.match(r"^\|\s*(Sigle|-)", line)
    ]
    in_page = [(r[0], r[1], tuple(s.strip() for s in r[2].split(",") if s.strip())) for r in rows]
    in_code = [(t.acronym, t.full_form, t.synonyms) for t in GLOSSARY]
    assert in_page == in_code
