"""The extractive backend: no model, no network. It quotes the few sentences of the retrieved
passages that best answer the question, each with the passage it comes from, and decides
whether anything retrieved answers at all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Set
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from kb.answers.citations import Supported
from kb.core.config import DEFAULT_ANSWERS, AnswerSettings
from kb.core.documents import Chunk
from kb.core.glossary import fold
from kb.core.sentences import passage_units
from kb.core.tokens import content_words, tokenize
from kb.search.analysis import QuestionAnalysis
from kb.search.answer_types import holds
from kb.search.headings import closest, last_heading
from kb.search.parts import agreement, parts, resolve_last
from kb.search.retrieval import Retrieved
from kb.search.sections import CUES, PROGRAMME_CUES, section_of, unit_paths, unit_sections
from kb.search.support import Candidate, score_candidates

_TEMPLATE_HEADINGS = frozenset(CUES) | frozenset(PROGRAMME_CUES)


@dataclass(frozen=True)
class Extract:
    """The sentences chosen to answer, with the best candidate's score as confidence."""

    sentences: list[Supported]
    confidence: float
    answerable: bool
    spelled: bool = False  # the best sentence spells out the acronym asked about
    # The best sentence is in the section of a sheet that the question asks for ("Qui a inventé
    # le world café ?" → its "Origine et références"): it answers by where it stands.
    in_section: bool = False
    best: Candidate | None = None  # the best answering sentence: the gate reads its signals


def _readable(chosen: list[Candidate]) -> list[Supported]:
    """Chosen units in reading order (passage rank, then position), less the document's title
    and its template's headings, each with its label; units sharing a label are a list under
    it, which stands for the unit that is the label (a heading, an introduction)."""
    chosen = sorted(chosen, key=lambda c: (c.rank, c.unit.position))
    # A document's title and a heading of its template ("À quoi ça sert", "Rôles") are shown
    # with the source: quoted, they would only repeat it. A heading asking a question ("Quelle
    # différence entre COPIL et COTECH ?") is what its section answers, not an answer.
    chosen = [c for c in chosen if fold(c.unit.text) != fold(c.hit.chunk.title)
              and not (c.unit.heading and (c.unit.text in _TEMPLATE_HEADINGS
                                           or c.unit.text.rstrip().endswith("?")))] or chosen
    listed = Counter((c.hit.chunk.id, c.unit.lead) for c in chosen if c.unit.lead)
    out: list[Supported] = []
    for candidate in chosen:
        unit = candidate.unit
        if listed[candidate.hit.chunk.id, unit.text] > 1:
            continue
        out.append(Supported(unit.text, candidate.hit, candidate.feature("lexical"),
                             candidate.feature("dense"), unit.lead))
    return out


def _under(heading: Candidate, candidates: list[Candidate]) -> list[Candidate]:
    """The units of `heading`'s passage that it heads, in reading order: up to the next heading
    of its level or above."""
    after = sorted((c for c in candidates if c.hit.chunk.id == heading.hit.chunk.id
                    and c.unit.position > heading.unit.position), key=lambda c: c.unit.position)
    out: list[Candidate] = []
    for candidate in after:
        if 0 < candidate.unit.heading <= heading.unit.heading:
            break
        out.append(candidate)
    return out


def _choose(best: Candidate, candidates: list[Candidate], tuning: AnswerSettings,
            whole_list: bool = False) -> list[Candidate]:
    if best.unit.heading:
        # A heading alone answers nothing: what it heads does.
        return [best, *_under(best, candidates)[: tuning.max_list_sentences - 1]]
    chosen = [best]
    for candidate in candidates:
        if candidate is best:
            continue
        if (len(chosen) >= tuning.max_sentences
                or candidate.score < best.score - tuning.same_passage_margin):
            break
        if candidate.hit.chunk.id != best.hit.chunk.id:
            continue
        if candidate.unit.text.rstrip().endswith("?"):
            continue  # a brochure's own rhetorical question answers nothing
        chosen.append(candidate)
    lead = next((c.unit.lead for c in chosen if c.unit.lead), "") if whole_list else ""
    if lead:
        items = sorted((c for c in candidates if c.hit.chunk.id == best.hit.chunk.id
                        and c.unit.lead == lead and c not in chosen),
                       key=lambda c: c.unit.position)
        chosen += items[: max(0, tuning.max_list_sentences - len(chosen))]
    return chosen


def quoted_key(sentence: Supported) -> tuple[str, str] | None:
    """What identifies a quoted sentence among the units of the passages (passage id, text)."""
    return (sentence.hit.chunk.id, sentence.sentence) if sentence.hit is not None else None


def _said(candidate: Candidate) -> tuple[str, str]:
    """A unit as `quoted_key` identifies the sentence quoting it."""
    return candidate.hit.chunk.id, candidate.unit.text


def repeats(found: Extract, taken: Set[tuple[str, str]]) -> bool:
    """Whether the best sentence of `found` is one of those `taken` (`quoted_key`)."""
    return found.best is not None and _said(found.best) in taken


def states_kind(question: QuestionAnalysis, earlier: list[Supported]) -> bool:
    """Whether sentences quoted for an earlier part of a question state the kind of fact this
    part asks (the year of "qui a créé le world café et en quelle année ?")."""
    return any(holds(s.display, kind) for s in earlier for kind in question.kinds)


