"""Courses as data: French vocabulary, the model, programme front matter, and the
catalogue persisted as one JSON file.

Front matter of `corpus/programmes/*.md` is authoritative; brochures are read by `ingest.extract`.
Facts shown to users come from here, never from a model; an unknown fact reads "non précisé".
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from kb.core.config import Settings
from kb.core.glossary import expand, fold
from kb.core.validation import describe_error

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
REGION_NAMES = {fold(region): region for region in REGIONS}
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
        return describe_error(error)
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
                self._vectors[text] = unit_vector(np.asarray(vector, dtype=np.float32))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[text] for text in texts])


def unit_vector(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector




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
