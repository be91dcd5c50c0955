"""Session plans: timing and sheet checks, drafting from plain French (breaks, durations, order,
title and objectives), JSON storage and how saved plans are listed. Exports: test_export.py."""

from __future__ import annotations

import os
import time as clock
from datetime import date, time

import pytest

from kb.search.retrieval import HybridRetriever
from kb.training.methods import MethodSheet, find_method, load_methods
from kb.training.sessions import (
    BREAK_FROM,
    CONVERGENCE_TAGS,
    LAST_HOUR,
    Sequence,
    SessionPlan,
    break_problems,
    check_plan,
    draft_plan,
    french_date,
    load_plan,
    method_minimum,
    parse_duration,
    parse_moment,
    parse_participants,
    read_subject,
    save_plan,
    saved_plan_labels,
)
from tests.conftest import CORPUS

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
HALF_DAY_GOAL = GOALS[0][0]
FULL_DAY_GOAL = GOALS[1][0]


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


# --- checks ---------------------------------------------------------------------------------


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


def _split(first: int, second: int, continues: bool = True) -> SessionPlan:
    return SessionPlan(title="Atelier", available=15 + first + 15 + second, sequences=[
        Sequence(duration=15, objective="Accueil"),
        Sequence(duration=first, objective="Café", method="world-cafe"),
        Sequence(kind="pause", duration=15, objective="Pause"),
        Sequence(duration=second, objective="Café", method="world-cafe", continues=continues),
    ])  # fmt: skip


def test_a_method_split_around_a_break_is_checked_on_its_parts_together():
    half = WORLD_CAFE.duree_min // 2 + 5
    assert check_plan(_split(half, half), METHODS) == []
    (warning,) = check_plan(_split(half, WORLD_CAFE.duree_min - half - 5), METHODS)
    assert warning.startswith("Séquences 2 et 4 (World café)") and "minimum" in warning
    # Two uses of a sheet that are not one split method are each held to the sheet.
    apart = check_plan(_split(half, half, continues=False), METHODS)
    assert [w for w in apart if "minimum" in w] and len(apart) == 2


def test_start_times_follow_from_the_start_and_the_durations():
    plan = _plan(90).model_copy(update={"start": time(13, 30)})
    assert [(start, end) for start, end, _ in plan.schedule()] == [
        (time(13, 30), time(13, 45)), (time(13, 45), time(15, 15))]  # fmt: skip


def test_a_break_in_the_last_hour_or_far_from_the_middle_is_reported():
    # The plan users reported: 15 min welcome, 2 h 30 of diagnostic, then a pause at 11:45.
    late = SessionPlan(title="Atelier", available=210, sequences=[
        Sequence(duration=15, objective="Accueil"),
        Sequence(duration=150, objective="Diagnostic"),
        Sequence(kind="pause", duration=15, objective="Pause"),
        Sequence(duration=30, objective="Synthèse"),
    ])  # fmt: skip
    problems = break_problems(late)
    assert any("11:45" in p and "dernière heure" in p for p in problems)
    assert any("loin du milieu" in p for p in problems)
    none = late.model_copy(update={"sequences": [late.sequences[0], late.sequences[1],
                                                 Sequence(duration=45, objective="Synthèse")]})
    assert any("Pas de pause" in p for p in break_problems(none))


# --- reading a goal -------------------------------------------------------------------------


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
    assert parse_moment("évaluer la CTG") == "evaluation"
    assert parse_moment("rien de reconnaissable") is None


@pytest.mark.parametrize(
    ("goal", "subject", "audience"),
    [(HALF_DAY_GOAL, "lancer le diagnostic partagé", "partenaires"),
     (FULL_DAY_GOAL, "formation des agents à l'évaluation d'impact", ""),
     ("2h pour préparer le COPIL avec 12 élus", "préparer le COPIL", "élus"),
     ("3h30 pour construire le plan d'actions avec une quarantaine de partenaires",
      "construire le plan d'actions", "partenaires"),
     ("Lancer le diagnostic partagé en une demi-journée, 20 personnes",
      "Lancer le diagnostic partagé", "")],
)  # fmt: skip
def test_what_a_session_is_about_is_read_apart_from_its_length_and_group(goal, subject, audience):
    assert read_subject(goal) == (subject, audience)


# --- drafting -------------------------------------------------------------------------------


def _methods_of(plan: SessionPlan) -> list[MethodSheet]:
    return [find_method(METHODS, s.method) for s in plan.sequences if s.method]


def _minutes_per_method(plan: SessionPlan) -> dict[str, int]:
    spent: dict[str, int] = {}
    for sequence in plan.sequences:
        if sequence.method:
            spent[sequence.method] = spent.get(sequence.method, 0) + sequence.duration
    return spent


