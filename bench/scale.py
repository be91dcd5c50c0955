"""Scale benchmark: synthetic corpora of 1k, 10k and 100k chunks derived from the real one, on the
embedded store and on a Chroma server. Per size: ingestion throughput with precomputed vectors
(the store's own cost), BM25 rebuild time, peak memory, index size on disk, search p50/p95.
Embedding throughput (the real USE model) is measured once on a sample: embedding 100k chunks
would take an hour on two cores, and its rate does not depend on the index size.

Each size runs in its own process so that memory peaks do not accumulate; a Chroma server is
started afresh for each size, and its own peak is reported beside the client's.

Run: python bench/scale.py [--sizes 1000 10000 100000] [--embed-sample 2000] [--server]
Prints numbers, asserts nothing. Targets: search p95 ≤ 250 ms and ingestion peak ≤ 4 GiB at
100k chunks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    CHUNKS_PER_DOCUMENT,
    CORPUS,
    EVAL,
    SEEDS,
    fill_synthetic,
    index_real_corpus,
    percentile,
    synthetic_chunks,
    temporary_settings,
    time_calls,
)
from kb.core.config import Settings
from kb.core.embeddings import get_embeddings
from kb.core.store import new_record, open_store
from kb.evaluation.metrics import load_questions
from kb.search.retrieval import HybridRetriever
from tests.reliability.support import chroma_server

MIB = 1024 * 1024
TARGET_P95_MS = 250
TARGET_PEAK_MIB = 4096


def disk_usage(path: Path) -> int:
    """Bytes allocated under `path`, as `du` counts them."""
    if not path.exists():
        return 0
    return sum(
        (Path(folder) / name).lstat().st_blocks * 512
        for folder, _, names in os.walk(path)
        for name in names
    )


def peak_rss(pid: int | None = None) -> int:
    """Peak resident memory in bytes: this process's, or another's from /proc (VmHWM)."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


# --- one measurement, in a process of its own ----------------------------------------------


def measure_size(base: Settings, target: Settings, size: int) -> dict:
    """Fill `target` with `size` synthetic chunks (precomputed vectors), then search it."""
    model = get_embeddings(base)
    source = open_store(base, model)
    next(synthetic_chunks(source, 1))  # the real chunks' vectors, once, before timing
    store = open_store(target, model)
    start = time.perf_counter()
    fill_synthetic(source, store, size)  # writes, then builds and saves the BM25 index
    ingest_s = time.perf_counter() - start
    start = time.perf_counter()
    store.rebuild_lexical()
    bm25_s = time.perf_counter() - start
    retriever = HybridRetriever(store=store)
    questions = [q.question for q in load_questions(EVAL / "seeds_dev.jsonl")]
    retriever.search(questions[0])
    ms = [t for _ in range(2) for q in questions
          for t in time_calls(lambda q=q: retriever.search(q))]
    return {
        "size": size,
        "ingest_s": ingest_s,
        "bm25_s": bm25_s,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "peak": peak_rss(),
    }


def measure_embedding(base: Settings, target: Settings, size: int) -> dict:
    """Write `size` synthetic chunks letting the store embed them (the real model)."""
    source = open_store(base)
    store = open_store(target, source.embeddings)
    chunks = [chunk for chunk, _ in synthetic_chunks(source, size)]
    start = time.perf_counter()
    for first in range(0, size, CHUNKS_PER_DOCUMENT):
        part = chunks[first : first + CHUNKS_PER_DOCUMENT]
        head = part[0]
        store.write_document(
            new_record(head.source, head.content_hash, head.title, head.doc_type, len(part), ""),
            part,
        )
    return {"size": size, "embed_s": time.perf_counter() - start, "peak": peak_rss()}


def worker(args: argparse.Namespace) -> None:
    base = Settings(data_dir=Path(args.base), _env_file=None)
    target = Settings(data_dir=Path(args.data), chroma_url=args.url, collection=args.collection,
                      _env_file=None)
    measure = measure_embedding if args.embed else measure_size
    print(json.dumps(measure(base, target, args.size)))


# --- the run: one subprocess per measurement -----------------------------------------------


def run_worker(base: Path, size: int, url: str | None, embed: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="ctg-scale-") as folder:
        data = Path(folder) / "data"
        command = [sys.executable, __file__, "--worker", "--size", str(size), "--base", str(base),
                   "--data", str(data), "--collection", f"s{uuid.uuid4().hex[:10]}"]
        command += ["--url", url] if url else []
        command += ["--embed"] if embed else []
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"worker failed ({' '.join(command)}):\n{done.stderr[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures["disk"] = disk_usage(data)
        return figures


def on_backend(server: bool, base: Path, size: int, embed: bool = False) -> dict:
    """One measurement on the embedded store, or on a fresh Chroma server (its peak memory and
    files counted in)."""
    if not server:
        return run_worker(base, size, None, embed)
    with tempfile.TemporaryDirectory(prefix="ctg-scale-server-") as folder:
        with chroma_server(Path(folder) / "db") as chroma:
            figures = run_worker(base, size, chroma.url, embed)
            figures["server_peak"] = peak_rss(chroma.process.pid)
        figures["disk"] += disk_usage(Path(folder) / "db")
    return figures


def report(backend: str, figures: dict) -> None:
    size = figures["size"]
    server = f" + server {figures['server_peak'] / MIB:6.0f}" if "server_peak" in figures else ""
    print(f"   {backend:8} {size:>7} chunks: ingest {size / figures['ingest_s']:7.0f} chunks/s "
          f"({figures['ingest_s']:6.1f} s, BM25 rebuild {figures['bm25_s']:5.1f} s)  "
          f"search p50 {figures['p50_ms']:6.1f} ms p95 {figures['p95_ms']:6.1f} ms  "
          f"peak {figures['peak'] / MIB:6.0f} MiB{server}  disk {figures['disk'] / MIB:6.0f} MiB",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--embed-sample", type=int, default=2000)
    parser.add_argument("--server", action="store_true", help="also on a Chroma server")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--embed", action="store_true", help=argparse.SUPPRESS)
    for option in ("--size", "--base", "--data", "--url", "--collection"):
        parser.add_argument(option, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.size = int(args.size)
        worker(args)
        return
    backends = ["embedded", "server"] if args.server else ["embedded"]
    print(f"== Scale: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    with temporary_settings() as base:
        index_real_corpus(base, [SEEDS, CORPUS])
        print(f"== Ingestion with embedding (USE multilingual), {args.embed_sample} chunks")
        for backend in backends:
            figures = on_backend(backend == "server", base.data_dir, args.embed_sample, True)
            print(f"   {backend:8} {args.embed_sample / figures['embed_s']:7.0f} chunks/s "
                  f"({figures['embed_s']:.1f} s, peak {figures['peak'] / MIB:.0f} MiB)", flush=True)
        print("== Per size, vectors precomputed (the store's own cost)")
        for backend in backends:
            for size in args.sizes:
                report(backend, on_backend(backend == "server", base.data_dir, size))
    print(f"== Load average {os.getloadavg()[0]:.1f} at the end; targets at 100k chunks: "
          f"search p95 ≤ {TARGET_P95_MS} ms, ingestion peak ≤ {TARGET_PEAK_MIB} MiB")


if __name__ == "__main__":
    main()
