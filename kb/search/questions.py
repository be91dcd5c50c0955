"""Questions as users type them: cleaned, and refused with a French reason when unusable."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 2000

# Acronyms ("RSA", "CPF"), less those the question spells out itself: "le CSD (capital…)".
_NAME = re.compile(r"(?<![\w-])[A-Z]{2,}[0-9]*(?![\w-])(?!\s*\()")
# Names of places, people and organisations ("à Montpellier", "qu'Askoria", "de la Haute-Savoie"):
# a capitalised word after another word, so not one opening a sentence.
_PROPER = re.compile(
    r"(?:(?<=[\w,;] )|(?<=[\w,;] [dl]['’])|(?<=qu['’]))"
    r"([A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý]?[a-zà-ÿ]+)*)(?![\w'’-])"
)
# Words a question typed in a chat carries that ask nothing ("C'est quoi une CTG, en deux mots ?",
# "ça sert à quoi exactement ?"): rare in the documents, they would weigh more than its topic.
_FILLER = re.compile(
    r"[,;]?\s*\b(?:concr[eè]tement|exactement|au juste|en (?:deux|trois|quelques) mots|"
    r"s['’]il (?:te|vous) pla[iî]t|svp)\b",
    re.IGNORECASE,
)
# A short term the question quotes ("les profils « déchirés »"): what it asks about, by name. A
# longer quote is the user's own text to comment on ("on a écrit « créer un lieu d'accueil »").
_QUOTED = re.compile(r"«\s*([^«»]+?)\s*»|\"([^\"]+)\"|“([^”]+)”")
MAX_QUOTED_WORDS = 3
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


class QuestionError(ValueError):
    """A question that cannot be searched; the message says why, in French."""


def clean_question(text: str) -> str:
    """The question with control characters removed and spaces collapsed, or `QuestionError`."""
    cleaned = " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", text or "")).split())
    if not any(c.isalnum() for c in cleaned):
        raise QuestionError("La question est vide : écrivez quelques mots.")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"La question est trop longue ({_thousands(len(cleaned))} caractères ; limite "
            f"{_thousands(MAX_QUESTION_CHARS)}). Posez une question courte, ou indexez le texte "
            "comme document."
        )
    return cleaned


def without_fillers(question: str) -> str:
    """`question` less the words that ask nothing ("concrètement", "en deux mots", "svp")."""
    stripped = " ".join(_FILLER.sub("", question).split())
    return stripped if any(c.isalnum() for c in stripped) else question


def _thousands(number: int) -> str:
    """20000 → '20 000', as French writes it."""
    return f"{number:,}".replace(",", " ")


def named_terms(question: str) -> list[str]:
    """The acronyms a question names; the assistant abstains on one that no document uses."""
    return _NAME.findall(question)


def quoted_terms(question: str) -> list[str]:
    """The short terms a question quotes ("« déchirés »"); the assistant abstains when no
    document uses any word of one."""
    terms = (next(g for g in match.groups() if g) for match in _QUOTED.finditer(question))
    return [term for term in terms if len(term.split()) <= MAX_QUOTED_WORDS]


def proper_names(question: str) -> list[str]:
    """The names of places, people or organisations a question mentions ("Montpellier",
    "Haute-Savoie"); the assistant abstains on one that no document mentions."""
    return _PROPER.findall(question)