def adding(question: str, found: Extract, earlier: list[Supported]) -> list[Supported]:
    """The sentences of `found` that name a word `question` asks about and that the sentences
    quoted before them (`earlier`) do not: what they add is asked for ("D'autres acteurs peuvent
    en être signataires" after "signée sur 5 ans", for "qui d'autre la signe ?")."""
    said = set(tokenize(" ".join(s.display for s in earlier)))
    asked = set(tokenize(" ".join(content_words(question)))) - said
    return [s for s in found.sentences if asked & set(tokenize(s.display))]


def _part(asked: Set[tuple[str, int]], candidate: Candidate) -> int:
    """Whether the part a unit belongs to is the one asked about (`parts.agreement`): the part
    its label names, else the one its text names. Not its passage's section: a note after a
    phase's table ("contenu revu le 24 janvier") can be about the next phase."""
    for where in (candidate.unit.lead, candidate.unit.text):
        if parts(where):
            return agreement(asked, where)
    return 0


def _key(candidate: Candidate) -> tuple[str, int]:
    return candidate.hit.chunk.id, candidate.unit.position


def _asked_units(found: Retrieved) -> list[tuple[tuple[str, int], Chunk, str, str]]:
    """Each unit (passage id, position) of the first passage's document, with its passage,
    template section and heading path, when retrieval put a section asked for first; none
    otherwise."""
    if not found.first_is_asked_section():
        return []
    out = []
    hits = found.hits
    for hit in hits:
        if hit.chunk.source == hits[0].chunk.source:
            units = passage_units(hit.chunk.text)
            out += [((hit.chunk.id, unit.position), hit.chunk, section, path)
                    for unit, section, path in zip(units, unit_sections(hit.chunk, units),
                                                   unit_paths(hit.chunk, units), strict=True)]
    return out


def extract(found: Retrieved, embeddings: Embeddings, threshold: float | None = None,
            tuning: AnswerSettings = DEFAULT_ANSWERS,
            taken: Set[tuple[str, str]] = frozenset()) -> Extract:
    """The sentences of the passages `found` that answer its question, best first in score,
    shown in order; none answers below `threshold` (default: `tuning.abstain_below`). The
    sentences `taken` (`quoted_key`) by an earlier part of the same question answer no other.

    A question is never answered from a document other than the ones it names (the EGOC's
    certification is not FR Consultants'), and a question asking for a kind of fact (a price, a
    date…) only by a sentence stating one."""
    # Nor by a sentence under another part than the one asked about ("Phase 1 · 24 novembre"
    # for a question on phase 2); "la dernière phase" is the last its document's passages number.
    question, hits = found.analysis, found.hits
    asked = question.parts
    # A generator: `resolve_last` reads the texts only when a last part is asked for.
    in_document = {source: resolve_last(asked, (
        text for hit in hits if hit.chunk.source == source
        for text in (hit.chunk.section, hit.chunk.text)))
        for source in {hit.chunk.source for hit in hits}}

    def part(candidate: Candidate) -> int:
        return _part(in_document[candidate.hit.chunk.source], candidate) if asked else 0

    candidates = [c for c in score_candidates(question, hits, embeddings)
                  if not c.feature("foreign") and part(c) >= 0
                  and _said(c) not in taken]
    kinds = question.kinds
    answering = [c for c in candidates if c.feature("typed")] if kinds else candidates
    # Retrieval put first the section of a sheet that the question asks for ("Comment animer un
    # fish-bowl ?" → "Déroulé pas à pas"): the answer is quoted from it, whatever its score.
    wanted = question.sections
    units = _asked_units(found)
    templated = {key for key, _, section, _ in units if section in wanted}
    # Or the section the document answers by its headings ("C'est quoi une CTG ?" → the opening
    # of the CTG sheet).
    by_heading = question.heading
    gaps = {key: 0 if by_heading.opens(chunk) else by_heading.gap(last_heading(path), chunk.title)
            for key, chunk, _, path in units}
    nearest = closest(gaps.values())
    headed = {key for key, gap in gaps.items() if nearest is not None and gap == nearest}
    in_section = templated | headed
    answering = [c for c in answering if _key(c) in in_section] or answering
    # A date asked for phase 2 is the one stated for phase 2, when a sentence names it.
    answering = [c for c in answering if kinds and part(c) > 0] or answering
    if not answering:
        return Extract([], 0.0, False)
    # The sentence stating the fact leads; its passage's other close sentences say what it is
    # the date or the price of.
    best = answering[0]
    # A sentence that spells out the acronym asked about, as the glossary does, is the answer
    # whatever its score.
    spelled = any(holds(best.unit.display, k) for k in question.definitions)
    # So does a question on what an acronym stands for, answered by a glossary row: the row's
    # other cells say what the thing is ("LAEP : Lieu d'accueil enfants parents ; Lieu où…").
    whole_list = question.plural or spelled
    # A sheet's section answers by where it stands. A brochure's own headings only resemble the
    # template's ("s'inscrire" → its "CONTACT"): a sentence under them still answers by its words.
    sectioned = _key(best) in headed or (_key(best) in templated and bool(
        wanted & set(CUES) or section_of(best.hit.chunk.section) in PROGRAMME_CUES))
    # An answer quoted from the section asked for stays in it, and quotes the whole list it is
    # part of: a running order with steps left out is no running order. Not for one fact (a
    # price, a date): the sentence stating it answers, not the rest of "Tarif et modalités".
    quoted = [c for c in candidates if _key(c) in in_section] if _key(best) in in_section \
        else candidates
    whole_list = whole_list or (sectioned and not kinds)
    threshold = tuning.abstain_below if threshold is None else threshold
    return Extract(_readable(_choose(best, quoted, tuning, whole_list)), best.score,
                   spelled or sectioned or best.score >= threshold, spelled, sectioned, best)
