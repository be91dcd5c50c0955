"""The course catalogue: the two real programme sheets plus a few courses built here, so that
every filter meets courses it keeps and courses it drops."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import get_args

import pytest
from icalendar import Calendar
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel

from ingest.extract import course_from_document, extract_course
from ingest.loaders import load_document
from kb.catalogue.calendar import to_ics
from kb.catalogue.display import FIELD_LABELS, compare, course_sheet, display
from kb.catalogue.model import (
    ROLE_LABELS,
    Catalogue,
    Course,
    Duration,
    Price,
    ProgrammeBlock,
    Session,
    catalogue_path,
    course_from_front_matter,
)
from kb.catalogue.ranking import search_courses
from kb.catalogue.requests import CourseFilters, parse_request
from tests.conftest import CORPUS, EGOC_DAYS, FR_CONSULTANTS

TODAY = date(2026, 3, 1)  # FR Consultants' May 2026 session is still ahead
LATER = date(2026, 11, 25)  # every seed session is over
FR = "fr-consultants-piloter-ctg"
EGOC = "egoc-caf-loire-cooperation-territoriale"


def load_sheet(name: str) -> Course:
    path = CORPUS / "programmes" / f"{name}.md"
    document = load_document(path, f"programmes/{name}.md", max_bytes=1_000_000)
    course = course_from_document(document)
    assert course is not None
    return course


@pytest.fixture(scope="module")
def sheets() -> dict[str, Course]:
    return {name: load_sheet(name) for name in (FR, EGOC)}


def built_courses() -> list[Course]:
    return [
        Course(
            id="elus-ctg",
            source="tests/elus.md",
            title="Élus : porter la convention territoriale globale de sa commune",
            audience=["elu"],
            offers=["inter"],
            format="distanciel",
            sessions=[Session(start=date(2026, 6, 9)), Session(start=date(2026, 10, 6))],
            duration=Duration(days=1),
            price=Price(amount=400, basis="per_trainee", taxes="TTC"),
            objectives=[
                "Comprendre le rôle de l'élu référent dans la gouvernance de la CTG",
                "Présider un comité de pilotage",
            ],
            programme=[
                ProgrammeBlock(label="Matin", contents=["Le cadre de la CTG et ses engagements"]),
                ProgrammeBlock(
                    label="Après-midi", contents=["Arbitrer avec le comité de pilotage"]
                ),
            ],
        ),
        Course(
            id="intra-impact-lyon",
            source="tests/lyon.md",
            title="Évaluer sa CTG par la mesure d'impact social",
            audience=["agent_caf", "charge_cooperation"],
            offers=["intra"],
            format="presentiel",
            sessions=[Session(start=date(2026, 9, 15), end=date(2026, 9, 17), place="Lyon")],
            duration=Duration(days=3),
            price=Price(amount=5400, basis="per_group", per_day=1800, taxes="HT"),
            objectives=[
                "Construire des indicateurs d'impact social pour la CTG",
                "Conduire une évaluation partagée avec les partenaires",
            ],
            methods=["mesure-d-impact-social", "theorie-du-changement"],
        ),
        Course(
            id="participation-bordeaux",
            source="tests/bordeaux.md",
            title="Animer la participation des habitants avec le world café et le forum ouvert",
            audience=["charge_cooperation", "travailleur_social", "coordinateur_enfance_jeunesse"],
            offers=["inter"],
            format="hybride",
            sessions=[Session(start=date(2026, 10, 12), end=date(2026, 10, 14), place="Bordeaux")],
            duration=Duration(days=3),
            price=Price(amount=1200, basis="per_trainee", taxes="HT"),
            objectives=[
                "Associer les habitants aux décisions du projet social de territoire",
                "Animer un world café et un forum ouvert",
            ],
            methods=["world-cafe", "forum-ouvert", "participation-des-habitants"],
        ),
        Course(
            id="diagnostic-nantes",
            source="tests/diagnostic.txt",
            title="Conduire un diagnostic social de territoire partagé",
            offers=["inter"],
            format="presentiel",
            sessions=[Session(start=date(2026, 4, 2), end=date(2026, 4, 3), place="Nantes")],
            objectives=[
                "Recueillir et analyser les données sociales d'un territoire",
                "Partager le diagnostic avec les élus et les partenaires",
            ],
        ),
    ]


@pytest.fixture(scope="module")
def catalogue(sheets) -> Catalogue:
    return Catalogue([*sheets.values(), *built_courses()])


# -- the two real sheets ------------------------------------------------------------------------


def test_sheets_load_with_their_facts(sheets):
    fr, egoc = sheets[FR], sheets[EGOC]
    assert (fr.price.amount, fr.price.basis, fr.price.taxes, fr.price.per_day) == (
        850,
        "per_trainee",
        "TTC",
        425,
    )
    assert [(s.start, s.end, s.place) for s in fr.sessions] == [
        (date(2026, 5, 18), date(2026, 5, 19), "Paris")
    ]
    assert fr.provider.phones == ["06 19 13 88 34"] and fr.qualiopi is True
    assert [t.name for t in fr.trainers] == ["François Rousseau", "Eva Jordan"]
    assert egoc.offers == ["intra"] and egoc.client == "CAF de la Loire"
    assert [s.start for s in egoc.sessions] == EGOC_DAYS
    assert egoc.sessions[2].label == "Phase 2 – Jour 1"
    assert egoc.price.amount is None and egoc.qualiopi is None
    assert fr.source == f"programmes/{FR}.md" and fr.sources == ["seed:000_82d55ce07b10d159.txt"]


def test_method_links_of_the_sheets_point_to_existing_method_sheets(sheets):
    for course in sheets.values():
        body = (CORPUS / course.source).read_text(encoding="utf-8")
        for slug in course.methods:
            assert f"../methodes/{slug}.md" in body
            assert (CORPUS / "methodes" / f"{slug}.md").exists()


def test_status_is_computed_from_sessions_and_today(sheets):
    assert sheets[FR].status(TODAY) == "open"
    assert sheets[FR].status(LATER) == "past"
    assert sheets[EGOC].status(TODAY) == "past"
    assert Course(id="sans-date", source="x.md").status(TODAY) is None
    assert "status" not in Course.model_fields


def test_front_matter_errors_are_french_and_name_the_file():
    bad = {"doc_type": "programme", "title": "T", "price": {"amount": "beaucoup"}, "prix": 3}
    with pytest.raises(ValueError) as error:
        course_from_front_matter(bad, "programmes/mauvaise.md")
    message = str(error.value)
    assert "programmes/mauvaise.md" in message
    assert "price.amount : nombre attendu" in message and "prix : clé inconnue" in message


def test_unknown_values_read_non_precise():
    assert [display(v) for v in (None, "", [], {})] == ["non précisé"] * 4
    assert display(True) == "oui" and display(date(2026, 5, 1)) == "1er mai 2026"
    assert display(2.5) == "2,5" and display(["a", "b"]) == "a ; b"


# -- catalogue persistence ------------------------------------------------------------------------


def test_catalogue_round_trip_upsert_and_remove(tmp_path, sheets, settings):
    path = catalogue_path(settings)
    assert path == settings.data_dir / "courses.json"
    assert Catalogue.load(path).courses == []

    catalogue = Catalogue()
    catalogue.upsert(sheets[FR])
    twin = catalogue.upsert(sheets[FR].model_copy(update={"source": "ailleurs/copie.md"}))
    assert twin.id == f"{FR}-2"
    catalogue.upsert(sheets[FR].model_copy(update={"title": "Titre corrigé"}))
    assert [c.title for c in catalogue.courses if c.source == sheets[FR].source] == [
        "Titre corrigé"
    ]
    catalogue.save(path)
    assert [p.name for p in path.parent.iterdir()] == ["courses.json"]  # no temp file left

    loaded = Catalogue.load(path)
    assert loaded.courses == catalogue.courses
    loaded.remove_source("ailleurs/copie.md")
    assert [c.source for c in loaded.courses] == [sheets[FR].source]


def test_a_sheet_hides_the_brochure_it_was_written_from(sheets, seeds_dir):
    brochure = (seeds_dir / FR_CONSULTANTS).read_text(encoding="utf-8")
    extracted = extract_course(brochure, f"depot/{FR_CONSULTANTS}")
    catalogue = Catalogue([sheets[FR], extracted, *built_courses()])
    result = search_courses(catalogue, "une formation en mai à Paris", today=TODAY)
    assert [m.course.id for m in result.results] == [FR]
    assert catalogue.get(extracted.id) == extracted  # still there, for whoever asks for it


def test_unreadable_catalogue_is_reported_in_french(tmp_path):
    path = tmp_path / "courses.json"
    path.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(ValueError, match="Catalogue des formations illisible"):
        Catalogue.load(path)


# -- plain French requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("je suis élue référente CTG, quelle formation ?", {"audience": "elu"}),
        ("une formation en mai à Paris", {"month": 5, "place": "Paris"}),
        ("formation intra pour une équipe CAF", {"offer": "intra", "audience": "agent_caf"}),
        ("budget 500 € maximum", {"max_price": 500}),
        ("moins de 3 jours", {"max_days": 2.5}),
        ("3 jours au plus, en distanciel", {"max_days": 3, "format": "distanciel"}),
        ("une session à venir pour des travailleurs sociaux", {
            "open_only": True, "audience": "travailleur_social"}),
        ("entre avril et juin, 1 200 euros max", {
            "date_from": date(2026, 4, 1), "date_to": date(2026, 6, 30), "max_price": 1200}),
        ("en janvier 2027 près de Saint-Étienne", {
            "date_from": date(2027, 1, 1), "date_to": date(2027, 1, 31), "place": "Saint-Étienne"}),
        ("avant octobre, sur mesure", {"date_to": date(2026, 9, 30), "offer": "sur_mesure"}),
        ("je suis DGS", {"audience": "direction_collectivite"}),
        ("une formation sur la mesure d'impact social", {}),
    ],
)  # fmt: skip
def test_parse_request_names_filters(request_text, expected):
    filters = parse_request(request_text, TODAY).filters
    assert filters.model_dump(exclude_defaults=True) == expected


def test_parse_request_keeps_the_rest_as_free_text():
    free = parse_request("une formation en mai à Paris sur l'évaluation", TODAY).free_text
    assert free == "une formation sur l'évaluation"
    free = parse_request("formation à lyon", TODAY, places=["Lyon"]).free_text
    assert free == "formation"


# -- finding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_text", "top"),
    [
        ("je suis élue référente CTG, quelle formation ?", "elus-ctg"),
        ("une formation en mai à Paris", FR),
        ("formation intra pour une équipe CAF", "intra-impact-lyon"),
        ("budget 500 € maximum", "elus-ctg"),
        ("moins de 3 jours", FR),
        ("en distanciel", "elus-ctg"),
        ("une formation sur la mesure d'impact social", "intra-impact-lyon"),
        ("formation en plongée sous-marine", None),
        ("formation en mai à Lyon", None),
        (
            "je cherche une formation pour des travailleurs sociaux en octobre",
            "participation-bordeaux",
        ),
        ("comment réaliser un diagnostic social de territoire ?", "diagnostic-nantes"),
        ("formation pour un élu, budget 300 euros", None),
        ("formation inter à Paris pour chargée de coopération", FR),
        ("animer un world café avec les habitants", "participation-bordeaux"),
        ("apprendre la comptabilité analytique", None),
        ("formation en présentiel de moins de 3 jours en mai", FR),
    ],
)
def test_requests_find_the_expected_course(catalogue, embeddings, request_text, top):
    result = search_courses(catalogue, request_text, today=TODAY, embeddings=embeddings)
    if top is None:
        assert result.results == []
        assert result.message.startswith("Aucune formation ne correspond")
        assert result.nearest is not None
        assert f"La plus proche : « {result.nearest.course.title} »" in result.message
    else:
        assert result.results and result.results[0].course.id == top, result.message


def test_every_kept_course_satisfies_the_filters(catalogue):
    result = search_courses(
        catalogue, "formation présentielle en mai de moins de 3 jours", today=TODAY
    )
    assert [m.course.id for m in result.results] == [FR]
    result = search_courses(catalogue, "moins de 3 jours", today=TODAY)
    assert {m.course.id for m in result.results} == {FR, "elus-ctg"}  # no duration: left out
    result = search_courses(catalogue, "en distanciel", today=TODAY)
    assert {m.course.id for m in result.results} == {"elus-ctg", "participation-bordeaux"}


def test_reason_is_one_french_line_from_the_catalogue(catalogue):
    result = search_courses(catalogue, "une formation en mai à Paris", today=TODAY)
    assert result.results[0].reason == (
        "Public : chargé·es de coopération, coordinateur·rices enfance-jeunesse · "
        "session le 18 mai 2026 à Paris · 850 € TTC par stagiaire"
    )
    result = search_courses(catalogue, "je suis élue", today=TODAY)
    assert result.results[0].reason == (
        "Public : élu·es · session le 9 juin 2026 à distance · 400 € TTC par stagiaire"
    )


def test_past_courses_are_never_bookable(catalogue):
    plain = search_courses(catalogue, "formation intra pour une équipe CAF", today=TODAY)
    egoc = next(m for m in plain.results if m.course.id == EGOC)
    assert not egoc.bookable and "sessions passées" in egoc.reason
    assert plain.results[0].bookable

    dated = search_courses(catalogue, "formation intra en septembre", today=TODAY)
    assert EGOC not in [m.course.id for m in dated.results]
    option = next(m for m in dated.intra_options if m.course.id == EGOC)
    assert option.reason.startswith("Prestation intra possible") and not option.bookable

    later = search_courses(catalogue, "", CourseFilters(open_only=True), today=LATER)
    assert {m.course.id for m in later.results} == set()
    assert all(not m.bookable for m in later.intra_options)


def test_unknown_price_never_passes_a_budget_but_is_mentioned(catalogue, sheets):
    result = search_courses(catalogue, "formation pour un élu, budget 450 €", today=TODAY)
    assert [m.course.id for m in result.results] == ["elus-ctg"]
    assert sheets[EGOC] in result.unknown_price
    assert "Tarif non précisé" in result.message and sheets[EGOC].title in result.message


def test_no_match_names_the_nearest_course(catalogue):
    result = search_courses(catalogue, "formation pour un élu, budget 300 euros", today=TODAY)
    assert result.results == [] and result.nearest.course.id == "elus-ctg"
    assert result.nearest.reason.startswith("Ne correspond pas à votre demande pour le budget")


def test_explicit_filters_win_over_the_request(catalogue):
    result = search_courses(catalogue, "en mai", CourseFilters(month=6), today=TODAY)
    assert result.filters.month == 6
    assert [m.course.id for m in result.results] == ["elus-ctg"]


def test_words_alone_rank_without_embeddings(catalogue):
    result = search_courses(catalogue, "diagnostic social de territoire", today=TODAY)
    assert result.results[0].course.id == "diagnostic-nantes"
    nothing = search_courses(catalogue, "plongée sous-marine", today=TODAY)
    assert nothing.results == [] and nothing.nearest is not None


def test_audience_labels_cover_every_role():
    (role,) = get_args(Course.model_fields["audience"].annotation)
    assert set(ROLE_LABELS) == set(get_args(role))


# -- comparing and acting --------------------------------------------------------------------------


def leaf_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted paths of a model's fields, nested models (not lists of them) flattened."""
    paths = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths += leaf_fields(annotation, f"{prefix}{name}.")
        else:
            paths.append(f"{prefix}{name}")
    return paths


