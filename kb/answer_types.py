"""What kind of fact a question asks for (a date, a price, a phone number…) and whether a passage
holds one. Retrieval uses it to prefer, among close candidates, the passage that can answer."""

from __future__ import annotations

import re

from kb.glossary import fold

_MONTHS = "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"

# Patterns run on accent-folded, lowercased text.
_QUESTION_TYPES: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        r"\bquand\b|\bquelle date\b|\bquel jour\b|\bdates?\b|\bcalendrier\b|"
        r"\ben quelle annee\b|\bde quand\b"
    ),
    "price": re.compile(
        r"\bcombien coute\b|\bprix\b|\btarifs?\b|\bcouts?\b|\bbudget\b|"
        r"\bpayer\b|\beuros?\b|€"
    ),
    "phone": re.compile(
        r"\btelephone\b|\bnumero\b|\bappeler\b|\bjoindre\b|\bcontacter\b|"
        r"\bmail\b|\bcourriel\b|\bcontact\b"
    ),
    "duration": re.compile(
        r"\bcombien de (?:jours|journees|temps|heures|seances)\b|\bduree\b|"
        r"\bcombien de temps\b"
    ),
}

_FACT_PATTERNS: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        rf"\b\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|"
        rf"\b(?:{_MONTHS})\s+\d{{4}}\b|\b(?:19|20)\d{{2}}\s*-\s*(?:19|20)\d{{2}}\b|"
        r"\b(?:depuis|en|des|jusqu'en)\s+(?:19|20)\d{2}\b"
    ),
    "price": re.compile(r"\d[\d\s.,]*\s*(?:€|euros?\b)|\b(?:ttc|ht)\b"),
    "phone": re.compile(r"\b0\d(?:[\s.]?\d{2}){4}\b|[\w.+-]+@[\w-]+\.[\w.]+|www\.[\w-]+\.\w+"),
    "duration": re.compile(
        r"\b\d+\s*(?:jours?|journees?|heures?|h\b|demi-journees?|seances?|"
        r"minutes?|mois|ans)\b|\b(?:deux|trois|quatre|cinq|six)\s+"
        r"(?:jours|journees|phases|heures|ans)\b"
    ),
}


def expected_types(question: str) -> set[str]:
    """The kinds of fact `question` asks for (empty when it asks for an explanation)."""
    folded = fold(question)
    return {name for name, pattern in _QUESTION_TYPES.items() if pattern.search(folded)}


def holds(text: str, kind: str) -> bool:
    """Whether `text` contains a fact of that kind."""
    return bool(_FACT_PATTERNS[kind].search(fold(text)))
