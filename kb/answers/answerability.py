"""Whether the best sentence found answers the question: a probability from a logistic model
over a few named signals, fitted on the foreign documents' dev questions (real public texts
nobody here wrote) by `bench/calibration.py --fit`, which writes `answerability.json` beside
this module. Below the configured probability the assistant says it has no direct answer and
shows the closest passages instead.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.core.lexical import LexicalIndex
from kb.core.tokens import light_tokens, tokenize
from kb.search.analysis import QuestionAnalysis
from kb.search.support import Candidate

MODEL_FILE = Path(__file__).with_name("answerability.json")

# The signals, each named for what it says about the best sentence.
SIGNALS = (
    "score",  # its answer score (kb.search.support), what the old threshold read alone
    "lexical",  # share of the question's weight found in it or its headings
    "passage_lexical",  # the same over its whole passage
    "dense",  # its similarity to the question
    # The question asks a kind of fact (a date, a price) and the sentence states one (a
    # sentence stating none is never chosen for such a question).
    "typed",
    "unknown",  # share of the question's content words no indexed passage holds
    "off_document",  # share of the question's naming words absent from the sentence's passage
)


@dataclass(frozen=True)
class Gate:
    """A fitted logistic model (standardised signals, coefficients, intercept) and the
    probability below which the assistant does not answer, chosen with it."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, signals: dict[str, float]) -> float:
        """The probability that the answer holds, from `signals` (keys: SIGNALS)."""
        z = self.intercept + sum(
            c * (signals[name] - m) / (s or 1.0)
            for name, c, m, s in zip(SIGNALS, self.coefficients, self.mean, self.scale,
                                     strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict[str, object]:
        return {"signals": list(SIGNALS), "mean": list(self.mean), "scale": list(self.scale),
                "coefficients": list(self.coefficients), "intercept": self.intercept,
                "threshold": self.threshold}


@lru_cache(maxsize=4)
def load_gate(path: Path = MODEL_FILE) -> Gate | None:
    """The fitted gate, or None when the file is missing or was fitted on other signals."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("signals") != list(SIGNALS):
        return None
    return Gate(tuple(data["mean"]), tuple(data["scale"]), tuple(data["coefficients"]),
                float(data["intercept"]), float(data["threshold"]))


def save_gate(gate: Gate, path: Path = MODEL_FILE) -> None:
    path.write_text(json.dumps(gate.to_dict(), indent=1) + "\n", encoding="utf-8")
    load_gate.cache_clear()


def signals(question: QuestionAnalysis, best: Candidate, lexical: LexicalIndex
            ) -> dict[str, float]:
    """The signals of the best candidate sentence `best` for `question`."""
    words = list(question.content_words)
    unknown = len(lexical.unknown(words)) / len(words) if words else 0.0
    chunk = best.hit.chunk
    passage = set(tokenize(f"{chunk.title} {chunk.context} {chunk.section} {chunk.text}"))
    # The words that name what is asked about, not the ones that ask ("quel", "chez").
    naming = set(tokenize(" ".join(words), full_forms=False)) - light_tokens()
    off = len(naming - passage) / len(naming) if naming else 0.0
    return {
        "score": best.score,
        "lexical": best.feature("lexical"),
        "passage_lexical": best.feature("passage_lexical"),
        "dense": best.feature("dense"),
        "typed": best.feature("typed"),
        "unknown": unknown,
        "off_document": off,
    }
