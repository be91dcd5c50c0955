"""Crash safety with real processes: `ctg ingest` killed (SIGKILL) at random points, then run
again, ends with exactly the index a clean run builds; two ingestions at once never interleave."""

from __future__ import annotations

import random
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

import ingest.pipeline as pipeline
from kb.catalogue.model import Catalogue, catalogue_path
from kb.core.store import open_store
from tests.conftest import BROCHURES, CORPUS, make_settings
from tests.processes import isolated_env
from tests.reliability.support import (
    READY_TIMEOUT,
    IndexState,
    copy_tree,
    ctg,
    finish,
    index_state,
    spawn_ctg,
)

NOTES = 30  # generated Markdown files, so that kills land mid-run
KILLS = 5
SEED = 8
ROOTS = ("corpus", "seeds", "notes")


def write_notes(folder: Path, count: int) -> None:
    folder.mkdir()
    for i in range(count):
        parts = "\n\n".join(
            f"## Partie {j}\n\n" + f"Compte rendu {i}.{j} du comité de pilotage de la CTG : "
            f"diagnostic partagé, plan d'actions et point {j} sur la jeunesse. " * 6
            for j in range(8)
        )
        (folder / f"note-{i:02d}.md").write_text(f"# Note {i}\n\n{parts}\n", encoding="utf-8")


@dataclass(frozen=True)
class Snapshot:
    index: IndexState
    courses: list[str]  # the catalogue, one JSON line per course


@dataclass(frozen=True)
class Project:
    """A working directory holding the corpus; each data directory under it is one index."""

    root: Path

    @property
    def files(self) -> int:
        return sum(1 for r in ROOTS for path in (self.root / r).rglob("*") if path.is_file())

    def ingest(self, data: str, *args: str) -> subprocess.CompletedProcess:
        return ctg(self.root, isolated_env(self.root / data), "ingest", *ROOTS, *args)

    def spawn(self, data: str, *args: str) -> subprocess.Popen:
        return spawn_ctg(self.root, isolated_env(self.root / data), "ingest", *ROOTS, *args)

    def snapshot(self, data: str, embeddings) -> Snapshot:
        settings = make_settings(self.root / data)
        courses = Catalogue.load(catalogue_path(settings)).courses
        return Snapshot(
            index_state(open_store(settings, embeddings)),
            sorted(course.model_dump_json() for course in courses),
        )


@dataclass(frozen=True)
class Clean:
    snapshot: Snapshot
    seconds: float  # a full run
    startup: float  # a run that only starts and opens the store: kills before it are moot


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("crash")
    copy_tree(CORPUS, root / "corpus")
    copy_tree(BROCHURES, root / "seeds")
    write_notes(root / "notes", NOTES)
    return Project(root)


def timed(run) -> tuple[float, subprocess.CompletedProcess]:
    start = time.monotonic()
    done = run()
    assert done.returncode == 0, done.stderr[-2000:]
    return time.monotonic() - start, done


@pytest.fixture(scope="module")
def clean(project, embeddings) -> Clean:
    startup, _ = timed(lambda: ctg(project.root, isolated_env(project.root / "empty"), "stats"))
    seconds, _ = timed(lambda: project.ingest("clean"))
    snapshot = project.snapshot("clean", embeddings)
    assert snapshot.index.problems == []
    assert len(snapshot.index.documents) == project.files
    return Clean(snapshot, seconds, startup)


def unchanged(report: str) -> int:
    """How many documents a run found already indexed, from its summary line."""
    return int(re.search(r"(\d+) inchangé\(s\)", report).group(1))


