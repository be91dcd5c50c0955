"""The course catalogue: model, persistence, plain-French requests, ranking, comparison, calendar.

Front matter of `corpus/programmes/*.md` is authoritative; brochures are read by `ingest.extract`.
Facts shown to users come from here, never from a model; an unknown fact reads "non précisé".
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import Any, Literal, NamedTuple

import numpy as np
from icalendar import Calendar, Event
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from kb.config import Settings
from kb.glossary import GLOSSARY, expand, fold
from kb.methods import _describe

# ---------------------------------------------------------------------------------------------
# Vocabulary: every closed set has French labels, so nothing reaches users as an identifier.

AudienceRole = Literal[
    "charge_cooperation",
    "elu",
    "agent_caf",
    "coordinateur_enfance_jeunesse",
    "travailleur_social",
    "direction_collectivite",
    "partenaire_institutionnel",
]
OfferKind = Literal["inter", "intra", "sur_mesure"]
CourseFormat = Literal["presentiel", "distanciel", "hybride"]
ProviderKind = Literal["cabinet", "organisme_caf", "organisme_public", "association", "autre"]
PriceBasis = Literal["per_trainee", "per_group", "per_day"]
Taxes = Literal["TTC", "HT"]
Status = Literal["open", "past"]
MethodSlug = Literal[
    "fish-bowl",
    "approche-orientee-changement",
    "theorie-du-changement",
    "capital-strategique-de-developpement",
    "strategie-d-allies",
    "meta-plan",
    "world-cafe",
    "forum-ouvert",
    "impact-collectif",
    "mesure-d-impact-social",
    "diagnostic-social-de-territoire",
    "comite-de-pilotage-et-comite-technique",
    "participation-des-habitants",
]

ROLE_LABELS: dict[AudienceRole, str] = {
    "charge_cooperation": "chargé·es de coopération",
    "elu": "élu·es",
    "agent_caf": "agents CAF",
    "coordinateur_enfance_jeunesse": "coordinateur·rices enfance-jeunesse",
    "travailleur_social": "travailleur·ses sociaux",
    "direction_collectivite": "directions de collectivité",
    "partenaire_institutionnel": "partenaires institutionnels",
}
OFFER_LABELS: dict[OfferKind, str] = {
    "inter": "inter (session ouverte)",
    "intra": "intra (pour une structure)",
    "sur_mesure": "sur mesure",
}
FORMAT_LABELS: dict[CourseFormat, str] = {
    "presentiel": "présentiel",
    "distanciel": "distanciel",
    "hybride": "hybride",
}
PROVIDER_KIND_LABELS: dict[ProviderKind, str] = {
    "cabinet": "cabinet de conseil",
    "organisme_caf": "organisme de formation du réseau des CAF",
    "organisme_public": "organisme public",
    "association": "association",
    "autre": "autre",
}
BASIS_LABELS: dict[PriceBasis, str] = {
    "per_trainee": "par stagiaire",
    "per_group": "par groupe",
    "per_day": "par jour",
}
STATUS_LABELS: dict[Status, str] = {
    "open": "ouverte : session à venir",
    "past": "sessions passées : exemple de prestation",
}
METHOD_LABELS: dict[MethodSlug, str] = {
    "fish-bowl": "Fish-bowl",
    "approche-orientee-changement": "Approche orientée changement",
    "theorie-du-changement": "Théorie du changement",
    "capital-strategique-de-developpement": "Capital stratégique de développement",
    "strategie-d-allies": "Stratégie d'alliés",
    "meta-plan": "Méta-plan",
    "world-cafe": "World café",
    "forum-ouvert": "Forum ouvert",
    "impact-collectif": "Impact collectif",
    "mesure-d-impact-social": "Mesure d'impact social",
    "diagnostic-social-de-territoire": "Diagnostic social de territoire",
    "comite-de-pilotage-et-comite-technique": "Comité de pilotage et comité technique",
    "participation-des-habitants": "Participation des habitants",
}

# Patterns over folded text (see `fold`); shared by request parsing and brochure extraction.
ROLE_PATTERNS: dict[AudienceRole, str] = {
    "charge_cooperation": (
        r"\bcharge(?:e|s|es)?[.·]?(?:e|es)?\s+de\s+cooperation(?:\s+territoriale?s?)?|\bccts?\b"
    ),
    "elu": r"\belu(?:e|s|es)?\b|\bmaires?\b|\bconseill(?:er|ere)s?\s+municipa\w*",
    "agent_caf": (
        r"\b(?:agents?|equipes?|salarie(?:e|s|es)?|managers?|ccd)\b"
        r"(?:\s+(?:de|d'|la|l'|du|des|une?|notre|ma|mon))*\s*caf\b"
        r"|\bcharge(?:e|s|es)?\s+de\s+conseil\s+et\s+developpement"
    ),
    "coordinateur_enfance_jeunesse": (
        r"\bcoord(?:inat|onnat)\w*[^.\n]{0,30}\b(?:enfance|jeunesse|thematiques?|pel|pedt)\b"
    ),
    "travailleur_social": r"\btravailleu(?:r|se|rs|ses)\s+socia\w*|\bassistante?s?\s+socia\w*",
    "direction_collectivite": (
        r"\bdgs\b|\bdirect(?:eur|rice|ion)s?\s+genera\w*\s+des\s+services"
        r"|\bdirect(?:eur|rice)s?\b[^.\n]{0,25}\b(?:collectivite|mairie|commune|epci)"
        r"|\bcadres?\s+(?:de|des)\s+collectivites?"
    ),
    "partenaire_institutionnel": (
        r"\bpartenaires?\s+institutionnels?|\bconseil\s+departemental\b|\bddets\b|\bsdjes\b"
    ),
}

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
UNKNOWN = "non précisé"

# Sessions name towns; a request may name a region. Each region of metropolitan France with the
# prefectures of its départements and its largest towns, which is where courses are held.
REGIONS: dict[str, tuple[str, ...]] = {
    "Auvergne-Rhône-Alpes": (
        "Lyon", "Villeurbanne", "Grenoble", "Saint-Étienne", "Clermont-Ferrand", "Annecy",
        "Chambéry", "Valence", "Bourg-en-Bresse", "Moulins", "Privas", "Aurillac",
        "Le Puy-en-Velay",
    ),
    "Bourgogne-Franche-Comté": (
        "Dijon", "Besançon", "Belfort", "Auxerre", "Nevers", "Mâcon", "Vesoul",
        "Lons-le-Saunier",
    ),
    "Bretagne": ("Rennes", "Brest", "Quimper", "Lorient", "Vannes", "Saint-Brieuc"),
    "Centre-Val de Loire": ("Orléans", "Tours", "Bourges", "Blois", "Chartres", "Châteauroux"),
    "Corse": ("Ajaccio", "Bastia"),
    "Grand Est": (
        "Strasbourg", "Reims", "Metz", "Nancy", "Mulhouse", "Colmar", "Troyes",
        "Charleville-Mézières", "Châlons-en-Champagne", "Chaumont", "Bar-le-Duc", "Épinal",
    ),
    "Hauts-de-France": (
        "Lille", "Roubaix", "Tourcoing", "Amiens", "Dunkerque", "Arras", "Beauvais", "Laon",
        "Calais", "Valenciennes",
    ),
    "Île-de-France": (
        "Paris", "Versailles", "Nanterre", "Bobigny", "Créteil", "Saint-Denis", "Melun",
        "Évry", "Cergy", "Pontoise", "Montreuil", "Boulogne-Billancourt", "Argenteuil",
    ),
    "Normandie": ("Rouen", "Caen", "Le Havre", "Cherbourg", "Évreux", "Alençon", "Saint-Lô"),
    "Nouvelle-Aquitaine": (
        "Bordeaux", "Limoges", "Poitiers", "Pau", "La Rochelle", "Angoulême", "Niort", "Agen",
        "Périgueux", "Mont-de-Marsan", "Bayonne", "Tulle", "Guéret",
    ),
    "Occitanie": (
        "Toulouse", "Montpellier", "Nîmes", "Perpignan", "Béziers", "Carcassonne", "Albi",
        "Montauban", "Rodez", "Tarbes", "Auch", "Cahors", "Foix", "Mende",
    ),
    "Pays de la Loire": (
        "Nantes", "Angers", "Le Mans", "Saint-Nazaire", "Laval", "La Roche-sur-Yon",
    ),
    "Provence-Alpes-Côte d'Azur": (
        "Marseille", "Nice", "Toulon", "Aix-en-Provence", "Avignon", "Cannes", "Antibes",
        "Gap", "Digne-les-Bains",
    ),
}  # fmt: skip
_REGION_NAMES = {fold(region): region for region in REGIONS}
REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "Auvergne-Rhône-Alpes": ("AURA",),
    "Île-de-France": ("IDF", "région parisienne"),
    "Provence-Alpes-Côte d'Azur": ("PACA", "région Sud"),
}


def roles_in(text: str) -> list[AudienceRole]:
    """Every audience role a French text names, in the order of `ROLE_PATTERNS`."""
    folded = fold(text)
    return [role for role, pattern in ROLE_PATTERNS.items() if re.search(pattern, folded)]


# ---------------------------------------------------------------------------------------------
# Model


class _Strict(BaseModel):
    # Unknown keys are refused: a typo in a programme sheet must not silently drop a fact.
    model_config = ConfigDict(extra="forbid")


class Provider(_Strict):
    """Who runs the course and how to reach them."""

    name: str | None = None
    kind: ProviderKind | None = None
    phones: list[str] = []
    email: str | None = None
    website: str | None = None


class Session(_Strict):
    """One dated session; a one-day session has `end == start`."""

    start: date
    end: date
    place: str | None = None
    label: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _end_defaults_to_start(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("end") is None and "start" in data:
            return {**data, "end": data["start"]}
        return data

    @model_validator(mode="after")
    def _end_after_start(self) -> Session:
        if self.end < self.start:
            raise ValueError(f"la fin ({self.end}) précède le début ({self.start})")
        return self


class Duration(_Strict):
    days: float | None = Field(None, gt=0)
    hours: float | None = Field(None, gt=0)


class Price(_Strict):
    """A price as the provider states it; `per_day` is the daily figure when also given."""

    amount: float | None = Field(None, ge=0)
    basis: PriceBasis | None = None
    per_day: float | None = Field(None, ge=0)
    taxes: Taxes | None = None
    included: list[str] = []

    @property
    def per_trainee(self) -> float | None:
        """The amount one trainee pays, when the provider says so; budgets compare on it."""
        return self.amount if self.basis == "per_trainee" else None


class ProgrammeBlock(_Strict):
    """A day or a phase of the programme."""

    label: str
    title: str | None = None
    contents: list[str] = []


class Trainer(_Strict):
    name: str | None = None
    expertise: list[str] = []


class Course(_Strict):
    """A training offer. Every fact may be unknown; `status` is computed, never stored."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    source: str
    title: str | None = None
    provider: Provider = Field(default_factory=Provider)
    client: str | None = None
    offers: list[OfferKind] = []
    audience: list[AudienceRole] = []
    audience_text: str | None = None
    prerequisites: str | None = None
    format: CourseFormat | None = None
    sessions: list[Session] = []
    duration: Duration = Field(default_factory=Duration)
    price: Price = Field(default_factory=Price)
    objectives: list[str] = []
    programme: list[ProgrammeBlock] = []
    methods: list[MethodSlug] = []
    pedagogy: str | None = None
    trainers: list[Trainer] = []
    qualiopi: bool | None = None
    certificate: str | None = None
    deliverables: list[str] = []
    evaluation: list[str] = []
    accessibility: str | None = None
    access_delay: str | None = None
    registration: str | None = None
    tags: list[str] = []
    sources: list[str] = []
    updated: date | None = None
    provenance: dict[str, str] = {}

    @model_validator(mode="after")
    def _sessions_in_order(self) -> Course:
        self.sessions.sort(key=lambda session: (session.start, session.end))
        return self

    def status(self, today: date) -> Status | None:
        """'open' while a session is yet to end, 'past' once all have; None without dates."""
        if not self.sessions:
            return None
        return "open" if any(session.end >= today for session in self.sessions) else "past"

    def next_session(self, today: date) -> Session | None:
        return next((session for session in self.sessions if session.end >= today), None)

    def meaning_text(self) -> str:
        """Title, objectives and programme: what a course is about, for embeddings."""
        blocks = [
            " ".join(filter(None, [block.label, block.title, *block.contents]))
            for block in self.programme
        ]
        return "\n".join(filter(None, [self.title, *self.objectives, *blocks]))

    def lexical_text(self) -> str:
        """The meaning text plus names users search by: methods, tags, audience wording."""
        methods = [METHOD_LABELS[slug] for slug in self.methods]
        extra = [self.audience_text, self.provider.name, self.pedagogy, *methods, *self.tags]
        return "\n".join(filter(None, [self.meaning_text(), *extra]))


