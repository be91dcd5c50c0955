"""Course facts from a French brochure (PDF, DOCX, HTML or text), found by rules, with provenance.

Each rule fills one field of `kb.catalogue.model.Course` and records the passage it read;
what no rule finds stays unknown. A programme sheet's front matter, when present, wins over
all of this.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from kb.catalogue.model import (
    MONTHS,
    Course,
    course_from_front_matter,
    has_course_fields,
    roles_in,
    slugify,
)
from kb.core.documents import DocType, LoadedDocument
from kb.core.glossary import fold

Found = tuple[Any, str]
"""A value and the passage it was read from."""

_MONTH = (
    r"(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre"
    r"|d[ée]cembre)"
)
_FOLDED_MONTHS = tuple(fold(month) for month in MONTHS)
_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
_DAY = r"(\d{1,2})(?:er)?"
_YEAR = r"(?:\s+(20\d\d))?"
_RANGE_FROM_TO = re.compile(
    rf"\bdu\s+{_WEEKDAY}{_DAY}(?:\s+{_MONTH})?{_YEAR}\s+au\s+{_WEEKDAY}{_DAY}\s+{_MONTH}{_YEAR}",
    re.I,
)
_RANGE_AND = re.compile(rf"\b{_DAY}\s+et\s+{_DAY}\s+{_MONTH}{_YEAR}", re.I)
_ONE_DAY = re.compile(rf"\b{_WEEKDAY}{_DAY}\s+{_MONTH}{_YEAR}", re.I)
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/(20\d\d)\b")
_SESSION_LINE = re.compile(
    rf"^(?:(?:le|les|du)\s+)?{_WEEKDAY}\d|\b(?:sessions?|phase|jour\s*\d|j\d|dates?|calendrier)\b"
)
_NOT_SESSION_LINE = re.compile(r"\b(?:maj|mise? a jour|entretien|publie|edite|actualise)\b")
_PLACE_AFTER_DATE = re.compile(
    r"^\s*,?\s*(?:à|À|a|au)\s+([A-ZÀ-Ý][\w'-]*(?:[\s-][A-ZÀ-Ý][\w'-]*)*)"
)
_LABEL_IN_LINE = re.compile(r"\bphase\s*(\d+)\s*[-–,:]?\s*j(?:our)?\s*(\d+)", re.I)
_PHASE_START = re.compile(r"^\s*phase\s+(\d+)\b", re.I)
_BULLET = re.compile(r"^\s*(?:[-•–·▪]|\d+[.)])\s+(.*)$")
_GENERIC_DOMAINS = {"gmail", "orange", "wanadoo", "free", "laposte", "hotmail", "yahoo", "outlook"}
_METHOD_PATTERNS = {
    "fish-bowl": r"fish[- ]?bowl",
    "approche-orientee-changement": r"approches? orientees? (?:vers le )?changement|\baoc\b",
    "theorie-du-changement": r"theorie du changement",
    "capital-strategique-de-developpement": r"capital strategique",
    "strategie-d-allies": r"strategie d'allies",
    "meta-plan": r"meta[- ]?plan",
    "world-cafe": r"world[- ]?cafe",
    "forum-ouvert": r"forum ouvert|open space",
    "impact-collectif": r"impact collectif",
    "mesure-d-impact-social": r"mesure d'impact",
    "diagnostic-social-de-territoire": r"diagnostics? sociaux? de territoire",
    "comite-de-pilotage-et-comite-technique": r"comites? (?:de pilotage|techniques?)|\bcopil\b",
    "participation-des-habitants": r"participation (?:des |d')(?:usagers et )?(?:des )?habitants",
}
# What providers write about themselves and past clients, not about the course.
_ABOUT_PROVIDER = re.compile(
    r"^(?:notre valeur ajoutee|nos references|references|recents accompagnements)\s*$", re.M
)
# A brochure both has the usual sections of a training offer and states practical facts.
_PROGRAMME_SECTIONS = (
    r"^\s*(?:format(?:eur|rice)s?|intervenant(?:e|s|es)?)\b",
    r"^\s*public\b",
    r"^\s*objectifs?\b",
    r"^\s*(?:le\s+)?(?:programme|deroulement|contenus?)\b",
)
_PROGRAMME_FACTS = (
    r"\d\s*(?:€|euros?)|\btarifs?\b",
    r"\bpre-?\s?requis\b",
    r"\bstagiaires?\b",
    r"\battestation\b|\bqualiopi\b",
    r"\binscriptions?\b",
    r"\bprochaines? sessions?\b|\bcalendrier\b",
    r"\bjours? de formation\b|\bduree de la formation\b",
)


def _clean(text: str) -> str:
    """Drop Markdown emphasis, footnote marks and arrows that converters leave in brochures."""
    text = text.replace("\u00a0", " ").replace("’", "'")
    text = re.sub(r"\[\\\[\d+\\\]\]\(#\)|\^\[\d+\]", "", text)
    text = re.sub(r"\^\{([^}]*)\}", r"\1", text)
    text = re.sub(r"\\([\[\]])", r"\1", text)
    text = re.sub(r"^\s*#{1,6}\s+", "", text, flags=re.M)  # Markdown heading marks
    text = re.sub(r"\*+|→", "", text)
    text = re.sub(r"(?<=\S) {2,}", " ", text)  # footnotes removed above leave double spaces
    return "\n".join(line.rstrip() for line in text.splitlines())


@dataclass(frozen=True)
class _Brochure:
    """A cleaned brochure, with its lines and their folded forms for matching."""

    text: str

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @cached_property
    def folded_lines(self) -> list[str]:
        return [fold(line) for line in self.lines]

    def line_of(self, position: int) -> int:
        return self.text.count("\n", 0, position)

    def passage(self, first: int, last: int | None = None) -> str:
        """Lines first..last (inclusive), blank ones dropped."""
        chosen = self.lines[first : (first if last is None else last) + 1]
        return "\n".join(line.strip() for line in chosen if line.strip())

    def headings(self, pattern: str) -> Iterator[int]:
        """Indexes of the lines whose folded text matches `pattern` from their start."""
        regex = re.compile(pattern)
        return (i for i, line in enumerate(self.folded_lines) if regex.match(line.strip()))

    def block_after(self, index: int, limit: int = 600) -> tuple[str, int]:
        """The text under a heading line, and the index of its last line.

        Brochure converters split paragraphs over blank lines, so a block ends at a blank line
        only after a full sentence, or at a line that looks like the next label.
        """
        collected: list[str] = []
        last = index
        for number in range(index + 1, len(self.lines)):
            line = self.lines[number].strip()
            if not line:
                if collected and collected[-1].endswith((".", "!", "?")):
                    break
                continue
            if collected and (_looks_like_label(line) or sum(map(len, collected)) > limit):
                break
            collected.append(line)
            last = number
        return " ".join(collected), last

    def under(self, index: int) -> tuple[str, int]:
        """What a label line introduces: the text after its colon, else the block below it."""
        inline = self.lines[index].partition(":")[2].strip()
        return (inline, index) if inline else self.block_after(index)

    def next_filled(self, index: int) -> int | None:
        """The index of the first non-blank line from `index` on."""
        return next((i for i in range(index, len(self.lines)) if self.lines[i].strip()), None)

    def paragraph(self, index: int | None) -> tuple[list[str], int]:
        """The consecutive non-blank lines from `index`, and the index of the last one."""
        lines: list[str] = []
        last = index or 0
        while index is not None and index < len(self.lines) and self.lines[index].strip():
            lines.append(self.lines[index].strip())
            last, index = index, index + 1
        return lines, last

    def bullets_after(self, index: int) -> tuple[list[str], int]:
        """The bullet items right under a line, and the index of the last one."""
        items: list[str] = []
        last = index
        for number in range(index + 1, len(self.lines)):
            line = self.lines[number].strip()
            bullet = _BULLET.match(line)
            if bullet:
                items.append(bullet[1].strip().rstrip(",;"))
                last = number
            elif line:
                break
        return items, last


def _looks_like_label(line: str) -> bool:
    words = line.rstrip(" :").split()
    return (
        len(words) <= 3
        and line[0].isupper()
        and not line.endswith((".", ","))
        and not any(char.isdigit() for char in line)
    )


def _sentence_at(text: str, position: int) -> str:
    start = max(text.rfind(". ", 0, position) + 2, text.rfind("\n", 0, position) + 1)
    ends = [i for i in (text.find(".", position), text.find("\n", position)) if i >= 0]
    return text[start : min(ends) + 1 if ends else len(text)].strip()


def _sentence_case(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if text.isupper():
        text = text.lower()
    return text[:1].upper() + text[1:]


def _title_case(name: str) -> str:
    return name.title() if name.isupper() else name


# -- identity ----------------------------------------------------------------------------------


def _title(b: _Brochure) -> Found | None:
    for line in b.lines[:60]:
        line = line.strip()
        if (
            len(line.split()) >= 6
            and len(line) <= 200
            and line[0].isupper()
            and not line.endswith((".", ":", ";", ","))
            and "@" not in line
        ):
            return re.sub(r"\s+", " ", line), line
    return None


def _emails(b: _Brochure) -> list[re.Match[str]]:
    return list(re.finditer(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", b.text))


def _websites(b: _Brochure) -> list[re.Match[str]]:
    return list(re.finditer(r"\b(?:https?://)?www\.[\w-]+(?:\.[\w-]+)+(?:/[^\s)\]]*)?", b.text))


def _email(b: _Brochure) -> Found | None:
    found = _emails(b)
    return (found[0][0], b.passage(b.line_of(found[0].start()))) if found else None


def _website(b: _Brochure) -> Found | None:
    found = _websites(b)
    return (found[0][0], b.passage(b.line_of(found[0].start()))) if found else None


def _phones(b: _Brochure) -> Found | None:
    pattern = r"(?<![\d+])(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
    found = list(re.finditer(pattern, b.text))
    if not found:
        return None
    phones = [_phone(match[0]) for match in found]
    lines = dict.fromkeys(b.line_of(match.start()) for match in found)
    return list(dict.fromkeys(phones)), "\n".join(b.passage(line) for line in lines)


def _phone(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    digits = "0" + digits[2:] if digits.startswith("33") else digits
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def _provider_name(b: _Brochure) -> Found | None:
    """The provider's name as written in the text, found from its web or e-mail domain."""
    domains = [m[0].split("@")[1] for m in _emails(b)] + [
        re.sub(r"^(?:https?://)?www\.", "", m[0]) for m in _websites(b)
    ]
    for domain in domains:
        label = domain.split(".")[0]
        if label in _GENERIC_DOMAINS:
            continue
        pattern = r"[\s-]".join(re.escape(part) for part in label.split("-"))
        for match in re.finditer(rf"(?<![@./\w]){pattern}\b(?![\w-]*\.\w)", b.text, re.I):
            return match[0], b.passage(b.line_of(match.start()))
    return None


