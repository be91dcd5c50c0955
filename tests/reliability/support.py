"""Helpers of the reliability tests: the `ctg` command and a Chroma server as real processes, and
the index as seen from outside (what is committed, what Chroma holds, what BM25 holds)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kb.core.lexical import LexicalIndex
from kb.core.store import Store
from tests.processes import free_port, serve

CHROMA = Path(sys.executable).with_name("chroma")
# Every wait of these tests is bounded: a hung process fails the test instead of the CI job.
RUN_TIMEOUT = 300.0
READY_TIMEOUT = 60.0


# --- the `ctg` command ---------------------------------------------------------------------


def ctg_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "kb", *args]


def ctg(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run `ctg *args` to completion in `cwd` (source ids are relative to it)."""
    return subprocess.run(
        ctg_command(*args), cwd=cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT
    )


def spawn_ctg(cwd: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    """Start `ctg *args` without waiting; stdout and stderr are pipes (read with `finish`)."""
    return subprocess.Popen(
        ctg_command(*args),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    """Wait (bounded) for a spawned process; its exit code, stdout and stderr."""
    try:
        out, err = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"ctg still running after {RUN_TIMEOUT:.0f} s:\n{err}") from None
    return process.returncode, out, err


def copy_tree(source: Path, target: Path) -> Path:
    """Copy files without their modes (the shared seeds are read-only)."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    return target


# --- a Chroma server -----------------------------------------------------------------------


@dataclass
class ChromaServer:
    url: str
    process: subprocess.Popen
    log: Path


@contextmanager
def chroma_server(path: Path) -> Iterator[ChromaServer]:
    """`chroma run` persisting into `path`, on a free port of 127.0.0.1, stopped on exit."""
    path.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = path.parent / f"{path.name}-{port}.log"
    url = f"http://127.0.0.1:{port}"
    command = [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with serve(command, log, f"{url}/api/v2/heartbeat", READY_TIMEOUT) as process:
        yield ChromaServer(url, process, log)


# --- the index seen from outside -----------------------------------------------------------


@dataclass(frozen=True)
class IndexState:
    """What an index holds: committed documents and chunks, and what each side really stores."""

    documents: dict[str, str]  # source → content hash, from the manifest
    chunk_ids: list[str]  # committed chunk ids, as iterated (duplicates kept)
    raw_chunks: int  # rows of Chroma's chunk collection, committed or not
    lexical_ids: list[str] | None  # ids of the BM25 index saved on disk, None if absent/stale

    @property
    def problems(self) -> list[str]:
        """Every way the two sides disagree; empty for a consistent index."""
        out = []
        if len(set(self.chunk_ids)) != len(self.chunk_ids):
            out.append("duplicate chunk ids")
        if self.raw_chunks != len(self.chunk_ids):
            out.append(f"{self.raw_chunks - len(self.chunk_ids)} uncommitted chunks in Chroma")
        if self.lexical_ids is None:
            out.append("BM25 index missing or stale on disk")
        elif sorted(self.lexical_ids) != sorted(self.chunk_ids):
            out.append("BM25 entries differ from the committed chunks")
        return out


def index_state(store: Store) -> IndexState:
    documents = store.documents()
    saved = LexicalIndex.load(store._lexical_dir)
    current = saved is not None and saved.fingerprint == store.fingerprint(documents)
    return IndexState(
        documents={source: record.content_hash for source, record in documents.items()},
        chunk_ids=[chunk.id for chunk in store.iter_chunks()],
        raw_chunks=store._chunks.count(),
        lexical_ids=[entry.id for entry in saved.entries] if current else None,
    )