def test_killed_ingestions_resume_to_the_clean_index(project, clean, embeddings):
    # One random delay in each fifth of a full run (after its start-up): kills spread over it.
    rng = random.Random(SEED)
    span = (clean.seconds - clean.startup) / KILLS
    delays = [clean.startup + (n + rng.random()) * span for n in range(KILLS)]
    mismatches: dict[float, list[str]] = {}
    resumed: list[int] = []
    for n, delay in enumerate(delays):
        data = f"killed-{n}"
        process = project.spawn(data)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()  # SIGKILL: no handler, no cleanup
        finish(process)
        _, rerun = timed(lambda data=data: project.ingest(data))
        resumed.append(unchanged(rerun.stdout))
        after = project.snapshot(data, embeddings)
        problems = after.index.problems
        if after.index.documents != clean.snapshot.index.documents:
            problems.append("documents differ")
        if sorted(after.index.chunk_ids) != sorted(clean.snapshot.index.chunk_ids):
            problems.append("chunk ids differ")
        if after.courses != clean.snapshot.courses:
            problems.append("catalogue differs")
        if problems:
            mismatches[round(delay, 2)] = problems
    print(f"full run {clean.seconds:.1f} s; killed after {[round(d, 1) for d in delays]} s; "
          f"documents already committed: {resumed}")
    assert mismatches == {}
    total = len(clean.snapshot.index.documents)
    # The test means something only if kills interrupted runs that had already committed some
    # documents (the rerun found them unchanged) and not all of them.
    assert any(0 < n < total for n in resumed), (resumed, delays, clean)


def wait_until_locked(lock: Path, holder: subprocess.Popen) -> None:
    """Return once another process holds `lock` (probing it never blocks a waiting holder)."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        assert holder.poll() is None, "the first ingestion ended before it was seen running"
        if lock.exists():
            probe = FileLock(lock)
            try:
                probe.acquire(timeout=0)
            except Timeout:
                return
            probe.release()
        time.sleep(0.05)
    raise TimeoutError(f"{lock} never taken")


def test_a_second_ingestion_waits_or_is_refused_never_interleaves(project, clean, embeddings):
    total = len(clean.snapshot.index.documents)
    first = project.spawn("both", "--wait", "60")
    wait_until_locked(project.root / "both" / "ingest.lock", first)
    waiting = project.spawn("both", "--wait", "240")
    refused = project.ingest("both")  # no --wait
    code, out, err = finish(first)
    assert code == 0, err[-2000:]
    assert f"{total} indexé(s)" in out
    assert refused.returncode == 3
    assert "Une autre ingestion est en cours" in refused.stderr
    code, out, err = finish(waiting)
    assert code == 0, err[-2000:]
    # It ran once the first had committed everything: nothing left for it to index.
    assert f"0 indexé(s), {total} inchangé(s)" in out
    after = project.snapshot("both", embeddings)
    assert after.index.problems == []
    assert after.index.documents == clean.snapshot.index.documents
    assert sorted(after.index.chunk_ids) == sorted(clean.snapshot.index.chunk_ids)


class Crash(BaseException):
    """Not an Exception: like a kill, nothing in the pipeline catches it."""


def test_a_crash_before_the_catalogue_is_saved_is_repaired_by_the_next_run(
    tmp_path, embeddings, monkeypatch
):
    """The deterministic twin of a kill between a programme's commit and the catalogue save."""
    corpus = tmp_path / "corpus"
    copy_tree(CORPUS / "programmes", corpus)
    sheet = corpus / "fr-consultants-piloter-ctg.md"
    settings = make_settings(tmp_path / "data")
    store = open_store(settings, embeddings)
    pipeline.ingest([corpus], settings, store)
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("amount: 850", "amount: 990"),
                     encoding="utf-8")

    def crash(*_):
        raise Crash

    monkeypatch.setattr(pipeline, "_update_catalogue", crash)
    with pytest.raises(Crash):
        pipeline.ingest([corpus], settings, store)
    monkeypatch.undo()
    pipeline.ingest([corpus], settings, open_store(settings, embeddings))
    course = Catalogue.load(catalogue_path(settings)).get("fr-consultants-piloter-ctg")
    assert course is not None and course.price.amount == 990