def _provider_kind(b: _Brochure) -> Found | None:
    match = re.search(r"\best\s+une?\s+(cabinet|association)\b", b.text, re.I)
    if not match:
        return None
    return match[1].lower(), _sentence_at(b.text, match.start())


def _client(b: _Brochure) -> Found | None:
    """For an intra, the CAF that commissioned it: the one the text names most."""
    pattern = (
        r"\b(?:CAF|Caf)\s+(?:de\s+la|de\s+l'|du|des|de)\s+[A-ZÀ-Ý][\w'-]*(?:[\s-][A-ZÀ-Ý][\w'-]*)*"
    )
    found = list(re.finditer(pattern, b.text))
    if not found:
        return None
    name, _ = Counter(match[0] for match in found).most_common(1)[0]
    first = next(match for match in found if match[0] == name)
    return name, b.passage(b.line_of(first.start()))


# -- offer, format, audience -------------------------------------------------------------------


def _offers(b: _Brochure) -> Found | None:
    offers, passages = [], []
    kind = re.search(r"\b(intra|inter)(?:[- ]?entreprises?)?\b", b.text, re.I)
    per_trainee = next((m for m in _PRICE.finditer(b.text) if _basis(m) == "per_trainee"), None)
    if kind:
        offers.append(kind[1].lower())
        passages.append(b.passage(b.line_of(kind.start())))
    elif per_trainee:
        # A published price per trainee is how open (inter) sessions are sold.
        offers.append("inter")
        passages.append(b.passage(b.line_of(per_trainee.start())))
    tailored = re.search(r"\bsur[- ]mesure\b", b.text, re.I)
    if tailored:
        offers.append("sur_mesure")
        passages.append(_sentence_at(b.text, tailored.start()))
    return (offers, "\n".join(passages)) if offers else None


