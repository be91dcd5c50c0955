"""Tests of kb.training.methods, and of every sheet shipped in corpus/methodes/."""

import re
from pathlib import Path
from typing import get_args

import pytest

from kb.catalogue.model import MethodSlug
from kb.training.methods import (
    SECTIONS,
    MethodSheet,
    filter_methods,
    find_method,
    load_library,
    load_method,
    load_methods,
    parse_sections,
)

ROOT = Path(__file__).resolve().parents[3]
METHODS_DIR = ROOT / "corpus" / "methodes"
FACTS = ROOT.parent / "shared" / "domain" / "facts.md"

# The methods a course may name (kb.catalogue.model) are the sheets the corpus must hold.
REQUIRED_SLUGS = set(get_args(MethodSlug))
SEEDS = {"seed:000_82d55ce07b10d159.txt", "seed:003_6a075cde25f75532.txt"}

# A numbered step and its timing: "3. **Titre** (10 à 20 min) : ..." (continuation lines joined).
STEP = re.compile(r"^\d+\. (.+?)(?=^\d+\. |\Z)", re.MULTILINE | re.DOTALL)
TIMING = re.compile(r"\((\d+)(?:\s*(?:à|-|–)\s*(\d+))?\s*min\b")
LINK = re.compile(r"\]\(([^)#]+\.md)\)")

VALID_SHEET = """---
title: "Essai"
doc_type: methode
tags: [test]
sources: [seed:000_82d55ce07b10d159.txt]
updated: 2026-11-25
objectif: "Vérifier le chargement."
duree_min: 30
duree_max: 60
participants_min: 5
participants_max: 20
moments: [diagnostic]
materiel: [paperboard]
{extra}---

# Essai

## À quoi ça sert

Texte.
"""


@pytest.fixture(scope="module")
def methods() -> list[MethodSheet]:
    return load_methods(METHODS_DIR)


def sheet_ids(sheets: list[MethodSheet]) -> list[str]:
    return [sheet.slug for sheet in sheets]


