"""Objects shared by every page and session, built once per process, and the guards that stop a
page with a French message when one cannot be built."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, NoReturn

import streamlit as st
from langchain_core.embeddings import Embeddings

import kb  # noqa: F401 -- offline environment before any model code
from kb.catalogue.model import Catalogue, catalogue_path
from kb.core.config import get_settings
from kb.core.documents import DocType
from kb.core.embeddings import get_embeddings
from kb.core.feedback import FeedbackStore, feedback_store
from kb.core.store import Store, StoreError, open_store
from kb.training.methods import MethodLibrary, MethodSheet, load_library
from ui import uploads

if TYPE_CHECKING:
    from kb.answers.answer import Assistant

log = logging.getLogger(__name__)
HOW_TO_INGEST = (
    "Pour indexer le corpus livré avec l'application, lancez `make run` ou `ctg ingest corpus` ; "
    "pour ajouter vos propres documents, utilisez la page Bibliothèque."
)


@st.cache_resource(show_spinner="Ouverture de l'index…")
def _store() -> Store:
    return open_store(get_settings())


@st.cache_resource(show_spinner="Préparation de l'assistant…")
def _assistant() -> Assistant:
    from kb.answers.answer import Assistant  # LangChain's model modules: imported by _warm_up

    return Assistant(_store(), get_settings())


def _warm(store: Store) -> None:
    try:
        store.embeddings.embed_query("convention territoriale globale")  # loads the weights
        store.lexical  # noqa: B018 -- loads the BM25 index from disk
        import kb.answers.answer  # noqa: F401 -- and LangChain's model modules
    except Exception:  # the first real question will meet the problem and show it
        log.warning("warm-up failed", exc_info=True)


@st.cache_resource(show_spinner=False)
def _warm_up() -> threading.Thread:
    """Load, once per process and in the background, what the first question needs (embedding
    weights, BM25 index, answer chain: about 2 s) while the first page is being read."""
    thread = threading.Thread(target=_warm, args=(_store(),), name="ctg-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner="Chargement du catalogue des formations…")
def _catalogue() -> Catalogue:
    return Catalogue.load(catalogue_path(get_settings()))


@st.cache_resource(show_spinner="Chargement des fiches méthodes…")
def _methods() -> MethodLibrary:
    settings = get_settings()
    return load_library(settings.corpus_dir / "methodes",
                        uploads.folder_for(settings, str(DocType.METHODE)))


@st.cache_resource(show_spinner=False)
def feedback() -> FeedbackStore:
    return feedback_store(get_settings())


def _stop(message: str) -> NoReturn:
    st.error(message)
    st.stop()


def store() -> Store:
    """The index, or the page stops with what to do."""
    try:
        store = _store()
    except StoreError as exc:
        _stop(str(exc))
    _warm_up()
    return store


def assistant() -> Assistant:
    store()  # its error, if any, is the one to show
    return _assistant()


def catalogue() -> Catalogue:
    try:
        return _catalogue()
    except ValueError as exc:
        _stop(f"{exc} Relancez l'ingestion des programmes (`ctg ingest corpus`).")


def method_library() -> MethodLibrary:
    """The method sheets of the corpus and of the Bibliothèque, with the added files that are
    not valid sheets."""
    try:
        return _methods()
    except ValueError as exc:
        _stop(str(exc))


def methods() -> list[MethodSheet]:
    return method_library().sheets


def embeddings() -> Embeddings | None:
    """The configured embeddings, or None (with a notice): ranking courses by meaning is a bonus
    over their words, not a reason to fail."""
    try:
        return get_embeddings(get_settings())
    except Exception as exc:
        st.caption(f"Classement par le sens indisponible ({exc}) : recherche par les mots.")
        return None


def refresh() -> None:
    """After an ingestion or a deletion: drop what was read from the index, so that every page
    and session sees the change on its next run."""
    for cached in (_store, _assistant, _catalogue, _methods):
        cached.clear()
