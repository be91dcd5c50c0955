"""Recherche page: the indexed documents and a passage search."""

from __future__ import annotations

import streamlit as st

from kb.documents import DOC_TYPE_LABELS
from kb.store import StoreError
from ui import resources

st.title("Recherche dans la base CTG")
try:
    documents = resources.store().documents()
except StoreError as exc:
    st.error(str(exc))
    st.stop()

if not documents:
    st.info("La base est vide. Lancez `ctg ingest` (ou `make run`) pour indexer le corpus.")
    st.stop()

labels = {str(t): label for t, label in DOC_TYPE_LABELS.items()}
question = st.text_input("Votre question", placeholder="Ex. : qu'est-ce qu'un fish bowl ?")
types = st.multiselect("Types de documents", list(labels), format_func=labels.__getitem__)
if question:
    hits = resources.retriever().search(question, doc_types=set(types) or None)
    if not hits:
        st.warning("Aucun passage ne correspond à cette question.")
    for rank, hit in enumerate(hits, 1):
        where = f" · {hit.chunk.location}" if hit.chunk.location else ""
        with st.expander(f"{rank}. {hit.chunk.title}{where}", expanded=rank == 1):
            st.caption(f"{labels[str(hit.chunk.doc_type)]} · {hit.chunk.source}")
            st.text(hit.chunk.text)

st.subheader(f"{len(documents)} documents indexés")
st.dataframe(
    [
        {
            "Titre": r.title,
            "Type": labels.get(r.doc_type, r.doc_type),
            "Passages": r.chunks,
            "Indexé le": r.indexed_at,
            "Fichier": r.source,
        }
        for r in sorted(documents.values(), key=lambda r: (r.doc_type, r.title))
    ],
    hide_index=True,
    use_container_width=True,
)
