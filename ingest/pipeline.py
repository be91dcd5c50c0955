"""Incremental, idempotent ingestion: files → documents → chunks → store, one document at a time.

Unchanged files are skipped by content hash, changed files replace their chunks, files gone from
a scanned folder are removed. A file that fails is reported in French and keeps its previous
chunks; the run goes on. One ingestion at a time per data directory (a lock file).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from filelock import FileLock, Timeout

from ingest.chunking import chunk_document
from ingest.errors import IngestError, Reason
from ingest.loaders import content_hash, load_document
from kb.config import Settings
from kb.documents import LoadedDocument
from kb.store import Store, new_record

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


class Status(StrEnum):
    INDEXED = "indexé"
    UNCHANGED = "inchangé"
    REMOVED = "retiré"
    ERROR = "erreur"


@dataclass(frozen=True)
class FileResult:
    """What happened to one file; `message` is French and meant for the user."""

    source: str
    status: Status
    chunks: int = 0
    message: str = ""
    reason: Reason | None = None


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    swept: int = 0

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def errors(self) -> list[FileResult]:
        return [r for r in self.results if r.status == Status.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


class IngestionLocked(RuntimeError):
    """Another ingestion holds the data directory."""


@dataclass(frozen=True)
class _Candidate:
    path: Path
    source: str


def folder_id(folder: Path) -> str:
    """A folder's name in source ids: relative to the working directory when inside it (so that
    `corpus/methodes/x.md` is the same document whichever folder was named), else its name."""
    absolute = Path(os.path.abspath(folder))
    try:
        relative = absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.name
    return "" if relative == "." else relative


def source_id(folder: Path, path: Path) -> str:
    """The id of `path`, found under `folder`: forward slashes, stable across machines."""
    prefix = folder_id(folder)
    relative = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(folder))).as_posix()
    return f"{prefix}/{relative}" if prefix else relative


def discover(roots: Iterable[Path]) -> tuple[list[_Candidate], list[FileResult], list[str]]:
    """Files to consider under `roots`, files refused on the way (links leaving their folder),
    and the source prefixes whose missing documents count as deleted."""
    candidates: list[_Candidate] = []
    refused: list[FileResult] = []
    scopes: list[str] = []
    for root in roots:
        if root.is_file():
            candidates.append(_Candidate(root, source_id(root.parent, root)))
            continue
        if not root.is_dir():
            refused.append(
                FileResult(
                    str(root),
                    Status.ERROR,
                    message="Chemin introuvable.",
                    reason=Reason.UNSAFE_PATH,
                )
            )
            continue
        prefix = folder_id(root)
        scopes.append(f"{prefix}/" if prefix else "")
        real_root = root.resolve()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                source = source_id(root, path)
                if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                    refused.append(
                        FileResult(
                            source,
                            Status.ERROR,
                            reason=Reason.UNSAFE_PATH,
                            message="Lien symbolique vers un fichier hors du corpus : ignoré.",
                        )
                    )
                    continue
                candidates.append(_Candidate(path, source))
    return candidates, refused, scopes


def ingest(
    roots: list[Path],
    settings: Settings,
    store: Store,
    progress: Progress | None = None,
    wait: float = 0,
) -> IngestReport:
    """Bring the index in line with the files under `roots`."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(settings.data_dir / "ingest.lock")
    try:
        lock.acquire(timeout=wait)
    except Timeout as exc:
        raise IngestionLocked(
            "Une autre ingestion est en cours sur ce dossier de données. Réessayez quand elle "
            "sera terminée."
        ) from exc
    try:
        return _ingest_locked(roots, settings, store, progress)
    finally:
        lock.release()


def _ingest_locked(
    roots: list[Path], settings: Settings, store: Store, progress: Progress | None
) -> IngestReport:
    report = IngestReport(swept=store.sweep())
    candidates, refused, scopes = discover(roots)
    report.results.extend(refused)
    known = store.documents()
    changed: list[LoadedDocument] = []
    for done, candidate in enumerate(candidates, 1):
        result, document = _ingest_file(candidate, settings, store, known)
        report.results.append(result)
        if document is not None:
            changed.append(document)
        if progress:
            progress(done, len(candidates), candidate.source)
    seen = {c.source for c in candidates}
    removed = [s for s in known if s not in seen and any(s.startswith(p) for p in scopes)]
    for source in removed:
        store.delete_document(source)
        report.results.append(FileResult(source, Status.REMOVED, message="Fichier disparu."))
    _update_catalogue(settings, store, changed, removed)
    store.lexical  # noqa: B018 -- rebuilds the BM25 index now if anything changed
    return report


def _ingest_file(
    candidate: _Candidate, settings: Settings, store: Store, known: dict
) -> tuple[FileResult, LoadedDocument | None]:
    source = candidate.source
    try:
        if candidate.path.stat().st_size <= settings.max_file_bytes:
            digest = content_hash(candidate.path.read_bytes())
            record = known.get(source)
            if record is not None and record.content_hash == digest:
                return FileResult(source, Status.UNCHANGED, record.chunks), None
        document = load_document(candidate.path, source, settings.max_file_bytes)
        chunks = chunk_document(document, settings.chunk_size)
        store.write_document(
            new_record(
                source,
                document.content_hash,
                document.title,
                document.doc_type,
                len(chunks),
                document.path,
            ),
            chunks,
        )
        return FileResult(source, Status.INDEXED, len(chunks)), document
    except IngestError as exc:
        return FileResult(source, Status.ERROR, message=exc.message, reason=exc.reason), None
    except Exception as exc:
        log.exception("ingestion failed for %s", source)
        message = f"Erreur inattendue ({type(exc).__name__}) : {exc}"
        return FileResult(source, Status.ERROR, message=message, reason=Reason.INTERNAL), None


def _update_catalogue(
    settings: Settings, store: Store, changed: list[LoadedDocument], removed: list[str]
) -> None:
    """Keep the course catalogue in step with the programme documents of the index."""
    from ingest.extract import course_from_document
    from kb.courses import Catalogue, catalogue_path

    path = catalogue_path(settings)
    catalogue = Catalogue.load(path)
    for source in removed:
        catalogue.remove_source(source)
    for document in changed:
        catalogue.remove_source(document.source)
        try:
            course = course_from_document(document)
        except ValueError as exc:
            log.warning("no course from %s: %s", document.source, exc)
            continue
        if course is not None:
            catalogue.upsert(course)
    catalogue.save(path)