def _format(b: _Brochure) -> Found | None:
    folded = fold(b.text)
    found = {
        name: re.search(pattern, folded)
        for name, pattern in (
            ("presentiel", r"\bpresentiel\b"),
            ("distanciel", r"\bdistanciel\b|classe virtuelle|visioconference|formation en ligne"),
            ("hybride", r"\bhybride\b|\bblended\b"),
        )
    }
    hits = {name: match for name, match in found.items() if match}
    if not hits:
        return None
    value = "hybride" if "hybride" in hits or len(hits) > 1 else next(iter(hits))
    first = min(match.start() for match in hits.values())
    return value, b.passage(b.line_of(first))


def _heading_block(name: str) -> Callable[[_Brochure], Found | None]:
    """A rule reading what the first label line called `name` (a folded pattern) introduces."""

    def rule(b: _Brochure) -> Found | None:
        for index in b.headings(rf"(?:{name})\s*\??\s*(?::|$)"):
            text, last = b.under(index)
            if text:
                return text, b.passage(index, last)
        return None

    return rule


_audience_text = _heading_block(r"public(?:\s+(?:vise|concerne|cible))?|pour qui|destinataires")
_pedagogy = _heading_block(
    r"(?:modalites|methodes)\s+(?:pedagogiques|mobilisees|d'animation pedagogique)"
)
_access_delay = _heading_block(r"delais?\s+d'acces\b[^:]{0,40}")