# ---------------------------------------------------------------------------------------------
# Front matter

COMMON_KEYS = frozenset({"title", "doc_type", "tags", "sources", "updated", "aliases"})
PROGRAMME_SECTIONS: tuple[str, ...] = (
    "En bref",
    "Public et prérequis",
    "Objectifs",
    "Programme",
    "Méthodes",
    "Formateurs",
    "Tarif et modalités",
    "Contact et inscription",
)
"""The H2 sections every programme sheet of the corpus has, in this order (a sheet may add
others, such as what the brochure leaves out)."""
COURSE_KEYS = frozenset(Course.model_fields) - {"source", "provenance"} - COMMON_KEYS

_MORE_ERRORS_FR = {
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "bool_parsing": "true ou false attendu",
    "bool_type": "true ou false attendu",
    "date_parsing": "date AAAA-MM-JJ attendue",
    "date_from_datetime_inexact": "date AAAA-MM-JJ attendue",
    "string_pattern_mismatch": "identifiant en minuscules et tirets attendu",
    "model_type": "bloc de clés attendu",
    "model_attributes_type": "bloc de clés attendu",
    "dict_type": "bloc de clés attendu",
    "greater_than_equal": "nombre positif ou nul attendu",
}


def has_course_fields(metadata: dict[str, Any]) -> bool:
    """True when front matter carries course facts beyond the keys every document has."""
    return bool(COURSE_KEYS & metadata.keys())


