"""Session plans: timing and sheet checks, drafting from plain French, JSON storage, exports,
and `ctg plan` writing a DOCX."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date, time

import pytest
from docx import Document

from kb.search.retrieval import HybridRetriever
from kb.training.export import COLUMNS, STEPS, to_docx, to_html, to_markdown
from kb.training.methods import MethodSheet, find_method, load_methods
from kb.training.sessions import (
    Sequence,
    SessionPlan,
    check_plan,
    draft_plan,
    load_plan,
    parse_duration,
    parse_moment,
    parse_participants,
    save_plan,
)
from tests.conftest import CORPUS, REPO

METHODS = load_methods(CORPUS / "methodes")
WORLD_CAFE = find_method(METHODS, "world-cafe")
# Five goals as trainers write them: (goal, minutes, participants, moment).
GOALS = [
    ("une demi-journée pour lancer le diagnostic partagé avec les partenaires, 20 personnes",
     210, 20, "diagnostic"),
    ("Une journée de formation des agents à l'évaluation d'impact, une quinzaine", 420, 15,
     "formation"),
    ("2h pour préparer le COPIL avec 12 élus", 120, 12, "gouvernance"),
    ("3h30 pour construire le plan d'actions avec une quarantaine de partenaires", 210, 40,
     "plan-actions"),
    ("90 minutes pour mobiliser les habitants, 25 personnes", 90, 25, "mobilisation"),
]  # fmt: skip


def _plan(duration: int, participants: int | None = 30, available: int = 120) -> SessionPlan:
    return SessionPlan(
        title="Atelier",
        available=available,
        participants=participants,
        sequences=[
            Sequence(duration=15, objective="Accueil et objectifs"),
            Sequence(duration=duration, objective="Échanger", method="world-cafe"),
        ],
    )


def test_a_plan_within_the_time_and_the_sheet_has_no_warning():
    assert check_plan(_plan(WORLD_CAFE.duree_min, available=15 + WORLD_CAFE.duree_min),
                      METHODS) == []  # fmt: skip


def test_the_total_is_checked_against_the_time_available_beyond_15_minutes():
    fits = _plan(90, available=90 + 15 + 15)
    assert check_plan(fits, METHODS) == []  # 15 min under: tolerated
    under = _plan(90, available=90 + 15 + 16)
    over = _plan(90, available=90 + 15 - 16)
    assert ["de moins" in w for w in check_plan(under, METHODS)] == [True]
    assert ["de plus" in w for w in check_plan(over, METHODS)] == [True]


def test_a_method_outside_its_sheets_duration_bounds_is_flagged():
    short = _plan(WORLD_CAFE.duree_min - 5, available=15 + WORLD_CAFE.duree_min - 5)
    long = _plan(WORLD_CAFE.duree_max + 5, available=15 + WORLD_CAFE.duree_max + 5)
    assert [w for w in check_plan(short, METHODS) if "minimum" in w]
    assert [w for w in check_plan(long, METHODS) if "maximum" in w]


def test_a_group_outside_the_sheets_bounds_is_flagged_and_fixing_it_clears_the_warning():
    minutes = WORLD_CAFE.duree_min
    small = _plan(minutes, WORLD_CAFE.participants_min - 1, available=15 + minutes)
    (warning,) = check_plan(small, METHODS)
    assert f"{WORLD_CAFE.participants_min} à {WORLD_CAFE.participants_max}" in warning
    fixed = small.model_copy(update={"participants": WORLD_CAFE.participants_min})
    assert check_plan(fixed, METHODS) == []


def test_a_method_without_a_sheet_is_flagged():
    plan = _plan(90)
    plan.sequences[1].method = "methode-inventee"
    assert any("n'a pas de fiche" in w for w in check_plan(plan, METHODS))


def test_start_times_follow_from_the_start_and_the_durations():
    plan = _plan(90).model_copy(update={"start": time(13, 30)})
    assert [(start, end) for start, end, _ in plan.schedule()] == [
        (time(13, 30), time(13, 45)), (time(13, 45), time(15, 15))]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [("une demi-journée", 210), ("une journée", 420), ("en 2h", 120), ("3h30 avec", 210),
     ("90 minutes", 90), ("12 habitants", None)],
)  # fmt: skip
def test_durations_are_read_in_plain_french(text, expected):
    assert parse_duration(text) == expected


def test_group_sizes_and_moments_are_read_in_plain_french():
    assert parse_participants("avec 20 personnes") == 20
    assert parse_participants("une quarantaine de partenaires") == 40
    assert parse_participants("les partenaires") is None
    assert parse_moment("préparer le COPIL") == "gouvernance"
    assert parse_moment("mesurer l'impact social") == "evaluation"
    assert parse_moment("rien de reconnaissable") is None


def _methods_of(plan: SessionPlan) -> list[MethodSheet]:
    return [find_method(METHODS, s.method) for s in plan.sequences if s.method]


@pytest.mark.parametrize(("goal", "minutes", "group", "moment"), GOALS)
def test_a_goal_gives_a_plan_whose_methods_suit_its_moment_group_and_time(
    goal, minutes, group, moment
):
    plan = draft_plan(goal, METHODS)
    assert (plan.available, plan.participants, plan.moment) == (minutes, group, moment)
    chosen = _methods_of(plan)
    assert 1 <= len(chosen) <= 3 and None not in chosen  # every method has a sheet
    for method in chosen:
        assert moment in method.moments
        assert method.participants_min <= group <= method.participants_max
    assert plan.sequences[0].objective == "Accueil et objectifs"
    assert plan.sequences[-1].objective == "Synthèse et suites"
    kinds = [s.kind for s in plan.sequences]
    assert ("pause" in kinds) == (minutes >= 180) and ("repas" in kinds) == (minutes >= 360)
    assert check_plan(plan, METHODS) == [] and plan.notes == []


def test_a_goal_no_sheet_fits_gives_no_invented_method():
    plan = draft_plan("30 minutes de gouvernance avec 3 élus", METHODS)
    assert _methods_of(plan) == []
    assert any("Aucune fiche" in note for note in plan.notes)


def test_each_chosen_method_is_justified_by_a_passage_of_its_own_sheet(corpus_index):
    goal = GOALS[0][0]
    plan = draft_plan(goal, METHODS, HybridRetriever(store=corpus_index))
    cited = [s for s in plan.sequences if s.method]
    assert cited and all(s.passage for s in cited)
    for sequence in cited:
        assert sequence.passage.source.endswith(f"{sequence.method}.md")
        assert sequence.passage.section and sequence.passage.text


def test_a_plan_round_trips_through_json(tmp_path):
    plan = draft_plan(GOALS[0][0], METHODS).model_copy(
        update={"date": date(2026, 3, 12), "audience": "Chargés de coopération"}
    )
    path = save_plan(plan, tmp_path / "plans")
    assert path.parent == tmp_path / "plans" and path.suffix == ".json"
    assert load_plan(path) == plan


def test_the_docx_holds_the_timetable_and_the_annex_of_sheets():
    plan = draft_plan(GOALS[0][0], METHODS)
    document = Document(io.BytesIO(to_docx(plan, METHODS)))
    (table,) = document.tables
    assert tuple(cell.text for cell in table.rows[0].cells) == COLUMNS
    assert len(table.rows) == 1 + len(plan.sequences)
    assert table.rows[1].cells[0].text == "09:00–09:15"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for method in _methods_of(plan):
        assert method.title in headings
        assert method.title in [row.cells[3].text for row in table.rows]
    assert headings.count(STEPS) == len(_methods_of(plan))


def test_markdown_and_html_hold_the_timetable_and_html_is_escaped():
    plan = draft_plan(GOALS[2][0], METHODS).model_copy(update={"title": "<script>x</script>"})
    markdown = to_markdown(plan, METHODS)
    assert "| Horaire | Durée |" in markdown and "Annexe : " in markdown
    page = to_html(plan, METHODS)
    assert "<script>x" not in page and "&lt;script&gt;x" in page
    assert "@media print" in page and page.count("<tr>") == 1 + len(plan.sequences)


def test_ctg_plan_writes_a_docx(tmp_path):
    target = tmp_path / "plan.docx"
    env = {**os.environ, "CTG_DATA_DIR": str(tmp_path / "data"),
           "CTG_CORPUS_DIR": str(CORPUS), "HF_HUB_OFFLINE": "1"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "kb", "plan", "lancer le diagnostic partagé", "--duree", "3h30",
         "--participants", "20", "-o", str(target)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = Document(str(target)).tables[0]
    assert len(table.rows) > 3 and table.rows[0].cells[0].text == "Horaire"