def _audience(b: _Brochure) -> Found | None:
    found = _audience_text(b)
    if not found:
        return None
    roles = roles_in(found[0])
    return (roles, found[1]) if roles else None


def _prerequisites(b: _Brochure) -> Found | None:
    none = re.search(r"\baucun\s+pr[ée][- ]?requis\b[^\n]*", b.text, re.I)
    if none:
        return "Aucun prérequis", b.passage(b.line_of(none.start()))
    return _heading_block(r"pre-?\s?requis")(b)


# -- sessions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dated:
    start: date
    end: date
    passage: str
    place: str | None
    label: str | None


def _month(name: str | None) -> int:
    return _FOLDED_MONTHS.index(fold(name or "")) + 1


def _from_to(g: tuple[str, ...], year: int) -> tuple[date, date]:
    end = date(int(g[5] or year), _month(g[4]), int(g[3]))
    start_month = _month(g[1]) if g[1] else end.month
    return date(int(g[2] or end.year), start_month, int(g[0])), end


def _and(g: tuple[str, ...], year: int) -> tuple[date, date]:
    month, year = _month(g[2]), int(g[3] or year)
    return date(year, month, int(g[0])), date(year, month, int(g[1]))


def _one_day(g: tuple[str, ...], year: int) -> tuple[date, date]:
    day = date(int(g[2] or year), _month(g[1]), int(g[0]))
    return day, day


