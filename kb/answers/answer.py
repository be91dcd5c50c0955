"""The answer chain: analyse the question once (a follow-up made standalone) → retrieve →
answer → attach citations, as LangChain runnables.

    assistant = Assistant(store, settings)
    answer = assistant.ask("Combien coûte la formation ?", history, doc_types={"programme"})
    for piece in assistant.stream(question, history):   # str pieces, then the final Answer
        ...

Whatever the backend, an answer is built only from retrieved passages, each sentence carries
the number of the passage that supports it (checked by our code, not by the model), and when
nothing retrieved answers, the assistant says so and shows the closest passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Set
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from kb.answers.answerability import load_gate, signals
from kb.answers.citations import CitationBook, Supported, attach, quote, strip_markers
from kb.answers.extractive import (
    Extract,
    adding,
    extract,
    quoted_key,
    repeats,
    states_kind,
)
from kb.answers.llm import EXTRACTIVE, BackendError, chat_model
from kb.answers.prompt import ANSWER_PROMPT, CONDENSE_PROMPT, NOT_FOUND, format_passages
from kb.core.config import Settings
from kb.core.documents import Answer, DocType, SearchHit
from kb.core.glossary import fold
from kb.core.sentences import answer_sentences
from kb.core.store import Store
from kb.core.tokens import tokenize
from kb.search.analysis import QuestionAnalysis, analyse
from kb.search.followups import History, to_messages
from kb.search.retrieval import HybridRetriever, Retrieved
from kb.search.support import score_candidates

UNSURE = ("Réponse incertaine : les passages trouvés ne répondent peut-être pas à la question. "
          "Vérifiez les sources, et les autres passages retrouvés.")
# Facts a practitioner acts on: for a course they are quoted from the programme, never
# rephrased by a model.
VERBATIM_KINDS = {"price", "date"}


def abstention(question: QuestionAnalysis) -> str:
    """The not-found answer, with whom to ask or what to add."""
    if question.training_offer:
        advice = ("Pour ce point, contactez directement l'organisme de formation : ses "
                  "coordonnées figurent dans son programme.")
    else:
        advice = ("Posez la question à votre conseiller·e territorial·e de la CAF, ou ajoutez "
                  "le document qui y répond dans la Bibliothèque.")
    return f"{NOT_FOUND} {advice}"


@dataclass
class _Turn:
    """What the chain knows of one question while answering it: what retrieval found for its
    analysis, and the notices to show with the answer."""

    found: Retrieved
    notices: list[str] = field(default_factory=list)
    certainty: float | None = None

    @property
    def analysis(self) -> QuestionAnalysis:
        return self.found.analysis


class Assistant:
    """Answers questions from the store with the configured backend (see kb.answers.llm)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        backend: str | None = None,
        model: BaseChatModel | None = None,
        k: int | None = None,
        threshold: float | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.tuning = settings.answers
        self.backend = (backend or settings.llm).strip().lower()
        self.retriever = HybridRetriever(store=store, k=k or self.tuning.passages)
        self.threshold = self.tuning.abstain_below if threshold is None else threshold
        self.gate = load_gate()
        self.min_certainty = (settings.min_certainty if settings.min_certainty is not None
                              else self.gate.threshold if self.gate else 0.0)
        self._model = model
        self._model_error: str | None = None
        if model is None and self.backend != EXTRACTIVE:
            try:
                self._model = chat_model(settings, self.backend)
            except BackendError as exc:
                self._model_error = str(exc)

    # --- the chain ------------------------------------------------------------------------

    @property
    def prepare(self) -> Runnable:
        """{question, history, doc_types} → the same with the question's `analysis` (its
        standalone text, what it asks) and what was `retrieved` for it."""
        return (
            RunnablePassthrough.assign(analysis=RunnableLambda(self._analyse))
            | RunnablePassthrough.assign(retrieved=RunnableLambda(self._retrieve))
        )

    @property
    def chain(self) -> Runnable:
        """The whole chain, {question, history, doc_types} → Answer."""
        return self.prepare | RunnableLambda(self._final)

    def ask(
        self, question: str, history: History = (), doc_types: set[str] | None = None
    ) -> Answer:
        """The answer to `question`, in the conversation `history`, from documents of
        `doc_types` (all types when None)."""
        return self.chain.invoke(
            {"question": question, "history": history, "doc_types": doc_types}
        )

    def stream(
        self, question: str, history: History = (), doc_types: set[str] | None = None
    ) -> Iterator[str | Answer]:
        """Text pieces as they are checked (for st.write_stream), then the final Answer, whose
        text is the pieces joined."""
        state = self.prepare.invoke(
            {"question": question, "history": history, "doc_types": doc_types}
        )
        yield from self._respond(state)

    # --- steps -----------------------------------------------------------------------------

    def _analyse(self, inputs: dict[str, Any]) -> QuestionAnalysis:
        question, history = inputs["question"], inputs.get("history") or ()
        return analyse(question, history, self._rewrite(question, history))

    def _rewrite(self, question: str, history: History) -> str | None:
        """The model's standalone rewrite of a follow-up; None without a model or a usable
        rewrite (the analysis then completes it without a model)."""
        if not history or self._model is None:
            return None
        try:
            chain = CONDENSE_PROMPT | self._model | StrOutputParser()
            rewritten = chain.invoke({"question": question, "history": to_messages(history)})
        except Exception:  # any failure: the model-free rewrite is always there
            return None
        lines = strip_markers(rewritten).strip().splitlines()
        line = re.sub(r"^\W*question\s*:\s*", "", lines[0], flags=re.IGNORECASE) if lines else ""
        # A base model echoes or rambles: keep its rewrite only when it reads as one question.
        if not line.endswith("?") or len(line) > 3 * len(question) + 200 or not tokenize(line):
            return None
        return line

    def _retrieve(self, inputs: dict[str, Any]) -> Retrieved:
        return self.retriever.retrieve(inputs["analysis"], doc_types=inputs.get("doc_types"))

    def _final(self, state: dict[str, Any]) -> Answer:
        *_, answer = self._respond(state)  # the text pieces, then the Answer
        if not isinstance(answer, Answer):
            raise TypeError("the answer chain ended without an Answer")
        return answer

    def _respond(self, state: dict[str, Any]) -> Iterator[str | Answer]:
        turn = _Turn(state["retrieved"])
        found, turn.certainty = self._decided(turn.found)
        sure = found.spelled or found.in_section
        fair = not sure and found.confidence < self.tuning.doubt_below
        unknown = self._unknown(turn.analysis, fair)
        if unknown:
            names = ", ".join(f"« {name} »" for name in unknown)
            turn.notices.append(f"Aucun document de la base ne mentionne {names}.")
        elif self._model is None and turn.analysis.pieces:
            # Each question it joins is answered from its own passages, one after the other.
            found = self._joined(turn, state.get("doc_types")) or found
        if unknown or not found.answerable:
            yield from self._abstain(turn, found.confidence)
            return
        verbatim = turn.analysis.kinds & VERBATIM_KINDS and (
            (hit := found.sentences[0].hit) is not None
            and hit.chunk.doc_type == DocType.PROGRAMME
        )
        if self._model is None or verbatim:
            if found.confidence < self.tuning.unsure_below and not sure:
                turn.notices.append(UNSURE)
            if verbatim and self._model is not None:
                turn.notices.append("Prix et dates cités tels quels depuis le programme.")
            if self._model_error:
                turn.notices.append(
                    f"Le modèle configuré ({self.backend}) n'est pas utilisable : "
                    f"{self._model_error} Réponse extractive à la place."
                )
            yield from self._emit(turn, found.sentences, EXTRACTIVE, found.confidence)
            return
        yield from self._generate(turn, found, self._model)

    def _unknown(self, question: QuestionAnalysis, fair: bool) -> list[str]:
        """What the question as asked names that no document mentions: an acronym ("RSA",
        "CPF"), a place or an organisation ("Finistère", "Haute-Savoie"), a term it quotes
        ("« grognons »"), most of its words ("se désiste", "remboursé"), or a good part of them
        when the best sentence is only a `fair` match; the base cannot speak of it."""
        lexical = self.store.lexical
        # The closest passages are about other places: "la Caf du Finistère" is not the Loire's.
        unknown = lexical.unknown(list(question.acronyms)) + [
            name for name in question.proper_names
            if lexical.unknown([part for part in name.split("-") if part[0].isupper()])] + [
            term for term, words in question.quoted
            if words and len(lexical.unknown(list(words))) == len(words)]
        if unknown:
            return unknown
        words = list(question.content_words)
        unknown = lexical.unknown(words)
        share = len(unknown) / len(words) if len(words) >= 2 else 0.0
        tuning = self.tuning
        return unknown if share >= tuning.unknown_share or (
            fair and share >= tuning.doubt_share) else []

    def _generate(self, turn: _Turn, found: Extract, model: BaseChatModel
                  ) -> Iterator[str | Answer]:
        passages = turn.found.hits[:self.tuning.llm_passages]
        chain = ANSWER_PROMPT | model | StrOutputParser()
        inputs = {"question": turn.analysis.text, "passages": format_passages(passages)}
        book = CitationBook()
        pieces: list[str] = []
        unsupported: list[str] = []
        buffer = ""
        def checked(sentences: list[str]) -> Iterator[str]:
            """The sentences a passage supports, cited, as pieces to show; the others are set
            aside as unsupported."""
            for item in attach(sentences, passages, self.store.vectors, turn.analysis,
                               self.tuning):
                text = book.cite(item)
                if text:
                    pieces.append(text)
                    yield ("" if len(pieces) == 1 else " ") + text
                else:
                    unsupported.append(item.sentence)

        try:
            for token in chain.stream(inputs):
                buffer += token
                done, buffer = _complete(buffer)
                yield from checked(done)
            tail = answer_sentences(strip_markers(buffer))
            if tail and not tail[-1].endswith(_FINAL):
                unsupported.append(tail.pop())  # cut by the token limit: an unfinished claim
            yield from checked(tail)
        except Exception as exc:  # a server down, slow or refusing: fall back, say so
            timed_out = isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower()
            why = "n'a pas répondu à temps" if timed_out else "n'a pas répondu"
            if pieces:
                turn.notices.append(f"Le modèle configuré ({self.backend}) {why} : "
                                    "réponse interrompue.")
                yield self._answer(turn, " ".join(pieces), book, self.backend,
                                   found.confidence, unsupported)
                return
            turn.notices.append(f"Le modèle configuré ({self.backend}) {why} : réponse "
                                "extractive à la place.")
            yield from self._emit(turn, found.sentences, EXTRACTIVE, found.confidence)
            return
        said_not_found = fold(" ".join(unsupported + pieces)).startswith(fold(NOT_FOUND[:20]))
        if not pieces or said_not_found:
            yield from self._abstain(turn, found.confidence)
            return
        if unsupported:
            turn.notices.append(
                f"{len(unsupported)} phrase(s) sans appui dans les passages retirée(s) de la "
                "réponse."
            )
        yield self._answer(turn, " ".join(pieces), book, self.backend, found.confidence,
                           unsupported)

    def _emit(self, turn: _Turn, sentences: list[Supported], backend: str,
              confidence: float) -> Iterator[str | Answer]:
        book = CitationBook()
        text = quote(sentences, book)
        yield text
        yield self._answer(turn, text, book, backend, confidence, [])

    def _decided(self, retrieved: Retrieved, taken: Set[tuple[str, str]] = frozenset()
                 ) -> tuple[Extract, float | None]:
        """The sentences answering what was `retrieved` (less those `taken` by an earlier part
        of the question), and the gate's certainty; whether they answer is the calibrated
        gate's call, except where the document answers by its structure (the section asked
        for, the acronym spelled out)."""
        found = extract(retrieved, self.store.vectors, self.threshold, self.tuning, taken)
        certainty = self._certainty(retrieved.analysis, found)
        if certainty is not None:
            found = replace(found, answerable=found.best is not None and (
                found.spelled or found.in_section or certainty >= self.min_certainty))
        return found, certainty

    def _joined(self, turn: _Turn, doc_types: set[str] | None) -> Extract | None:
        """The answers to each question `turn`'s question joins, in its order, as one; a
        question without a direct answer is named in a notice. None when none is answered."""
        sentences: list[Supported] = []
        hits: dict[str, SearchHit] = {}
        confidences: list[float] = []
        certainties: list[float] = []
        missing: list[str] = []
        for piece in turn.analysis.pieces:
            asked = piece.split(" (")[0]  # as the user wrote it, without the borrowed topic
            analysis = analyse(piece)
            retrieved = self.retriever.retrieve(analysis, doc_types=doc_types)
            found, certainty = self._decided(retrieved)
            taken = {key for s in sentences if (key := quoted_key(s))}
            if repeats(found, taken):
                # A sentence quoted for an earlier part answers this one best. It does when it
                # states the kind of fact asked; else the next best sentences that name
                # something this part asks answer it: how long a CTG lasts does not say who
                # else signs it.
                if states_kind(analysis, sentences):
                    continue
                found, certainty = self._decided(retrieved, taken)
                found = replace(found, sentences=adding(asked, found, sentences))
                if not found.sentences:
                    continue
            if not found.answerable:
                missing.append(asked)
                continue
            # A list item may have been quoted on its own for an earlier question.
            shown = {s.display for s in sentences}
            sentences += [s for s in found.sentences if s.display not in shown]
            hits.update((hit.chunk.id, hit) for hit in retrieved.hits if hit.chunk.id not in hits)
            confidences.append(found.confidence)
            certainties += [certainty] if certainty is not None else []
        if not sentences:
            return None
        turn.notices += [f"Pas de réponse directe dans les documents à « {piece} »."
                         for piece in missing]
        turn.found = replace(turn.found, hits=tuple(hits.values()))
        turn.certainty = min(certainties, default=turn.certainty)
        return Extract(sentences, min(confidences), True)

    def _certainty(self, question: QuestionAnalysis, found: Extract) -> float | None:
        """The gate's probability that the best sentence answers; None without a gate."""
        if self.gate is None or found.best is None:
            return None
        return self.gate.probability(signals(question, found.best, self.store.lexical))

    def _abstain(self, turn: _Turn, confidence: float) -> Iterator[str | Answer]:
        text = abstention(turn.analysis)
        yield text
        closest = list(turn.found.hits[:self.tuning.closest])
        nearest: dict[str, str] = {}
        for candidate in score_candidates(turn.analysis, closest, self.store.vectors):
            nearest.setdefault(candidate.hit.chunk.id, candidate.unit.display)
        yield Answer(
            question=turn.analysis.asked, text=text, abstained=True, backend=self.backend,
            notice=" ".join(turn.notices) or None, standalone_question=turn.analysis.text,
            passages=closest, confidence=confidence, certainty=turn.certainty, nearest=nearest,
        )

    def _answer(self, turn: _Turn, text: str, book: CitationBook, backend: str,
                confidence: float, unsupported: list[str]) -> Answer:
        return Answer(
            question=turn.analysis.asked, text=text, citations=book.citations(), backend=backend,
            notice=" ".join(turn.notices) or None, standalone_question=turn.analysis.text,
            passages=list(turn.found.hits), unsupported=unsupported, confidence=confidence,
            certainty=turn.certainty,
        )


_FINAL = (".", "!", "…", ")", "»", '"')
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")


def _complete(buffer: str) -> tuple[list[str], str]:
    """The complete sentences at the start of a streamed buffer, and the rest."""
    ends = [m.end() for m in _SENTENCE_BREAK.finditer(buffer)]
    if not ends:
        return [], buffer
    done, rest = buffer[: ends[-1]], buffer[ends[-1]:]
    return answer_sentences(strip_markers(done)), rest
