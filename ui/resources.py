"""Objects shared by every page and session, built once per process."""

from __future__ import annotations

import streamlit as st

import kb  # noqa: F401 -- offline environment before any model code
from kb.config import get_settings
from kb.retrieval import HybridRetriever
from kb.store import Store, open_store


@st.cache_resource(show_spinner="Chargement de l'index…")
def store() -> Store:
    return open_store(get_settings())


def retriever() -> HybridRetriever:
    return HybridRetriever(store=store(), k=get_settings().top_k)
