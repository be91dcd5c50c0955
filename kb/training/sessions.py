"""Session plans (déroulés) for trainers: the model, its timing checks, a first draft from a goal
in plain French, and JSON storage under `data_dir/plans/`.

A plan is a sequence of timed sequences; breaks and lunch are sequences too, so that start times
and the total come from durations alone. Drafts only use methods that have a sheet.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from kb.core.config import Settings
from kb.core.documents import SearchHit
from kb.core.glossary import fold
from kb.training.methods import MethodSheet, Moment, filter_methods

SequenceKind = Literal["sequence", "pause", "repas"]

TOLERANCE = 15  # minutes over or under the time available before a warning
HALF_DAY = 210  # "demi-journée" = 3 h 30
FULL_DAY = 420  # "journée" = 7 h, breaks and lunch included
OPENING = 15
CLOSING = 15
BREAK = 15
LUNCH = 60
BREAK_FROM = 180  # slots of 3 h or more get a break
LUNCH_FROM = 360  # and full days a lunch
MAX_METHODS = 3


class Passage(BaseModel):
    """The knowledge-base passage that justifies a method's choice."""

    source: str
    section: str
    text: str


class Sequence(BaseModel):
    """One timed step of a session; `method` is the slug of a method sheet."""

    kind: SequenceKind = "sequence"
    duration: int = Field(gt=0, description="Minutes.")
    objective: str
    method: str | None = None
    contents: str = ""
    animation: str = ""
    materials: list[str] = []
    output: str = ""
    passage: Passage | None = None


class SessionPlan(BaseModel):
    """A session's déroulé: who it is for, the time available and its sequences."""

    title: str
    goal: str = ""
    audience: str = ""
    date: dt.date | None = None
    start: dt.time = dt.time(9, 0)
    available: int = Field(gt=0, description="Minutes available, breaks included.")
    participants: int | None = Field(None, gt=0)
    moment: Moment | None = None
    objectives: list[str] = []
    sequences: list[Sequence] = []
    notes: list[str] = Field([], description="What the draft assumed or could not do, in French.")

    @property
    def total(self) -> int:
        """Minutes taken by all sequences, breaks included."""
        return sum(sequence.duration for sequence in self.sequences)

    def schedule(self) -> list[tuple[dt.time, dt.time, Sequence]]:
        """Each sequence with its start and end times, counted from the plan's start."""
        clock = dt.datetime.combine(self.date or dt.date.today(), self.start)
        timed = []
        for sequence in self.sequences:
            end = clock + dt.timedelta(minutes=sequence.duration)
            timed.append((clock.time(), end.time(), sequence))
            clock = end
        return timed


def minutes(value: int) -> str:
    """90 → "1 h 30", 45 → "45 min"."""
    hours, rest = divmod(value, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


# --- checks ---------------------------------------------------------------------------------


def check_plan(plan: SessionPlan, methods: list[MethodSheet]) -> list[str]:
    """French warnings: total against the time available, each method against its sheet."""
    sheets = {method.slug: method for method in methods}
    warnings = _check_total(plan)
    for number, sequence in enumerate(plan.sequences, 1):
        if sequence.method is None:
            continue
        sheet = sheets.get(sequence.method)
        if sheet is None:
            warnings.append(
                f"Séquence {number} : la méthode « {sequence.method} » n'a pas de fiche."
            )
        else:
            warnings += _check_method(number, sequence, sheet, plan.participants)
    return warnings


def _check_total(plan: SessionPlan) -> list[str]:
    gap = plan.total - plan.available
    if abs(gap) <= TOLERANCE:
        return []
    side = "de plus" if gap > 0 else "de moins"
    return [
        f"Le déroulé dure {minutes(plan.total)}, soit {minutes(abs(gap))} {side} que le temps "
        f"disponible ({minutes(plan.available)})."
    ]


def _check_method(
    number: int, sequence: Sequence, sheet: MethodSheet, participants: int | None
) -> list[str]:
    name = f"Séquence {number} ({sheet.title})"
    warnings = []
    if sequence.duration < sheet.duree_min:
        warnings.append(
            f"{name} : {minutes(sequence.duration)}, moins que les {minutes(sheet.duree_min)} "
            "minimum prévues par la fiche."
        )
    if sequence.duration > sheet.duree_max:
        warnings.append(
            f"{name} : {minutes(sequence.duration)}, plus que les {minutes(sheet.duree_max)} "
            "maximum prévues par la fiche."
        )
    if participants and not sheet.participants_min <= participants <= sheet.participants_max:
        warnings.append(
            f"{name} : la fiche prévoit {sheet.participants_min} à {sheet.participants_max} "
            f"participants, le groupe en compte {participants}."
        )
    return warnings


# --- reading a goal in plain French ---------------------------------------------------------

# "h" must end a word: "12 habitants" is a group, not a duration.
_DURATION = re.compile(r"(\d+)\s*(?:h|heures?)(?![a-z])\s*(\d{2})?|(\d+)\s*(?:minutes?|min)\b")
_GROUP = re.compile(r"(\d+)\s*(?:personnes|participants|participantes|stagiaires|agents|"
                    r"acteurs|partenaires|elus|professionnels|membres)")
_ROUND_NUMBERS = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100,
}  # fmt: skip
# Keywords per CTG moment, matched on folded text; the one named first in the goal wins.
_MOMENT_WORDS: dict[Moment, tuple[str, ...]] = {
    "diagnostic": ("diagnostic", "etat des lieux", "besoins du territoire"),
    "mobilisation": ("mobilis", "partenaire", "acteurs", "cooperation", "habitants"),
    "plan-actions": ("plan d'action", "plan d actions", "fiches actions", "programme d'actions"),
    "gouvernance": ("gouvernance", "copil", "cotech", "comite de pilotage", "pilotage"),
    "evaluation": ("evaluat", "impact", "bilan"),
    "formation": ("formation", "former", "sensibilis", "monter en competence"),
}