def _numeric(g: tuple[str, ...], year: int) -> tuple[date, date]:
    day = date(int(g[2]), int(g[1]), int(g[0]))
    return day, day


# Longest forms first: "du 3 au 5 juin" must not be read as two single days.
_DATE_FORMS: tuple[
    tuple[re.Pattern[str], Callable[[tuple[str, ...], int], tuple[date, date]]], ...
] = (
    (_RANGE_FROM_TO, _from_to),
    (_RANGE_AND, _and),
    (_ONE_DAY, _one_day),
    (_NUMERIC, _numeric),
)


def _dates_in(line: str, year: int) -> Iterator[tuple[re.Match[str], date, date]]:
    """The dates of a line, never overlapping; `year` serves those that do not state one."""
    taken: list[tuple[int, int]] = []
    for pattern, convert in _DATE_FORMS:
        for match in pattern.finditer(line):
            if any(match.start() < e and match.end() > s for s, e in taken):
                continue
            try:
                start, end = convert(match.groups(), year)
            except ValueError:  # no year in sight, or a day that does not exist
                continue
            taken.append(match.span())
            yield match, start, end


def _context_year(b: _Brochure, index: int) -> tuple[int, int] | None:
    """A year stated on this line or on one of the three lines above, and that line's index."""
    for number in range(index, max(index - 4, -1), -1):
        years = re.findall(r"\b(20\d\d)\b", b.lines[number])
        if years:
            return int(years[-1]), number
    return None


def _dated_lines(b: _Brochure) -> Iterator[_Dated]:
    phase, day_in_phase = None, 0
    for index, (line, folded) in enumerate(zip(b.lines, b.folded_lines, strict=True)):
        start_of_phase = _PHASE_START.match(line)
        if start_of_phase:
            phase, day_in_phase = int(start_of_phase[1]), 0
        if not _SESSION_LINE.search(folded.strip()) or _NOT_SESSION_LINE.search(folded):
            continue
        context = _context_year(b, index)
        for match, start, end in _dates_in(line, context[0] if context else 0):
            first = context[1] if context and not re.search(r"20\d\d", match[0]) else index
            explicit = _LABEL_IN_LINE.search(line)
            if explicit:
                phase, day_in_phase = int(explicit[1]), int(explicit[2])
            else:
                day_in_phase += 1
            label = f"Phase {phase} – Jour {day_in_phase}" if phase else None
            place = _PLACE_AFTER_DATE.match(line[match.end() :])
            yield _Dated(
                start,
                end,
                passage=b.passage(first, index),
                place=_title_case(place[1]) if place else None,
                label=label,
            )


def _sessions(b: _Brochure) -> Found | None:
    default_place = next(
        (_title_case(b.lines[i].split(":", 1)[1].strip()) for i in b.headings(r"lieux?\s*:\s*\S")),
        None,
    )
    found: dict[tuple[date, date], _Dated] = {}
    for dated in _dated_lines(b):
        found.setdefault((dated.start, dated.end), dated)
    if not found:
        return None
    sessions = [
        {"start": d.start, "end": d.end, "place": d.place or default_place, "label": d.label}
        for d in found.values()
    ]
    passages = dict.fromkeys(d.passage for d in found.values())
    return sessions, "\n".join(passages)


# -- duration and price ------------------------------------------------------------------------


def _days(b: _Brochure, sessions: Found | None) -> Found | None:
    stated = re.search(
        r"\b(\d+(?:,\d+)?)\s*(?:jours?|journ[ée]es?)\s+(?:de\s+formation|de\s+stage|consécutifs)"
        r"|dur[ée]e\s*:?\s*(\d+(?:,\d+)?)\s*(?:jours?|journ[ée]es?)",
        b.text,
        re.I,
    )
    if stated:
        value = float((stated[1] or stated[2]).replace(",", "."))
        return value, b.passage(b.line_of(stated.start()))
    # Sessions labelled as phases are the parts of one course, so their days add up.
    if sessions and all(s["label"] for s in sessions[0]):
        total = sum((s["end"] - s["start"]).days + 1 for s in sessions[0])
        return float(total), sessions[1]
    return None