def course_from_front_matter(metadata: dict[str, Any], source: str) -> Course:
    """Validate a programme sheet's front matter; errors name the file, in French."""
    doc_type = metadata.get("doc_type", "programme")
    if doc_type != "programme":
        raise ValueError(
            f"Fiche formation {source} : doc_type « {doc_type} », « programme » attendu"
        )
    # Other names of the document are for search, not course facts.
    data = {key: value for key, value in metadata.items() if key not in ("doc_type", "aliases")}
    data.setdefault("id", slugify(Path(source).stem))
    try:
        return Course.model_validate({**data, "source": source})
    except ValidationError as exc:
        problems = "; ".join(_describe_error(error) for error in exc.errors())
        raise ValueError(f"Fiche formation {source} invalide : {problems}") from exc


def _describe_error(error: Any) -> str:
    label = _MORE_ERRORS_FR.get(error["type"])
    if label is None:
        return _describe(error)
    return f"{'.'.join(str(part) for part in error['loc'])} : {label}"


def slugify(text: str, max_length: int = 60) -> str:
    """A lowercase, accent-free, hyphenated id, cut at a word boundary."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > max_length and slug:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "formation"


# ---------------------------------------------------------------------------------------------
# Catalogue

_COURSES = TypeAdapter(list[Course])


def catalogue_path(settings: Settings) -> Path:
    return settings.data_dir / "courses.json"


@dataclass(frozen=True)
class _Features:
    course: Course  # held so that its id() is not reused while the entry lives
    meaning: str
    stems: frozenset[str]


class Catalogue:
    """The courses known to the application, persisted as one JSON file.

    Keeps each course's search text, stems and embedding, so repeated searches only embed the
    request. Courses are values: replace one with `upsert` rather than changing it in place.
    """

    def __init__(
        self, courses: Iterable[Course] = (), hashes: dict[str, str] | None = None
    ) -> None:
        self.courses: list[Course] = list(courses)
        # Content hash of each programme document as last read, so ingestion can tell which
        # documents the catalogue has not caught up with (after a crash, or a lost file).
        self.hashes: dict[str, str] = dict(hashes or {})
        self._features: dict[int, _Features] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._embedder: Embeddings | None = None

    @classmethod
    def load(cls, path: Path) -> Catalogue:
        """Read the catalogue; a missing file is an empty catalogue."""
        if not path.exists():
            return cls()
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            return cls(_COURSES.validate_python(payload["courses"]), payload.get("hashes"))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"Catalogue des formations illisible ({path}) : {exc}") from exc

    def save(self, path: Path) -> None:
        """Write atomically: readers see the old file or the new one, never half of one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"courses": _COURSES.dump_python(self.courses, mode="json"),
                   "hashes": self.hashes}
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
        ) as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1)
        os.replace(handle.name, path)

    def listed(self) -> list[Course]:
        """The courses to search, less brochures that a programme sheet was written from.

        A sheet names the files it was written from in `sources` (e.g. "seed:brochure.txt");
        its front matter is authoritative, so the brochure's extracted twin is not listed.
        """
        cited = {
            re.split(r"[:/]", source)[-1] for course in self.courses for source in course.sources
        }
        return [
            course
            for course in self.courses
            if course.sources or PurePosixPath(course.source).name not in cited
        ]

    def get(self, course_id: str) -> Course | None:
        return next((course for course in self.courses if course.id == course_id), None)

    def upsert(self, course: Course) -> Course:
        """Add or replace the course of `course.source`; returns it with a catalogue-unique id."""
        self.remove_source(course.source)
        taken = {existing.id for existing in self.courses}
        unique, suffix = course.id, 2
        while unique in taken:
            unique, suffix = f"{course.id}-{suffix}", suffix + 1
        stored = course.model_copy(update={"id": unique})
        self.courses.append(stored)
        return stored

    def remove_source(self, source: str) -> None:
        self.hashes.pop(source, None)
        self.courses = [course for course in self.courses if course.source != source]
        kept = {id(course) for course in self.courses}
        self._features = {key: entry for key, entry in self._features.items() if key in kept}

    def features(self, course: Course) -> _Features:
        entry = self._features.get(id(course))
        if entry is None or entry.course is not course:
            entry = _Features(course, course.meaning_text(), stems(course.lexical_text()))
            self._features[id(course)] = entry
        return entry

    def vectors(self, courses: list[Course], embeddings: Embeddings) -> np.ndarray:
        """Unit vectors of the courses' meaning texts, one row per course."""
        if embeddings is not self._embedder:
            self._vectors, self._embedder = {}, embeddings
        texts = [self.features(course).meaning for course in courses]
        missing = list(dict.fromkeys(text for text in texts if text not in self._vectors))
        if missing:
            for text, vector in zip(missing, embeddings.embed_documents(missing), strict=True):
                self._vectors[text] = _unit(np.asarray(vector, dtype=np.float32))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[text] for text in texts])


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


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


