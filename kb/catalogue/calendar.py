"""A course's sessions as an iCalendar file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from kb.catalogue.display import contact_line, display, format_price
from kb.catalogue.model import Course, Session


def to_ics(course: Course) -> bytes:
    """An iCalendar file with one all-day event per session."""
    calendar = Calendar()
    calendar.add("prodid", "-//CTG base de connaissances//Formations//FR")
    calendar.add("version", "2.0")
    stamp = datetime.now(UTC)
    for number, session in enumerate(course.sessions, start=1):
        event = Event()
        event.add("uid", f"{course.id}-{number}-{session.start:%Y%m%d}@ctg-kb")
        event.add("dtstamp", stamp)
        event.add("summary", course.title or course.id)
        event.add("dtstart", session.start)
        event.add("dtend", session.end + timedelta(days=1))  # DTEND of all-day events is exclusive
        if session.place:
            event.add("location", session.place)
        event.add("description", _event_description(course, session))
        calendar.add_component(event)
    return calendar.to_ical()


def _event_description(course: Course, session: Session) -> str:
    lines = [
        session.label,
        f"Organisme : {display(course.provider.name)}",
        f"Tarif : {format_price(course.price)}",
        f"Contact : {contact_line(course)}",
        f"Inscription : {display(course.registration)}",
    ]
    return "\n".join(line for line in lines if line)