def _hours(b: _Brochure) -> Found | None:
    match = re.search(
        r"\b(\d+(?:,\d+)?)\s*(?:heures|h)\s+(?:de\s+formation|au\s+total)"
        r"|dur[ée]e\s*:?[^\n]{0,30}?\b(\d+(?:,\d+)?)\s*heures\b|\bsoit\s+(\d+(?:,\d+)?)\s*heures\b",
        b.text,
        re.I,
    )
    if not match:
        return None
    value = next(group for group in match.groups() if group)
    return float(value.replace(",", ".")), b.passage(b.line_of(match.start()))


_PRICE = re.compile(
    r"(?<![\d,])(\d{1,3}(?:[  .]\d{3})+|\d+)(?:,(\d{1,2}))?\s*(?:€|euros?)\s*"
    r"(H\.?\s?T\.?|T\.?\s?T\.?\s?C\.?|net de taxes?)?\s*(?:/|par)\s*"
    r"(stagiaires?|participants?|personnes?|agents?|jours?|journ[ée]es?|jr|j|groupes?|sessions?)\b",
    re.I,
)
_PER_TRAINEE = ("stag", "part", "pers", "agen")


def _basis(match: re.Match[str]) -> str:
    unit = fold(match[4])
    if unit.startswith(("grou", "sess")):
        return "per_group"
    return "per_trainee" if unit.startswith(_PER_TRAINEE) else "per_day"


_INCLUDED = r"(?:d[ée]jeuners?|repas|collations?|pauses?|h[ée]bergement|supports?)"


def _price_facts(b: _Brochure) -> dict[str, Found]:
    """Amount, basis, taxes, daily price and inclusions, each with its passage."""
    facts: dict[str, Found] = {}
    for match in _PRICE.finditer(b.text):
        amount = float(re.sub(r"[  .]", "", match[1]) + (f".{match[2]}" if match[2] else ""))
        basis = _basis(match)
        passage = b.passage(b.line_of(match.start()))
        if basis == "per_day":
            facts.setdefault("price.per_day", (amount, passage))
        elif "price.amount" not in facts:
            facts["price.amount"] = (amount, passage)
            facts["price.basis"] = (basis, passage)
            if match[3]:
                taxes = "HT" if fold(match[3]).startswith("h") else "TTC"
                facts["price.taxes"] = (taxes, passage)
    if "price.amount" not in facts and "price.per_day" in facts:
        facts["price.amount"] = facts["price.per_day"]
        facts["price.basis"] = ("per_day", facts["price.per_day"][1])
    included = re.search(rf"({_INCLUDED}(?:\s*(?:,|et)\s*{_INCLUDED})*)\s+compris", b.text, re.I)
    if included and facts:
        items = [
            item.strip().lower() for item in re.split(r",|\bet\b", included[1]) if item.strip()
        ]
        start, end = b.line_of(included.start()), b.line_of(included.end())
        facts["price.included"] = (items, b.passage(start, end))
    return facts


# -- content -----------------------------------------------------------------------------------


def _objectives(b: _Brochure) -> Found | None:
    pattern = r"objectifs?(?:\s+(?:pedagogiques?|professionnels?|de la formation))?\s*:?\s*$"
    for index in b.headings(pattern):
        items, last = b.bullets_after(index)
        if not items:
            text, last = b.block_after(index)
            items = [text] if text else []
        if items:
            return items, b.passage(index, last)
    return None