@pytest.mark.parametrize(("goal", "minutes", "group", "moment"), GOALS)
def test_a_goal_gives_a_plan_whose_methods_suit_its_moment_group_and_time(
    goal, minutes, group, moment
):
    plan = draft_plan(goal, METHODS)
    assert (plan.available, plan.participants, plan.moment) == (minutes, group, moment)
    chosen = _methods_of(plan)
    assert None not in chosen  # every method has a sheet
    assert 1 <= len({method.slug for method in chosen}) <= 4
    for method in chosen:
        assert moment in method.moments
        assert method.participants_min <= group <= method.participants_max
    assert plan.sequences[0].objective == "Accueil et objectifs"
    assert plan.sequences[-1].objective == "Synthèse et suites"
    kinds = [s.kind for s in plan.sequences]
    assert ("pause" in kinds) == (minutes >= 180) and ("repas" in kinds) == (minutes >= 360)
    assert check_plan(plan, METHODS) == [] and plan.notes == []
    assert break_problems(plan) == []


@pytest.mark.parametrize(("goal", "minutes", "group", "moment"), GOALS)
def test_each_method_gets_at_least_its_sheets_minimum(goal, minutes, group, moment):
    plan = draft_plan(goal, METHODS)
    for slug, spent in _minutes_per_method(plan).items():
        sheet = find_method(METHODS, slug)
        required = [step.low for step in sheet.steps() if not step.optional]
        assert spent >= sheet.duree_min and spent >= sum(required), slug
        assert spent >= method_minimum(sheet) and spent <= sheet.duree_max


def _offsets(plan: SessionPlan, kind: str) -> list[tuple[int, int]]:
    return [(start, end) for start, end, s in plan.offsets() if s.kind == kind]


def test_a_half_day_has_one_break_near_its_middle_and_none_in_its_last_hour():
    plan = draft_plan(HALF_DAY_GOAL, METHODS)
    assert plan.total == 210
    (pause,) = _offsets(plan, "pause")
    assert pause[1] <= plan.total - LAST_HOUR  # over before the last hour starts
    assert abs((pause[0] + pause[1]) / 2 - plan.total / 2) <= 30
    assert not _offsets(plan, "repas")


def test_a_full_day_has_lunch_and_one_break_in_each_half_day():
    plan = draft_plan(FULL_DAY_GOAL, METHODS)
    (lunch,) = _offsets(plan, "repas")
    assert abs((lunch[0] + lunch[1]) / 2 - plan.total / 2) <= 30
    for start, end in ((0, lunch[0]), (lunch[1], plan.total)):
        (pause,) = [p for p in _offsets(plan, "pause") if start <= p[0] < end]
        assert pause[1] <= end - LAST_HOUR
        assert abs((pause[0] + pause[1]) / 2 - (start + end) / 2) <= 30


@pytest.mark.parametrize("goal", [goal for goal, *_ in GOALS])
def test_activities_follow_a_trainers_order(goal):
    # Welcome, then methods that make the group produce, then those that gather and rank what
    # it produced, then the synthesis.
    plan = draft_plan(goal, METHODS)
    work = [s for s in plan.sequences if s.kind == "sequence"]
    assert work[0].method is None and work[-1].method is None
    converging = [bool(CONVERGENCE_TAGS & set(m.tags)) for m in _methods_of(plan)]
    assert converging == sorted(converging)


def test_the_diagnostic_half_day_produces_then_converges_with_the_meta_plan():
    plan = draft_plan(HALF_DAY_GOAL, METHODS)
    slugs = [m.slug for m in _methods_of(plan)]
    assert slugs[-1] == "meta-plan" and len(slugs) >= 2
    meta = next(s for s in plan.sequences if s.method == "meta-plan")
    assert meta.duration > find_method(METHODS, "meta-plan").duree_min  # not squeezed in


def test_a_draft_is_titled_and_aimed_in_a_trainers_words():
    plan = draft_plan(HALF_DAY_GOAL, METHODS)
    assert plan.title == "Lancer le diagnostic partagé — demi-journée, 20 participants"
    assert plan.title.casefold() != HALF_DAY_GOAL.casefold()
    assert plan.audience == "Partenaires"
    assert 2 <= len(plan.objectives) <= 3
    assert HALF_DAY_GOAL not in plan.objectives
    for objective in plan.objectives:
        assert objective.startswith("À l'issue de la séance, les participants auront ")
        assert "**" not in objective and objective.endswith(".")
    # From what the chosen sheets say they produce.
    outputs = " ".join(s.output for s in plan.sequences).casefold()
    assert all(o.split(" ensemble ", 1)[1].rstrip(".").casefold()[:25] in outputs
               for o in plan.objectives[:2])  # fmt: skip


