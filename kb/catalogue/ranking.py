"""Finding courses: filters checked, relevance to the request, and a reason per result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import Any, NamedTuple

import numpy as np
from langchain_core.embeddings import Embeddings

from kb.catalogue.display import display, format_date, format_price, labels_of
from kb.catalogue.model import (
    REGION_NAMES,
    REGIONS,
    ROLE_LABELS,
    Catalogue,
    Course,
    CourseFormat,
    Session,
    stems,
    unit_vector,
)
from kb.catalogue.requests import CourseFilters, parse_request
from kb.core.glossary import fold

CHECK_LABELS = {
    "audience": "le public",
    "dates": "les dates",
    "place": "le lieu",
    "format": "la modalité",
    "offer": "le type d'offre",
    "price": "le budget",
    "duration": "la durée",
    "provider": "l'organisme",
    "subject": "le sujet",
}
"""What a course can fail to match, as the end of "ne correspond pas à votre demande pour …"."""
_PAST_PENALTY = 0.2  # past courses can only be commissioned again, so bookable ones go first
_UNSTATED_AUDIENCE_PENALTY = 0.1  # a course stated for the public asked for beats a silent one
_LEXICAL_WEIGHT = 0.5
_MIN_COSINE = 0.3  # below this, a USE cosine between a request and a course is unrelated


@dataclass(frozen=True)
class CourseMatch:
    """A course shown to the user, with the one-line reason it is shown."""

    course: Course
    reason: str
    score: float
    bookable: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.course.id,
            "title": self.course.title,
            "reason": self.reason,
            "score": round(self.score, 4),
            "bookable": self.bookable,
            "course": self.course.model_dump(mode="json"),
        }


@dataclass
class CourseSearchResult:
    """Ranked courses for a request, with what was set aside and why."""

    filters: CourseFilters
    free_text: str
    results: list[CourseMatch]
    message: str
    intra_options: list[CourseMatch] = field(default_factory=list)
    unknown_price: list[Course] = field(default_factory=list)
    nearest: CourseMatch | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "filters": self.filters.model_dump(mode="json", exclude_defaults=True),
            "free_text": self.free_text,
            "message": self.message,
            "results": [match.to_dict() for match in self.results],
            "intra_options": [match.to_dict() for match in self.intra_options],
            "unknown_price": [course.id for course in self.unknown_price],
            "nearest": self.nearest.to_dict() if self.nearest else None,
            "notes": self.notes,
        }


# -- search ------------------------------------------------------------------------------------


def search_courses(
    catalogue: Catalogue,
    request: str = "",
    filters: CourseFilters | None = None,
    *,
    today: date,
    embeddings: Embeddings | None = None,
    limit: int = 10,
) -> CourseSearchResult:
    """Courses matching a plain-French request and explicit filters (which win), best first.

    Ranking adds the cosine between the request's free text and each course (when `embeddings`
    are given) to the share of the request's words the course uses.
    """
    courses = catalogue.listed()
    places = {s.place for c in courses for s in c.sessions if s.place}
    providers = {c.provider.name for c in courses if c.provider.name}
    parsed, free_text, notes = parse_request(request, today, places, providers)
    active = parsed.merged(filters) if filters else parsed
    scores, relevant = _relevance(catalogue, courses, free_text, embeddings)
    checked = []
    for course, score, is_relevant in zip(courses, scores, relevant, strict=True):
        failed, sessions = _failed_checks(course, active, today)
        if not is_relevant:
            failed.add("subject")
        score = float(score) - _penalty(course, active, today)
        checked.append(_Checked(course, failed, sessions, score))
    ranked = sorted(checked, key=_rank_key(today))
    passing = (item for item in ranked if not item.failed)
    results = [_match(item, active, today) for item in islice(passing, limit)]
    # Only dates and place keep these out, and an intra or tailored course sets both anew.
    commissionable = (
        item
        for item in ranked
        if item.failed
        and item.failed <= {"dates", "place"}
        and {"intra", "sur_mesure"} & set(item.course.offers)
    )
    shown = {match.course.id for match in results}
    options = [
        _match(item, active, today, _option_prefix(item.course))
        for item in islice((i for i in commissionable if i.course.id not in shown), limit)
    ]
    shown |= {match.course.id for match in options}
    unknown_price = [
        item.course
        for item in ranked
        if item.failed == {"price"} and item.course.price.per_trainee is None
    ]
    nearest = None
    unshown = [item for item in ranked if item.course.id not in shown]
    if not results and unshown:
        closest = min(unshown, key=lambda item: len(item.failed))
        nearest = _match(closest, active, today, _mismatch(closest.failed))
    message = _message(results, active, unknown_price, nearest, options)
    return CourseSearchResult(
        active, free_text, results, message, options, unknown_price, nearest, notes
    )


def _mismatch(failed: set[str]) -> str:
    """For instance: 'Ne correspond pas à votre demande pour les dates et le sujet'."""
    labels = [CHECK_LABELS[name] for name in sorted(failed)]
    listed = ", ".join(labels[:-1]) + " et " + labels[-1] if len(labels) > 1 else labels[0]
    return f"Ne correspond pas à votre demande pour {listed}"


class _Checked(NamedTuple):
    """A course against the filters: what it fails, its fitting sessions, its ranking score."""

    course: Course
    failed: set[str]
    sessions: list[Session]
    score: float


def _relevance(
    catalogue: Catalogue, courses: list[Course], free_text: str, embeddings: Embeddings | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per course: a score, and whether it is about the request at all."""
    wanted = stems(free_text)
    if not wanted or not courses:
        return np.zeros(len(courses)), np.ones(len(courses), dtype=bool)
    lexical = np.array([len(wanted & catalogue.features(c).stems) / len(wanted) for c in courses])
    if embeddings is None:
        return lexical, lexical > 0
    query = unit_vector(np.asarray(embeddings.embed_query(free_text), dtype=np.float32))
    # einsum stays on one thread: BLAS threads cost more than they save at this size.
    cosine = np.einsum("ij,j->i", catalogue.vectors(courses, embeddings), query)
    return cosine + _LEXICAL_WEIGHT * lexical, (lexical > 0) | (cosine >= _MIN_COSINE)


