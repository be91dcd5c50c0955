"""Courses shown in French: values, prices, sessions, side-by-side comparison, a course's sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from kb.catalogue.model import (
    BASIS_LABELS,
    FORMAT_LABELS,
    METHOD_LABELS,
    MONTHS,
    OFFER_LABELS,
    PROVIDER_KIND_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    UNKNOWN,
    Course,
    Price,
    ProgrammeBlock,
    Session,
)

# ---------------------------------------------------------------------------------------------
# Display


def format_date(day: date) -> str:
    """'18 mai 2026', '1er juin 2026'."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def format_number(value: float) -> str:
    """French style: '1 200', '2,5'."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.2f}".rstrip("0").replace(",", " ").replace(".", ",")


def display(value: object) -> str:
    """A value as the UI shows it; unknown values read 'non précisé' instead of a guess."""
    if value is None or (isinstance(value, str | list | tuple | dict) and not value):
        return UNKNOWN
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list | tuple):
        return " ; ".join(display(item) for item in value)
    return str(value)


def format_days(days: float) -> str:
    """'1 jour', '0,5 jour', '2,5 jours'."""
    return f"{format_number(days)} jour{'s' if days >= 2 else ''}"


def format_money(amount: float) -> str:
    return f"{format_number(amount)} €"


def format_price(price: Price, short: bool = False) -> str:
    """'850 € TTC par stagiaire, soit 425 € par jour (déjeuner et collation compris)'."""
    if price.amount is None and price.per_day is None:
        return "tarif non précisé"
    if price.amount is None:
        main = f"{format_money(price.per_day or 0)} par jour"
        basis = None
    else:
        main, basis = format_money(price.amount), price.basis
    words = [main, price.taxes, BASIS_LABELS[basis] if basis else None]
    text = " ".join(word for word in words if word)
    if short:
        return text
    if price.per_day is not None and price.amount is not None and basis != "per_day":
        text += f", soit {format_money(price.per_day)} par jour"
    if price.included:
        text += f" ({' et '.join(price.included)} compris)"
    return text


def format_session(session: Session) -> str:
    """'18–19 mai 2026 · Paris · Phase 2 – Jour 1', unknown parts left out."""
    start, end = session.start, session.end
    if start == end:
        span = format_date(start)
    elif (start.year, start.month) == (end.year, end.month):
        span = f"{start.day}–{format_date(end)}"
    else:
        span = f"{format_date(start)} – {format_date(end)}"
    return " · ".join(filter(None, [span, session.place, session.label]))


def labels_of(values: Iterable[str], labels: dict[Any, str]) -> list[str]:
    return [labels[value] for value in values]


def _join_labels(values: Iterable[str], labels: dict[Any, str]) -> str:
    return display(", ".join(labels_of(values, labels)))


def _label(value: str | None, labels: dict[Any, str]) -> str:
    return display(labels[value] if value else None)


def _money(amount: float | None) -> str:
    return display(None if amount is None else format_money(amount))


def _programme_text(course: Course) -> str:
    return display(
        [
            f"{block.label}{f' : {block.title}' if block.title else ''}"
            + (f" ({', '.join(block.contents)})" if block.contents else "")
            for block in course.programme
        ]
    )


def _provenance_text(course: Course) -> str:
    if course.provenance:
        return display([FIELD_LABELS.get(key, key) for key in course.provenance])
    # Programme sheets cite their sources; their front matter is written, not extracted.
    return "aucun : fiche rédigée, son en-tête fait foi" if course.sources else UNKNOWN


def _trainers_text(course: Course) -> str:
    return display(
        [
            display(trainer.name)
            + (f" ({', '.join(trainer.expertise)})" if trainer.expertise else "")
            for trainer in course.trainers
        ]
    )


FIELD_LABELS: dict[str, str] = {
    "id": "Identifiant",
    "source": "Document source",
    "title": "Intitulé",
    "provider.name": "Organisme",
    "provider.kind": "Type d'organisme",
    "provider.phones": "Téléphone",
    "provider.email": "E-mail",
    "provider.website": "Site",
    "client": "Commanditaire",
    "offers": "Type d'offre",
    "audience": "Public",
    "audience_text": "Public visé",
    "prerequisites": "Prérequis",
    "format": "Modalité",
    "sessions": "Sessions",
    "duration.days": "Durée (jours)",
    "duration.hours": "Durée (heures)",
    "price.amount": "Tarif",
    "price.basis": "Base du tarif",
    "price.per_day": "Tarif journalier",
    "price.taxes": "Taxes",
    "price.included": "Compris dans le tarif",
    "objectives": "Objectifs",
    "programme": "Programme",
    "methods": "Méthodes",
    "pedagogy": "Démarche pédagogique",
    "trainers": "Formateurs",
    "qualiopi": "Certifié Qualiopi",
    "certificate": "Attestation délivrée",
    "deliverables": "Livrables",
    "evaluation": "Évaluation",
    "accessibility": "Accessibilité",
    "access_delay": "Délai d'accès",
    "registration": "Inscription",
    "tags": "Mots-clés",
    "sources": "Sources de la fiche",
    "updated": "Mise à jour",
    "provenance": "Champs relevés dans le texte",
}
"""French label of every field, nested models flattened as 'provider.name'."""

_FORMATTERS: dict[str, Callable[[Course], str]] = {
    "provider.kind": lambda c: _label(c.provider.kind, PROVIDER_KIND_LABELS),
    "offers": lambda c: _join_labels(c.offers, OFFER_LABELS),
    "audience": lambda c: _join_labels(c.audience, ROLE_LABELS),
    "format": lambda c: _label(c.format, FORMAT_LABELS),
    "sessions": lambda c: display([format_session(session) for session in c.sessions]),
    "price.amount": lambda c: _money(c.price.amount),
    "price.basis": lambda c: _label(c.price.basis, BASIS_LABELS),
    "price.per_day": lambda c: _money(c.price.per_day),
    "programme": _programme_text,
    "methods": lambda c: _join_labels(c.methods, METHOD_LABELS),
    "trainers": _trainers_text,
    "provenance": _provenance_text,
}


def field_value(course: Course, path: str) -> str:
    """The displayed value of a field given by its dotted path."""
    if path in _FORMATTERS:
        return _FORMATTERS[path](course)
    value: Any = course
    for part in path.split("."):
        value = getattr(value, part)
    return display(value)


# Our own bookkeeping, not facts about a course: the columns already name each course.
_NOT_COMPARED = frozenset({"id", "source"})


def compare(courses: list[Course], today: date | None = None) -> list[tuple[str, list[str]]]:
    """Side-by-side rows: (French label, value per course), status first then every fact."""
    today = today or date.today()
    status_row = ("Statut", [status_label(course, today) for course in courses])
    rows = [
        (label, [field_value(c, path) for c in courses])
        for path, label in FIELD_LABELS.items()
        if path not in _NOT_COMPARED
    ]
    return [status_row, *rows]


def status_label(course: Course, today: date) -> str:
    status = course.status(today)
    return STATUS_LABELS[status] if status else "dates non précisées"


def contact_line(course: Course) -> str:
    provider = course.provider
    return display(", ".join(filter(None, [*provider.phones, provider.email, provider.website])))


_SHEET_FACTS = (
    "provider.name", "client", "offers", "audience", "audience_text", "prerequisites", "format",
    "sessions", "duration.days", "duration.hours", "qualiopi", "certificate", "deliverables",
    "accessibility", "access_delay",
)  # fmt: skip


def course_sheet(course: Course, today: date | None = None) -> str:
    """A Markdown sheet of the course, ending with how to register and whom to contact."""
    today = today or date.today()
    facts = [("Statut", status_label(course, today))]
    facts += [(FIELD_LABELS[path], field_value(course, path)) for path in _SHEET_FACTS]
    facts.insert(_SHEET_FACTS.index("qualiopi") + 1, ("Tarif", format_price(course.price)))
    parts = [f"# {display(course.title)}", "\n".join(f"- **{k}** : {v}" for k, v in facts)]
    parts += [
        _bullets("Objectifs", course.objectives),
        _bullets("Programme", [_block_line(block) for block in course.programme]),
        _bullets("Méthodes", labels_of(course.methods, METHOD_LABELS)),
        f"## Démarche pédagogique\n\n{display(course.pedagogy)}",
        f"## Formateurs\n\n{_trainers_text(course)}",
        _bullets("Évaluation", course.evaluation),
        _contact_section(course),
        f"_Source : {course.source} — mise à jour : {display(course.updated)}_",
    ]
    return "\n\n".join(parts) + "\n"


def _bullets(heading: str, items: list[str]) -> str:
    body = "\n".join(f"- {item}" for item in items) if items else UNKNOWN
    return f"## {heading}\n\n{body}"


def _block_line(block: ProgrammeBlock) -> str:
    title = f" — {block.title}" if block.title else ""
    contents = "".join(f"\n  - {item}" for item in block.contents)
    return f"**{block.label}**{title}{contents}"


def _contact_section(course: Course) -> str:
    provider = course.provider
    lines = [
        f"- **Organisme** : {display(provider.name)}",
        f"- **Téléphone** : {display(provider.phones)}",
        f"- **E-mail** : {display(provider.email)}",
        f"- **Site** : {display(provider.website)}",
        f"- **Inscription** : {display(course.registration)}",
    ]
    return "## Contact et inscription\n\n" + "\n".join(lines)
