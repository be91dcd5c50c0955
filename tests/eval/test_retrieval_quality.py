"""Retrieval quality on the held question sets. The floors are the figures measured when this
file last changed (README, "Qualité de la recherche"); a change that lowers them fails here."""

from __future__ import annotations

import pytest

from kb.core.glossary import expand
from kb.evaluation.metrics import evaluate_retrieval, is_hit, load_questions
from kb.search.retrieval import HybridRetriever
from tests.conftest import CORPUS, EVAL


@pytest.fixture(scope="module")
def dev_questions():
    questions = load_questions(EVAL / "seeds_dev.jsonl")
    assert len(questions) >= 40
    return questions


SETS = ("seeds_dev", "seeds_unanswerable", "seeds_unanswerable_heldout", "methods_questions",
        "references_questions", "methods_heldout", "methods_fresh", "references_fresh",
        "corpus_unanswerable", "corpus_unanswerable_fresh", "methods_canonical", "seeds_fresh",
        "references_canonical", "programmes_questions", "firstweek_questions", "newcomer_fresh")


def test_question_sets_are_well_formed():
    for name in SETS:
        questions = load_questions(EVAL / f"{name}.jsonl")
        assert len({q.id for q in questions}) == len(questions), name
        assert all(q.unanswerable or q.answers for q in questions), name


@pytest.mark.parametrize("name", SETS)
def test_every_expected_answer_is_in_the_documents_asked_about(request, name):
    """An answer no document holds any more (a sheet reworded) would count as a miss forever."""
    folder = request.getfixturevalue("seeds_dir") if name.startswith("seeds") else CORPUS
    texts = [path.read_text(encoding="utf-8") for path in folder.rglob("*") if path.is_file()]
    stale = [(q.id, answer) for q in load_questions(EVAL / f"{name}.jsonl")
             for answer in q.answers if not any(is_hit(text, [answer]) for text in texts)]
    assert not stale


def test_seed_questions_on_the_seeds(seed_index, dev_questions):
    report = evaluate_retrieval(HybridRetriever(store=seed_index), dev_questions)
    assert report.recall[5] >= 0.95  # the targets of the backbone issue
    assert report.mrr >= 0.85


def test_seed_questions_written_apart_on_the_seeds(seed_index):
    report = evaluate_retrieval(HybridRetriever(store=seed_index),
                                load_questions(EVAL / "seeds_fresh.jsonl"))
    assert report.recall[5] >= 0.97
    assert report.mrr >= 0.90


def test_reranking_by_answering_sentences_raises_mrr(seed_index, dev_questions):
    fused = evaluate_retrieval(HybridRetriever(store=seed_index, rerank=False), dev_questions)
    reranked = evaluate_retrieval(HybridRetriever(store=seed_index), dev_questions)
    assert reranked.mrr >= fused.mrr + 0.03
    assert reranked.recall[5] >= fused.recall[5]


def test_fusion_beats_each_retriever_alone(seed_index, dev_questions):
    def recall_at_5(ranked_texts) -> float:
        answerable = [q for q in dev_questions if not q.unanswerable]
        found = sum(any(is_hit(t, q.answers) for t in ranked_texts(q.question)[:5])
                    for q in answerable)
        return found / len(answerable)

    chunks = {c.id: c.text for c in seed_index.iter_chunks()}
    dense = recall_at_5(lambda q: [c.text for c, _ in seed_index.dense_search(expand(q), 5)])
    lexical = recall_at_5(lambda q: [chunks[i] for i, _ in seed_index.lexical.search(q, 5)])
    hybrid = recall_at_5(lambda q: [h.chunk.text for h in
                                    HybridRetriever(store=seed_index).search(q)])
    assert hybrid > max(dense, lexical)


# Regression bands: each set's figures (recall@5, MRR) as measured once the catalogue held its 16
# real offers (two programmes before: the new ones share providers and topics with the brochures,
# which cost seeds_dev 0.09 of recall@5), with a tolerance of TOLERANCE.
TOLERANCE = 0.03
WHOLE_CORPUS_TARGETS = {
    "methods_questions": (0.95, 0.84),
    "references_questions": (0.96, 0.85),
    "seeds_dev": (0.86, 0.69),
    # Written by someone who saw neither the rules nor the other sets: practitioners' own wording.
    "methods_heldout": (0.97, 0.69),
    "methods_fresh": (0.83, 0.67),
    "references_fresh": (0.89, 0.74),
    # The day-one questions: one per method sheet and section, and a newcomer's first questions.
    "methods_canonical": (1.0, 1.0),
    "references_canonical": (0.92, 0.78),
}


@pytest.mark.parametrize("name", sorted(WHOLE_CORPUS_TARGETS))
def test_questions_on_the_whole_corpus(corpus_index, name):
    recall, mrr = WHOLE_CORPUS_TARGETS[name]
    report = evaluate_retrieval(HybridRetriever(store=corpus_index),
                                load_questions(EVAL / f"{name}.jsonl"))
    figures = {"R@5": round(report.recall[5], 3), "MRR": round(report.mrr, 3)}
    assert report.recall[5] >= recall - TOLERANCE, figures
    assert report.mrr >= mrr - TOLERANCE, figures


def test_filters_restrict_results(corpus_index):
    retriever = HybridRetriever(store=corpus_index)
    hits = retriever.search("Combien de personnes au centre d'un fish bowl ?", k=8,
                            doc_types={"methode"})
    assert hits and all(h.chunk.doc_type == "methode" for h in hits)
    only = retriever.search("fish bowl", k=8, sources={hits[0].chunk.source})
    assert {h.chunk.source for h in only} == {hits[0].chunk.source}


def test_acronyms_find_their_full_forms(corpus_index):
    retriever = HybridRetriever(store=corpus_index)
    top = retriever.search("C'est quoi l'AOC ?", k=3)
    assert any("approche orientée changement" in h.chunk.text.lower() for h in top)
    top = retriever.search("rôle du schéma départemental des services aux familles", k=3)
    assert any("SDSF" in h.chunk.text for h in top)


def test_langchain_interface(seed_index):
    documents = HybridRetriever(store=seed_index, k=3).invoke("tarif par stagiaire")
    assert len(documents) == 3
    assert {"source", "title", "score", "doc_type"} <= set(documents[0].metadata)
