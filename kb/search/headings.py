"""Questions a document answers by its headings: what a thing is, where the document titled by it
opens or under a heading about it ("C'est quoi une CTG ?", "Le bonus territoire, ça sert à
quoi ?"), and what a heading names word for word ("Quelles sont les missions d'un chargé de
coopération ?" → "Ce que fait un·e chargé·e de coopération : les missions relevées…").

Retrieval puts such a passage first, as the section a question asks for, and the extractive
answer quotes it: the words of the question are those of the heading, not of its sentences.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from kb.core.documents import Chunk
from kb.core.glossary import fold
from kb.core.sentences import passage_units
from kb.core.tokens import content_words, tokenize
from kb.search.answer_types import defined_subject
from kb.search.naming import titled
from kb.search.sections import unit_paths

# A heading holding one word of the question ("mission") is no answer to it: the référentiel's
# "fiche nationale de mission" would answer "Quelles sont les missions… ?".
MIN_HEADING_WORDS = 2


@lru_cache(maxsize=4096)
def _heading_tokens(heading: str) -> frozenset[str]:
    """A heading's tokens: the same few headings are read for every unit under them."""
    return frozenset(tokenize(heading, full_forms=False))


def last_heading(path: str) -> str:
    """The deepest heading of a heading path ("CTG > Le bonus territoire" → "Le bonus
    territoire")."""
    return path.rsplit(" > ", 1)[-1]


@dataclass(frozen=True)
class HeadingMatch:
    """What of a question a heading can answer: the thing it asks to define, and the tokens of
    every word it names."""

    subject: str | None
    words: frozenset[str]

    @classmethod
    def of(cls, question: str) -> HeadingMatch:
        words = frozenset(t for word in content_words(question)
                          for t in tokenize(word, full_forms=False))
        return cls(defined_subject(question), words)

    def __bool__(self) -> bool:
        return bool(self.subject) or len(self.words) >= MIN_HEADING_WORDS

    def gap(self, heading: str, title: str = "") -> int | None:
        """How far `heading` is from heading the question: 0 when it is about the thing asked
        ("Le bonus territoire : ce que c'est", not "Exemple : le passage au bonus territoire en
        Moselle") or, for another question, names every word of it; 1 when it names all but one,
        which its document's `title` names ("CTG" for "Quelles sont les missions d'un chargé de
        coopération CTG ?"); None otherwise. A title naming the question's words names its
        whole document, not the section that answers."""
        if self.subject:
            return 0 if titled(heading, self.subject) else None
        if len(self.words) < MIN_HEADING_WORDS or (title and fold(heading) == fold(title)):
            return None
        missing = self.words - _heading_tokens(heading)
        if not missing:
            return 0
        return 1 if len(missing) == 1 and missing <= _heading_tokens(title) else None

    def opens(self, chunk: Chunk) -> bool:
        """Whether `chunk` opens the document titled by the thing asked ("La convention
        territoriale globale (CTG)" for "C'est quoi une CTG ?")."""
        return bool(self.subject and chunk.position == 0 and titled(chunk.title, self.subject))

    def answers(self, chunk: Chunk) -> int | None:
        """How close `chunk` is to where its document answers the question by its headings
        (`gap`): its own, or one inside it (a Markdown heading, a paragraph wholly in bold)."""
        if self.opens(chunk):
            return 0
        paths = {chunk.section, *unit_paths(chunk, passage_units(chunk.text))}
        return closest(self.gap(last_heading(path), chunk.title) for path in paths)


def closest(gaps: Iterable[int | None]) -> int | None:
    """The smallest of heading gaps (`HeadingMatch.gap`), None when none heads the question."""
    return min((gap for gap in gaps if gap is not None), default=None)
