"""The Préparer une séance page: a goal drafted into a déroulé, edited with live total and
warnings, reordered, saved as JSON and reopened."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from kb.training.methods import find_method, load_methods
from kb.training.sessions import Sequence, SessionPlan, load_plan, save_plan
from tests.conftest import CORPUS
from tests.ui.conftest import open_page, texts

GOAL = "Une demi-journée pour lancer le diagnostic partagé avec les partenaires, 20 personnes"
METHODS = load_methods(CORPUS / "methodes")


def _drafted():
    app = open_page("seance")
    app.text_input(key="goal").set_value(GOAL)
    app.button(key="propose").click().run()
    assert not app.exception, app.exception
    return app


def _metric(app, label: str) -> str:
    return next(metric.value for metric in app.metric if metric.label == label)


def _first_method_row(app) -> tuple[int, str]:
    plan = app.session_state["plan"]
    return next((i, s.method) for i, s in enumerate(plan.sequences) if s.method)


def test_a_goal_is_drafted_into_a_plan_with_its_total_and_no_warning(corpus_app):
    app = _drafted()
    assert _metric(app, "Durée totale") == "3 h 30"
    assert not app.warning and app.success
    index, slug = _first_method_row(app)
    assert app.selectbox(key=f"seq-{index}-method").value == slug
    assert app.expander  # the passage that justifies the method
    assert len(app.get("download_button")) == 3


def test_a_duration_below_the_sheet_shows_a_warning_that_goes_once_fixed(corpus_app):
    app = _drafted()
    index, slug = _first_method_row(app)
    sheet = find_method(METHODS, slug)
    app.number_input(key=f"seq-{index}-duration").set_value(sheet.duree_min - 5).run()
    warnings = texts(app, "warning")
    assert any("minimum" in w and sheet.title in w for w in warnings)
    assert any("de moins" in w for w in warnings) is False  # 5 min under is tolerated
    app.number_input(key=f"seq-{index}-duration").set_value(sheet.duree_min).run()
    assert not app.warning


def test_moving_a_sequence_shifts_the_times(corpus_app):
    app = _drafted()
    first = app.session_state["plan"].sequences[0].objective
    app.button(key="down-0").click().run()
    plan = app.session_state["plan"]
    assert plan.sequences[1].objective == first
    assert app.text_input(key="seq-1-objective").value == first
    (start, end, _) = plan.schedule()[1]
    assert start.strftime("%H:%M") != "09:00"  # the opening now follows the method
    assert any(f"{start:%H:%M}–{end:%H:%M}" in text for text in texts(app, "markdown"))


def test_the_date_is_typed_day_first_and_a_date_it_cannot_read_is_said(corpus_app):
    app = _drafted()
    assert app.text_input(key="plan-date").placeholder == "jj/mm/aaaa"
    app.text_input(key="plan-date").set_value("18/05/2026").run()
    assert app.session_state["plan"].date == date(2026, 5, 18)
    app.text_input(key="plan-date").set_value("18 mai").run()
    assert app.session_state["plan"].date is None
    assert any("Date illisible" in caption for caption in texts(app, "caption"))


@pytest.fixture
def plans(corpus_app):
    """The plans folder of the shared index, emptied after the test."""
    folder = corpus_app / "plans"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_plan_is_saved_as_json_and_reopened(plans):
    app = _drafted()
    app.text_input(key="plan-title").set_value("Lancement du diagnostic").run()
    app.button(key="save").click().run()
    (saved,) = plans.glob("*.json")
    assert load_plan(saved).title == "Lancement du diagnostic"
    app.text_input(key="plan-title").set_value("Autre titre").run()
    app.sidebar.selectbox(key="saved-plan").set_value(saved.name)
    app.sidebar.button(key="open-plan").click().run()
    assert app.text_input(key="plan-title").value == "Lancement du diagnostic"


def test_a_reopened_plan_naming_a_missing_sheet_is_flagged(plans):
    plan = SessionPlan(title="Ancien déroulé", available=60, sequences=[
        Sequence(duration=60, objective="Atelier", method="methode-retiree")])  # fmt: skip
    save_plan(plan, plans)
    app = open_page("seance")
    app.sidebar.button(key="open-plan").click().run()
    assert not app.exception, app.exception
    app.run()  # and it stays named after another run, not silently dropped
    assert app.selectbox(key="seq-0-method").value == "methode-retiree"
    assert any("n'a pas de fiche" in warning for warning in texts(app, "warning"))
