"""What a session plan's exports hold, format-free: its header, the timetable rows, why each
method was chosen and the annex's sections of each sheet it uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb.training.export.blocks import Block, blocks
from kb.training.methods import MethodSheet, plain_blocks
from kb.training.sessions import SessionPlan, french_date, minutes

COLUMNS = ("Horaire", "Durée", "Objectif", "Méthode", "Contenus", "Animation", "Matériel",
           "Production")  # fmt: skip
STEPS = "Déroulé pas à pas"
# The parts of a sheet a trainer takes into the room, in the sheet's order.
ANNEX_SECTIONS = (
    "À quoi ça sert", "Préparation et installation", STEPS, "Rôles", "Pièges à éviter",
    "Ce qu'on produit à la fin", "Origine et références",
)  # fmt: skip
REASONS = "Pourquoi ces méthodes"
ANNEX = "Annexe : fiches méthodes"


# --- the plan's content, format-free --------------------------------------------------------


def fields(plan: SessionPlan) -> list[tuple[str, str]]:
    """The plan's header, as (label, value) pairs; empty values are left out."""
    end = plan.schedule()[-1][1] if plan.sequences else plan.start
    pairs = [
        ("Public", plan.audience),
        ("Date", french_date(plan.date) if plan.date else ""),
        ("Horaires", f"{plan.start:%H:%M}–{end:%H:%M}"),
        ("Temps disponible", minutes(plan.available)),
        ("Durée du déroulé", minutes(plan.total)),
        ("Participants", str(plan.participants or "")),
    ]
    return [(label, value) for label, value in pairs if value]


def rows(plan: SessionPlan, methods: list[MethodSheet]) -> list[tuple[str, ...]]:
    """One row of `COLUMNS` per sequence, methods named by their sheet's title."""
    titles = {method.slug: method.title for method in methods}
    return [
        (
            f"{start:%H:%M}–{end:%H:%M}",
            minutes(sequence.duration),
            sequence.objective,
            titles.get(sequence.method, sequence.method) if sequence.method else "",
            sequence.contents,
            sequence.animation,
            ", ".join(sequence.materials),
            sequence.output,
        )
        for start, end, sequence in plan.schedule()
    ]


def used_methods(plan: SessionPlan, methods: list[MethodSheet]) -> list[MethodSheet]:
    """The sheets the plan's sequences use, in order of first use."""
    slugs = list(dict.fromkeys(s.method for s in plan.sequences if s.method))
    sheets = {method.slug: method for method in methods}
    return [sheets[slug] for slug in slugs if slug in sheets]


@dataclass(frozen=True)
class Reason:
    """Why a method was chosen: the sheet's title, the section quoted and the quote."""

    title: str
    section: str
    text: str


def reasons(plan: SessionPlan, methods: list[MethodSheet]) -> list[Reason]:
    """The passage behind each method, named by the sheet's title and cleaned to plain text (a
    plan saved by an older version may hold raw Markdown there)."""
    titles = {method.slug: method.title for method in methods}
    found = []
    for sequence in plan.sequences:
        passage = sequence.passage
        if passage is None:
            continue
        title = (passage.title or titles.get(sequence.method or "")
                 or titles.get(Path(passage.source).stem) or "Fiche méthode")  # fmt: skip
        section = " ".join(plain_blocks(passage.section.rsplit(" > ", 1)[-1]))
        text = " ".join(plain_blocks(passage.text))
        if section and text.startswith(section):  # an old passage starting with its heading
            text = text[len(section) :].lstrip(" -:")
        found.append(Reason(title, section, text))
    return found




def sheet_sections(sheet: MethodSheet) -> list[tuple[str, list[Block]]]:
    """The annex's sections of a sheet, each as blocks."""
    return [(name, blocks(sheet.sections[name])) for name in ANNEX_SECTIONS
            if sheet.sections.get(name, "").strip()]  # fmt: skip


def sheet_facts(sheet: MethodSheet) -> list[tuple[str, str]]:
    """A sheet's duration, group size and materials, as (label, value) pairs."""
    return [
        ("Durée", f"{minutes(sheet.duree_min)} à {minutes(sheet.duree_max)}"),
        ("Participants", f"{sheet.participants_min} à {sheet.participants_max}"),
        ("Matériel", ", ".join(sheet.materiel)),
    ]

