"""Whether a question names a document: by a rare word of its title or context, by its title
or a part of it, or by one of its aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
from functools import lru_cache

from kb.core.documents import Chunk
from kb.core.profiles import Profiles
from kb.core.tokens import tokenize

# A question word names documents when few documents carry it in their title or context: "EGOC"
# or "fish-bowl" do, "formation" or "CTG" (in many titles) do not.
NAMING_SHARE = 0.25


def named_by(profiles: Profiles, words: Set[str]) -> set[str]:
    """Sources named by one of a question's own `words` (its tokens without synonyms or full
    forms, `QuestionAnalysis.own_tokens`) that few documents carry."""
    limit = NAMING_SHARE * len(profiles.by_source)
    named: set[str] = set()
    for word in words:
        owners = profiles.owners.get(word, set())
        if len(owners) <= limit:
            named |= owners
    return named


_TITLE_PARTS = re.compile(r"[():/]|\bet\b")


def names_document(words: Set[str], chunk: Chunk) -> bool:
    """Whether a question of own `words` (`QuestionAnalysis.own_tokens`) names a passage's
    document: by one of its aliases ("fishbowl", "open space", a course's provider "FR
    Consultants"), or its title or a part of it: every word of "Fish-bowl", of "bocal à
    poissons", or of "Animer un comité de pilotage" for "Animer un comité de pilotage (COPIL) et
    un comité technique (COTECH)". One shared word ("animer", "participants") is not enough."""
    return names_title(words, chunk.title, chunk.aliases)


def names_title(words: Set[str], title: str, aliases: Iterable[str] = ()) -> bool:
    """Whether a question of own `words` names a document by its `title`, a part of it, or one
    of its `aliases` (see `names_document`)."""
    return any(tokens <= words for tokens in _naming_forms(title, tuple(aliases)))


@lru_cache(maxsize=16384)
def _naming_forms(title: str, aliases: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """The tokens of each way a question can name a document (asked of every document, question
    after question): "Fish-bowl" is named as "fish bowl" or "fishbowl", "Méta-plan" as "méta
    plan"."""
    forms = (form for part in (*_TITLE_PARTS.split(title), *aliases)
             for form in (part.replace("-", " "), re.sub(r"[-\s]", "", part)))
    tokens = (frozenset(tokenize(form, full_forms=False)) for form in forms)
    return tuple(form for form in tokens if form)


@lru_cache(maxsize=4096)
def _title_parts(title: str) -> tuple[frozenset[str], ...]:
    """The tokens of each part of a title (asked of every document, question after question)."""
    return tuple(frozenset(tokenize(part, full_forms=False))
                 for part in _TITLE_PARTS.split(title))


def titled(title: str, term: str) -> bool:
    """Whether `term` ("CTG") is one part of a document's `title` on its own ("La convention
    territoriale globale (CTG)"): the document is about that very thing."""
    tokens = frozenset(tokenize(term, full_forms=False))
    return bool(tokens) and tokens in _title_parts(title)
