"""A plain-French request read as filters (audience, dates, place, provider, price, duration).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from kb.catalogue.display import format_date, format_days, format_money
from kb.catalogue.model import (
    FORMAT_LABELS,
    MONTHS,
    OFFER_LABELS,
    REGION_ALIASES,
    REGIONS,
    ROLE_LABELS,
    ROLE_PATTERNS,
    AudienceRole,
    CourseFormat,
    OfferKind,
)
from kb.core.glossary import GLOSSARY, fold


class CourseFilters(BaseModel):
    """What a user asks for; every criterion is optional."""

    model_config = ConfigDict(extra="forbid")

    audience: AudienceRole | None = None
    month: int | None = Field(None, ge=1, le=12)
    date_from: date | None = None
    date_to: date | None = None
    place: str | None = Field(None, description="A town, or a region (see REGIONS).")
    provider: str | None = None
    format: CourseFormat | None = None
    offer: OfferKind | None = None
    max_price: float | None = Field(None, gt=0)
    max_days: float | None = Field(None, gt=0)
    open_only: bool = False

    @property
    def dated(self) -> bool:
        """Whether the user asked about dates, which rules out past sessions."""
        return bool(self.month or self.date_from or self.date_to or self.open_only)

    def merged(self, override: CourseFilters) -> CourseFilters:
        """These filters with every criterion `override` sets replacing ours."""
        return self.model_copy(update=override.model_dump(exclude_defaults=True))

    def describe(self) -> str:
        """'public : élu·es ; mois : mai ; lieu : Paris'."""
        parts = [
            self.audience and f"public : {ROLE_LABELS[self.audience]}",
            self.month and f"mois : {MONTHS[self.month - 1]}",
            self.date_from and f"à partir du {format_date(self.date_from)}",
            self.date_to and f"jusqu'au {format_date(self.date_to)}",
            self.place and f"lieu : {self.place}",
            self.provider and f"organisme : {self.provider}",
            self.format and f"modalité : {FORMAT_LABELS[self.format]}",
            self.offer and f"offre : {OFFER_LABELS[self.offer]}",
            self.max_price and f"budget maximum : {format_money(self.max_price)}",
            self.max_days and f"durée maximum : {format_days(self.max_days)}",
            self.open_only and "sessions à venir seulement",
        ]
        return " ; ".join(part for part in parts if part)


_MONTH = r"(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)"
_FOLDED_MONTHS = [fold(month) for month in MONTHS]
_NUMBER_WORDS = {"une": 1, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5}
_AMOUNT = r"(?<!\d)(\d{1,3}(?:[  .]\d{3})+|\d+)(?:,\d+)?"
_AT_MOST = r"(?:moins\s+d[e']|au\s+plus|au\s+maximum|maximum|max|pas\s+plus\s+d[e']|jusqu'a)"
_CAPITALISED_PLACE = re.compile(
    r"\b(?:à|a|À|A|vers|près de|pres de|autour de)\s+([A-ZÀ-Ý][\w'’-]*(?:\s+[A-ZÀ-Ý][\w'’-]*)*)"
)
_NOT_PLACES = {fold(term.acronym) for term in GLOSSARY} | set(_FOLDED_MONTHS)
_REGION_PATTERNS = {
    region: re.compile(
        r"\b(?:(?:en|dans\s+l[ae']|sur\s+l[ae']|region)\s*)?(?:"
        + "|".join(
            re.escape(fold(name)).replace(r"\-", "[- ]").replace(r"\ ", "[- ]")
            for name in (region, *REGION_ALIASES.get(region, ()))
        )
        + r")\b"
    )
    for region in REGIONS
}


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    convert: Callable[[re.Match[str], date], dict[str, Any]]
    note: str = ""  # how a word open to reading was read, told to the user


def _month_start(month: int, today: date, year: str | None = None) -> date:
    """The first day of the named month, this year if still to come, else next year."""
    if year:
        return date(int(year), month, 1)
    return date(today.year + (month < today.month), month, 1)


def _month_end(start: date) -> date:
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _month_number(name: str) -> int:
    return _FOLDED_MONTHS.index(name) + 1


def _between(match: re.Match[str], today: date) -> dict[str, Any]:
    start = _month_start(_month_number(match[1]), today)
    end = _month_start(_month_number(match[2]), start)
    return {"date_from": start, "date_to": _month_end(end)}


def _month(match: re.Match[str], today: date) -> dict[str, Any]:
    if not match[2]:
        return {"month": _month_number(match[1])}
    start = _month_start(_month_number(match[1]), today, match[2])
    return {"date_from": start, "date_to": _month_end(start)}


def _before(match: re.Match[str], today: date) -> dict[str, Any]:
    start = _month_start(_month_number(match[3]), today)
    # "avant juin" stops before June; "d'ici juin" and "avant fin juin" include it.
    if match[1] == "avant" and not match[2]:
        return {"date_to": start - timedelta(days=1)}
    return {"date_to": _month_end(start)}


def _after(match: re.Match[str], today: date) -> dict[str, Any]:
    return {"date_from": _month_start(_month_number(match[1]), today)}


def _amount(text: str) -> float:
    return float(re.sub(r"[\s.  ]", "", text).replace(",", "."))


def _days(text: str) -> float:
    return float(_NUMBER_WORDS.get(text) or text.replace(",", "."))


def _role(match: re.Match[str], today: date) -> dict[str, Any]:
    return {"audience": match.lastgroup}


_DAYS = r"(\d+(?:,\d+)?|une?|deux|trois|quatre|cinq)\s*(?:jours?|journees?)\b"
SHORT_DAYS = 1.0  # a "short" course: one day at most
_REQUEST_RULES: tuple[_Rule, ...] = (
    _Rule(re.compile(rf"\bentre\s+{_MONTH}\s+et\s+{_MONTH}\b"), _between),
    _Rule(re.compile(rf"\b(avant|d'ici)\s+(?:la\s+)?(fin\s+(?:de\s+|d')?)?{_MONTH}\b"), _before),
    _Rule(re.compile(rf"\b(?:a\s+partir\s+d[e']|apres|des)\s+{_MONTH}\b"), _after),
    _Rule(
        re.compile(
            rf"\b(?:(?:en|au\s+mois\s+d[e']|courant|debut|fin|mi-?)\s*)?{_MONTH}(?:\s+(20\d\d))?\b"
        ),
        _month,
    ),
    _Rule(
        re.compile(
            rf"(?:\bbudget\s*(?:de|:|max(?:imum)?)?\s*)?(?:{_AT_MOST}\s*)?{_AMOUNT}\s*(?:€|euros?\b)"
            r"(?:\s*(?:ttc|ht|par\s+(?:personne|stagiaire|participant)|max(?:imum)?|au\s+plus))*"
        ),
        lambda m, _: {"max_price": _amount(m[1])},
    ),
    # Durations come in half days: "less than 3 days" allows 2.5 at most.
    _Rule(
        re.compile(rf"\b(?:en\s+|de\s+)?moins\s+d[e']\s*{_DAYS}"),
        lambda m, _: {"max_days": _days(m[1]) - 0.5},
    ),
    _Rule(
        re.compile(rf"\b(?:en\s+|de\s+)?{_AT_MOST}\s*{_DAYS}|\b{_DAYS}\s*{_AT_MOST}"),
        lambda m, _: {"max_days": _days(m[1] or m[2])},
    ),
    _Rule(
        re.compile(r"\b(?:d'|de\s+|en\s+|sur\s+)?(?:une\s+)?demi[- ]?journee\b"),
        lambda m, _: {"max_days": 0.5},
    ),
    # A course "of two days" is wanted no longer than that; a shorter one may still do.
    _Rule(
        re.compile(rf"\b(?:d'|de\s+|en\s+|sur\s+)?{_DAYS}"),
        lambda m, _: {"max_days": _days(m[1])},
    ),
    _Rule(
        re.compile(r"\b(?:de\s+)?court(?:e|s|es)?(?:\s+duree)?\b(?![- ](?:terme|circuit))"),
        lambda m, _: {"max_days": SHORT_DAYS},
        note=f"« Courte » est compris comme {format_days(SHORT_DAYS)} au plus.",
    ),
    _Rule(
        re.compile(
            r"\b(?:en\s+)?(?:distanciel(?:le)?s?|visio\w*)\b|\ben\s+ligne\b|\b(?:a|en)\s+distance\b"
        ),
        lambda m, _: {"format": "distanciel"},
    ),
    _Rule(
        re.compile(r"\b(?:en\s+)?presentiel(?:le)?s?\b|\bsur\s+place\b"),
        lambda m, _: {"format": "presentiel"},
    ),
    _Rule(re.compile(r"\b(?:en\s+)?(?:hybride|mixte)\b"), lambda m, _: {"format": "hybride"}),
    _Rule(re.compile(r"\b(?:en\s+)?intra\b(?:-?muros)?"), lambda m, _: {"offer": "intra"}),
    _Rule(
        re.compile(r"\b(?:en\s+)?inter(?:[- ]?entreprises?|[- ]?structures?)?\b"),
        lambda m, _: {"offer": "inter"},
    ),
    _Rule(
        re.compile(r"\b(?:sur[- ]mesure|a\s+la\s+carte)\b"), lambda m, _: {"offer": "sur_mesure"}
    ),
    _Rule(
        re.compile(
            r"\b(?:prochaines?\s+sessions?|a\s+venir|ouvertes?\s+aux\s+inscriptions"
            r"|reservables?|places?\s+disponibles?)\b"
        ),
        lambda m, _: {"open_only": True},
    ),
    _Rule(re.compile("|".join(f"(?P<{r}>{p})" for r, p in ROLE_PATTERNS.items())), _role),
)


def _aligned_fold(text: str) -> str:
    # One folded character per original character, so match spans index the original text.
    return "".join((folded[0] if (folded := fold(char)) else char) for char in text)


class ParsedRequest(NamedTuple):
    """A plain-French request read: the filters it names, its other words, and how words open
    to reading were read ("courte" as one day at most), to tell the user."""

    filters: CourseFilters
    free_text: str
    notes: list[str]


def parse_request(
    text: str, today: date, places: Iterable[str] = (), providers: Iterable[str] = ()
) -> ParsedRequest:
    """Turn plain French into filters where it names them; return them with the rest of the text.

    `places` and `providers` are the towns and the organisations the catalogue knows, recognised
    even without a capital letter; a region (see REGIONS) is recognised by its name.
    """
    folded = _aligned_fold(text)
    found: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    notes: list[str] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in spans)

    for rule in _REQUEST_RULES:
        for match in rule.pattern.finditer(folded):
            updates = rule.convert(match, today)
            if free(*match.span()) and not found.keys() & updates.keys():
                found.update(updates)
                spans.append(match.span())
                notes += [rule.note] if rule.note else []
                break

    def take(key: str, named: tuple[str, tuple[int, int]] | None) -> None:
        if named:
            found[key], span = named
            spans.append(span)

    # An organisation's name may hold a town ("CAF de Lyon"): it is read before places.
    take("provider", _find_provider(folded, providers, free))
    take("place", _find_place(text, folded, places, free))
    rest = "".join(" " if any(s <= i < e for s, e in spans) else c for i, c in enumerate(text))
    return ParsedRequest(CourseFilters(**found), _tidy(rest), notes)


def _find_provider(
    folded: str, providers: Iterable[str], free: Callable[[int, int], bool]
) -> tuple[str, tuple[int, int]] | None:
    names = sorted(((alias, name) for name in set(providers) for alias in _aliases(name)),
                   key=lambda pair: len(pair[0]), reverse=True)  # fmt: skip
    for alias, name in names:
        pattern = rf"\b(?:(?:de|du|chez|par|avec|aupres\s+de)\s+)?(?:l')?{re.escape(alias)}\b"
        match = re.search(pattern, folded)
        if match and free(*match.span()):
            return name, match.span()
    return None


def _aliases(provider: str) -> list[str]:
    """Folded names a request may call an organisation by: its name, the part in brackets
    ("CNFPT" in "Centre national… (CNFPT)") and the rest."""
    name = fold(provider)
    inside = re.findall(r"\(([^)]+)\)", name)
    outside = re.sub(r"\s*\([^)]*\)", "", name).strip()
    return [alias for alias in {name, outside, *inside} if len(alias) >= 3]


def _find_place(
    text: str, folded: str, places: Iterable[str], free: Callable[[int, int], bool]
) -> tuple[str, tuple[int, int]] | None:
    for place in sorted(set(places), key=len, reverse=True):
        pattern = rf"\b(?:(?:a|vers|pres de|autour de)\s+)?{re.escape(fold(place))}\b"
        match = re.search(pattern, folded)
        if match and free(*match.span()):
            return place, match.span()
    for region, region_pattern in _REGION_PATTERNS.items():
        match = region_pattern.search(folded)
        if match and free(*match.span()):
            return region, match.span()
    for match in _CAPITALISED_PLACE.finditer(text):
        name = match[1].strip(" '’-")
        if fold(name) not in _NOT_PLACES and free(*match.span()):
            return name, match.span()
    return None


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,;.?!])", r"\1", text)
    text = re.sub(r"([,;])(?:\s*[,;])+", r"\1", text)
    return text.strip(" ,;-")