def write_sheet(tmp_path: Path, text: str, name: str = "essai.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped corpus -------------------------------------------------------------------


def test_every_markdown_file_loads_as_a_sheet(methods):
    assert len(methods) == len(list(METHODS_DIR.glob("*.md")))


def test_related_sheets_are_the_sibling_sheets_linked(methods, tmp_path):
    slugs = {sheet.slug for sheet in methods}
    linked = [slug for sheet in methods for slug in sheet.related()]
    assert linked and set(linked) <= slugs  # every shipped link opens a shipped sheet
    sheet = next(sheet for sheet in methods if sheet.related())
    outside = sheet.model_copy(update={"sections": {
        "Voir aussi": "- [Site](https://exemple.fr/page.md)\n- [Fish-bowl](./fish-bowl.md)"}})
    assert outside.related() == ["fish-bowl"]


def test_required_sheets_exist(methods):
    assert not REQUIRED_SLUGS - {sheet.slug for sheet in methods}


def test_sheets_are_sorted_by_title_ignoring_accents(tmp_path):
    for name, title in [("z.md", "Zèbre"), ("e.md", "Écoute"), ("a.md", "abri")]:
        text = VALID_SHEET.format(extra="").replace('title: "Essai"', f'title: "{title}"')
        write_sheet(tmp_path, text, name=name)
    assert [sheet.title for sheet in load_methods(tmp_path)] == ["abri", "Écoute", "Zèbre"]


def test_body_starts_with_the_title(methods):
    for sheet in methods:
        assert sheet.body.lstrip().startswith(f"# {sheet.title}\n"), sheet.slug


def test_nine_sections_in_order_and_not_empty(methods):
    for sheet in methods:
        titles = list(sheet.sections)
        assert titles[: len(SECTIONS)] == list(SECTIONS), sheet.slug
        assert titles[len(SECTIONS) :] in ([], ["Voir aussi"]), sheet.slug
        empty = [title for title, text in sheet.sections.items() if not text]
        assert not empty, f"{sheet.slug}: sections vides {empty}"


def test_every_step_has_a_timing_in_minutes(methods):
    for sheet in methods:
        steps = STEP.findall(sheet.sections["Déroulé pas à pas"])
        assert len(steps) >= 4, sheet.slug
        for step in steps:
            assert TIMING.search(step), f"{sheet.slug}: étape sans durée : {step[:60]}"


def test_step_timings_add_up_to_the_announced_duration(methods):
    for sheet in methods:
        lows = highs = 0
        for step in STEP.findall(sheet.sections["Déroulé pas à pas"]):
            low, high = TIMING.search(step).groups()
            lows += int(low)
            highs += int(high or low)
        # The shortest run must fit the longest slot, and the longest run fill the shortest.
        assert lows <= sheet.duree_max, f"{sheet.slug}: {lows} > {sheet.duree_max}"
        assert highs >= sheet.duree_min, f"{sheet.slug}: {highs} < {sheet.duree_min}"


def test_links_point_to_existing_sheets(methods):
    slugs = {sheet.slug for sheet in methods}
    for sheet in methods:
        for target in LINK.findall(sheet.body):
            assert Path(target).stem in slugs, f"{sheet.slug}: lien mort {target}"


def test_see_also_links_exist_where_promised(methods):
    by_slug = {sheet.slug: sheet for sheet in methods}
    aoc = by_slug["approche-orientee-changement"].sections["Voir aussi"]
    assert "theorie-du-changement.md" in aoc
    assert "mesure-d-impact-social.md" in aoc
    assert "capital-strategique" in by_slug["strategie-d-allies"].sections["Voir aussi"]


def test_sources_are_urls_or_known_seeds(methods):
    for sheet in methods:
        for source in sheet.sources:
            assert source in SEEDS or source.startswith(("http://", "https://")), source


@pytest.mark.skipif(not FACTS.exists(), reason="shared/domain/facts.md absent")
def test_cited_urls_come_from_the_fact_sheet(methods):
    facts = FACTS.read_text(encoding="utf-8")
    for sheet in methods:
        for source in sheet.sources:
            if source not in SEEDS:
                assert source in facts, f"{sheet.slug}: source absente de facts.md : {source}"


def test_names_do_not_collide_between_sheets(methods):
    seen: dict[str, str] = {}
    for sheet in methods:
        for name in sheet.names():
            assert name not in seen, f"{name!r}: {seen.get(name)} et {sheet.slug}"
            seen[name] = sheet.slug


def test_front_matter_bounds_from_the_facts(methods):
    by_slug = {sheet.slug: sheet for sheet in methods}
    fish = by_slug["fish-bowl"]
    assert (fish.duree_min, fish.duree_max) == (60, 120)
    assert (fish.participants_min, fish.participants_max) == (10, 75)
    forum = by_slug["forum-ouvert"]
    assert (forum.participants_min, forum.participants_max) == (5, 2000)


def test_the_five_conditions_of_collective_impact_are_listed(methods):
    text = find_method(methods, "impact collectif").sections["À quoi ça sert"].casefold()
    for condition in (
        "programme commun",
        "mesure partagé",
        "se renforcent mutuellement",
        "communication continue",
        "organisation de soutien",
    ):
        assert condition in text


# --- filters and lookup -------------------------------------------------------------------


def test_filter_by_short_slot_excludes_longer_methods(methods):
    kept = filter_methods(methods, duration=30)
    assert kept, "au moins une méthode doit tenir en 30 minutes"
    assert all(sheet.duree_min <= 30 for sheet in kept)
    assert "meta-plan" in sheet_ids(kept)
    assert "fish-bowl" not in sheet_ids(kept)
    assert "forum-ouvert" not in sheet_ids(kept)


def test_filter_by_group_size(methods):
    kept = sheet_ids(filter_methods(methods, participants=200))
    assert "forum-ouvert" in kept
    assert "fish-bowl" not in kept
    assert "meta-plan" not in kept
    small = sheet_ids(filter_methods(methods, participants=4))
    assert "strategie-d-allies" in small
    assert "world-cafe" not in small


def test_filter_by_moment(methods):
    kept = filter_methods(methods, moment="gouvernance")
    assert "comite-de-pilotage-et-comite-technique" in sheet_ids(kept)
    assert all("gouvernance" in sheet.moments for sheet in kept)
    assert len(kept) < len(methods)


def test_filters_combine(methods):
    kept = filter_methods(methods, moment="diagnostic", duration=120, participants=25)
    assert kept
    for sheet in kept:
        assert "diagnostic" in sheet.moments
        assert sheet.duree_min <= 120
        assert sheet.participants_min <= 25 <= sheet.participants_max
    assert filter_methods(methods) == methods


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("fish bowl", "fish-bowl"),
        ("Fish-bowl", "fish-bowl"),
        ("FISHBOWL", "fish-bowl"),
        ("bocal à poissons", "fish-bowl"),
        ("AOC", "approche-orientee-changement"),
        ("metaplan", "meta-plan"),
        ("Méta-plan (Metaplan)", "meta-plan"),
        ("world café", "world-cafe"),
        ("World Cafe", "world-cafe"),
        ("open space", "forum-ouvert"),
        ("COPIL", "comite-de-pilotage-et-comite-technique"),
        ("cotech", "comite-de-pilotage-et-comite-technique"),
        ("diagnostic partagé", "diagnostic-social-de-territoire"),
        ("stratégie des alliés", "strategie-d-allies"),
        ("capital strategique", "capital-strategique-de-developpement"),
        ("collective impact", "impact-collectif"),
    ],
)
def test_find_method_by_common_name(methods, name, slug):
    found = find_method(methods, name)
    assert found is not None, name
    assert found.slug == slug