def test_comparison_shows_every_field_of_the_model(sheets):
    rows = compare([sheets[FR], sheets[EGOC]], today=TODAY)
    assert sorted(FIELD_LABELS) == sorted(leaf_fields(Course))
    # Our own bookkeeping (identifier, source file) is no fact about a course.
    facts = [label for path, label in FIELD_LABELS.items() if path not in ("id", "source")]
    assert [label for label, _ in rows] == ["Statut", *facts]
    table = dict(rows)
    assert table["Tarif"] == ["850 €", "non précisé"]
    assert table["Type d'offre"] == [
        "inter (session ouverte), sur mesure",
        "intra (pour une structure)",
    ]
    assert table["Statut"][1].startswith("sessions passées")
    assert table["Sessions"][0] == "18–19 mai 2026 · Paris"
    assert all(len(values) == 2 for values in table.values())


def test_ics_has_one_all_day_event_per_session(sheets):
    for course in sheets.values():
        calendar = Calendar.from_ical(to_ics(course))
        events = calendar.walk("VEVENT")
        assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
            (s.start, s.end + timedelta(days=1)) for s in course.sessions
        ]
        assert {str(e["summary"]) for e in events} == {course.title}
        assert len({str(e["uid"]) for e in events}) == len(course.sessions)
    fr_event = Calendar.from_ical(to_ics(sheets[FR])).walk("VEVENT")[0]
    assert str(fr_event["location"]) == "Paris"
    assert "850 € TTC par stagiaire" in str(fr_event["description"])
    assert "06 19 13 88 34" in str(fr_event["description"])


