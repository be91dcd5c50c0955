from __future__ import annotations

from kb.search.parts import agreement, parts, resolve_last


def test_numbered_and_ordinal_parts_are_read():
    assert parts("Phase 3 Jour 1 : mardi 19 septembre 2023") == {("phase", 3), ("jour", 1)}
    assert parts("Quel est le programme du premier jour ?") == {("jour", 1)}
    assert parts("La deuxième étape aborde-t-elle le SDSF ?") == {("phase", 2)}
    assert parts("Les 18 et 19 mai, 2 jours de formation") == set()


def test_a_heading_agrees_names_another_part_or_says_nothing():
    asked = parts("Quel était l'objectif de la phase 2 ?")
    assert agreement(asked, "PHASE 2") == 1
    assert agreement(asked, "Phase 1\tObjectifs de la séance") == -1
    assert agreement(asked, "Phase 1 > Jour 2") == -1
    assert agreement(asked, "Méthodes mobilisées") == 0


def test_the_last_part_is_the_highest_its_document_numbers():
    asked = parts("Qui est convié à la dernière étape du parcours ?")
    headings = ["PHASE 2", "Phase 3 Jour 1 : mardi 19 septembre 2023", "Phase 1\tObjectifs"]
    assert resolve_last(asked, headings) == {("phase", 3)}
    assert agreement(resolve_last(asked, headings), "Phase 3 Jour 2") == 1
    assert agreement(resolve_last(asked, headings), "PHASE 2") == -1
    # A document numbering no phase says nothing of the last one; nor does "dernière mise à jour".
    assert resolve_last(asked, ["Objectifs", "Le déroulement"]) == set()
    assert parts("La dernière mise à jour de la fiche") == set()
    assert resolve_last(parts("le premier jour"), ["Jour 2"]) == {("jour", 1)}
