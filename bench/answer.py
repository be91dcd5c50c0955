"""Extractive answers on the seed index: latency, and how the scorer's constants were set.

    python bench/answer.py              # latency p50/p95 over the dev questions, answer figures
    python bench/answer.py --fit        # refit kb.search.support.WEIGHTS on the even dev lines
    python bench/answer.py --calibrate  # abstention threshold, on every line

Prints numbers, asserts nothing. Needs ../shared/seeds beside the repository; run from the
repository root.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    EVAL,
    SEEDS,
    index_real_corpus,
    percentile,
    temporary_settings,
)
from kb.core.config import Settings
from kb.evaluation.metrics import EvalQuestion, is_hit, load_questions


def halves(questions: list[EvalQuestion]) -> tuple[list[EvalQuestion], list[EvalQuestion]]:
    """Even-numbered lines to fit the scorer on, odd-numbered lines held out."""
    return questions[::2], questions[1::2]


def latency(settings: Settings, store, dev: list[EvalQuestion],
            unanswerable: list[EvalQuestion]) -> None:
    from kb.answers.answer import Assistant
    from kb.evaluation.metrics import evaluate_answers

    assistant = Assistant(store, settings, backend="extractive")
    assistant.ask("Quel est le programme de la formation ?")  # loads the model and BM25 index
    times: list[float] = []

    def timed(question: str):
        start = time.perf_counter()
        answer = assistant.ask(question)
        times.append((time.perf_counter() - start) * 1000)
        return answer

    report = evaluate_answers(timed, dev + unanswerable)
    print(f"extractive answers over {len(times)} questions (first pass, cold caches included)")
    print(f"  latency p50 {percentile(times, 50):.0f} ms  p95 {percentile(times, 95):.0f} ms  "
          f"max {max(times):.0f} ms  mean {statistics.fmean(times):.0f} ms")
    for name, questions in zip(("even lines", "odd lines"), (
            halves(dev)[0] + halves(unanswerable)[0], halves(dev)[1] + halves(unanswerable)[1]),
            strict=True):
        part = evaluate_answers(assistant.ask, questions)
        print(f"  {name}: hit {part.answer_hit_rate:.3f}  citations {part.citation_precision:.3f}"
              f"  abstention {part.abstention_rate:.3f}  false abstention "
              f"{part.false_abstention_rate:.3f}")
    print(f"  all: hit {report.answer_hit_rate:.3f}  citations {report.citation_precision:.3f}  "
          f"abstention {report.abstention_rate:.3f}  false abstention "
          f"{report.false_abstention_rate:.3f}")
    fresh = evaluate_answers(assistant.ask,
                             load_questions(EVAL / "seeds_unanswerable_heldout.jsonl"))
    print(f"  unanswerable questions written after the rules: abstention "
          f"{fresh.abstention_rate:.3f}")


def fit(store, dev: list[EvalQuestion], l2: float = 0.01, steps: int = 3000) -> None:
    """Softmax ranking: the units holding an expected substring should score above the rest."""
    from kb.search.analysis import analyse
    from kb.search.retrieval import HybridRetriever
    from kb.search.support import FEATURES, score_candidates

    retriever = HybridRetriever(store=store, k=store.settings.answers.passages)
    data = []
    for q in halves(dev)[0]:
        analysis = analyse(q.question)
        candidates = score_candidates(analysis, retriever.retrieve(analysis).hits, store.vectors)
        good = np.array([is_hit(c.unit.display, q.answers) for c in candidates], dtype=float)
        if good.any():
            data.append((np.stack([c.features for c in candidates]), good))
    weights = np.zeros(len(FEATURES))
    for _ in range(steps):
        gradient = l2 * weights
        for features, good in data:
            z = features @ weights
            p = np.exp(z - z.max())
            p /= p.sum()
            target = p * good / (p * good).sum()
            gradient += features.T @ (p - target) / len(data)
        weights -= 0.1 * gradient
    print("WEIGHTS (", ", ".join(FEATURES), ")")
    print("  [" + ", ".join(f"{w:.1f}" for w in weights) + "]")


def calibrate(settings: Settings, store, dev: list[EvalQuestion],
              unanswerable: list[EvalQuestion], max_false: float = 0.05) -> None:
    """The middle of the range of thresholds that abstain the most while their false
    abstentions stay within `max_false`: the top of that range would turn away answerable
    questions for no abstention gained. Fitted on every line: the unanswerable set is too small
    to split (8 or 9 questions a half, and one question moves the rate by 12 points), so the
    figures printed are the fitting set's own."""
    from kb.answers.answer import Assistant

    assistant = Assistant(store, settings, backend="extractive", threshold=-1e9)
    rows = []
    for q in dev + unanswerable:
        answer = assistant.ask(q.question)
        # Abstained even at no threshold: a typed question with no sentence of that type.
        rows.append((-np.inf if answer.abstained else answer.confidence, q.unanswerable))

    def rates(threshold: float) -> tuple[float, float]:
        right = [c < threshold for c, u in rows if u]
        wrong = [c < threshold for c, u in rows if not u]
        return float(np.mean(right)), float(np.mean(wrong))

    # Thresholds halfway between neighbouring confidences, not on a question's own score.
    seen = sorted({c for c, _ in rows if np.isfinite(c)})
    grid = [round((a + b) / 2, 2) for a, b in itertools.pairwise(seen)]
    allowed = [t for t in grid if rates(t)[1] <= max_false] or grid[:1]
    most = max(rates(t)[0] for t in allowed)
    best = [t for t in allowed if rates(t)[0] == most]
    chosen = round((best[0] + best[-1]) / 2, 2)
    print("threshold  abstention / false abstention")
    for t in [*grid[:: max(len(grid) // 25, 1)], chosen]:
        abstention, false = rates(t)
        mark = "  <- chosen" if t == chosen else ""
        print(f"  {t:6.2f}        {abstention:.2f} / {false:.2f}{mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    dev = load_questions(EVAL / "seeds_dev.jsonl")
    unanswerable = load_questions(EVAL / "seeds_unanswerable.jsonl")
    with temporary_settings() as settings:
        store = index_real_corpus(settings, [SEEDS])
        if args.fit:
            fit(store, dev)
        elif args.calibrate:
            calibrate(settings, store, dev, unanswerable)
        else:
            latency(settings, store, dev, unanswerable)


if __name__ == "__main__":
    main()