def parse_duration(goal: str) -> int | None:
    """Minutes named in a goal: "demi-journée", "journée", "2h", "3h30", "90 minutes"."""
    text = fold(goal)
    if re.search(r"demi[- ]?journee", text):
        return HALF_DAY
    if "journee" in text:
        return FULL_DAY
    found = _DURATION.search(text)
    if found is None:
        return None
    hours, extra, alone = found.groups()
    return int(alone) if alone else int(hours) * 60 + int(extra or 0)


def parse_participants(goal: str) -> int | None:
    """Group size named in a goal: "20 personnes", "une quarantaine"."""
    text = fold(goal)
    found = _GROUP.search(text)
    if found:
        return int(found.group(1))
    return next((size for word, size in _ROUND_NUMBERS.items() if word in text), None)


def parse_moment(goal: str) -> Moment | None:
    """The CTG moment a goal is about, from keywords; the earliest one in the text wins."""
    text = fold(goal)
    positions = {
        moment: min(spots)
        for moment, words in _MOMENT_WORDS.items()
        if (spots := [text.find(word) for word in words if word in text])
    }
    return min(positions, key=positions.__getitem__) if positions else None


# --- drafting -------------------------------------------------------------------------------


class Searcher(Protocol):
    """What drafting needs from `kb.search.retrieval.HybridRetriever`."""

    def search(self, query: str, k: int | None = None, doc_types: set[str] | None = None
               ) -> list[SearchHit]: ...


def pick_methods(
    methods: list[MethodSheet], moment: Moment | None, participants: int | None, room: int
) -> list[tuple[MethodSheet, int]]:
    """Up to three sheets for this moment and group, each with minutes that fit in `room`.

    Sheets where the moment comes first in their list come first, and the longest first among
    them, so that the core method takes the slot and short ones fill what is left."""
    fitting = filter_methods(methods, moment, participants=participants)
    rank = {m.slug: (m.moments.index(moment) if moment else 0, -m.duree_min) for m in fitting}
    chosen: list[tuple[MethodSheet, int]] = []
    for method in sorted(fitting, key=lambda m: rank[m.slug]):
        if len(chosen) < MAX_METHODS and method.duree_min <= room:
            chosen.append((method, method.duree_min))
            room -= method.duree_min
    return _spread(chosen, room)


def _spread(chosen: list[tuple[MethodSheet, int]], room: int) -> list[tuple[MethodSheet, int]]:
    # Time left over lengthens the methods in order, never beyond their sheet's maximum.
    spread = []
    for method, duration in chosen:
        extra = min(room, method.duree_max - duration)
        spread.append((method, duration + extra))
        room -= extra
    return spread


_PAUSES = {
    "pause": Sequence(kind="pause", duration=BREAK, objective="Pause"),
    "repas": Sequence(kind="repas", duration=LUNCH, objective="Déjeuner"),
}


