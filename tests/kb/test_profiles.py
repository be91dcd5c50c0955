from __future__ import annotations

from kb.profiles import DocumentProfile, Profiles, restated_files


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
    assert profiles.named_by("Quel est le tarif de l'EGOC ?") == {"progs/egoc.txt"}
    assert profiles.named_by("Comment se déroule un fish bowl ?") == {"methodes/fish-bowl.md"}
    # "formation" is in two contexts of eight and "CTG" in three titles: too common to name.
    assert profiles.named_by("Quelle formation sur la CTG choisir ?") == {"progs/fr.txt",
                                                                        "progs/egoc.txt"}
    assert profiles.named_by("Qui finance la CTG ?") == set()


def test_a_document_restating_another_indexed_one_is_marked():
    # sdsf.md cites a file that is not indexed, seul.md only itself.
    assert _profiles().restating == {"references/ctg.md"}


def test_profiles_round_trip_through_rows():
    profile = DocumentProfile.of("a.md", "Fish-bowl", "EGOC", restates=["b.txt"])
    assert DocumentProfile.from_row(profile.to_row()) == profile


def test_restated_files_are_the_file_names_among_the_sources():
    assert restated_files([
        "https://www.caf.fr/page", "seed:003_6a075cde25f75532.txt", "docs/brochure.pdf",
        " ", "seed:003_6a075cde25f75532.txt",
    ]) == ("003_6a075cde25f75532.txt", "brochure.pdf")
