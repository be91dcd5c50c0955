"""Risk against coverage of the extractive answers on the foreign dev part, for each threshold of
the answer confidence below which the assistant says it has no direct answer.

Run: .venv/bin/python -m bench.calibration [--with-corpus]

Prints, per threshold: coverage (share of questions answered), risk (share of answered questions
whose answer is wrong or that have no answer), abstention on the unanswerable questions and false
abstentions. Only the dev part is read here: the fresh part checks the chosen threshold.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS, FOREIGN_DOCS, foreign_sets, index_real_corpus, temporary_settings
from kb.answers.answer import Assistant
from kb.evaluation.metrics import EvalQuestion, is_hit

THRESHOLDS = (0.0, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0)


@dataclass(frozen=True)
class Outcome:
    """One question's answer before any threshold: its confidence and whether it was right."""

    confidence: float
    abstained: bool
    right: bool
    unanswerable: bool


def outcomes(assistant: Assistant, questions: list[EvalQuestion]) -> list[Outcome]:
    rows = []
    for q in questions:
        answer = assistant.ask(q.question, [("user", q.previous)] if q.previous else ())
        right = not q.unanswerable and not answer.abstained and is_hit(answer.text, q.answers)
        rows.append(Outcome(answer.confidence, answer.abstained, right, q.unanswerable))
    return rows


def curve(rows: list[Outcome], threshold: float) -> tuple[float, float, float, float]:
    """(coverage, risk, abstention on unanswerable, false abstention) at `threshold`."""
    answered = [r for r in rows if not r.abstained and r.confidence >= threshold]
    unanswerable = [r for r in rows if r.unanswerable]
    answerable = [r for r in rows if not r.unanswerable]
    held_back = [r for r in rows if r.abstained or r.confidence < threshold]
    coverage = len(answered) / len(rows)
    risk = sum(not r.right for r in answered) / max(len(answered), 1)
    abstention = sum(r in held_back for r in unanswerable) / max(len(unanswerable), 1)
    false = sum(r in held_back for r in answerable) / max(len(answerable), 1)
    return coverage, risk, abstention, false


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-corpus", action="store_true", help="index the corpus as well")
    args = parser.parse_args()
    roots = [FOREIGN_DOCS, CORPUS] if args.with_corpus else [FOREIGN_DOCS]
    with temporary_settings() as settings:
        store = index_real_corpus(settings, roots)
        assistant = Assistant(store, settings, backend="extractive")
        rows = outcomes(assistant, foreign_sets()["foreign_dev"])
    print("threshold  coverage  risk   abstention  false-abstention")
    for threshold in THRESHOLDS:
        coverage, risk, abstention, false = curve(rows, threshold)
        print(f"{threshold:9.1f}  {coverage:8.3f}  {risk:5.3f}  {abstention:10.3f}  {false:8.3f}")


if __name__ == "__main__":
    main()
