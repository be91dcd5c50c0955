"""What kind of fact a question asks for (a date, a price, a phone number, a count, what an
acronym stands for…) and whether a passage holds one. Retrieval uses it to prefer, among close
candidates, the passage that can answer; the extractive backend, to quote the sentence that does."""

from __future__ import annotations

import re

from kb.core.glossary import GLOSSARY, fold

_MONTHS = "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"

# What a length of time is counted in: "combien de jours" asks for a duration, not a count.
_SPANS = "jours|journees|temps|heures|seances|semaines|mois|annees|ans"
# "Combien de…", and "combien y a-t-il de…", "combien existe-t-il de…", said the same.
_HOW_MANY = r"\bcombien (?:(?:y a|en existe|existe|en compte|compte)-t-(?:il|on) )?d(?:e |')"
# Words after a number that make it no count: a length of time, or a range's first end.
_UNITS = r"jours?|journees?|heures?|h|semaines?|mois|annees?|ans?|minutes?|min|mn|a|ou|et|en"

# "Quand" asks for a date at the head of a question ("Quand a lieu…", "et quand le renouveler"),
# after "depuis" or at its end, not in a clause of circumstance: "comment faire quand personne
# n'ose…", "quand on place les partenaires…", "peut-on quand même…".
_SUBJECT = "on|je|j'|nous|vous|il|elle|ils|elles|meme|chacun|personne"

# Patterns run on accent-folded, lowercased text.
_QUESTION_TYPES: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        rf"^\W*(?:et |mais )?quand\b(?! (?:{_SUBJECT})\b)|\bet quand\b(?! (?:{_SUBJECT})\b)|"
        r"\b(?:depuis|de|jusqu'a|a partir de) quand\b|\bquand\s*\?|\bc'est quand\b|"
        # "Le calendrier de la formation" asks for dates; "dans le calendrier de ma CTG, à quel
        # moment…" for a stage.
        r"\bquelle date\b|\bquel jour\b|\bdates?\b|(?<!dans le )\bcalendrier\b|"
        r"\ben quelles? annees?\b"
    ),
    "price": re.compile(
        r"\bcombien coute\b|\bprix\b|\btarifs?\b|\bcouts?\b|\bbudget\b|\bmontants?\b|"
        r"\beuros?\b|€|"
        # "Combien faut-il payer ?" asks for a price, "faut-il payer avant la session ?" not.
        r"\bcombien\b[^?]*\bpayer\b|\bpayer combien\b"
    ),
    "phone": re.compile(r"\btelephone\b|\bnumero\b|\bappeler\b|\btel\b"),
    "email": re.compile(r"\be-?mail\b|\bcourriel\b|\badresse (?:electronique|mail)\b"),
    "website": re.compile(r"\bsite\b|\binternet\b|\bweb\b"),
    "contact": re.compile(r"\bjoindre\b|\bcontacter\b|\bcontact\b"),
    "duration": re.compile(rf"{_HOW_MANY}(?:{_SPANS})\b|\bduree\b"),
    "count": re.compile(rf"{_HOW_MANY}(?!(?:{_SPANS})\b)\w|\bnombre de\b"),
    "hours": re.compile(r"\b(?:combien|nombre) d'heures\b|\bvolume horaire\b"),
    "address": re.compile(
        r"(?<!s')\badresse\b(?!\s+(?:e-?mail|mail|electronique|web|internet|du site))|"
        r"\bdans quelle rue\b"
    ),
    "rate": re.compile(r"\btaux\b|\bpourcentage\b|\bproportion\b|\bnote moyenne\b"),
    "person": re.compile(
        r"\bprenoms?\b|\bnoms? (?:du|de la|de l'|des) ?(?:formate|formatri|intervenant|referent|"
        r"responsable|animat|personne|contact|charge(?:e|s)? de)|\bcomment s'appellen?t?\b|"
        r"\bqui (?:est|sont) (?:le|la|les) (?:formate|formatri|intervenant)|"
        r"\bqui represent|\bqui (?:est|sont|etait|etaient) present"
    ),
    "deadline": re.compile(
        r"\bdate limite\b|\bavant quelle date\b|\bjusqu'a quand\b|\bau plus tard\b|"
        r"\bdelai (?:d'inscription|pour s'inscrire)\b"
    ),
    # "Faut-il un diplôme pour s'inscrire ?" asks what a course requires of its trainees.
    "prerequisite": re.compile(
        r"\bpre-?requis\b|\bconditions? d'(?:acces|admission)\b|\bniveau requis\b|"
        r"\b(?:faut-il|faut il|doit-on|dois-je)\b[^?]{0,60}\bpour (?:s'inscrire|s'y inscrire|"
        r"suivre|participer|acceder)\b"
    ),
    "maximum": re.compile(r"\bmaxim(?:um|ale?s?|aux)\b|\bau plus combien\b|\bplafond\b"),
    "minimum": re.compile(r"\bminim(?:um|ale?s?|aux)\b|\bau moins combien\b|"
                          r"\ba partir de combien\b|\bdes combien\b"),
}
# "Que signifie EGOC ?", "C'est quoi un LAEP ?", "COG, ça veut dire quoi ?": the answer spells out
# the acronym. Only the acronym the question asks about: not the CCT of "c'est quoi la différence
# entre un CCT et un CCD ?", nor the CEJ of "depuis le CEJ, qu'est-ce qui a changé ?". Run on the
# question as written, since case tells an acronym from a word.
_ASKING_MEANING = (r"(?i:que\s+signifie|que\s+veut\s+dire|veut\s+dire\s+quoi|signifie\s+quoi|"
                   r"c['’]est\s+quoi|qu['’]est-ce\s+que?|qu['’]est-ce\s+qu['’]|"
                   r"d[ée]finition\s+d[eu]?|d[ée]signe)")