def draft_plan(
    goal: str,
    methods: list[MethodSheet],
    searcher: Searcher | None = None,
    duration: int | None = None,
    participants: int | None = None,
) -> SessionPlan:
    """A first déroulé for `goal`: opening, one to three methods from the sheets (each with the
    passage that justifies it when `searcher` is given), breaks, lunch and a closing."""
    available_given = duration or parse_duration(goal)
    available = available_given or HALF_DAY
    group = participants or parse_participants(goal)
    moment = parse_moment(goal)
    breaks = [kind for kind, start in (("repas", LUNCH_FROM), ("pause", BREAK_FROM))
              if available >= start]  # fmt: skip
    room = available - OPENING - CLOSING - sum(_PAUSES[kind].duration for kind in breaks)
    steps = [_method_sequence(method, minutes_, goal, searcher)
             for method, minutes_ in pick_methods(methods, moment, group, room)]  # fmt: skip
    notes = [note for note, missing in (
        (f"Durée non précisée : {minutes(HALF_DAY)} par défaut.", not available_given),
        ("Moment de la CTG non reconnu : toutes les fiches ont été envisagées.", moment is None),
        ("Aucune fiche méthode ne convient à ce moment, ce groupe et ce temps : allongez la "
         "séance ou ajoutez une séquence à la main.", not steps),
    ) if missing]  # fmt: skip
    return SessionPlan(
        title=_title(goal),
        goal=goal,
        available=available,
        participants=group,
        moment=moment,
        objectives=[goal.strip()],
        sequences=[_opening(), *_interleave(steps, breaks, available), _closing()],
        notes=notes,
    )


def _interleave(steps: list[Sequence], breaks: list[str], available: int) -> list[Sequence]:
    # Lunch goes after the method that reaches the middle of the day, a break after the next
    # method; whatever is still due comes before the closing.
    laid: list[Sequence] = []
    elapsed = OPENING
    due = list(breaks)
    for step in steps:
        laid.append(step)
        elapsed += step.duration
        if due and (due[0] != "repas" or elapsed >= available // 2):
            laid.append(_PAUSES[due.pop(0)].model_copy())
    return laid + [_PAUSES[kind].model_copy() for kind in due]


def _method_sequence(
    method: MethodSheet, duration: int, goal: str, searcher: Searcher | None
) -> Sequence:
    return Sequence(
        duration=duration,
        objective=method.objectif,
        method=method.slug,
        contents=_first_paragraph(method.sections.get("Déroulé pas à pas", "")),
        animation="Formateur / formatrice",
        materials=list(method.materiel),
        output=_first_paragraph(method.sections.get("Ce qu'on produit à la fin", "")),
        passage=cite(method, goal, searcher) if searcher else None,
    )


def cite(method: MethodSheet, goal: str, searcher: Searcher, k: int = 20) -> Passage | None:
    """The best passage of `method`'s own sheet for the goal and the method's name, if any."""
    hits = searcher.search(f"{goal} {method.title}", k=k, doc_types={"methode"})
    hit = next((h for h in hits if Path(h.chunk.source).stem == method.slug), None)
    if hit is None:
        return None
    chunk = hit.chunk
    return Passage(source=chunk.source, section=chunk.section, text=_snippet(chunk.text))


def _opening() -> Sequence:
    return Sequence(
        duration=OPENING,
        objective="Accueil et objectifs",
        contents="Tour de table, objectifs et déroulé de la séance, règles du jeu.",
        animation="Formateur / formatrice",
        output="Attentes des participants",
    )


def _closing() -> Sequence:
    return Sequence(
        duration=CLOSING,
        objective="Synthèse et suites",
        contents="Ce que l'on retient, prochaines étapes, qui fait quoi, évaluation à chaud.",
        animation="Formateur / formatrice",
        output="Relevé de décisions et suites",
    )


def _title(goal: str) -> str:
    words = goal.strip().rstrip(".").split()
    title = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
    return title[:1].upper() + title[1:] if title else "Séance"


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].strip()


def _snippet(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


# --- storage --------------------------------------------------------------------------------


def plans_dir(settings: Settings) -> Path:
    """Where plans are saved: `data_dir/plans/`."""
    return settings.data_dir / "plans"


def slugify(text: str) -> str:
    """"Diagnostic partagé !" → "diagnostic-partage"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "seance"


def save_plan(plan: SessionPlan, folder: Path) -> Path:
    """Write the plan as JSON named after its title (and date); returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    name = slugify(f"{plan.date or ''} {plan.title}")
    path = folder / f"{name}.json"
    path.write_text(plan.model_dump_json(indent=2), encoding="utf-8")
    return path


def load_plan(path: Path) -> SessionPlan:
    """Read a plan saved by `save_plan`."""
    return SessionPlan.model_validate_json(path.read_text(encoding="utf-8"))


def saved_plans(folder: Path) -> list[Path]:
    """The plans of a folder, most recent first."""
    files: Iterable[Path] = folder.glob("*.json") if folder.is_dir() else ()
    return sorted(files, key=lambda path: path.stat().st_mtime, reverse=True)