def _penalty(course: Course, filters: CourseFilters, today: date) -> float:
    past = _PAST_PENALTY if course.status(today) == "past" else 0.0
    unstated = _UNSTATED_AUDIENCE_PENALTY if filters.audience and not course.audience else 0.0
    return past + unstated


def _rank_key(today: date) -> Callable[[_Checked], Any]:
    def key(item: _Checked) -> Any:
        first = next((s.start for s in item.sessions if s.end >= today), date.max)
        return (-round(item.score, 6), first, item.course.id)  # ids are folded titles

    return key


def _failed_checks(
    course: Course, filters: CourseFilters, today: date
) -> tuple[set[str], list[Session]]:
    """The names of the filters the course fails, and its sessions that fit the filters."""
    failed = set()
    # The audience is our normalisation of the provider's wording: an unstated one stays open.
    if filters.audience and course.audience and filters.audience not in course.audience:
        failed.add("audience")
    # A hybrid course has both an in-person and a remote part.
    if filters.format and course.format not in (filters.format, "hybride"):
        failed.add("format")
    if filters.offer and filters.offer not in course.offers:
        failed.add("offer")
    if filters.provider and course.provider.name != filters.provider:
        failed.add("provider")
    price = course.price.per_trainee
    if filters.max_price is not None and (price is None or price > filters.max_price):
        failed.add("price")
    days = course.duration.days
    if filters.max_days is not None and (days is None or days > filters.max_days):
        failed.add("duration")
    sessions = course.sessions
    if filters.place:
        sessions = [s for s in sessions if _at_place(s, filters.place, course.format)]
        if not sessions:
            failed.add("place")
    if filters.dated:
        # A course at the wrong place is still checked for dates, to tell how near it comes.
        sessions = [s for s in (sessions or course.sessions) if _in_dates(s, filters, today)]
        if not sessions:
            failed.add("dates")
    return failed, sessions


