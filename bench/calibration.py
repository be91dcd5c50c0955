"""The answerability gate (kb.answers.answerability): fitted on the foreign documents' dev
questions, and its risk against coverage.

Run: .venv/bin/python -m bench.calibration [--fit] [--with-corpus]

`--fit` fits the logistic model on the dev part, chooses the probability below which the
assistant does not answer, and writes kb/answers/answerability.json. Then, per threshold:
coverage (share of questions answered), risk (share of answered questions whose answer is
wrong or that have no answer), abstention on the unanswerable questions and false abstentions,
on the dev part and, as aggregates only, on the fresh part.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from bench.common import CORPUS, FOREIGN_DOCS, foreign_sets, index_real_corpus, temporary_settings
from kb.answers.answer import Assistant
from kb.answers.answerability import SIGNALS, Gate, save_gate, signals
from kb.answers.extractive import extract
from kb.core.store import Store
from kb.evaluation.metrics import EvalQuestion

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# L2 strength of the fit: few questions, a handful of signals; the default of scikit-learn.
REGULARISATION = 1.0
# The share of answerable questions the assistant may decline: the target.
MAX_FALSE_ABSTENTION = 0.07


@dataclass(frozen=True)
class Outcome:
    """One question's answer with the gate open: its signals (None when nothing answered),
    its certainty, whether it was right, whether the question has an answer."""

    signals: dict[str, float] | None
    certainty: float
    right: bool
    unanswerable: bool


def outcomes(assistant: Assistant, questions: list[EvalQuestion]) -> list[Outcome]:
    """Each question answered with the gate open (any answer the best sentence gives)."""
    # Neither the gate nor the former score threshold holds an answer back.
    open_gate = Assistant(assistant.store, assistant.settings.model_copy(
        update={"min_certainty": 0.0}), backend="extractive", threshold=-math.inf)
    rows = []
    for q in questions:
        history = [("user", q.previous)] if q.previous else []
        answer = open_gate.ask(q.question, history)
        state = open_gate.prepare.invoke({"question": q.question, "history": history})
        found = extract(state["retrieved"], assistant.store.vectors, open_gate.threshold,
                        open_gate.tuning)
        seen = (signals(state["analysis"], found.best, assistant.store.lexical)
                if found.best is not None and not answer.abstained else None)
        right = not q.unanswerable and not answer.abstained and q.answered_by(answer.text)
        certainty = answer.certainty if answer.certainty is not None and seen else 0.0
        rows.append(Outcome(seen, certainty, right, q.unanswerable))
    return rows


def curve(rows: list[Outcome], threshold: float) -> tuple[float, float, float, float]:
    """(coverage, risk, abstention on unanswerable, false abstention) at `threshold`."""
    answered = [r for r in rows if r.signals is not None and r.certainty >= threshold]
    held_back = [r for r in rows if r not in answered]
    unanswerable = [r for r in rows if r.unanswerable]
    answerable = [r for r in rows if not r.unanswerable]
    coverage = len(answered) / len(rows)
    risk = sum(not r.right for r in answered) / max(len(answered), 1)
    abstention = sum(r in held_back for r in unanswerable) / max(len(unanswerable), 1)
    false = sum(r in held_back for r in answerable) / max(len(answerable), 1)
    return coverage, risk, abstention, false


def fit(rows: list[Outcome]) -> Gate:
    """The logistic model of `right` on the signals of the questions something answered, with
    a threshold whose false abstentions on these questions stay within MAX_FALSE_ABSTENTION
    (the target the project holds itself to)."""
    seen = [r for r in rows if r.signals is not None]
    x = np.array([[r.signals[name] for name in SIGNALS] for r in seen if r.signals])
    y = np.array([r.right for r in seen])
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=REGULARISATION).fit(scaler.transform(x), y)
    gate = Gate(tuple(scaler.mean_), tuple(scaler.scale_), tuple(model.coef_[0]),
                float(model.intercept_[0]), 0.0)
    scored = [replace(r, certainty=gate.probability(r.signals)) if r.signals else r
              for r in rows]
    grid = [round(t, 2) for t in np.arange(0.0, 0.951, 0.05)]
    allowed = [t for t in grid if curve(scored, t)[3] <= MAX_FALSE_ABSTENTION]
    # The most abstention within the cap; of equal ones the lowest threshold, which declines
    # the fewest answers on documents unlike these.
    best = max(allowed, key=lambda t: (curve(scored, t)[2], -t), default=0.0)
    return replace(gate, threshold=best)


def _print(name: str, rows: list[Outcome]) -> None:
    print(f"{name}: threshold  coverage  risk   abstention  false-abstention")
    for threshold in THRESHOLDS:
        coverage, risk, abstention, false = curve(rows, threshold)
        print(f"{threshold:9.1f}  {coverage:8.3f}  {risk:5.3f}  {abstention:10.3f}  {false:8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit the gate on the dev part")
    parser.add_argument("--with-corpus", action="store_true", help="index the corpus as well")
    args = parser.parse_args()
    roots = [FOREIGN_DOCS, CORPUS] if args.with_corpus else [FOREIGN_DOCS]
    sets = foreign_sets()
    with temporary_settings() as settings:
        store: Store = index_real_corpus(settings, roots)
        assistant = Assistant(store, settings, backend="extractive")
        dev = outcomes(assistant, sets["foreign_dev"])
        if args.fit:
            gate = fit(dev)
            save_gate(gate)
            print(f"gate fitted on {len(dev)} questions:",
                  {n: round(c, 3) for n, c in zip(SIGNALS, gate.coefficients, strict=True)},
                  "threshold", gate.threshold)
            dev = outcomes(assistant, sets["foreign_dev"])
        _print("dev", dev)
        _print("fresh", outcomes(assistant, sets["foreign_fresh"]))


if __name__ == "__main__":
    main()
