"""Which section of a method or programme sheet a question asks for ("une erreur classique" →
"Pièges à éviter", "qui a inventé" → "Origine et références", "c'est pour qui ?" → "Public et
prérequis").

Every method sheet follows the same template (kb.training.methods.SECTIONS), and every
programme sheet its own (kb.catalogue.model.PROGRAMME_SECTIONS), whose headings use words a
question rarely repeats: one asks about a mistake, the sheet lists pitfalls. An ingested
brochure names the same sections its own way ("Le déroulement", "Modalités pédagogiques"):
its headings are read with the same cues.
Retrieval uses this to prefer, within the sheet a question names, the section that answers it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.core.documents import Chunk, DocType
from kb.core.glossary import fold
from kb.core.sentences import Unit, passage_units

# Cues run on the accent-folded, lowercased question.
CUES: dict[str, re.Pattern[str]] = {
    "À quoi ça sert": re.compile(
        r"\ba quoi (?:ca )?sert\b|\bsert a quoi\b|\butilite\b|\binteret\b"),
    "Quand l'utiliser dans une CTG": re.compile(
        r"\ba quel moment\b|\bdans quels? cas\b|\bquand (?:l'|la |le )?(?:utiliser|choisir|"
        r"mobiliser|recourir|proposer)\b|\bquelle etape de la ctg\b|\bdans le calendrier\b"),
    "Préparation et installation": re.compile(
        r"\bprepar\w*|\bmateriel\b|\bsalle\b|\binstall\w*|"
        r"\bcombien de (?:personnes|participants|temps)\b|\bduree\b|\bbloquer\b|\bprevoir\b"),
    "Déroulé pas à pas": re.compile(
        r"\bderoul\w*|\betapes?\b|\bcomment (?:se passe|animer|mener|conduire|lancer)\b|"
        # "Comment faire un diagnostic partagé ?", not "comment faire quand personne n'ose…".
        r"\bcomment (?:faire|realiser|organiser) (?:un|une|le|la|les|des|l')|"
        r"\bcomment s'y prendre\b|"
        # In the first person: "comment j'organise le séminaire ?", "comment je lance l'atelier ?".
        r"\bcomment (?:j'|je )(?:organise|anime|mene|conduis|lance|deroule|prepare)\b|"
        r"\bpas a pas\b"),
    "Rôles": re.compile(
        r"\broles?\b|\bqui (?:fait|anime|tient|note|garde|distribue|est charge)\b|"
        r"\bcharge(?:e|s)? de (?!cooperation)\w|\bquelqu'un\b|\bresponsable de\b|"
        r"\bqui (?:s'occupe|prend|mene|pilote|porte)\b|\bm'effacer\b|\ben retrait\b"),
    "Variantes": re.compile(
        r"\bvariantes?\b|\badapt\w*|\ben ligne\b|\ba distance\b|\bvisio\b|\bgrand groupe\b|"
        r"\b\d{2,} (?:personnes|participants)\b"),
    "Pièges à éviter": re.compile(
        r"\berreurs?\b|\bpieges?\b|\beviter\b|\becueils?\b|\bse tromper\b|\battention\b|"
        r"\bdangers?\b|\bderives?\b|\brater\b|\bechec\b|"
        # Asking whether a practice is fine ("c'est gênant ?") asks about a pitfall.
        r"\bc'est (?:genant|grave|correct|un probleme|une erreur)\b|"
        r"\b(?:que|comment) faire (?:si|quand)\b"),
    "Ce qu'on produit à la fin": re.compile(
        r"\bproduit\b|\bproduire\b|\blivrables?\b|\ba la fin\b|\ben sortie\b|\bresultat\b|"
        r"\bobtient\b|\bavec quoi (?:on )?repart|\ben main\b|\bformaliser\b|\btraces?\b"),
    "Origine et références": re.compile(
        r"\borigine\b|\binvente\w*|\bcree\b|\bconcu\b|\bauteurs?\b|\binspir\w*|\bformalise\w*|"
        r"\bd'ou vient\b|\bqui a (?:invente|cree|concu|formalise|imagine)\b|"
        r"\barticle\b|\bouvrage\b"),
}


# The same for the sections of a programme sheet (kb.catalogue.model.PROGRAMME_SECTIONS), which a
# prospect asks about: "c'est pour qui ?", "qui anime ?", "comment s'inscrire ?".
PROGRAMME_CUES: dict[str, re.Pattern[str]] = {
    "Public et prérequis": re.compile(
        r"\bpour qui\b|\bpublic\b|\bs'adresse\b|\bpre-?requis\b|\bqui peut (?:s'inscrire|"
        r"suivre|participer)\b|\bniveau\b"),
    "Objectifs": re.compile(r"\bobjectifs?\b|\bcompetences?\b|\bapprendre\b|\bsavoir faire\b"),
    "Programme": re.compile(
        # "Le déroulé" of a course is its programme; "se déroule" asks for a method's steps
        # ("comment se déroule un diagnostic partagé ?"), or for a place ("où se déroule…").
        r"\bprogramme\b|\bcontenu\b|(?<!se )\bderoule(?:ment)?\b|\bjour \d\b|"
        r"\b(?:premier|deuxieme|second) jour\b|\b(?:premiere|deuxieme|seconde) journee\b|"
        r"\bphase \d\b|\bsujets?\b"),
    "Méthodes": re.compile(
        # "Objectifs pédagogiques", "contenus pédagogiques" ask for what is taught, not how.
        r"\bmethodes?\b|(?<!objectifs )(?<!objectif )(?<!contenus )(?<!contenu )\bpedagogi\w*|"
        r"\bexercices?\b|\bmises? en situation\b|"
        r"\bcas (?:pratiques|concrets)\b"),
    "Formateurs": re.compile(r"\bformat(?:eur|rice)s?\b|\bintervenant\w*|\bqui anime\b"),
    "Tarif et modalités": re.compile(
        r"\btarifs?\b|\bprix\b|\bcoute\b|\bcouts?\b|\bpayer\b|\bprise en charge\b|"
        r"\bfinanc\w*"),
    "Contact et inscription": re.compile(
        r"\binscri\w*|\bcontact\w*|\bjoindre\b|\btelephone\b|\be-?mail\b|\bcourriel\b"),
}


def sections_asked(question: str) -> set[str]:
    """The template sections (of method and programme sheets) whose content `question` asks
    for."""
    folded = fold(question)
    return {section for cues in (CUES, PROGRAMME_CUES) for section, cue in cues.items()
            if cue.search(folded)}


def section_of(path: str, programme: bool = False) -> str:
    """The section a passage sits in, from its heading path: the deepest section of the template
    ("Fish-bowl > Variantes > En ligne" → "Variantes"), else the last heading. In a `programme`,
    a brochure's own heading counts as the template section its words ask for ("Le déroulement"
    → "Programme", "Modalités pédagogiques" → "Méthodes")."""
    headings = [heading.strip() for heading in path.split(" > ")]
    exact = next((h for h in reversed(headings) if h in CUES or h in PROGRAMME_CUES), None)
    if exact or not programme:
        return exact or headings[-1]
    return next((section for h in reversed(headings) for section, cue in PROGRAMME_CUES.items()
                 if cue.search(fold(h))), headings[-1])


# A sheet's sections are its level-2 headings.
_SECTION_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.MULTILINE)


def sections_in(chunk: Chunk) -> set[str]:
    """The sections a passage covers: the one it starts in, and those whose heading it holds (a
    short section shares its passage with the one before)."""
    programme = chunk.doc_type == DocType.PROGRAMME
    return {section_of(chunk.section, programme),
            *(section_of(m, programme) for m in _SECTION_HEADING.findall(chunk.text))}


def unit_paths(chunk: Chunk, units: Sequence[Unit]) -> list[str]:
    """The heading path each of a passage's units (in reading order) sits under: the passage's
    own, then, after a Markdown heading inside it, that heading's (one of level 2 or above starts
    a new section, a deeper one a subsection)."""
    current = chunk.section.split(" > ") if chunk.section else []
    out = []
    for unit in units:
        if unit.heading:
            current = [*(current[:-1] if unit.heading <= 2 else current), unit.text]
        out.append(" > ".join(current))
    return out


def unit_sections(chunk: Chunk, units: Sequence[Unit]) -> list[str]:
    """The template section each of a passage's units (in reading order) sits in."""
    programme = chunk.doc_type == DocType.PROGRAMME
    return [section_of(path, programme) for path in unit_paths(chunk, units)]


def sentence_section(chunk: Chunk, sentence: str) -> str:
    """The heading path of the passage's unit that `sentence` quotes, or the passage's own."""
    units = passage_units(chunk.text)
    return next((path for unit, path in zip(units, unit_paths(chunk, units), strict=True)
                 if unit.text and (unit.text in sentence or sentence in unit.display)),
                chunk.section)