def _programme(b: _Brochure) -> Found | None:
    heading = re.compile(
        r"^\s*(jour|journ[ée]e|module|s[ée]quence|demi-journ[ée]e)\s*(\d+)\s*[:–-]\s*(.+)$", re.I
    )
    blocks, passages = [], []
    for index, line in enumerate(b.lines):
        match = heading.match(line)
        if not match:
            continue
        contents, last = b.bullets_after(index)
        title = re.sub(r'"\s*([^"]+?)\s*"', r"« \1 »", _sentence_case(match[3]))
        blocks.append(
            {"label": f"{match[1].capitalize()} {match[2]}", "title": title, "contents": contents}
        )
        passages.append(b.passage(index, last))
    return (blocks, "\n".join(passages)) if blocks else None


def _methods(b: _Brochure) -> Found | None:
    about_provider = _ABOUT_PROVIDER.search(fold(b.text))
    course_text = b.text[: about_provider.start()] if about_provider else b.text
    folded = fold(course_text)
    slugs, lines = [], []
    for slug, pattern in _METHOD_PATTERNS.items():
        match = re.search(pattern, folded)
        if match:
            slugs.append(slug)
            lines.append(b.line_of(match.start()))
    passage = "\n".join(b.passage(line) for line in dict.fromkeys(sorted(lines)))
    return (slugs, passage) if slugs else None


def _accessibility(b: _Brochure) -> Found | None:
    found = _heading_block(r"accessibilite")(b)
    if found:
        return found
    handicap = re.search(r"situation de handicap", b.text, re.I)
    if not handicap:
        return None
    sentence = _sentence_at(b.text, handicap.start())
    return sentence, sentence


_PERSON = re.compile(  # "François ROUSSEAU": first names capitalised, surname in capitals
    r"^([A-ZÀ-Ý][a-zà-ÿ]+(?:[- ][A-ZÀ-Ý][a-zà-ÿ]+)*)"
    r"\s+([A-ZÀ-Ý][A-ZÀ-Ý'-]+(?:[ -][A-ZÀ-Ý'-]{2,})*)$"
)


def _trainers(b: _Brochure) -> Found | None:
    """Names under a 'Formateurs' heading, each followed by a block of expertise lines."""
    pattern = r"(?:format(?:eur|rice)s?|intervenant(?:e|s|es)?|animateurs?)\s*:?\s*$"
    heading = next(b.headings(pattern), None)
    if heading is None:
        return None
    trainers: list[dict[str, Any]] = []
    index, last = b.next_filled(heading + 1), heading
    while index is not None and (person := _PERSON.match(b.lines[index].strip())):
        expertise, last = b.paragraph(b.next_filled(index + 1))
        if expertise and _PERSON.match(expertise[0]):  # a name right after a name
            expertise, last = [], index
        name = f"{person[1]} {_title_case(person[2])}"
        trainers.append({"name": name, "expertise": expertise})
        index = b.next_filled(last + 1)
    return (trainers, b.passage(heading, last)) if trainers else None


def _qualiopi(b: _Brochure) -> Found | None:
    match = re.search(r"qualiopi", b.text, re.I)
    return (True, b.passage(b.line_of(match.start()))) if match else None


def _certificate(b: _Brochure) -> Found | None:
    for kind in ("participation", "formation", "fin de formation", "r[ée]alisation", "suivi"):
        match = re.search(rf"\b(?:attestation|certificat)\s+de\s+{kind}\b", b.text, re.I)
        if match:
            return _sentence_case(match[0]), b.passage(b.line_of(match.start()))
    return None


def _deliverables(b: _Brochure) -> Found | None:
    pattern = (
        r"\b(?:dossier|support|livret|kit|classeur)s?\s+"
        r"(?:ressources?|p[ée]dagogiques?|de formation|documentaires?)"
        r"(?:\s+sous\s+forme\s+d[ée]mat[ée]rialis[ée]e)?"
    )
    found = list(re.finditer(pattern, b.text, re.I))
    if not found:
        return None
    items = list(dict.fromkeys(_sentence_case(match[0]) for match in found))
    return items, "\n".join(dict.fromkeys(b.passage(b.line_of(m.start())) for m in found))


