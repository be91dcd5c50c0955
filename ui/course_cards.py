"""How a course reads on the Formations page: a card with the one-line reason it is shown, its
sheet, its calendar file, whom to contact; and two or more courses side by side. Every fact
comes from the catalogue; an unknown one reads "non précisé"."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from kb.catalogue.calendar import to_ics
from kb.catalogue.display import compare, contact_line, course_sheet, display, status_label
from kb.catalogue.model import Course
from kb.catalogue.ranking import CourseMatch, CourseSearchResult
from kb.catalogue.requests import CourseFilters
from ui.markdown import escape


def card(match: CourseMatch, today: date, section: str) -> None:
    """One course; `section` keeps widget keys apart when a course shows in two lists."""
    course = match.course
    with st.container(border=True, key=f"course-{section}-{course.id}"):
        st.markdown(f"**{escape(display(course.title))}**")
        st.caption(escape(match.reason))
        st.markdown(
            f"Organisme : {escape(display(course.provider.name))} · "
            f"{escape(status_label(course, today))}\\\n"
            f"Contact : {escape(contact_line(course))}\\\n"
            f"Inscription : {escape(display(course.registration))}"
        )
        sheet, calendar = st.columns([3, 1])
        with sheet, st.expander("Fiche complète"):
            # The card already shows the title, and the sheet's last line names the file it was
            # read from, which tells a reader nothing: shown are the facts down to the contact.
            facts = course_sheet(course, today).split("\n", 1)[1].rsplit("\n\n", 1)[0]
            st.markdown(facts)
            st.caption(escape(f"Fiche mise à jour : {display(course.updated)}"))
        with calendar:
            _calendar_button(course, f"{section}-{course.id}")


def _calendar_button(course: Course, key: str) -> None:
    if not course.sessions:
        st.caption("Dates non précisées : pas d'export agenda.")
        return
    st.download_button(
        "Agenda (.ics)",
        data=to_ics(course),
        file_name=f"{course.id}.ics",
        mime="text/calendar",
        key=f"ics-{key}",
        on_click="ignore",
        icon=":material/calendar_add_on:",
        help="Les sessions de cette formation, à ajouter à votre agenda.",
    )


def comparison(courses: list[Course], today: date, differences_only: bool) -> pd.DataFrame:
    """One row per fact, one column per course."""
    rows = compare(courses, today)
    if differences_only:
        rows = [(label, values) for label, values in rows if len(set(values)) > 1]
    columns = _unique([display(course.title) for course in courses])
    return pd.DataFrame(
        [values for _, values in rows], index=[label for label, _ in rows], columns=columns
    )


def _unique(titles: list[str]) -> list[str]:
    """Column names, numbered when two courses share a title."""
    seen: dict[str, int] = {}
    out = []
    for title in titles:
        seen[title] = seen.get(title, 0) + 1
        out.append(title if seen[title] == 1 else f"{title} ({seen[title]})")
    return out


def filters_summary(filters: CourseFilters) -> str:
    described = filters.describe()
    return f"Critères retenus : {described}." if described else ""


def request_filters(result: CourseSearchResult, chosen: CourseFilters) -> None:
    """Above the sidebar's filters, those read from the request in plain words and how its
    words were understood: the request narrows the list even where a filter says "Indifférent"."""
    # A filter chosen in the sidebar wins over the request: what the request set is what it
    # alone set.
    read = result.filters.model_dump(exclude_defaults=True).keys() - chosen.model_dump(
        exclude_defaults=True).keys()
    described = CourseFilters(**result.filters.model_dump(include=read)).describe()
    if not described and not result.notes:
        return
    st.markdown("**Lu dans votre demande**")
    if described:
        st.caption(escape(described[0].upper() + described[1:] + "."))
    for note in result.notes:
        st.caption(escape(note))
    st.caption("Un filtre choisi ci-dessous l'emporte sur la demande.")