# After "qu'est-ce qu'" the article follows the apostrophe: "qu'une CTG".
_ARTICLE = (r"(?i:(?:\s+|(?<=['’]))(?:le\s+sigle\s+|l['’]acronyme\s+)?"
            r"(?:(?:un|une|le|la|les|des|du|de)\s+|l['’]|d['’])?)")
_MEANING_AFTER = (r"(?i:\s*,?\s*(?:ça|ca|cela)?\s*(?:c['’]est\s+quoi|veut\s+dire\s+quoi|"
                  r"signifie\s+quoi|d[ée]signe|qu['’]est-ce\s+que\s+c['’]est))")


# "COTECH, c'est quoi…" asks what COTECH means, but not in "COPIL et COTECH, c'est quoi la
# différence ?".
_NOT_COMPARED = (r"(?!\s*(?i:(?:la|le|les)\s+)?"
                 r"(?i:diff[ée]rences?|liens?|rapports?|points? communs?))")


def _asks_meaning(question: str, acronym: str) -> bool:
    name = rf"(?<![\w-]){re.escape(acronym)}(?![\w-])"
    return bool(re.search(_ASKING_MEANING + _ARTICLE + name, question)
                or re.search(name + _MEANING_AFTER + _NOT_COMPARED, question))


# "Le bonus territoire, ça sert à quoi ?", "À quoi sert le COPIL ?": asking what a thing is for
# asks what it is, as "c'est quoi" does.
_PURPOSE_BEFORE = r"(?i:[àa]\s+quoi\s+(?:ça\s+|ca\s+)?sert(?:-(?:il|elle))?)"
_PURPOSE_AFTER = r"(?i:\s*,?\s*(?:ça|ca|cela)\s+sert\s+[àa]\s+quoi)"
_SUBJECT = r"(?P<subject>[^?,;:]{2,60}?)"
_DEFINED = (
    re.compile(rf"^\s*(?:{_ASKING_MEANING}|{_PURPOSE_BEFORE}){_ARTICLE}{_SUBJECT}\s*\?*\s*$"),
    re.compile(rf"^\s*(?i:(?:le|la|les|un|une)\s+|l['’])?{_SUBJECT}"
               rf"(?:{_MEANING_AFTER}|{_PURPOSE_AFTER})\s*\?*\s*$"),
)
MAX_SUBJECT_WORDS = 6
# "Qu'est-ce qu'on trouve dans un SDSF ?" asks what someone does or finds, not what a thing is.
_PRONOUN = re.compile(r"\s*(?i:(?:on|il|elle|ils|elles|je|tu|nous|vous)(?!\w)|j['’])")


def defined_subject(question: str) -> str | None:
    """What the whole question asks to define ("C'est quoi une CTG ?" → "CTG", "Le bonus
    territoire, ça sert à quoi ?" → "bonus territoire"), or None when it asks something else."""
    for pattern in _DEFINED:
        match = pattern.match(question)
        if (match and len(match["subject"].split()) <= MAX_SUBJECT_WORDS
                and not _PRONOUN.match(match["subject"])):
            return match["subject"].strip()
    return None


