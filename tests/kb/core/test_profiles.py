from __future__ import annotations

from kb.core.profiles import DocumentProfile, Profiles, restated_files


def test_a_document_restating_another_indexed_one_is_marked():
    # sdsf.md cites a file that is not indexed, seul.md only itself.
    profiles = Profiles([
        DocumentProfile.of("progs/fr.txt", "Piloter une CTG", "FR Consultants · formation inter"),
        DocumentProfile.of("references/ctg.md", "La CTG", "",
                           restates=["fr.txt", "absent.pdf"]),
        DocumentProfile.of("references/sdsf.md", "Le SDSF", "", restates=["absent.pdf"]),
        DocumentProfile.of("references/seul.md", "Seul", "", restates=["seul.md"]),
    ])
    assert profiles.restating == {"references/ctg.md"}


def test_profiles_round_trip_through_rows():
    profile = DocumentProfile.of("a.md", "Fish-bowl", "EGOC", restates=["b.txt"])
    assert DocumentProfile.from_row(profile.to_row()) == profile


def test_restated_files_are_the_file_names_among_the_sources():
    assert restated_files([
        "https://www.caf.fr/page", "seed:003_6a075cde25f75532.txt", "docs/brochure.pdf",
        " ", "seed:003_6a075cde25f75532.txt",
    ]) == ("003_6a075cde25f75532.txt", "brochure.pdf")
