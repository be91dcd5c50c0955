"""The Bibliothèque's work: add files to the index with a progress bar, list, delete and rebuild
what is indexed, read and export the feedback. Indexing goes through ingest.pipeline, the index
through kb.core.store; after any change the shared resources are dropped so every page sees it."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import streamlit as st

from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.pipeline import (
    IngestionLocked,
    IngestReport,
    Status,
    ingest,
    remove_document,
    source_id,
)
from kb.core.config import get_settings
from kb.core.documents import DOC_TYPE_LABELS, DocType
from kb.core.store import DocumentRecord
from ui import overview, resources, uploads
from ui.markdown import escape

WAIT_FOR_LOCK = 5.0  # seconds: a CLI ingestion running elsewhere usually ends soon
_ROUND = "upload_round"  # bumped after each upload so that the file picker starts empty
_OUTCOME = "library_outcome"


def _type_label(value: str) -> str:
    return DOC_TYPE_LABELS.get(value, value)  # keyed by DocType, a str enum


def _index(paths: list[Path], rebuild: bool = False) -> IngestReport | None:
    """Ingest `paths` with a progress bar; None (and an error shown) when another ingestion
    holds the index."""
    bar = st.progress(0.0, text="Indexation…")

    def progress(done: int, total: int, source: str) -> None:
        bar.progress(done / total, text=f"Indexation {done}/{total} · {source}")

    try:
        report = ingest(paths, get_settings(), resources.store(), progress, WAIT_FOR_LOCK,
                        rebuild=rebuild)
    except IngestionLocked as exc:
        st.error(str(exc))
        return None
    finally:
        resources.refresh()
    bar.progress(1.0, text="Indexation terminée.")
    return report


def _done(message: str, rows: list[dict] | None = None, ok: bool = True) -> NoReturn:
    """End an action: run the page again, so that every panel shows the index as it now is,
    with the action's outcome on top."""
    st.session_state[_OUTCOME] = (message, rows or [], ok)
    st.rerun()


def outcome() -> None:
    """The outcome of the action just done, once."""
    if done := st.session_state.pop(_OUTCOME, None):
        message, rows, ok = done
        (st.success if ok else st.warning)(escape(message))
        if rows:
            st.table(rows, hide_index=True)


def _summary(report: IngestReport | None, refused: list[uploads.Refused]) -> str:
    counts = {status: report.count(status) for status in Status} if report else {}
    parts = [
        f"{counts.get(Status.INDEXED, 0)} indexé(s)",
        f"{counts.get(Status.UNCHANGED, 0)} inchangé(s)",
        f"{counts.get(Status.ERROR, 0) + len(refused)} refusé(s) ou en erreur",
    ]
    return "Fichiers : " + ", ".join(parts) + "."


def _rows(report: IngestReport | None, refused: Iterable[uploads.Refused]) -> list[dict]:
    rows = [
        {"Fichier": r.name, "Résultat": "refusé", "Passages": 0, "Détail": r.message}
        for r in refused
    ]
    for result in report.results if report else []:
        rows.append(
            {
                "Fichier": Path(result.source).name,
                "Résultat": f"{result.status} ({result.reason})" if result.reason
                else str(result.status),
                "Passages": result.chunks,
                "Détail": result.message,
            }
        )
    return rows


def upload_panel() -> None:
    """Drop files, choose their type, index them; the per-file result stays until the next."""
    settings = get_settings()
    suffixes = sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES)
    round_ = st.session_state.setdefault(_ROUND, 0)
    with st.form("upload", clear_on_submit=False):
        files = st.file_uploader(
            f"Documents à ajouter ({uploads.FORMATS} ; {uploads.MAX_FILES} fichiers au plus, "
            f"{settings.max_file_mb:g} Mo chacun)",
            type=suffixes,
            accept_multiple_files=True,
            # The browser refuses larger files before sending them; uploads.check is the rule.
            max_upload_size=math.ceil(settings.max_file_mb),
            key=f"files-{round_}",
        )
        doc_type = st.selectbox(
            "Type des documents",
            [None, DocType.PROGRAMME, DocType.METHODE, DocType.REFERENCE],
            format_func=lambda v: "Détecter d'après le contenu" if v is None else _type_label(v),
            placeholder="Détecter d'après le contenu",
        )
        submitted = st.form_submit_button("Indexer", type="primary", icon=":material/upload:")
    if submitted:
        if not files:
            st.warning("Choisissez d'abord un ou plusieurs fichiers.")
        else:
            accepted, refused = uploads.check(files, settings.max_file_bytes)
            paths = uploads.save(accepted, uploads.folder_for(settings, doc_type))
            report = _index(paths) if paths else None
            if paths and report is None:
                return  # another ingestion holds the index: said by _index
            st.session_state[_ROUND] = round_ + 1
            ok = not refused and (report is None or report.ok)
            _done(_summary(report, refused), _rows(report, refused), ok)


