"""CTG acronyms and their full forms, used to expand queries and chunks before lexical search.

This module is the single source of truth: `corpus/references/glossaire.md` must list the same
entries (a test checks that they agree).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """An acronym, its full form, and other names users give it."""

    acronym: str
    full_form: str
    synonyms: tuple[str, ...] = ()


GLOSSARY: tuple[Term, ...] = (
    Term("CTG", "Convention territoriale globale"),
    Term("CEJ", "Contrat enfance jeunesse"),
    Term("CAF", "Caisse d'allocations familiales", ("Caf",)),
    Term("CNAF", "Caisse nationale des allocations familiales", ("Cnaf",)),
    Term("MSA", "Mutualité sociale agricole"),
    Term("AOC", "Approche orientée changement", ("approches orientées changement",)),
    Term("SDSF", "Schéma départemental des services aux familles"),
    Term("CDSF", "Comité départemental des services aux familles"),
    Term("EPCI", "Établissement public de coopération intercommunale",
         ("intercommunalité", "interco")),
    Term(
        "CCT",
        "Chargé de coopération territoriale",
        (
            "chargée de coopération territoriale",
            "chargé de coopération",
            "chargée de coopération",
            "chargé·e de coopération",
        ),
    ),
    Term("CCD", "Chargé de conseil et développement", ("chargée de conseil et développement",)),
    Term("COPIL", "Comité de pilotage"),
    Term("COTECH", "Comité technique"),
    Term("COG", "Convention d'objectifs et de gestion"),
    Term("LAEP", "Lieu d'accueil enfants parents"),
    Term("EAJE", "Établissement d'accueil du jeune enfant", ("crèche",)),
    Term("RPE", "Relais petite enfance"),
    Term("RAM", "Relais assistants maternels"),
    Term("ALSH", "Accueil de loisirs sans hébergement", ("centre de loisirs",)),
    Term("AVS", "Animation de la vie sociale"),
    Term("PSEJ", "Prestation de service enfance jeunesse"),
    Term("DDETS", "Direction départementale de l'emploi, du travail et des solidarités"),
    Term("SDJES", "Service départemental à la jeunesse, à l'engagement et aux sports"),
    Term("ARS", "Agence régionale de santé"),
    Term("CD", "Conseil départemental"),
    Term("DGS", "Directeur général des services"),
    Term("ANCT", "Agence nationale de la cohésion des territoires"),
    Term("ESS", "Économie sociale et solidaire"),
    Term("CSESS", "Conseil supérieur de l'économie sociale et solidaire"),
    Term("TIC", "Territoire d'impact collectif", ("territoires d'impact collectif",)),
    Term("PEL", "Projet éducatif local"),
    Term("PEDT", "Projet éducatif territorial"),
    Term("EGOC", "Entente du Grand Ouest et du Centre pour le perfectionnement des personnels "
                 "des caisses d'Allocations familiales", ("Entente du Grand Ouest et du Centre",)),
    Term("CNFPT", "Centre national de la fonction publique territoriale"),
    Term("AMF", "Association des maires de France"),
    Term("DGCS", "Direction générale de la cohésion sociale"),
    Term(
        "F3E", "Fonds pour la promotion des études préalables, études transversales et évaluations"
    ),
)


# Words practitioners use for the same thing in a question and in a brochure ("combien coûte"
# versus "tarif", "participant" versus "stagiaire"). Queries are expanded with them for BM25.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("tarif", "prix", "coût", "coûte", "payer", "budget", "euros"),
    ("stagiaire", "participant", "apprenant", "inscrit"),
    ("formateur", "formatrice", "intervenant", "intervenante", "animateur"),
    ("lieu", "ville", "adresse", "locaux"),
    ("date", "quand", "session", "calendrier"),
    ("durée", "longtemps"),
    ("prérequis", "pré-requis", "diplôme"),
    ("contact", "téléphone", "numéro", "joindre", "appeler", "courriel", "e-mail"),
    ("objectif", "but", "finalité"),
    ("programme", "déroulé", "déroulement", "contenu"),
    ("évaluation", "évaluer", "bilan"),
    ("handicap", "accessibilité", "accessible"),
    ("méthode", "technique", "outil"),
    ("habitants", "usagers", "population"),
    ("distanciel", "visio", "distance", "présentiel", "place"),
    ("étape", "phase", "séance"),
    ("risque", "difficulté", "vigilance"),
)


def fold(text: str) -> str:
    """Lowercase and strip accents, so that 'Orientée' and 'orientee' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def _compile() -> list[tuple[re.Pattern[str], Term]]:
    """One pattern per term matching its acronym or any long form."""
    patterns = []
    for term in GLOSSARY:
        names = [term.acronym, term.full_form, *term.synonyms]
        alternatives = "|".join(re.escape(fold(n)) for n in sorted(names, key=len, reverse=True))
        # Letters and hyphens bound a match, digits do not: "CAF42" is the CAF, "mars" is not ARS.
        pattern = re.compile(rf"(?<![a-z0-9-])(?:{alternatives})s?(?![a-z-])")
        patterns.append((pattern, term))
    return patterns


_PATTERNS = _compile()


def expand(text: str, full_forms: bool = True) -> str:
    """Return `text` followed by the acronym (and, with `full_forms`, the full form) of every
    glossary term it uses, so that an acronym and its spelled-out form match both ways.

    Passages get both; a question gets only the acronyms, as a full form's common words
    ("grand", "centre") would otherwise pull in unrelated passages.
    """
    folded = fold(text)
    additions = [
        f"{term.acronym} {term.full_form}" if full_forms else term.acronym
        for pattern, term in _PATTERNS
        if pattern.search(folded)
    ]
    return f"{text}\n{' '.join(additions)}" if additions else text