def test_drafted_cells_hold_plain_text_not_the_sheets_markdown():
    for goal, *_ in GOALS:
        for sequence in draft_plan(goal, METHODS).sequences:
            for text in (sequence.contents, sequence.output, sequence.objective):
                assert "**" not in text and "##" not in text and "\n" not in text


def test_a_goal_no_sheet_fits_gives_no_invented_method():
    plan = draft_plan("30 minutes de gouvernance avec 3 élus", METHODS)
    assert _methods_of(plan) == []
    assert any("Aucune fiche" in note for note in plan.notes)


def test_a_long_method_the_goal_names_is_split_around_the_breaks_between_its_steps():
    plan = draft_plan("Une journée de forum ouvert avec les habitants, 60 personnes", METHODS)
    parts = [s for s in plan.sequences if s.method == "forum-ouvert"]
    assert len(parts) >= 2
    assert [s.continues for s in parts] == [False] + [True] * (len(parts) - 1)
    assert parts[0].contents.startswith("Étape") and "(suite)" in parts[1].contents
    assert check_plan(plan, METHODS) == [] and break_problems(plan) == []
    assert sum(s.duration for s in parts) >= find_method(METHODS, "forum-ouvert").duree_min


def test_a_named_method_that_cannot_fit_is_explained():
    plan = draft_plan("Une demi-journée de forum ouvert avec les habitants, 60 personnes",
                      METHODS)  # fmt: skip
    assert "forum-ouvert" not in [m.slug for m in _methods_of(plan)]
    assert any("Forum ouvert" in note and "au moins 3 h" in note for note in plan.notes)


def test_drafting_stays_fast():
    started = clock.perf_counter()
    for goal, *_ in GOALS:
        draft_plan(goal, METHODS)
    assert clock.perf_counter() - started < 5


def test_each_chosen_method_is_justified_by_a_passage_of_its_own_sheet(corpus_index):
    plan = draft_plan(HALF_DAY_GOAL, METHODS, HybridRetriever(store=corpus_index))
    cited = [s for s in plan.sequences if s.method]
    assert cited and all(s.passage for s in cited)
    for sequence in cited:
        assert sequence.passage.source.endswith(f"{sequence.method}.md")
        assert sequence.passage.section and sequence.passage.text
        assert sequence.passage.title == find_method(METHODS, sequence.method).title
        assert "**" not in sequence.passage.text and "## " not in sequence.passage.text


# --- storage --------------------------------------------------------------------------------


def test_a_plan_round_trips_through_json(tmp_path):
    plan = draft_plan(HALF_DAY_GOAL, METHODS).model_copy(
        update={"date": date(2026, 3, 12), "audience": "Chargés de coopération"}
    )
    path = save_plan(plan, tmp_path / "plans")
    assert path.parent == tmp_path / "plans" and path.suffix == ".json"
    assert load_plan(path) == plan


def test_dates_are_written_in_french():
    assert french_date(date(2026, 12, 6)) == "6 décembre 2026"
    assert french_date(date(2027, 8, 1)) == "1er août 2027"


def test_saved_plans_are_listed_by_title_and_date_never_by_file_name(tmp_path):
    folder = tmp_path / "plans"
    dated = save_plan(SessionPlan(title="Lancer le diagnostic partagé", available=210,
                                  date=date(2026, 12, 6)), folder)  # fmt: skip
    undated = save_plan(SessionPlan(title="Préparer le COPIL", available=120), folder)
    saved_on = date(2026, 1, 15)
    stamp = clock.mktime((2026, 1, 15, 10, 0, 0, 0, 0, -1))
    os.utime(undated, (stamp, stamp))
    (folder / "abime.json").write_text("{", encoding="utf-8")
    labels = saved_plan_labels(folder)
    assert labels[dated.name] == "Lancer le diagnostic partagé — 6 décembre 2026"
    assert labels[undated.name] == f"Préparer le COPIL — {french_date(saved_on)}"
    assert labels["abime.json"].startswith("Déroulé illisible — ")
    assert not any(".json" in label for label in labels.values())
    assert list(labels)[-1] == undated.name  # the oldest last


def test_two_plans_that_would_read_the_same_also_show_when_they_were_saved(tmp_path):
    folder = tmp_path / "plans"
    plan = SessionPlan(title="Atelier", available=60, date=date(2026, 12, 6))
    first = save_plan(plan, folder)
    second = folder / "copie.json"
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    labels = saved_plan_labels(folder)
    assert all(label.startswith("Atelier — 6 décembre 2026 (enregistré à ")
               for label in labels.values())  # fmt: skip


def test_plans_below_three_hours_need_no_break():
    plan = draft_plan(GOALS[2][0], METHODS)
    assert plan.total < BREAK_FROM and not _offsets(plan, "pause")
    assert break_problems(plan) == []
