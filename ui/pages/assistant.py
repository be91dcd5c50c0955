"""Assistant page: questions answered from the indexed documents, each claim with its source."""

import streamlit as st

from kb.core.config import get_settings
from kb.core.documents import DOC_TYPE_LABELS
from ui import chat, resources
from ui.markdown import escape

st.title("Assistant CTG")
settings = get_settings()
if not resources.store().documents():
    st.info(f"La base de connaissances est vide. {resources.HOW_TO_INGEST}")
    st.stop()

with st.sidebar:
    types = st.multiselect(
        "Chercher dans",
        [str(doc_type) for doc_type in DOC_TYPE_LABELS],
        format_func=lambda value: DOC_TYPE_LABELS[value],
        placeholder="Tous les documents",
        select_all=False,  # every type chosen is no type chosen: "Tous les documents" says it
        key="doc_types",
    )
    st.button("Nouvelle conversation", on_click=chat.clear, icon=":material/refresh:")
st.caption(escape(chat.subtitle(settings)))

chat.replay()
question = st.chat_input("Posez votre question sur les CTG, les formations, les méthodes…")
question = question or chat.pending()
if question:
    chat.ask(question, set(types) or None)
if not chat.messages():  # also after a question refused as empty: the examples stay
    chat.examples()