_ACRONYMS = {term.acronym: term.full_form for term in GLOSSARY}
_NUMBER_WORDS = ("deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|"
                 "cent|dizaine|douzaine|quinzaine|vingtaine|trentaine|centaine")

_PHONE = r"\b0\d(?:[\s.]?\d{2}){4}\b"
_EMAIL = r"[\w.+-]+@[\w-]+\.[\w.]+"
_WWW = r"www\.[\w-]+\.\w+"

_FACT_PATTERNS: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        rf"\b\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|"
        rf"\b(?:{_MONTHS})\s+\d{{4}}\b|\b(?:19|20)\d{{2}}\s*-\s*(?:19|20)\d{{2}}\b|"
        r"\b(?:depuis|en|des|jusqu'en|a partir de)\s+(?:19|20)\d{2}\b|"
        # A time relative to an event answers "quand" too: "diffusé sous quinze jours",
        # "deux à quatre semaines avant le COPIL".
        rf"\b(?:sous|dans les|d'ici)\s+(?:\d+|{_NUMBER_WORDS})\s+(?:jours|semaines|mois)\b|"
        rf"\b(?:\d+|{_NUMBER_WORDS})\s+(?:jours|semaines|mois)\s+(?:avant|apres)\b"
    ),
    "price": re.compile(r"\d[\d\s.,]*\s*(?:€|euros?\b)|\b(?:ttc|ht)\b"),
    "phone": re.compile(_PHONE),
    "email": re.compile(_EMAIL),
    "website": re.compile(rf"\b{_WWW}|https?://"),
    "contact": re.compile(f"{_PHONE}|{_EMAIL}|{_WWW}"),  # any way to reach them
    "duration": re.compile(
        r"\b\d+\s*(?:jours?|journees?|heures?|h\b|demi-journees?|seances?|"
        r"minutes?|min|mn|semaines?|mois|ans|annees)\b|"
        r"\b(?:deux|trois|quatre|cinq|six|sept|huit|dix)\s+"
        r"(?:jours|journees|phases|heures|semaines|mois|ans|annees)\b|"
        # "D'une demi-journée à une journée", "une heure et demie".
        r"\bdemi-(?:journees?|heures?)\b|\b(?:une|d'une) (?:journee|heure|semaine)\b"
    ),
    # A number before a word, but not a year or a day of the month ("la CTG 2021-2025 et…",
    # "le 4 avril" count nothing), a length of time ("quatre ans") or one end of a range
    # ("quatre à cinq").
    "count": re.compile(
        rf"\b(?!(?:19|20)\d{{2}}\b)\d+\s+(?!(?:{_MONTHS}|{_UNITS})\b)[^\W\d]|"
        rf"\b(?:{_NUMBER_WORDS})\s+(?:de\s+)?(?!(?:{_UNITS})\b)[^\W\d]"
    ),
    "address": re.compile(
        r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|allee|"
        r"impasse|quai|route|cours|square)\b|\b\d{5}\s+[a-z]"
    ),
    "rate": re.compile(
        r"\d+(?:[.,]\d+)?\s*%|\bpour ?cent\b|\d+(?:[.,]\d+)?\s*/\s*(?:5|10|20|100)\b"
    ),
    "deadline": re.compile(
        r"\bdate limite\b|\bau plus tard\b|\b(?:avant|jusqu'au) le? ?\d|\bclotur\w*|"
        r"\blimite d'inscription\b|\binscriptions? (?:avant|jusqu)"
    ),
    "maximum": re.compile(
        r"\bmax(?:imum|imale?s?|imaux|\.)?\b|\bau plus\b|\bau-dela d|\bpas plus de\b|"
        r"\bjusqu'a \d|\bplafon\w*|\blimite a\b"
    ),
    "minimum": re.compile(
        r"\bmin(?:imum|imale?s?|imaux|\.)?\b|\bau moins\b|\bpas moins de\b|\ba partir d"
    ),
    "hours": re.compile(r"\b\d+\s*(?:h\b|heures?\b)"),
    "prerequisite": re.compile(
        r"\bpre-?requis\b|\bconditions? d'acces\b|\bsans condition\b|"
        r"\b(?:ouverte?s?|accessibles?) a (?:tous|toutes)\b"
    ),
}
# A first name and a surname in capitals ("Eva JORDAN"), or a title and a name ("Mme Durand"):
# run on the text as written, since case tells a name from other words.
_PERSON = re.compile(
    r"\b[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?\s+(?P<surname>[A-ZÀ-Ý]{2,}(?:-[A-ZÀ-Ý]{2,})?)\b|"
    r"\b(?:M\.|Mme|Madame|Monsieur)\s+[A-ZÀ-Ý]|"
    # Under a trainers' label, a first name and a surname as usually written ("Formateurs :
    # François Rousseau"), not a title ("Formateur : Formateur expert").
    r"^(?:Format(?:eur|rice)s?|Intervenant(?:e)?s?)\s*:\s*[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?"
    r"\s+[A-ZÀ-Ý][a-zà-ÿ]+"
)
# "Phase 2", "Jour 1": a number that names a part, not one that counts (nor does a phone number).
_ORDINAL = re.compile(r"\b(?:phase|jour|module|etape|partie|seance|niveau|n°|no|numero)\s*\d+\b")
# A sentence saying that the fact is not given ("le tarif n'est pas indiqué") answers a question
# about it: the fact's name, then the words that say it is missing.
_UNSTATED = (
    r"(?:non (?:collecte|connu|precise|communique|indique|renseigne|nomme)e?s?\b|"
    r"n'(?:est|etait|etaient|sont) pas (?:indique|precise|connu|communique|mentionne|nomme)e?s?\b)"
)
_FACT_NAMES = {
    "date": "dates?|calendrier|sessions?", "price": "tarifs?|prix|couts?|montants?",
    "phone": "telephone|numero", "email": "e-?mail|courriel", "website": "site",
    "contact": "contacts?|coordonnees", "duration": "duree|horaires?|heures",
    "count": "nombre|effectifs?", "address": "adresse|lieu|salle",
    "rate": "taux|pourcentage|satisfaction", "person": "noms?|format\\w+|intervenant\\w*",
    "deadline": "date limite|inscriptions?|delais?", "maximum": "effectifs?|nombre|maximum",
    "minimum": "effectifs?|nombre|minimum", "hours": "heures|volume horaire|horaires?",
    "prerequisite": "pre-?requis|conditions? d'acces",
}
_NOT_GIVEN = {
    kind: re.compile(rf"\b(?:{names})\b[^.;()]{{0,40}}?\b{_UNSTATED}")
    for kind, names in _FACT_NAMES.items()
}


