"""Scoring helpers of the evaluation: what counts as a passage or an answer holding a fact."""

from __future__ import annotations

from kb.evaluation.metrics import is_hit


def test_a_fact_is_found_whatever_its_case_accents_spacing_and_markup():
    passage = ("Avec la CTG, ce financement est remplacé par les **bonus « territoire CTG »**.\n"
               "Voir [la fiche\nSDSF](sdsf.md).")
    assert is_hit(passage, ["remplace par les BONUS « territoire"])
    assert is_hit(passage, ["voir la fiche sdsf"])
    assert not is_hit(passage, ["remplacé par la PSEJ"])
    assert not is_hit(passage, ["", "  "])
