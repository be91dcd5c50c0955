"""The answerability gate: its logistic model, the signals it reads, the fitted file shipped with
the package, and what the assistant does above and below its threshold."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kb.answers.answer import Assistant
from kb.answers.answerability import MODEL_FILE, SIGNALS, Gate, load_gate, save_gate, signals
from kb.core.documents import Chunk, DocType, SearchHit
from kb.core.lexical import LexicalEntry, LexicalIndex
from kb.core.sentences import Unit
from kb.evaluation.metrics import load_questions
from kb.search.analysis import analyse
from kb.search.support import FEATURES, Candidate
from tests.conftest import EVAL

ZEROS = tuple(0.0 for _ in SIGNALS)
ONES = tuple(1.0 for _ in SIGNALS)


def _gate(coefficients=ZEROS, intercept=0.0, threshold=0.5) -> Gate:
    return Gate(ZEROS, ONES, tuple(coefficients), intercept, threshold)


def _signals(**values: float) -> dict[str, float]:
    return {name: values.get(name, 0.0) for name in SIGNALS}


def test_the_probability_is_the_logistic_of_the_standardised_signals():
    assert _gate().probability(_signals()) == pytest.approx(0.5)
    score = [1.0 if name == "score" else 0.0 for name in SIGNALS]
    gate = Gate(tuple(5.0 if n == "score" else 0.0 for n in SIGNALS),
                tuple(2.0 if n == "score" else 1.0 for n in SIGNALS), tuple(score), 0.0, 0.5)
    assert gate.probability(_signals(score=7.0)) == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert gate.probability(_signals(score=3.0)) < 0.5 < gate.probability(_signals(score=9.0))


def test_a_gate_saved_is_loaded_back_and_a_stale_file_is_ignored(tmp_path):
    path = tmp_path / "gate.json"
    gate = _gate(coefficients=tuple(float(i) for i in range(len(SIGNALS))), threshold=0.3)
    save_gate(gate, path)
    assert load_gate(path) == gate
    stale = path.read_text(encoding="utf-8").replace('"score"', '"old_signal"')
    path.write_text(stale, encoding="utf-8")
    load_gate.cache_clear()
    assert load_gate(path) is None
    assert load_gate(tmp_path / "missing.json") is None


def test_the_shipped_gate_reads_the_current_signals():
    gate = load_gate(MODEL_FILE)
    assert gate is not None, "refit: python -m bench.calibration --fit"
    assert 0.0 <= gate.threshold < 1.0
    assert all(scale > 0 for scale in gate.scale)


def _candidate(text: str, title: str) -> Candidate:
    chunk = Chunk(id="c1", text=text, source="a.md", title=title, doc_type=DocType.REFERENCE,
                  section=title, page=None, position=0, content_hash="h")
    features = np.zeros(len(FEATURES), dtype=np.float32)
    return Candidate(Unit(text, 0), SearchHit(chunk, 1.0), 1, features, 6.0)


def _lexical(*texts: str) -> LexicalIndex:
    entries = [(LexicalEntry(f"c{i}", f"{i}.md", "reference"), text)
               for i, text in enumerate(texts)]
    return LexicalIndex.build(entries, "test")


def test_the_signals_say_what_the_passage_and_the_base_lack():
    lexical = _lexical("Le comité de pilotage de la convention réunit les élus.",
                       "Le relais petite enfance informe les familles.")
    question = analyse("Qui siège au comité de pilotage de la convention ?")
    inside = signals(question, _candidate("Le comité de pilotage réunit les élus.",
                                          "La convention territoriale"), lexical)
    elsewhere = signals(question, _candidate("Le relais informe les familles.",
                                             "Relais petite enfance"), lexical)
    assert inside["off_document"] < elsewhere["off_document"]
    assert inside["score"] == 6.0
    unknown = signals(analyse("Quel est le tarif du téléphérique de Grenoble ?"),
                      _candidate("Le relais informe les familles.", "Relais"), lexical)
    assert unknown["unknown"] > inside["unknown"]


@pytest.fixture(scope="module")
def questions():
    return [q for q in load_questions(EVAL / "references_questions.jsonl")[:12] if not q.previous]


def test_the_threshold_decides_between_an_answer_and_the_closest_passages(shipped_index,
                                                                          questions):
    strict = Assistant(shipped_index, shipped_index.settings.model_copy(
        update={"min_certainty": 1.0}), backend="extractive")
    open_gate = Assistant(shipped_index, shipped_index.settings.model_copy(
        update={"min_certainty": 0.0}), backend="extractive", threshold=-math.inf)
    opened = [open_gate.ask(q.question) for q in questions]
    held = [strict.ask(q.question) for q in questions]
    assert all(0.0 <= a.certainty <= 1.0 for a in opened if a.certainty is not None)
    assert sum(not a.abstained for a in held) < sum(not a.abstained for a in opened)
    declined = [a for a in held if a.abstained]
    assert declined and all(a.text.startswith("Je n'ai pas de réponse directe") for a in declined)
    for answer in declined:
        assert 1 <= len(answer.passages) <= 3
        # Each closest passage comes with the sentence of it that comes nearest to answering.
        assert set(answer.nearest) == {hit.chunk.id for hit in answer.passages}
        assert all(sentence for sentence in answer.nearest.values())
