from __future__ import annotations

from kb.parts import agreement, parts


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