def _evaluation(b: _Brochure) -> Found | None:
    indexes = list(b.headings(r"evaluation\b[^:]{0,40}:\s*\S"))
    if indexes:
        items = [b.lines[i].strip() for i in indexes]
        return items, "\n".join(items)
    match = re.search(r"[ée]valuation de (?:la|cette) formation", b.text, re.I)
    if not match:
        return None
    sentence = _sentence_at(b.text, match.start())
    return [sentence], sentence


def _registration(b: _Brochure) -> Found | None:
    found = _heading_block(r"modalites\s+d'(?:acces|inscription)|inscriptions?")(b)
    if found:
        return found
    for index in b.headings(r"(?:pre-?\s?)?inscriptions?\s*$"):
        text, last = b.lines[index].strip(), index
        following = next((i for i in range(index + 1, len(b.lines)) if b.lines[i].strip()), None)
        if following is not None and re.match(r"(?:ou|par)\b", b.lines[following].strip()):
            text, last = f"{text} {b.lines[following].strip()}", following
        return text, b.passage(index, last)
    return None


# -- assembly ----------------------------------------------------------------------------------

_RULES: dict[str, Callable[[_Brochure], Found | None]] = {
    "title": _title,
    "provider.name": _provider_name,
    "provider.kind": _provider_kind,
    "provider.phones": _phones,
    "provider.email": _email,
    "provider.website": _website,
    "offers": _offers,
    "audience": _audience,
    "audience_text": _audience_text,
    "prerequisites": _prerequisites,
    "format": _format,
    "objectives": _objectives,
    "programme": _programme,
    "methods": _methods,
    "pedagogy": _pedagogy,
    "trainers": _trainers,
    "qualiopi": _qualiopi,
    "certificate": _certificate,
    "deliverables": _deliverables,
    "evaluation": _evaluation,
    "accessibility": _accessibility,
    "access_delay": _access_delay,
    "registration": _registration,
}


def extract_course(text: str, source: str, title: str | None = None) -> Course:
    """A course from a brochure's text; `title`, when known, wins over the one found."""
    brochure = _Brochure(_clean(text))
    facts = {name: found for name, rule in _RULES.items() if (found := rule(brochure))}
    sessions = _sessions(brochure)
    if sessions:
        facts["sessions"] = sessions
    days = _days(brochure, sessions)
    if days:
        facts["duration.days"] = days
    hours = _hours(brochure)
    if hours:
        facts["duration.hours"] = hours
    facts.update(_price_facts(brochure))
    if "intra" in facts.get("offers", ([], ""))[0] and (client := _client(brochure)):
        facts["client"] = client
    if title:
        facts["title"] = (title, title)
    data = _nest({name: value for name, (value, _) in facts.items()})
    name = data.get("title") or Path(source).stem
    return Course.model_validate(
        {
            **data,
            "id": slugify(name),
            "source": source,
            "provenance": {field: passage for field, (_, passage) in facts.items()},
        }
    )


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """{'price.amount': 850} -> {'price': {'amount': 850}}."""
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        target = nested
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return nested


def looks_like_programme(text: str) -> bool:
    """Whether a text reads like a training offer: a brochure's sections and practical facts."""
    folded = fold(_clean(text))

    def count(patterns: tuple[str, ...]) -> int:
        return sum(bool(re.search(pattern, folded, re.M)) for pattern in patterns)

    return count(_PROGRAMME_SECTIONS) >= 2 and count(_PROGRAMME_FACTS) >= 3


def course_from_document(doc: LoadedDocument) -> Course | None:
    """The course a loaded document describes: front matter if it has course fields (it is
    authoritative), else what the rules find in a programme; None for other documents."""
    if has_course_fields(doc.metadata):
        return course_from_front_matter(doc.metadata, doc.source)
    if doc.doc_type != DocType.PROGRAMME:
        return None
    course = extract_course(doc.text, doc.source, title=doc.metadata.get("title"))
    if course.title is None:
        return course.model_copy(update={"title": doc.title})
    return course
