"""Helpers shared by the benchmarks: percentiles, timing, and synthetic corpora derived from the
real one (real texts and real embeddings, perturbed), so that sizes can grow past the corpus."""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

import kb  # noqa: F401 -- offline environment first
from ingest.pipeline import ingest
from kb.core.config import Settings
from kb.core.documents import Chunk
from kb.core.store import Store, embedding_text, new_record, open_store
from kb.evaluation.metrics import EvalQuestion, load_questions

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
CORPUS = REPO / "corpus"
EVAL = REPO / "tests" / "eval"
FOREIGN = EVAL / "foreign"
FOREIGN_DOCS = FOREIGN / "docs"
CHUNKS_PER_DOCUMENT = 50


def write_report(description: str, build: Callable[[], str]) -> None:
    """The command line of a bench that measures and writes one Markdown page (`--report`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--report", type=Path, help="Markdown page to write")
    args = parser.parse_args()
    text = build()
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text, encoding="utf-8")
    print(text)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def time_calls(fn: Callable[[], object], repeat: int = 1) -> list[float]:
    """Milliseconds taken by each of `repeat` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(ms: list[float]) -> str:
    return (f"p50 {percentile(ms, 50):7.1f} ms  p95 {percentile(ms, 95):7.1f} ms  "
            f"mean {statistics.fmean(ms):7.1f} ms")


@contextmanager
def temporary_settings(**overrides) -> Iterator[Settings]:
    folder = Path(tempfile.mkdtemp(prefix="ctg-bench-"))
    try:
        yield Settings(data_dir=folder / "data", _env_file=None, **overrides)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def index_real_corpus(settings: Settings, roots: list[Path]) -> Store:
    store = open_store(settings)
    report = ingest(roots, settings, store)
    if not report.ok:
        raise SystemExit(f"ingestion failed: {[r.message for r in report.errors]}")
    return store


def synthetic_chunks(base: Store, size: int, seed: int = 0) -> Iterator[tuple[Chunk, list[float]]]:
    """`size` chunks built from the real ones: shuffled sentences, vectors with small noise."""
    rng = np.random.default_rng(seed)
    real = list(base.iter_chunks())
    vectors = np.array(base.vectors.embed_documents([embedding_text(c) for c in real]))
    for i in range(size):
        origin = real[i % len(real)]
        sentences = origin.text.split(". ")
        rng.shuffle(sentences)
        vector = vectors[i % len(real)] + rng.normal(0, 0.02, vectors.shape[1])
        doc = i // CHUNKS_PER_DOCUMENT
        chunk = Chunk(
            id=f"syn{doc:06d}-{i % CHUNKS_PER_DOCUMENT:04d}",
            text=". ".join(sentences),
            source=f"synthetic/doc{doc:06d}.md",
            title=origin.title,
            doc_type=origin.doc_type,
            section=origin.section,
            page=origin.page,
            position=i % CHUNKS_PER_DOCUMENT,
            content_hash=f"syn{doc:06d}",
        )
        yield chunk, (vector / np.linalg.norm(vector)).tolist()


def fill_synthetic(base: Store, target: Store, size: int) -> None:
    """Write `size` synthetic chunks into `target`, a document of 50 chunks at a time."""
    batch: list[tuple[Chunk, list[float]]] = []
    for item in synthetic_chunks(base, size):
        batch.append(item)
        if len(batch) == CHUNKS_PER_DOCUMENT:
            _write(target, batch)
            batch = []
    if batch:
        _write(target, batch)
    target.rebuild_lexical()


def _write(store: Store, batch: list[tuple[Chunk, list[float]]]) -> None:
    first = batch[0][0]
    record = new_record(first.source, first.content_hash, first.title, first.doc_type,
                        len(batch), "")
    store.write_document(record, [c for c, _ in batch], [v for _, v in batch])


def foreign_sets() -> dict[str, list[EvalQuestion]]:
    """The foreign questions by part: dev (failures read) and fresh (aggregates only)."""
    unanswerable = load_questions(FOREIGN / "unanswerable.jsonl")
    return {
        f"foreign_{split}": load_questions(FOREIGN / f"questions_{split}.jsonl")
        + [q for q in unanswerable if q.split == split]
        for split in ("dev", "fresh")
    }