def documents_panel() -> None:
    """What is indexed; delete one document; rebuild everything."""
    store = resources.store()
    records = sorted(store.documents().values(), key=lambda r: (r.doc_type, r.title))
    if not records:
        st.info(f"Aucun document indexé. {resources.HOW_TO_INGEST}")
        return
    st.dataframe(
        [
            {
                "Titre": r.title,
                "Type": _type_label(r.doc_type),
                "Passages": r.chunks,
                "Indexé le": r.indexed_at.replace("T", " ")[:16],
                "Fichier": r.source,
            }
            for r in records
        ],
        hide_index=True,
        width="stretch",
    )
    by_source = {r.source: r for r in records}
    # By title and type; the file's name only tells apart documents that share both.
    labels = {r.source: f"{r.title} · {_type_label(r.doc_type)}" for r in records}
    shared = {label for label, count in Counter(labels.values()).items() if count > 1}
    with st.form("delete"):
        source = st.selectbox(
            "Document à retirer de l'index",
            list(by_source),
            format_func=lambda s: labels[s] + (f" · {Path(s).name}" if labels[s] in shared else ""),
            placeholder="Choisir un document",
        )
        confirmed = st.checkbox("Je confirme la suppression")
        if st.form_submit_button("Supprimer", icon=":material/delete:") and source:
            if confirmed:
                _delete(by_source[source])
            else:
                st.warning("Cochez la confirmation pour supprimer.")
    with st.expander("Reconstruire l'index"):
        st.markdown(
            "Vide l'index puis indexe à nouveau chaque document depuis son fichier (un dossier "
            "du corpus est relu en entier). Utile après un changement de modèle d'embeddings ou "
            "un index abîmé."
        )
        if st.button("Reconstruire", key="rebuild", icon=":material/autorenew:"):
            _rebuild(records)


def _delete(record: DocumentRecord) -> None:
    settings = get_settings()
    try:
        remove_document(record.source, settings, resources.store(), WAIT_FOR_LOCK)
    except IngestionLocked as exc:
        st.error(str(exc))
        return
    if uploads.is_upload(settings, record.path):
        Path(record.path).unlink(missing_ok=True)
        where = "Le fichier déposé est supprimé aussi."
    else:
        where = "Son fichier reste sur le disque : il reviendra si son dossier est réindexé."
    resources.refresh()
    _done(f"« {record.title} » est retiré de l'index. {where}")


def _root(record: DocumentRecord) -> Path:
    """What to ingest so that the document keeps its source id: the file itself, or the folder
    it was found in when it was ingested with its folder (ids then hold the subfolders)."""
    path = Path(record.path)
    for folder in [path.parent, *path.parent.parents]:
        if source_id(folder, path) == record.source:
            return path if folder == path.parent else folder
    return path


def _rebuild(records: list[DocumentRecord]) -> None:
    present = [r for r in records if r.path and Path(r.path).is_file()]
    roots = list(dict.fromkeys(_root(r) for r in present))
    report = _index(roots, rebuild=True)
    if report is not None:
        missing = len(records) - len(present)
        _done(
            f"Index reconstruit : {report.count(Status.INDEXED)} document(s) réindexé(s)"
            + (f", {missing} introuvable(s) sur le disque." if missing else "."),
            _rows(report, []),
            report.ok and not missing,
        )


def feedback_panel() -> None:
    """Ratings over time, the list, and a CSV export."""
    store = resources.feedback()
    items = store.all()
    if not items:
        st.info(
            "Aucun avis pour l'instant : les 👍 et 👎 donnés sous les réponses de l'Assistant "
            "apparaîtront ici."
        )
        return
    overview.feedback(items)
    st.dataframe(
        [
            {
                "Date": f.created_at.replace("T", " ")[:16],
                "Avis": "👍" if f.rating == 1 else "👎",
                "Question": f.question,
                "Commentaire": f.comment,
                "Réponse": f.answer,
            }
            for f in items
        ],
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        "Exporter les avis (CSV)",
        # utf-8-sig: spreadsheets then read the accents right
        data=store.to_csv().encode("utf-8-sig"),
        file_name="avis-assistant-ctg.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )
