"""Session plans (déroulés) for trainers: the model, its timing checks, a first draft from a goal
in plain French, and JSON storage under `data_dir/plans/`.

A plan is a sequence of timed sequences; breaks and lunch are sequences too, so that start times
and the total come from durations alone. Drafts only use methods that have a sheet.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field, ValidationError

from kb.core.config import Settings
from kb.core.documents import SearchHit
from kb.core.glossary import fold
from kb.training.methods import (
    MethodSheet,
    Moment,
    Step,
    filter_methods,
    plain_blocks,
)

SequenceKind = Literal["sequence", "pause", "repas"]

TOLERANCE = 15  # minutes over or under the time available before a warning
HALF_DAY = 210  # "demi-journée" = 3 h 30
FULL_DAY = 420  # "journée" = 7 h, breaks and lunch included
OPENING = 15
CLOSING = 15
BREAK = 15
LUNCH = 60
BREAK_FROM = 180  # slots of 3 h or more get a break
LUNCH_FROM = 360  # and full days a lunch, with a break in each half-day
NEAR_MIDDLE = 30  # a break's middle lies at most this far from its half-day's middle
LAST_HOUR = 60  # and it is over before the last hour of its half-day
LUNCH_SHIFT = 15  # lunch may move this much around the middle of the day
MAX_METHODS = 3  # per draft; a full day may take one more (one per stretch between breaks)
CANDIDATES = 8  # the best-ranked sheets a draft chooses from
# Sheets tagged so gather and rank what the group produced: they come last, before the synthesis.
CONVERGENCE_TAGS = frozenset({"priorisation", "regroupement"})


class Passage(BaseModel):
    """The knowledge-base passage that justifies a method's choice; `text` is plain text."""

    source: str
    section: str
    text: str
    title: str = ""


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
    continues: bool = Field(
        False, description="Goes on with the previous sequence's method, after a break."
    )


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

    def offsets(self) -> list[tuple[int, int, Sequence]]:
        """Each sequence with its start and end in minutes from the plan's start."""
        timed, clock = [], 0
        for sequence in self.sequences:
            timed.append((clock, clock + sequence.duration, sequence))
            clock += sequence.duration
        return timed


def minutes(value: int) -> str:
    """90 → "1 h 30", 45 → "45 min"."""
    hours, rest = divmod(value, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")  # fmt: skip


def french_date(day: dt.date) -> str:
    """2026-12-06 → "6 décembre 2026", 2026-12-01 → "1er décembre 2026"."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def method_minimum(sheet: MethodSheet) -> int:
    """The fewest minutes a sheet allows: its `duree_min`, or the low bounds of its steps (the
    optional ones left out) when they add up to more."""
    return max(sheet.duree_min, sum(step.low for step in sheet.steps() if not step.optional))


# --- checks ---------------------------------------------------------------------------------


def check_plan(plan: SessionPlan, methods: list[MethodSheet]) -> list[str]:
    """French warnings: total against the time available, each method against its sheet. A
    method split around a break (its later parts marked `continues`) counts as one."""
    sheets = {method.slug: method for method in methods}
    warnings = _check_total(plan)
    for numbers, slug, duration in _method_runs(plan.sequences):
        sheet = sheets.get(slug)
        if sheet is None:
            warnings.append(f"{_numbered(numbers)} : la méthode « {slug} » n'a pas de fiche.")
        else:
            warnings += _check_method(numbers, duration, sheet, plan.participants)
    return warnings


def _method_runs(sequences: list[Sequence]) -> list[tuple[list[int], str, int]]:
    # (sequence numbers, method, minutes in all) for each use of a method; a sequence marked
    # `continues` adds to the use before it when it has the same method and only breaks lie
    # between them.
    runs: list[tuple[list[int], str, int]] = []
    last: tuple[list[int], str, int] | None = None
    for number, sequence in enumerate(sequences, 1):
        if sequence.kind != "sequence":
            continue
        if sequence.method is None:
            last = None
            continue
        if last and sequence.continues and last[1] == sequence.method:
            last[0].append(number)
            runs[-1] = last = (last[0], last[1], last[2] + sequence.duration)
            continue
        last = ([number], sequence.method, sequence.duration)
        runs.append(last)
    return runs


def _numbered(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"Séquence {numbers[0]}"
    return f"Séquences {', '.join(map(str, numbers[:-1]))} et {numbers[-1]}"


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
    numbers: list[int], duration: int, sheet: MethodSheet, participants: int | None
) -> list[str]:
    name = f"{_numbered(numbers)} ({sheet.title})"
    spent = minutes(duration) + (" en tout" if len(numbers) > 1 else "")
    warnings = []
    if duration < sheet.duree_min:
        warnings.append(
            f"{name} : {spent}, moins que les {minutes(sheet.duree_min)} minimum prévues par la "
            "fiche."
        )
    if duration > sheet.duree_max:
        warnings.append(
            f"{name} : {spent}, plus que les {minutes(sheet.duree_max)} maximum prévues par la "
            "fiche."
        )
    if participants and not sheet.participants_min <= participants <= sheet.participants_max:
        warnings.append(
            f"{name} : la fiche prévoit {sheet.participants_min} à {sheet.participants_max} "
            f"participants, le groupe en compte {participants}."
        )
    return warnings


def break_problems(plan: SessionPlan) -> list[str]:
    """Where the plan's breaks fall badly, in French: a half-day (the whole session, or each side
    of lunch) of `BREAK_FROM` minutes or more, or any half of a day with lunch, has a break near
    its middle and none in its last hour; lunch sits near the middle of the day."""
    timed = plan.offsets()
    lunches = [(start, end) for start, end, s in timed if s.kind == "repas"]
    edges = [0, *itertools.chain.from_iterable(lunches), plan.total]
    halves = list(zip(edges[::2], edges[1::2], strict=True))
    problems = []
    for start, end in halves:
        pauses = [(s, e) for s, e, seq in timed if seq.kind == "pause" and start <= s < end]
        if not pauses and (lunches or end - start >= BREAK_FROM):
            problems.append(
                f"Pas de pause entre {_clock(plan, start)} et {_clock(plan, end)}."
            )
        for pause_start, pause_end in pauses:
            middle = (start + end) / 2
            if abs((pause_start + pause_end) / 2 - middle) > NEAR_MIDDLE:
                problems.append(
                    f"La pause de {_clock(plan, pause_start)} est loin du milieu de la "
                    f"demi-journée ({_clock(plan, round(middle))})."
                )
            if pause_end > end - LAST_HOUR:
                problems.append(
                    f"La pause de {_clock(plan, pause_start)} tombe dans la dernière heure de la "
                    "demi-journée."
                )
    for lunch_start, lunch_end in lunches:
        if abs((lunch_start + lunch_end) / 2 - plan.total / 2) > NEAR_MIDDLE:
            problems.append(f"Le déjeuner de {_clock(plan, lunch_start)} est loin du milieu de la "
                            "journée.")  # fmt: skip
    return problems


def _clock(plan: SessionPlan, offset: int) -> str:
    moment = dt.datetime.combine(dt.date.today(), plan.start) + dt.timedelta(minutes=offset)
    return f"{moment:%H:%M}"


# --- reading a goal in plain French ---------------------------------------------------------

# "h" must end a word: "12 habitants" is a group, not a duration.
_DURATION = re.compile(r"(\d+)\s*(?:h|heures?)(?![a-z])\s*(\d{2})?|(\d+)\s*(?:minutes?|min)\b")
_GROUP_WORDS = ("personnes|participants|participantes|stagiaires|agents|acteurs|partenaires|"
                "elus|professionnels|membres")  # fmt: skip
_GROUP = re.compile(rf"(\d+)\s*(?:{_GROUP_WORDS})")
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
    "evaluation": ("evaluat", "evaluer", "impact", "bilan"),
    "formation": ("formation", "former", "sensibilis", "monter en competence"),
}
_MOMENT_LABELS: dict[Moment, str] = {
    "diagnostic": "Diagnostic partagé", "mobilisation": "Mobilisation des partenaires",
    "plan-actions": "Plan d'actions", "gouvernance": "Gouvernance de la CTG",
    "evaluation": "Évaluation de la CTG", "formation": "Formation",
}  # fmt: skip


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
    if not positions:
        return None
    return min(positions.items(), key=lambda item: item[1])[0]


# Read on the goal as typed (accents kept): what is left once the time and the group are taken
# out is what the session is about. "Une demi-journée pour", "2h pour", "Une journée de".
_LENGTH = (r"(?:demi[- ]?journ[ée]e|journ[ée]e|matin[ée]e|apr[èe]s-midi|\d+\s*h(?:eures?)?"
           r"(?:\s*\d{2})?|\d+\s*min(?:utes)?)(?![\w-])")  # fmt: skip
_LEAD = re.compile(
    rf"^\s*(?:(?:en|sur|pendant)\s+)?(?:(?:une?|la|1)\s+)?{_LENGTH}\s*"
    r"(?:(?:pour|afin\s+de|sur)\s+|(?:de|d')\s*)?",
    re.IGNORECASE,
)
_LENGTH_AFTER = re.compile(rf"(?:\s*,\s*|\s+(?:en|sur|pendant|durant)\s+)(?:une?\s+)?{_LENGTH}",
                           re.IGNORECASE)  # fmt: skip
_HEADCOUNT = re.compile(
    r"\s*,?\s*(?:(?:avec|pour|et)\s+)?(?:environ\s+)?(?:\d+\s*(?P<counted>"
    + _GROUP_WORDS.replace("elus", "[ée]lus")
    + r")\b|une?\s+(?:" + "|".join(_ROUND_NUMBERS) + r")(?:\s+(?:de\s+|d')(?P<rounded>"
    r"[^\W\d][\w·'-]*))?)",
    re.IGNORECASE,
)
_WITH = re.compile(r"\s+(?:avec|auprès)\s+(?:les|des|nos|vos|l'|d')\s*(?P<who>[^,]+?)\s*$",
                   re.IGNORECASE)  # fmt: skip
_NOT_AUDIENCE = {"personnes", "participants", "participantes", "stagiaires", "membres"}


def read_subject(goal: str) -> tuple[str, str]:
    """(what the session is about, who it is for) from a goal in plain French:
    "Une demi-journée pour lancer le diagnostic partagé avec les partenaires, 20 personnes" →
    ("lancer le diagnostic partagé", "partenaires")."""
    text = _LEAD.sub("", " ".join(goal.split()), count=1)
    text = _LENGTH_AFTER.sub("", text)
    audience = ""
    for found in reversed(list(_HEADCOUNT.finditer(text))):
        who = found["counted"] or found["rounded"] or ""
        if who and fold(who) not in _NOT_AUDIENCE:
            audience = who
        text = text[: found.start()] + text[found.end() :]
    with_ = _WITH.search(text)
    if with_:
        audience = audience or with_["who"]
        text = text[: with_.start()]
    return text.strip(" ,;:.!-—"), audience.strip(" ,;:.!-—")


# --- drafting -------------------------------------------------------------------------------


class Searcher(Protocol):
    """What drafting needs from `kb.search.retrieval.HybridRetriever`."""

    def search(self, query: str, k: int | None = None, doc_types: set[str] | None = None
               ) -> list[SearchHit]: ...


@dataclass(frozen=True)
class _Piece:
    """A method, or the part of it between two breaks, as the draft lays it out."""

    method: MethodSheet
    low: int
    high: int
    steps: tuple[Step, ...]
    first_step: int  # 1-based number of its first step in the sheet
    part: int = 1
    parts: int = 1


@dataclass(frozen=True)
class _Stop:
    """A break or lunch to place: its length and the window its start must fall in."""

    kind: Literal["pause", "repas"]
    duration: int
    earliest: int
    latest: int
    target: float


@dataclass(frozen=True)
class _Layout:
    score: tuple
    timeline: tuple[tuple[_Piece | _Stop, int], ...]  # what comes after the opening, in order


def draft_plan(
    goal: str,
    methods: list[MethodSheet],
    searcher: Searcher | None = None,
    duration: int | None = None,
    participants: int | None = None,
) -> SessionPlan:
    """A first déroulé for `goal`: opening, one to four methods from the sheets (each with the
    passage that justifies it when `searcher` is given), breaks near the middle of each half-day,
    lunch on a full day, and a closing.

    Methods keep an order a trainer would follow: those that make the group produce first, then
    those that gather and rank what it produced (`CONVERGENCE_TAGS`). Each gets at least its
    sheet's minimum. A method stays in one piece unless nothing else fits, or the goal names it:
    then it is split around a break between two of its steps."""
    available_given = duration or parse_duration(goal)
    available = available_given or HALF_DAY
    group = participants or parse_participants(goal)
    moment = parse_moment(goal)
    named = _named(methods, goal, moment)
    frames = _frames(available)
    room = available - OPENING - CLOSING - sum(stop.duration for stop in frames[0])
    ranked = _ranked(methods, goal, moment, group, room, named)
    layout, dropped = _best_layout(ranked, named, frames, available)
    timeline = layout.timeline if layout else ()
    used = list(dict.fromkeys(item.method.slug for item, _ in timeline
                              if isinstance(item, _Piece)))  # fmt: skip
    chosen = [sheet for sheet in ranked if sheet.slug in used]
    chosen.sort(key=lambda sheet: used.index(sheet.slug))
    sequences = [_opening(), *_sequences(timeline, goal, searcher), _closing()]
    subject, audience = read_subject(goal)
    notes = [note for note, missing in (
        (f"Durée non précisée : {minutes(HALF_DAY)} par défaut.", not available_given),
        ("Moment de la CTG non reconnu : toutes les fiches ont été envisagées.", moment is None),
        ("Aucune fiche méthode ne convient à ce moment, ce groupe et ce temps : allongez la "
         "séance ou ajoutez une séquence à la main.", not chosen),
        ("Aucune pause n'a pu être placée vers le milieu de la demi-journée sans couper une "
         "méthode : ajoutez-la à la main si le groupe en a besoin.", dropped and bool(chosen)),
    ) if missing]  # fmt: skip
    notes += [_left_out(sheet, group, room) for sheet in named if sheet.slug not in used]
    return SessionPlan(
        title=_title(subject, goal, available, group, moment),
        goal=goal,
        audience=audience[:1].upper() + audience[1:],
        available=available,
        participants=group,
        moment=moment,
        objectives=_objectives(chosen),
        sequences=sequences,
        notes=notes,
    )


def _frames(available: int) -> list[list[_Stop]]:
    # The breaks a session of this length takes, one list per way of placing lunch (on time
    # first): none under BREAK_FROM, one pause up to LUNCH_FROM, then a pause in each half-day
    # around lunch.
    if available < BREAK_FROM:
        return [[]]
    if available < LUNCH_FROM:
        return [[_pause_within(0, available)]]
    morning = 5 * round((available - LUNCH) / 10)
    lunches = sorted(range(morning - LUNCH_SHIFT, morning + LUNCH_SHIFT + 1, 5),
                     key=lambda start: abs(start - morning))  # fmt: skip
    return [
        [_pause_within(0, start), _Stop("repas", LUNCH, start, start, start),
         _pause_within(start + LUNCH, available)]
        for start in lunches
    ]  # fmt: skip


def _pause_within(start: int, end: int) -> _Stop:
    # A pause whose middle is near the half-day's middle, and that is over before its last hour.
    target = (start + end - BREAK) / 2
    latest = min(target + NEAR_MIDDLE, end - LAST_HOUR - BREAK)
    return _Stop("pause", BREAK, math.ceil(target - NEAR_MIDDLE), math.floor(latest), target)


def _named(methods: list[MethodSheet], goal: str, moment: Moment | None) -> list[MethodSheet]:
    # Sheets the goal names by their title or an alias ("un world café", "en forum ouvert"); a
    # name that is also the CTG moment's own word ("diagnostic partagé") names the moment more
    # than the technique, and does not count.
    text = f" {re.sub(r'[^a-z0-9]+', ' ', fold(goal))} "
    moment_words = _MOMENT_WORDS[moment] if moment else ()
    named = []
    for method in methods:
        names = {re.sub(r"\s*\(.*?\)", "", method.title), method.title, *method.aliases}
        for name in names:
            folded = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(name)).split())
            if folded and f" {folded} " in text and not any(w in folded for w in moment_words):
                named.append(method)
                break
    return named


_STOP_WORDS = {"personnes", "participants", "participantes", "stagiaires", "journee", "heures",
               "minutes", "seance", "demi", "environ", "autour", "entre", "notre", "votre",
               "leurs", *_ROUND_NUMBERS}  # fmt: skip


def _stems(text: str) -> set[str]:
    return {word[:6] for word in re.findall(r"[a-z]+", fold(text))
            if len(word) >= 5 and word not in _STOP_WORDS}  # fmt: skip


def _ranked(
    methods: list[MethodSheet],
    goal: str,
    moment: Moment | None,
    group: int | None,
    room: int,
    named: list[MethodSheet],
) -> list[MethodSheet]:
    # The sheets for this moment and group that fit in the room, best first: those the goal
    # names, those whose title, aliases and tags share the goal's words, those where the moment
    # comes first in their list, and the longest (the core method takes the slot).
    fitting = filter_methods(methods, moment, room, group)
    fitting += [sheet for sheet in filter_methods(named, None, room, group)
                if sheet not in fitting]  # fmt: skip
    words = _stems(goal)

    def rank(sheet: MethodSheet) -> tuple:
        vocabulary = _stems(" ".join([sheet.title, *sheet.aliases, *sheet.tags]))
        place = sheet.moments.index(moment) if moment in sheet.moments else len(sheet.moments)
        return (sheet not in named, -len(words & vocabulary), place, -sheet.duree_min,
                sheet.slug)  # fmt: skip

    return sorted(fitting, key=rank)


def _converges(sheet: MethodSheet) -> bool:
    return bool(CONVERGENCE_TAGS & set(sheet.tags))


def _best_layout(
    ranked: list[MethodSheet],
    named: list[MethodSheet],
    frames: list[list[_Stop]],
    available: int,
) -> tuple[_Layout | None, bool]:
    """The best way to lay the ranked sheets out between these breaks, and whether the pauses
    had to be left out to find one."""
    most = MAX_METHODS + (available >= LUNCH_FROM)
    pool = ranked[:CANDIDATES]
    rank = {sheet.slug: place for place, sheet in enumerate(ranked)}
    whole = list(_orders(pool, most, rank))
    lunch_only = [[stop for stop in frame if stop.kind != "pause"] for frame in frames]
    for tried, dropped in ((frames, False), (lunch_only, True)):
        if dropped and tried == frames:
            break
        best = _search(whole, tried, available, rank, named)
        if best is None or _missing(best, named):
            cut = list(_cut_orders(pool[:6], min(most, MAX_METHODS), rank, len(tried[0])))
            split = _search(cut, tried, available, rank, named, first_fit=True)
            best = min(filter(None, (best, split)), key=lambda x: x.score, default=None)
        if best:
            return best, dropped
    return None, False


def _missing(layout: _Layout, named: list[MethodSheet]) -> bool:
    used = {item.method.slug for item, _ in layout.timeline if isinstance(item, _Piece)}
    return any(sheet.slug not in used for sheet in named)


def _orders(pool: list[MethodSheet], most: int, rank: dict[str, int]
            ) -> Iterator[list[_Piece]]:  # fmt: skip
    # Every choice of up to `most` sheets, in a trainer's order: production, then convergence.
    for size in range(1, most + 1):
        for chosen in itertools.combinations(pool, size):
            ordered = sorted(chosen, key=lambda sheet: (_converges(sheet), rank[sheet.slug]))
            yield [_whole(sheet) for sheet in ordered]


def _cut_orders(pool: list[MethodSheet], most: int, rank: dict[str, int], stops: int
                ) -> Iterator[list[_Piece]]:  # fmt: skip
    # The same choices with one sheet cut between its steps into two to `stops + 1` parts.
    for pieces in _orders(pool, most, rank):
        for index, piece in enumerate(pieces):
            steps = piece.method.steps()
            for count in range(1, min(stops, len(steps) - 1) + 1):
                for cuts in itertools.combinations(range(1, len(steps)), count):
                    yield [*pieces[:index], *_parts(piece.method, steps, cuts),
                           *pieces[index + 1 :]]  # fmt: skip


def _whole(sheet: MethodSheet) -> _Piece:
    return _Piece(sheet, method_minimum(sheet), sheet.duree_max, tuple(sheet.steps()), 1)


def _parts(sheet: MethodSheet, steps: list[Step], cuts: tuple[int, ...]) -> list[_Piece]:
    edges = [0, *cuts, len(steps)]
    return [
        _Piece(
            sheet,
            sum(step.low for step in steps[start:end] if not step.optional),
            sum(step.high for step in steps[start:end]),
            tuple(steps[start:end]),
            start + 1,
            part,
            len(edges) - 1,
        )
        for part, (start, end) in enumerate(itertools.pairwise(edges), 1)
    ]


def _search(
    orders: list[list[_Piece]],
    frames: list[list[_Stop]],
    available: int,
    rank: dict[str, int],
    named: list[MethodSheet],
    first_fit: bool = False,
) -> _Layout | None:
    # The best layout over every order and frame; with `first_fit`, over the first frame (the
    # most usual lunch time) that gives one.
    best: _Layout | None = None
    for stops in frames:
        for pieces in orders:
            for layout in _placements(pieces, stops, available, rank, named):
                if best is None or layout.score < best.score:
                    best = layout
        if first_fit and best:
            break
    return best


def _placements(
    pieces: list[_Piece],
    stops: list[_Stop],
    available: int,
    rank: dict[str, int],
    named: list[MethodSheet],
) -> Iterator[_Layout]:
    # Every way to put the breaks between pieces (a cut between two parts must hold one) that
    # meets the breaks' windows, each timed as close to its window's target as it can be.
    cuts = {index for index in range(1, len(pieces)) if pieces[index].part > 1}
    for gaps in itertools.combinations(range(1, len(pieces)), len(stops)):
        if not cuts <= set(gaps):
            continue
        blocks = [pieces[a:b] for a, b in itertools.pairwise([0, *gaps, len(pieces)])]
        starts = _time_stops(blocks, stops, available)
        if starts is None:
            continue
        timeline = _fill(blocks, stops, starts, available)
        if timeline is not None:
            yield _Layout(_score(timeline, stops, starts, available, rank, named, len(cuts)),
                          timeline)  # fmt: skip


def _time_stops(blocks: list[list[_Piece]], stops: list[_Stop], available: int
                ) -> list[int] | None:  # fmt: skip
    # Interval arithmetic: the span of times each break can start at given the blocks before
    # it, then, from the end backwards, the time in that span closest to the break's target.
    low = high = OPENING
    reachable: list[tuple[int, int]] = []
    for block, stop in zip(blocks, [*stops, None], strict=True):
        low += sum(piece.low for piece in block)
        high += sum(piece.high for piece in block)
        if stop is None:
            break
        low, high = max(low, stop.earliest), min(high, stop.latest)
        if low > high:
            return None
        reachable.append((low, high))
        low, high = low + stop.duration, high + stop.duration
    end_low, end_high = max(low, available - CLOSING - TOLERANCE), min(high, available - CLOSING)
    if end_low > end_high:
        return None
    starts = [0] * len(stops)
    after = end_high  # the end of the block that follows break `index`
    for index in reversed(range(len(stops))):
        block, stop = blocks[index + 1], stops[index]
        low = max(reachable[index][0], after - sum(p.high for p in block) - stop.duration)
        high = min(reachable[index][1], after - sum(p.low for p in block) - stop.duration)
        starts[index] = after = _closest(low, high, stop.target)
    return [*starts, end_high]


def _closest(low: int, high: int, target: float) -> int:
    # The time in [low, high] nearest the target, on a five-minute mark when there is one.
    marks = range(5 * math.ceil(low / 5), high + 1, 5)
    return min(marks or range(low, high + 1), key=lambda value: (abs(value - target), value))


def _fill(
    blocks: list[list[_Piece]], stops: list[_Stop], starts: list[int], available: int
) -> tuple[tuple[_Piece | _Stop, int], ...] | None:
    # Each block's minutes shared among its pieces: their minimum, then what is left to the
    # first ones, up to their maximum. A method cut in parts must still respect its sheet.
    timeline: list[tuple[_Piece | _Stop, int]] = []
    clock = OPENING
    for block, stop, end in zip(blocks, [*stops, None], starts, strict=True):
        left = end - clock - sum(piece.low for piece in block)
        for piece in block:
            extra = min(left, piece.high - piece.low)
            timeline.append((piece, piece.low + extra))
            left -= extra
        clock = end
        if stop is not None:
            timeline.append((stop, stop.duration))
            clock += stop.duration
    spent: dict[str, int] = {}
    for item, length in timeline:
        if isinstance(item, _Piece):
            spent[item.method.slug] = spent.get(item.method.slug, 0) + length
    sheets = {item.method.slug: item.method for item, _ in timeline if isinstance(item, _Piece)}
    if any(not method_minimum(sheets[slug]) <= total <= sheets[slug].duree_max
           for slug, total in spent.items()):  # fmt: skip
        return None
    return tuple(timeline)


def _score(
    timeline: tuple[tuple[_Piece | _Stop, int], ...],
    stops: list[_Stop],
    starts: list[int],
    available: int,
    rank: dict[str, int],
    named: list[MethodSheet],
    cuts: int,
) -> tuple:
    # Lower is better: the methods the goal names, methods kept whole, the time available used,
    # the best-ranked core method, a convergence method to end on, fewer methods, better ones,
    # breaks closest to their targets.
    pieces = [item for item, _ in timeline if isinstance(item, _Piece)]
    slugs = list(dict.fromkeys(piece.method.slug for piece in pieces))
    places = sorted(rank[slug] for slug in slugs)
    ends_open = len(slugs) > 1 and not _converges(pieces[-1].method)
    return (
        -sum(sheet.slug in slugs for sheet in named),
        cuts,
        available - CLOSING - starts[-1],
        places[0],
        ends_open,
        len(slugs),
        tuple(places[1:]),
        sum(abs(start - stop.target) for start, stop in zip(starts, stops, strict=False)),
    )


def _sequences(timeline: Iterable[tuple[_Piece | _Stop, int]], goal: str,
               searcher: Searcher | None) -> list[Sequence]:  # fmt: skip
    laid = []
    for item, length in timeline:
        if isinstance(item, _Stop):
            laid.append(_PAUSES[item.kind].model_copy(update={"duration": length}))
        else:
            laid.append(_method_sequence(item, length, goal, searcher))
    return laid


_PAUSES = {
    "pause": Sequence(kind="pause", duration=BREAK, objective="Pause"),
    "repas": Sequence(kind="repas", duration=LUNCH, objective="Déjeuner"),
}


def _method_sequence(piece: _Piece, duration: int, goal: str, searcher: Searcher | None
                     ) -> Sequence:  # fmt: skip
    method = piece.method
    last = piece.part == piece.parts
    return Sequence(
        duration=duration,
        objective=method.objectif,
        method=method.slug,
        contents=_contents(piece),
        animation="Formateur / formatrice",
        materials=list(method.materiel) if piece.part == 1 else [],
        output=" ; ".join(plain_blocks(method.sections.get(_OUTPUT, ""))[:2]) if last else "",
        passage=cite(method, goal, searcher) if searcher and piece.part == 1 else None,
        continues=piece.part > 1,
    )


_OUTPUT = "Ce qu'on produit à la fin"


def _contents(piece: _Piece) -> str:
    # The sheet's steps by title, as a trainer lists them: "Poser la question ; Écriture
    # individuelle ; …"; a part says which steps it covers.
    if not piece.steps:
        steps_text = plain_blocks(piece.method.sections.get("Déroulé pas à pas", ""))
        return steps_text[0] if steps_text else ""
    titles = " ; ".join(step.title + (" (facultatif)" if step.optional else "")
                        for step in piece.steps)  # fmt: skip
    if piece.parts == 1:
        return f"{titles}."
    last = piece.first_step + len(piece.steps) - 1
    which = (f"Étape {last}" if last == piece.first_step
             else f"Étapes {piece.first_step} à {last}")  # fmt: skip
    return f"{which}{' (suite)' if piece.part > 1 else ''} : {titles}."


def cite(method: MethodSheet, goal: str, searcher: Searcher, k: int = 20) -> Passage | None:
    """The best passage of `method`'s own sheet for the goal and the method's name, if any, as
    plain text (the sheet's headings and emphasis marks dropped)."""
    hits = searcher.search(f"{goal} {method.title}", k=k, doc_types={"methode"})
    hit = next((h for h in hits if Path(h.chunk.source).stem == method.slug), None)
    if hit is None:
        return None
    chunk = hit.chunk
    text = " ".join(plain_blocks(chunk.text, headings=False)) or " ".join(plain_blocks(chunk.text))
    section = chunk.section.rsplit(" > ", 1)[-1]
    return Passage(source=chunk.source, section=section, text=_snippet(text),
                   title=method.title)  # fmt: skip


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


def _title(subject: str, goal: str, available: int, group: int | None,
           moment: Moment | None) -> str:  # fmt: skip
    # "Lancer le diagnostic partagé — demi-journée, 20 participants".
    if not subject:
        subject = _MOMENT_LABELS[moment] if moment else "Séance"
    if len(subject) > 70:
        subject = subject[:70].rsplit(" ", 1)[0] + " …"
    text = fold(goal)
    if re.search(r"demi[- ]?journee", text):
        length = "demi-journée"
    elif "journee" in text:
        length = "journée"
    else:
        length = minutes(available)
    who = f", {group} participants" if group else ""
    return f"{subject[:1].upper()}{subject[1:]} — {length}{who}"


_DETERMINERS = ("un ", "une ", "des ", "le ", "la ", "les ", "l'", "l’")


def _objectives(chosen: list[MethodSheet]) -> list[str]:
    # Two or three "À l'issue de la séance, les participants auront produit ensemble …", from
    # what the chosen sheets say a session produces: the first of each, then the next ones.
    products = [
        [item.rstrip(" .;") for item in plain_blocks(sheet.sections.get(_OUTPUT, ""))
         if item.lower().startswith(_DETERMINERS)]
        for sheet in chosen
    ]  # fmt: skip
    ordered = [item for round_ in itertools.zip_longest(*products) for item in round_ if item]
    return [
        f"À l'issue de la séance, les participants auront produit ensemble "
        f"{item[:1].lower()}{item[1:]}."
        for item in ordered[:3]
    ]


def _left_out(sheet: MethodSheet, group: int | None, room: int) -> str:
    if group and not sheet.participants_min <= group <= sheet.participants_max:
        why = (f"elle prévoit {sheet.participants_min} à {sheet.participants_max} participants, "
               f"le groupe en compte {group}")  # fmt: skip
    elif method_minimum(sheet) > room:
        why = (f"elle demande au moins {minutes(method_minimum(sheet))}, la séance laisse "
               f"{minutes(room)} hors accueil, pauses et synthèse")  # fmt: skip
    else:
        why = "elle ne tient pas entre les pauses de la séance"
    return f"La fiche « {sheet.title} » n'a pas été retenue : {why}."


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


def saved_plan_labels(folder: Path) -> dict[str, str]:
    """File name → how a trainer knows the plan: "Lancer le diagnostic partagé — 6 décembre
    2026", the session's date, or the day it was saved when it has none; most recent first.
    Two plans that would read the same also show the time they were saved."""
    labels: dict[str, str] = {}
    saved_at: dict[str, dt.datetime] = {}
    for path in saved_plans(folder):
        saved_at[path.name] = dt.datetime.fromtimestamp(path.stat().st_mtime)
        try:
            plan = load_plan(path)
        except (OSError, ValueError, ValidationError):
            labels[path.name] = f"Déroulé illisible — {french_date(saved_at[path.name].date())}"
            continue
        labels[path.name] = f"{plan.title} — {french_date(plan.date or saved_at[path.name])}"
    repeated = {label for label in labels.values() if list(labels.values()).count(label) > 1}
    for name, label in labels.items():
        if label in repeated:
            labels[name] = f"{label} (enregistré à {saved_at[name]:%H:%M})"
    return labels