def expected_types(question: str) -> set[str]:
    """The kinds of fact `question` asks for (empty when it asks for an explanation). A kind is
    a name ("date", "price"…) or, for what an acronym stands for, "definition:<ACRONYM>"."""
    folded = fold(question)
    kinds = {name for name, pattern in _QUESTION_TYPES.items() if pattern.search(folded)}
    if kinds & {"phone", "email", "website"}:
        kinds.discard("contact")  # one way to reach them was asked for, not any
    # A deadline is a date, a maximum a count or a length, hours a length: the narrower kind is
    # what was asked.
    if "deadline" in kinds:
        kinds.discard("date")
    if kinds & {"maximum", "minimum", "hours"}:
        kinds -= {"count", "duration"}
    kinds |= {f"definition:{acronym}" for acronym in _ACRONYMS if _asks_meaning(question, acronym)}
    # Typed in a chat, an acronym loses its capitals ("c'est quoi un laep ?", "C'est quoi la
    # Cnaf ?"): when it is the whole thing asked about, its case does not matter.
    subject = defined_subject(question)
    kinds |= {f"definition:{acronym}" for acronym in _ACRONYMS
              if subject and fold(subject) == fold(acronym)}
    return kinds


def _words(text: str) -> str:
    """Folded words between spaces; Markdown emphasis ("**G**rand") does not split a word."""
    return " " + re.sub(r"[^a-z0-9]+", " ", re.sub(r"[*_]", "", fold(text))).strip() + " "


def holds(text: str, kind: str) -> bool:
    """Whether `text` contains a fact of that kind."""
    if kind.startswith("definition:"):
        return _words(_ACRONYMS[kind.removeprefix("definition:")]) in _words(text)
    folded = fold(text)
    if _NOT_GIVEN[kind].search(folded):
        return True
    if kind == "person":
        # "Développement CAF" is no first name and surname: an acronym is no one's name.
        return any(m["surname"] not in _ACRONYMS for m in _PERSON.finditer(text))
    if kind == "count":
        folded = _FACT_PATTERNS["phone"].sub(" ", _ORDINAL.sub(" ", folded))
    return bool(_FACT_PATTERNS[kind].search(folded))