def _labels(values: Iterable[str], labels: dict[Any, str]) -> list[str]:
    return [labels[value] for value in values]


def _join_labels(values: Iterable[str], labels: dict[Any, str]) -> str:
    return display(", ".join(_labels(values, labels)))


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
        _bullets("Méthodes", _labels(course.methods, METHOD_LABELS)),
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


# ---------------------------------------------------------------------------------------------
# Finding

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


# -- plain French requests --------------------------------------------------------------------

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
    for region, pattern in _REGION_PATTERNS.items():
        match = pattern.search(folded)
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


# -- lexical side ----------------------------------------------------------------------------

_STOP_TEXT = """
    les des une pour par sur dans avec aux qui que quoi quel quels quelle quelles est sont
    suis sommes etes ete etre avoir ont mon mes ton tes son ses notre nos votre vos leur leurs
    cette ces cet tout tous toute toutes plus moins tres bien aussi mais donc car comme comment
    elle elles ils nous vous lui eux moi toi faire fait peut peux pouvoir veux voudrais souhaite
    souhaiterais aimerais cherche recherche chercher besoin trouver existe propose proposez
    formation formations former stage stages session sessions programme offre offres cours
    bonjour merci svp quelqu une deja encore entre chez vers afin ainsi
"""
_STOP_WORDS = frozenset(_STOP_TEXT.split())


