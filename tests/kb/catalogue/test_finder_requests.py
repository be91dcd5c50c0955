"""Requests naming a duration, a provider or a region, on the shipped catalogue of real offers."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.extract import course_from_document
from ingest.loaders import load_document
from kb.catalogue.model import Catalogue
from kb.catalogue.ranking import search_courses
from kb.catalogue.requests import parse_request
from tests.conftest import CORPUS

TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    paths = sorted((CORPUS / "programmes").glob("*.md"))
    courses = [course_from_document(load_document(p, f"programmes/{p.name}", max_bytes=10**6))
               for p in paths]  # fmt: skip
    return Catalogue(c for c in courses if c is not None)


def test_the_catalogue_holds_sourced_offers_from_several_providers(shipped):
    assert len(shipped.courses) >= 10
    assert len({c.provider.name for c in shipped.courses if c.provider.name}) >= 5
    assert all(c.provenance or c.source for c in shipped.courses)


@pytest.mark.parametrize("text, days", [
    ("je suis élue, je cherche une formation courte en mai", 1.0),
    ("une formation d'une journée sur la parentalité", 1.0),
    ("une demi-journée pour découvrir la CTG", 0.5),
    ("une formation de deux jours", 2.0),
])  # fmt: skip
def test_a_duration_in_words_caps_the_length(text, days):
    assert parse_request(text, TODAY).filters.max_days == days


def test_short_is_read_as_one_day_and_the_user_is_told():
    parsed = parse_request("je suis élue, je cherche une formation courte en mai", TODAY)
    assert parsed.filters.audience == "elu" and parsed.filters.month == 5
    assert parsed.notes and "1 jour" in parsed.notes[0]
    # "court terme" speaks of time, not of a course's length.
    assert parse_request("un plan d'action à court terme", TODAY).filters.max_days is None


def test_short_courses_found_last_one_day_at_most(shipped):
    result = search_courses(shipped, "une formation courte sur la parentalité", today=TODAY)
    assert result.results and result.notes
    assert all(m.course.duration.days is not None and m.course.duration.days <= 1
               for m in result.results)  # fmt: skip


def test_a_provider_named_in_the_request_keeps_its_courses_only(shipped):
    result = search_courses(shipped, "les formations de l'EGOC pour les chargés de coopération",
                            today=TODAY)  # fmt: skip
    assert result.filters.provider == "EGOC"
    shown = [*result.results, *result.intra_options]
    assert shown and all(m.course.provider.name == "EGOC" for m in shown)


def test_a_region_named_in_the_request_matches_sessions_in_its_towns(shipped):
    result = search_courses(shipped, "une formation en Pays de la Loire", today=TODAY)
    assert result.filters.place == "Pays de la Loire"
    # A remote course can be followed from anywhere.
    in_region = [m.course for m in result.results if m.course.format != "distanciel"]
    assert in_region and all(any(s.place and "Nantes" in s.place for s in c.sessions)
                             for c in in_region)  # fmt: skip


def test_a_course_is_listed_once_on_a_result_page(shipped):
    for text in ("formation intra pour une équipe CAF en mars", "formation pour un élu à Lyon",
                 "une formation courte en mai"):
        result = search_courses(shipped, text, today=TODAY)
        listed = [m.course.id for m in (*result.results, *result.intra_options)]
        listed += [result.nearest.course.id] if result.nearest else []
        assert len(listed) == len(set(listed)), text