def test_course_sheet_is_markdown_with_contact(sheets):
    sheet = course_sheet(sheets[FR], today=TODAY)
    assert sheet.startswith(f"# {sheets[FR].title}\n")
    contact = sheet.split("## Contact et inscription", 1)[1]
    assert "06 19 13 88 34" in contact and "info@fr-consultants.com" in contact
    assert "**Inscription** : Pré-inscription" in contact
    assert not re.search(r"<[a-z/][^>]*>", sheet)
    egoc_sheet = course_sheet(sheets[EGOC], today=TODAY)
    assert "- **Tarif** : tarif non précisé" in egoc_sheet
    assert "- **E-mail** : non précisé" in egoc_sheet


def test_course_ids_are_slugs(sheets):
    assert all(re.fullmatch(r"[a-z0-9-]+", c.id) for c in sheets.values())
    with pytest.raises(ValueError):
        Course(id="Pas un slug", source="x.md")


class Counting(Embeddings):
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner, self.texts = inner, 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.texts += 1
        return self.inner.embed_query(text)


def test_catalogue_embeds_each_course_once(catalogue, embeddings):
    counting = Counting(embeddings)
    fresh = Catalogue(catalogue.courses)
    for _ in range(3):
        search_courses(fresh, "mesure d'impact social", today=TODAY, embeddings=counting)
    assert counting.texts == len(fresh.courses) + 3  # the courses once, then only the requests