def stems(text: str) -> frozenset[str]:
    """Folded word stems of a text, acronyms expanded (crude prefixes: 'evaluation' ~ 'evaluer')."""
    words = re.findall(r"[a-z0-9]+", fold(expand(text)))
    return frozenset(word[:6] for word in words if len(word) >= 3 and word not in _STOP_WORDS)


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
    parsed, free_text = parse_request(request, today, places)
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
    options = [
        _match(item, active, today, _option_prefix(item.course))
        for item in islice(commissionable, limit)
    ]
    unknown_price = [
        item.course
        for item in ranked
        if item.failed == {"price"} and item.course.price.per_trainee is None
    ]
    nearest = None
    if not results and ranked:
        closest = min(ranked, key=lambda item: len(item.failed))
        missing = ", ".join(CHECK_LABELS[name] for name in sorted(closest.failed))
        nearest = _match(closest, active, today, f"Ne répond pas sur : {missing}")
    message = _message(results, active, unknown_price, nearest, options)
    return CourseSearchResult(active, free_text, results, message, options, unknown_price, nearest)


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
    query = _unit(np.asarray(embeddings.embed_query(free_text), dtype=np.float32))
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
    region = _REGION_NAMES.get(_folded(place))
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
    roles = _labels(course.audience[:2], ROLE_LABELS) + (["…"] if len(course.audience) > 2 else [])
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
        parts.append(
            f"{len(options)} prestation(s) intra ou sur mesure possible(s), "
            "à dates et lieu à convenir."
        )
    if nearest:
        parts.append(f"La plus proche : « {display(nearest.course.title)} » ({nearest.reason}).")
    return " ".join(parts)