def _at_place(session: Session, place: str, course_format: CourseFormat | None) -> bool:
    # A remote course can be followed from anywhere.
    if course_format == "distanciel":
        return True
    if not session.place:
        return False
    region = REGION_NAMES.get(_folded(place))
    if region:
        return _in_region(session.place, region)
    return _folded(place) in _folded(session.place)


def _in_region(place: str, region: str) -> bool:
    """Whether `place` (a session's place: "Lyon 3e", "Saint-Étienne (42)") is in `region`."""
    where = _folded(place)
    return any(re.search(rf"\b{re.escape(_folded(town))}\b", where) for town in REGIONS[region])


def regions_of(places: Iterable[str]) -> list[str]:
    """The regions the places of `places` lie in (see REGIONS), in alphabetical order."""
    places = list(places)
    return sorted(region for region in REGIONS if any(_in_region(p, region) for p in places))


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    return fold(text)


def _in_dates(session: Session, filters: CourseFilters, today: date) -> bool:
    return (
        session.end >= today
        and (filters.month is None or filters.month in (session.start.month, session.end.month))
        and (filters.date_from is None or session.end >= filters.date_from)
        and (filters.date_to is None or session.start <= filters.date_to)
    )


def _option_prefix(course: Course) -> str:
    if "intra" in course.offers:
        return "Prestation intra possible (dates et lieu à convenir)"
    return "Adaptation sur mesure possible (dates et lieu à convenir)"


def _match(item: _Checked, filters: CourseFilters, today: date, prefix: str = "") -> CourseMatch:
    course = item.course
    parts = [
        prefix,
        _audience_part(course, filters),
        _session_part(course, item.sessions, today),
        format_price(course.price, short=True),
    ]
    reason = " · ".join(part for part in parts if part)
    bookable = course.status(today) == "open" and not prefix
    return CourseMatch(course, reason, item.score, bookable)


def _audience_part(course: Course, filters: CourseFilters) -> str:
    if filters.audience and filters.audience in course.audience:
        return f"Public : {ROLE_LABELS[filters.audience]}"
    more = ["…"] if len(course.audience) > 2 else []
    roles = labels_of(course.audience[:2], ROLE_LABELS) + more
    return f"Public : {display(', '.join(roles))}"


def _session_part(course: Course, sessions: list[Session], today: date) -> str:
    if course.status(today) == "past":
        first, last = course.sessions[0].start, course.sessions[-1].end
        return f"sessions passées ({format_date(first)} – {format_date(last)})"
    session = next((s for s in sessions if s.end >= today), None) or course.next_session(today)
    if session is None:
        return "dates non précisées"
    if session.place:
        where = f" à {session.place}"
    elif course.format == "distanciel":
        where = " à distance"
    else:
        where = ", lieu non précisé"
    return f"session le {format_date(session.start)}{where}"


def _message(
    results: list[CourseMatch],
    filters: CourseFilters,
    unknown_price: list[Course],
    nearest: CourseMatch | None,
    options: list[CourseMatch],
) -> str:
    criteria = filters.describe()
    if results:
        count = len(results)
        plural = "s" if count > 1 else ""
        parts = [
            f"{count} formation{plural} trouvée{plural}"
            + (f" ({criteria})" if criteria else "")
            + "."
        ]
        if not any(match.bookable for match in results):
            parts.append("Aucune n'a de session à venir : ce sont des exemples de prestations.")
    else:
        parts = [
            "Aucune formation ne correspond à votre demande"
            + (f" ({criteria})" if criteria else "")
            + "."
        ]
    if unknown_price:
        titles = ", ".join(f"« {display(course.title)} »" for course in unknown_price)
        parts.append(f"Tarif non précisé ou non exprimé par stagiaire pour : {titles}.")
    if options:
        count = len(options)
        plural = "s" if count > 1 else ""
        parts.append(
            f"{count} prestation{plural} intra ou sur mesure possible{plural}, "
            "à dates et lieu à convenir."
        )
    if nearest:
        parts.append(f"La plus proche : « {display(nearest.course.title)} » ({nearest.reason}).")
    return " ".join(parts)