def test_find_method_returns_none_for_unknown_name(methods):
    assert find_method(methods, "photolangage") is None
    assert find_method(methods, "") is None


# --- loading errors -----------------------------------------------------------------------


def test_a_valid_sheet_loads(tmp_path):
    sheet = load_method(write_sheet(tmp_path, VALID_SHEET.format(extra="aliases: [E]\n")))
    assert sheet.slug == "essai"
    assert sheet.aliases == ["E"]
    assert sheet.sections == {"À quoi ça sert": "Texte."}
    assert find_method([sheet], "e") is sheet


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("duree_max: 60", "duree_max: 20"), "duree_min"),
        (("participants_max: 20", "participants_max: 2"), "participants_min"),
        (("sources: [seed:000_82d55ce07b10d159.txt]", "sources: []"), "sources"),
        (("sources: [seed:000_82d55ce07b10d159.txt]\n", ""), "sources"),
        (("duree_min: 30", "duree_min: une demi-heure"), "duree_min"),
        (("duree_min: 30", 'duree_min: "30"'), "duree_min"),
        (("moments: [diagnostic]", "moments: [apero]"), "moments"),
        (("doc_type: methode", "doc_type: programme"), "doc_type"),
        (("tags: [test]", "tags: [test]\ntag: [faute]"), "tag"),
        (("updated: 2026-11-25", "updated: demain"), "updated"),
    ],
)
def test_bad_front_matter_raises_a_french_error_naming_the_file(tmp_path, change, expected):
    old, new = change
    text = VALID_SHEET.format(extra="")
    assert old in text
    path = write_sheet(tmp_path, text.replace(old, new), name="fiche-cassee.md")
    with pytest.raises(ValueError, match=r"fiche-cassee\.md") as caught:
        load_method(path)
    assert "Fiche méthode" in str(caught.value)
    assert expected in str(caught.value)


def test_unreadable_yaml_names_the_file(tmp_path):
    path = write_sheet(tmp_path, "---\ntitle: [non fermé\n---\n# X\n", name="yaml-casse.md")
    with pytest.raises(ValueError, match=r"yaml-casse\.md"):
        load_method(path)


def test_load_methods_reports_the_bad_file(tmp_path):
    write_sheet(tmp_path, VALID_SHEET.format(extra=""), name="bonne.md")
    write_sheet(
        tmp_path,
        VALID_SHEET.format(extra="").replace("duree_max: 60", "duree_max: 1"),
        name="mauvaise.md",
    )
    with pytest.raises(ValueError, match=r"mauvaise\.md"):
        load_methods(tmp_path)


def test_parse_sections_keeps_order_and_ignores_deeper_headings():
    body = "# T\n\nintro\n\n## Un\n\na\n\n### détail\n\nb\n\n## Deux\n\nc\n"
    assert parse_sections(body) == {"Un": "a\n\n### détail\n\nb", "Deux": "c"}


def test_sheets_added_in_the_library_join_or_replace_the_shipped_ones(tmp_path):
    added = tmp_path / "uploads" / "methodes"
    added.mkdir(parents=True)
    write_sheet(added, VALID_SHEET.format(extra=""), name="essai.md")
    write_sheet(added, VALID_SHEET.format(extra="").replace('title: "Essai"',
                                                           'title: "World café (version locale)"'),
                name="world-cafe.md")
    write_sheet(added, "# Notes de séance\n\nSans en-tête.\n", name="notes.md")

    library = load_library(METHODS_DIR, added)
    by_slug = {sheet.slug: sheet for sheet in library.sheets}
    assert by_slug["essai"].path.parent == added
    assert by_slug["world-cafe"].title == "World café (version locale)"
    assert len(library.sheets) == len(load_methods(METHODS_DIR)) + 1
    # A file that is no sheet is reported, in French and by name, not shown.
    assert len(library.problems) == 1 and "notes.md" in library.problems[0]
    assert "Fiche méthode" in library.problems[0]


def test_a_missing_library_folder_leaves_the_shipped_sheets(tmp_path):
    library = load_library(METHODS_DIR, tmp_path / "absent")
    assert [s.slug for s in library.sheets] == [s.slug for s in load_methods(METHODS_DIR)]
    assert library.problems == []
