"""One analysis per question, read by every stage after it: retrieval, support scoring, the
extractive answer and the model's prompt. What the question asks (kinds of fact, numbered parts,
template sections, the thing to define), the words that may name a document, whether it speaks
of a course, and the standalone question a follow-up stands for: parsed once, here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.core.glossary import expand, fold
from kb.core.tokens import content_words, query_tokens, tokenize
from kb.search.answer_types import expected_types
from kb.search.followups import History, condense_extractive, with_topic
from kb.search.headings import HeadingMatch
from kb.search.parts import parts
from kb.search.questions import (
    clean_question,
    named_terms,
    proper_names,
    quoted_terms,
    without_fillers,
)
from kb.search.sections import sections_asked

# A question speaking of a course ("à quelle séance", "les stagiaires", "le cabinet") is answered
# by a training programme, not by the method sheet on the same subject. Not "séance" alone: a
# method is run in a session too ("dans une séance de théorie du changement"); nor "formation"
# alone: the reference sheets speak of the chargé·es' training.
_COURSE = re.compile(r"\b(?:quelles? seances?|stagiaires?|cabinet|format(?:eur|rice)s?|"
                     r"sessions?|parcours|intra|inter)\b")
# Questions about a training offer: when the base does not answer, the provider is the one to ask.
_OFFER = re.compile(
    r"\b(?:formations?|stages?|stagiaires?|sessions?|inscri\w*|tarifs?|prix|formateurs?)\b"
)
# "Quelles tâches… ?", "quels sont…": several things are asked for, a whole list answers.
_PLURAL = re.compile(r"\bquel(?:le)?s\b")
# "C'est quoi une CTG et qui la signe ?": a second question joined to the first by "et" and a
# word that asks; each is answered on its own ("petite enfance et jeunesse" joins no question).
_SECOND_QUESTION = re.compile(
    r"\s*,?\s+et\s+(?=(?:qui|que|quoi|quel(?:le)?s?|combien|o[uù]|quand|comment|pourquoi|"
    r"[aà] (?:quoi|qui|quel(?:le)?s?)|(?:pour|sur|dans|avec|depuis|jusqu'?[aà]|en) "
    r"(?:quel(?:le)?s?|combien|qui|quoi|quand)|est-ce)\b)",
    re.IGNORECASE,
)
MIN_PIECE_WORDS = 2


@dataclass(frozen=True)
class QuestionAnalysis:
    """What one question asks, read from its standalone text (`text`); the checks for names no
    document mentions read the question as the user `asked` it."""

    asked: str
    # The question a follow-up stands for, cleaned, less the words that ask nothing: what is
    # searched, scored and shown as the question answered.
    text: str
    # The kinds of fact asked for ("date", "price", "definition:CTG"…: answer_types).
    kinds: frozenset[str]
    # The numbered parts named ("phase 2", the last step: parts).
    parts: frozenset[tuple[str, int]]
    # The template sections whose content is asked for ("Pièges à éviter": sections).
    sections: frozenset[str]
    # The thing asked to define and the words a heading can answer by (headings).
    heading: HeadingMatch
    # The tokens of the question's own words, without synonyms or full forms: the cues that name
    # a document ("EGOC", "fish-bowl": naming).
    own_tokens: frozenset[str]
    # Its tokens widened to their synonyms, own words twice (kb.core.tokens.query_tokens).
    query_tokens: tuple[str, ...]
    # Its tokens with the glossary's full forms: what a sentence restating it shares.
    tokens: frozenset[str]
    # The text followed by the acronyms and full forms it uses, for the dense search.
    expanded: str
    course: bool  # it speaks of a course (a session, the trainees, the provider)
    training_offer: bool  # it is about a training offer, which the provider answers
    plural: bool  # it asks for several things ("quelles tâches")
    # The questions it joins ("C'est quoi une CTG ?", "qui la signe (CTG) ?"), each standalone;
    # empty for a question asking one thing.
    pieces: tuple[str, ...]
    # What the question as asked names, for the assistant to abstain on a name no document
    # mentions: acronyms, places or organisations, the short terms it quotes (each with its
    # content words), and its own content words.
    acronyms: tuple[str, ...]
    proper_names: tuple[str, ...]
    quoted: tuple[tuple[str, tuple[str, ...]], ...]
    content_words: tuple[str, ...]

    @property
    def definitions(self) -> frozenset[str]:
        """The acronyms asked to spell out, as kinds ("definition:LAEP")."""
        return frozenset(kind for kind in self.kinds if kind.startswith("definition:"))


def pieces(question: str) -> tuple[str, ...]:
    """The questions `question` joins, the later ones completed by the first's topic as a
    follow-up is; empty when it asks one thing."""
    found = [piece.strip(" ,;") for piece in _SECOND_QUESTION.split(question)]
    if len(found) < 2 or any(len(piece.split()) < MIN_PIECE_WORDS for piece in found):
        return ()
    first = found[0].rstrip(" ?") + " ?"
    # The later questions are about the first one's subject ("qui la signe" is the CTG).
    return (first, *(with_topic(piece, first) for piece in found[1:]))


def analyse(question: str, history: History = (), standalone: str | None = None
            ) -> QuestionAnalysis:
    """The analysis of `question`, asked after `history`: `standalone` is what a model rewrote it
    into, else a follow-up is completed from the previous questions (`condense_extractive`).

    Raises `QuestionError` for an empty or oversized question."""
    if standalone is None:
        standalone = condense_extractive(question, history)
    text = without_fillers(clean_question(standalone))
    folded = fold(text)
    return QuestionAnalysis(
        asked=question,
        text=text,
        kinds=frozenset(expected_types(text)),
        parts=frozenset(parts(text)),
        sections=frozenset(sections_asked(text)),
        heading=HeadingMatch.of(text),
        own_tokens=frozenset(tokenize(text, full_forms=False)),
        query_tokens=tuple(query_tokens(text)),
        tokens=frozenset(tokenize(text)),
        expanded=expand(text),
        course=bool(_COURSE.search(folded)),
        training_offer=bool(_OFFER.search(folded)),
        plural=bool(_PLURAL.search(folded)),
        pieces=pieces(clean_question(standalone)),
        acronyms=tuple(named_terms(question)),
        proper_names=tuple(proper_names(question)),
        quoted=tuple((term, tuple(content_words(term))) for term in quoted_terms(question)),
        content_words=tuple(content_words(without_fillers(question))),
    )
