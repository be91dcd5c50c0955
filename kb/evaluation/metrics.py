"""Retrieval evaluation on a JSONL question set: recall@1/3/5 and MRR, with the passages kept so
that anyone can recheck the figures."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kb.core.documents import Answer, SearchHit
from kb.core.glossary import fold
from kb.core.sentences import strip_markup
from kb.search.followups import condense_extractive

CUTOFFS = (1, 3, 5)


class Searcher(Protocol):
    """What is evaluated: the project's retriever, or a baseline searching the same index."""

    def search(self, query: str, k: int = ...) -> list[SearchHit]: ...


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answers: tuple[str, ...] = ()
    unanswerable: bool = False
    previous: str = ""  # the conversation's previous question, for a follow-up
    split: str = ""  # "dev" (failures read) or "fresh" (aggregate figures only)
    # A question asking two things ("qui la signe et pour combien d'années ?"): the second
    # one's expected substrings, which a right answer holds too.
    second_answers: tuple[str, ...] = ()

    def answered_by(self, text: str) -> bool:
        """Whether `text` holds what the question asks: one of its answers, and one of the
        second part's when it asks two things."""
        return is_hit(text, self.answers) and (
            not self.second_answers or is_hit(text, self.second_answers))


@dataclass
class RetrievalReport:
    recall: dict[int, float]
    mrr: float
    answerable: int
    questions: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            **{f"recall@{c}": v for c, v in self.recall.items()},
            "mrr": self.mrr,
            "answerable": self.answerable,
            "questions": self.questions,
        }


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions from a JSONL file; a malformed line is an error naming its line number."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(
                EvalQuestion(
                    id=str(row["id"]),
                    question=str(row["question"]),
                    answers=tuple(row.get("answers", ())),
                    unanswerable=bool(row.get("unanswerable", False)),
                    previous=str(row.get("previous", "")),
                    split=str(row.get("split", "")),
                    second_answers=tuple(row.get("answers_2", ())),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(
                f"{path}, ligne {number} : ligne de question invalide ({exc})."
            ) from exc
    return questions


_BULLET = re.compile(r"^\s*[-*•]\s+", re.MULTILINE)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", fold(strip_markup(_BULLET.sub("", text)))).strip()


def is_hit(text: str, answers: tuple[str, ...] | list[str]) -> bool:
    """Whether a passage contains any expected substring, ignoring case, accents, spacing and
    Markdown (emphasis, list bullets): a reader of "les **bonus** territoire" reads "les bonus
    territoire"."""
    passage = _normalise(text)
    return any(_normalise(a) in passage for a in answers if a.strip())


def follow_up(question: str, previous: str) -> str:
    """A follow-up made standalone as the assistant makes it, without a model."""
    return condense_extractive(question, [("user", previous)]) if previous else question


def naive_follow_up(question: str, previous: str) -> str:
    """A follow-up searched with the previous question's words: what a baseline can do."""
    return f"{previous} {question}".strip()


def evaluate_retrieval(
    retriever: Searcher,
    questions: list[EvalQuestion],
    k: int = 5,
    standalone: Callable[[str, str], str] = follow_up,
) -> RetrievalReport:
    """Recall at 1, 3 and 5 (and k) and mean reciprocal rank over the answerable questions."""
    cutoffs = sorted({*CUTOFFS, k})
    hits_at = dict.fromkeys(cutoffs, 0)
    reciprocal = 0.0
    answerable = 0
    rows = []
    for q in questions:
        hits = retriever.search(standalone(q.question, q.previous), k=max(cutoffs))
        rows.append(
            {
                "id": q.id,
                "question": q.question,
                "passages": [
                    {"rank": r, "text": h.chunk.text, "source": h.chunk.source, "score": h.score}
                    for r, h in enumerate(hits[:k], 1)
                ],
            }
        )
        if q.unanswerable:
            continue
        answerable += 1
        row: dict[str, Any] = rows[-1]
        first = next((r for r, h in enumerate(hits, 1) if is_hit(h.chunk.text, q.answers)), None)
        if first is not None:
            reciprocal += 1.0 / first if first <= k else 0.0
            for c in cutoffs:
                hits_at[c] += first <= c
        row["first_hit"] = first
    n = max(answerable, 1)
    return RetrievalReport(
        recall={c: hits_at[c] / n for c in cutoffs},
        mrr=reciprocal / n,
        answerable=answerable,
        questions=rows,
    )


@dataclass
class AnswerReport:
    """Answer quality on a question set: hit rate and citation precision on the answerable
    questions, abstention on the unanswerable ones (and false abstentions on the others)."""

    answer_hit_rate: float
    citation_precision: float
    abstention_rate: float
    false_abstention_rate: float
    answerable: int
    unanswerable: int
    citations: int
    questions: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "answer_hit_rate": self.answer_hit_rate,
            "citation_precision": self.citation_precision,
            "abstention_rate": self.abstention_rate,
            "false_abstention_rate": self.false_abstention_rate,
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
            "citations": self.citations,
            "questions": self.questions,
        }


def evaluate_answers(ask: Callable[..., Answer], questions: list[EvalQuestion]) -> AnswerReport:
    """Run `ask` on every question and score its answers against the expected substrings."""
    hits = cited = correct_citations = abstained_right = abstained_wrong = 0
    answerable = sum(not q.unanswerable for q in questions)
    rows = []
    for q in questions:
        answer = ask(q.question, [("user", q.previous)]) if q.previous else ask(q.question)
        row: dict[str, Any] = {"id": q.id, "question": q.question, "answer": answer.text,
                               "abstained": answer.abstained, "unanswerable": q.unanswerable}
        if q.unanswerable:
            abstained_right += answer.abstained
        elif answer.abstained:
            abstained_wrong += 1
        else:
            row["hit"] = q.answered_by(answer.text)
            row["citations_hit"] = [is_hit(c.chunk.text, q.answers + q.second_answers)
                                    for c in answer.citations]
            hits += row["hit"]
            cited += len(answer.citations)
            correct_citations += sum(row["citations_hit"])
        rows.append(row)
    unanswerable = len(questions) - answerable
    return AnswerReport(
        answer_hit_rate=hits / max(answerable, 1),
        citation_precision=correct_citations / max(cited, 1),
        abstention_rate=abstained_right / max(unanswerable, 1),
        false_abstention_rate=abstained_wrong / max(answerable, 1),
        answerable=answerable,
        unanswerable=unanswerable,
        citations=cited,
        questions=rows,
    )
