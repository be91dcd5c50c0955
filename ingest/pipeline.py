"""Incremental, idempotent ingestion: files → documents → chunks → store, one document at a time.

Unchanged files are skipped by content hash, changed files replace their chunks, files gone from
a scanned folder are removed. A file that fails is reported in French and keeps its previous
chunks; the run goes on. One ingestion at a time per data directory (a lock file).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from filelock import FileLock, Timeout

from ingest.chunking import chunk_document
from ingest.errors import IngestError, Reason
from ingest.extract import course_from_document
from ingest.loaders import content_hash, load_document
from kb.catalogue.model import Catalogue, Course, catalogue_path
from kb.core.config import Settings
from kb.core.documents import DocType, LoadedDocument
from kb.core.store import DocumentRecord, Store, new_record

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


def printable(name: str) -> str:
    """A file name fit to show: undecodable bytes and invisible characters become '?'."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(c if c.isprintable() else "?" for c in text)


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
                    message="Chemin introuvable : vérifiez le nom du fichier ou du dossier.",
                    reason=Reason.UNREADABLE,
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
                if not source.isprintable():
                    refused.append(FileResult(
                        printable(source), Status.ERROR, reason=Reason.UNSAFE_PATH,
                        message="Nom de fichier illisible (caractère invisible ou encodage "
                        "inconnu) : renommez le fichier pour l'indexer.",
                    ))
                    continue
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


@contextlib.contextmanager
def _exclusive(settings: Settings, wait: float) -> Iterator[None]:
    """Hold the data directory's ingestion lock, or raise `IngestionLocked`."""
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
        yield
    finally:
        lock.release()


def ingest(
    roots: list[Path],
    settings: Settings,
    store: Store,
    progress: Progress | None = None,
    wait: float = 0,
    rebuild: bool = False,
) -> IngestReport:
    """Bring the index in line with the files under `roots`; with `rebuild`, empty the index
    and the course catalogue first (under the same lock, so no other run slips in between)."""
    with _exclusive(settings, wait):
        if rebuild:
            store.reset()
            catalogue_path(settings).unlink(missing_ok=True)
        return _ingest_locked(roots, settings, store, progress)


def remove_document(source: str, settings: Settings, store: Store, wait: float = 0) -> None:
    """Take a document out of the index and the course catalogue (its file is left alone)."""
    with _exclusive(settings, wait):
        store.delete_document(source)
        _update_catalogue(settings, store, {}, [source])


def _ingest_locked(
    roots: list[Path], settings: Settings, store: Store, progress: Progress | None
) -> IngestReport:
    candidates, refused, scopes = discover(roots)
    mine = {c.source for c in candidates}
    # Only this run's files: another instance sharing a Chroma server may be mid-commit.
    report = IngestReport(swept=store.sweep(
        lambda source: source in mine or any(source.startswith(p) for p in scopes)
    ))
    report.results.extend(refused)
    known = store.documents()
    courses: dict[str, tuple[Course | None, str]] = {}
    for done, candidate in enumerate(candidates, 1):
        result = _ingest_file(candidate, settings, store, known, courses)
        report.results.append(result)
        if progress:
            progress(done, len(candidates), candidate.source)
    removed = [s for s in known if s not in mine and any(s.startswith(p) for p in scopes)]
    for source in removed:
        store.delete_document(source)
        report.results.append(FileResult(source, Status.REMOVED, message="Fichier disparu."))
    _update_catalogue(settings, store, courses, removed)
    store.prune_vectors()
    store.lexical  # noqa: B018 -- rebuilds the BM25 index now if anything changed
    return report


def _ingest_file(
    candidate: _Candidate,
    settings: Settings,
    store: Store,
    known: dict[str, DocumentRecord],
    courses: dict[str, tuple[Course | None, str]],
) -> FileResult:
    """Index one file if it changed; record its course, if it describes one, in `courses`."""
    source = candidate.source
    try:
        if candidate.path.stat().st_size <= settings.max_file_bytes:
            digest = content_hash(candidate.path.read_bytes())
            record = known.get(source)
            if record is not None and record.content_hash == digest:
                return FileResult(source, Status.UNCHANGED, record.chunks)
        document = load_document(candidate.path, source, settings.max_file_bytes)
        course, problem = _course_of(document)
        chunks = chunk_document(document, settings.chunk_size)
        store.write_document(
            new_record(source, document.content_hash, document.title, document.doc_type,
                       len(chunks), document.path),
            chunks,
        )
        courses[source] = (course, document.content_hash)
        return FileResult(source, Status.INDEXED, len(chunks), message=problem)
    except IngestError as exc:
        return FileResult(source, Status.ERROR, message=exc.message, reason=exc.reason)
    except OSError:
        return FileResult(source, Status.ERROR, reason=Reason.UNREADABLE, message=(
            "Fichier introuvable ou illisible (lien cassé, fichier déplacé pendant l'ingestion "
            "ou droits insuffisants)."))
    except Exception as exc:
        log.exception("ingestion failed for %s", source)
        message = f"Erreur inattendue ({type(exc).__name__}) : {exc}"
        return FileResult(source, Status.ERROR, message=message, reason=Reason.INTERNAL)


def _course_of(document: LoadedDocument) -> tuple[Course | None, str]:
    """The course a programme document describes, with its provider and kind written into the
    document's context; a front matter error keeps the text indexed and is reported."""
    try:
        course = course_from_document(document)
    except ValueError as exc:
        return None, f"Indexé, mais absent du catalogue des formations : {exc}"
    if course is not None:
        offers = " ".join(f"formation {kind.replace('_', ' ')}" for kind in course.offers)
        document.context = " · ".join(filter(None, [course.provider.name, offers, course.client]))
        # A course is also named by its provider or its client ("la formation de FR Consultants").
        document.aliases = (*document.aliases,
                            *filter(None, [course.provider.name, course.client]))
    return course, ""


def _update_catalogue(
    settings: Settings,
    store: Store,
    courses: dict[str, tuple[Course | None, str]],
    removed: list[str],
) -> None:
    """Keep the course catalogue in step with the programme documents of the index.

    `courses` holds, by source, the course read from each document indexed by this run and the
    document's content hash."""
    path = catalogue_path(settings)
    catalogue = Catalogue.load(path)
    for record in store.documents().values():
        behind = catalogue.hashes.get(record.source) != record.content_hash
        if record.doc_type == DocType.PROGRAMME and behind and record.source not in courses:
            # A lost catalogue, or a crash between a commit and this save: read it again.
            with contextlib.suppress(IngestError, OSError):
                document = load_document(Path(record.path), record.source,
                                         settings.max_file_bytes)
                courses[record.source] = (_course_of(document)[0], document.content_hash)
    for source in [*removed, *courses]:
        catalogue.remove_source(source)
    for source, (course, digest) in courses.items():
        catalogue.hashes[source] = digest
        if course is not None:
            catalogue.upsert(course)
    catalogue.save(path)
