"""Many users at once: concurrent searches and answers over one store give exactly what the same
calls give one after the other, with no error."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle, islice

import pytest

from ingest.pipeline import ingest
from kb.answers.answer import Assistant
from kb.core.store import Store, open_store
from kb.evaluation.metrics import load_questions
from kb.search.retrieval import HybridRetriever
from tests.conftest import EVAL, INTER, make_settings
from tests.processes import isolated_env
from tests.reliability.support import copy_tree, ctg

CALLS = 50
WORKERS = 12
TIMEOUT = 300  # seconds for the whole batch
FILTERS = [None, None, {"methode"}, {"reference"}, {"programme"}]


@pytest.fixture(scope="module")
def queries() -> list[tuple[str, set[str] | None]]:
    """50 real questions of the evaluation sets, some restricted to one document type."""
    questions = [
        q.question
        for name in ("seeds_dev", "methods_questions", "references_questions")
        for q in load_questions(EVAL / f"{name}.jsonl")[:17]
    ]
    return list(zip(questions[:CALLS], islice(cycle(FILTERS), CALLS), strict=True))


def fresh(store: Store) -> Store:
    """The same index opened again: nothing loaded yet, so the first calls race to load BM25."""
    return Store(store.settings, store.embeddings, store.model_id)


def concurrently(call: Callable, items: list) -> list:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(call, *item) for item in items]
        return [f.result(timeout=TIMEOUT) for f in futures]


def ranked(retriever: HybridRetriever) -> Callable:
    return lambda question, types: [h.chunk.id for h in retriever.search(question, k=5,
                                                                         doc_types=types)]


def test_concurrent_searches_match_sequential_ones(corpus_index, queries):
    search = ranked(HybridRetriever(store=fresh(corpus_index)))
    sequential = [search(*q) for q in queries]
    assert all(sequential) and len({tuple(ids) for ids in sequential}) > CALLS // 2
    retriever = HybridRetriever(store=fresh(corpus_index))
    assert concurrently(ranked(retriever), queries) == sequential  # cold: BM25 loads meanwhile
    assert concurrently(ranked(retriever), queries) == sequential  # warm


def answered(assistant: Assistant) -> Callable:
    def call(question: str, types: set[str] | None) -> tuple:
        answer = assistant.ask(question, doc_types=types)
        return answer.text, answer.abstained, [c.chunk.id for c in answer.citations]

    return call


def test_concurrent_answers_match_sequential_ones(corpus_index, queries):
    """Extractive backend: the answer chain shares the store and the embedding model."""
    ask = answered(Assistant(fresh(corpus_index), corpus_index.settings, backend="extractive"))
    sequential = [ask(*q) for q in queries]
    assert any(not abstained for _, abstained, _ in sequential)
    assistant = Assistant(fresh(corpus_index), corpus_index.settings, backend="extractive")
    assert concurrently(answered(assistant), queries) == sequential


def test_an_open_store_survives_another_process_reingesting(tmp_path, brochures_dir, embeddings):
    """The app keeps its store open while `ctg ingest` runs in a terminal and changes a
    document: the next searches do not fail, and find the new text."""
    corpus = copy_tree(brochures_dir, tmp_path / "seeds")
    settings = make_settings(tmp_path / "data")
    store = open_store(settings, embeddings)
    ingest([corpus], settings, store)
    retriever = HybridRetriever(store=store)
    question = "Combien coûte la formation sur la coopération entre partenaires ?"
    assert any("780 €" in hit.chunk.text for hit in retriever.search(question))
    brochure = corpus / INTER
    brochure.write_text(brochure.read_text(encoding="utf-8").replace("780 €", "990 €"),
                        encoding="utf-8")
    done = ctg(tmp_path, isolated_env(settings.data_dir), "ingest", "seeds")
    assert done.returncode == 0, done.stderr[-2000:]
    texts = [hit.chunk.text for hit in retriever.search(question)]
    assert any("990 €" in text for text in texts) and not any("780 €" in text for text in texts)
