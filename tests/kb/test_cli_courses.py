"""`ctg courses` as the lead's CLI mounts it: requests, subcommands, JSON, sheets, calendars."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import typer
from icalendar import Calendar
from typer.testing import CliRunner

from ingest.extract import course_from_document
from ingest.loaders import load_document
from kb.catalogue.model import Catalogue, Course, Price, Session, catalogue_path
from kb.cli_courses import courses_app
from kb.core.config import get_settings
from tests.conftest import CORPUS

FR = "fr-consultants-piloter-ctg"
EGOC = "egoc-caf-loire-cooperation-territoriale"
SOON = date.today() + timedelta(days=40)

app = typer.Typer()
app.add_typer(courses_app, name="courses")


def upcoming_course() -> Course:
    return Course(
        id="elus-ctg",
        source="tests/elus.md",
        title="Élus : porter la convention territoriale globale de sa commune",
        audience=["elu"],
        offers=["inter"],
        format="distanciel",
        sessions=[Session(start=SOON)],
        price=Price(amount=400, basis="per_trainee", taxes="TTC"),
        objectives=["Comprendre le rôle de l'élu référent dans la gouvernance de la CTG"],
    )


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CTG_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


@pytest.fixture
def catalogue(data_dir):
    catalogue = Catalogue([upcoming_course()])
    for name in (FR, EGOC):
        path = CORPUS / "programmes" / f"{name}.md"
        catalogue.upsert(course_from_document(load_document(path, f"programmes/{name}.md", 10**7)))
    catalogue.save(catalogue_path(get_settings()))
    return catalogue


def run(*args: str):
    return CliRunner().invoke(app, ["courses", *args])


def test_a_request_runs_find_without_naming_it(catalogue):
    result = run("je suis élue référente CTG, quelle formation ?")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("2 formations trouvées (public : élu·es)")
    assert "1. Élus : porter la convention territoriale globale de sa commune  [elus-ctg]" in (
        result.stdout
    )
    assert "400 € TTC par stagiaire" in result.stdout


def test_options_alone_also_run_find(catalogue):
    result = run("--audience", "elu", "--format", "distanciel")
    assert result.exit_code == 0, result.output
    assert "[elus-ctg]" in result.stdout and f"[{EGOC}]" not in result.stdout


def test_find_json_and_explicit_filters(catalogue):
    result = run("find", "--json", "formation intra pour une équipe CAF", "--month", "3")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["filters"] == {"audience": "agent_caf", "month": 3, "offer": "intra"}
    assert payload["results"] == []
    assert [m["id"] for m in payload["intra_options"]] == [EGOC]
    assert payload["message"].startswith("Aucune formation ne correspond")
    # The intra offer is listed once, as an option, not again as the nearest course.
    assert payload["nearest"]["id"] != EGOC


def test_bad_option_values_are_refused(catalogue):
    assert run("--audience", "maire").exit_code == 2
    assert run("--month", "13").exit_code == 2


def test_show_prints_the_sheet_with_contact(catalogue):
    result = run("show", FR)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Piloter et faire vivre une Convention territoriale globale")
    assert "## Contact et inscription" in result.stdout and "06 19 13 88 34" in result.stdout


def test_unknown_id_is_reported(catalogue):
    result = run("show", "inconnue")
    assert result.exit_code == 1
    assert "Formation « inconnue » introuvable" in result.stderr and FR in result.stderr


def test_ics_writes_one_event_per_session(catalogue, tmp_path):
    target = tmp_path / "egoc.ics"
    result = run("ics", EGOC, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "6 sessions exportées" in result.stdout
    assert "toutes les sessions de cette formation sont passées" in result.stderr
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [s.start for s in catalogue.get(EGOC).sessions]


def test_empty_catalogue_says_to_ingest(data_dir):
    result = run("une formation en mai")
    assert result.exit_code == 1 and "Catalogue vide" in result.stderr


def test_help_lists_the_subcommands(data_dir):
    result = run("--help")
    assert result.exit_code == 0
    assert all(name in result.stdout for name in ("find", "show", "ics"))
