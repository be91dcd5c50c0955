"""Bibliothèque page: the corpus at a glance for everyone; adding, deleting and re-indexing
documents and reading the feedback for the administrator."""

import streamlit as st

from ui import admin, library, overview, resources

st.title("Bibliothèque")
overview.corpus(resources.store())
st.divider()
if not admin.unlocked():
    st.stop()

library.outcome()
upload, documents, feedback = st.tabs(["Ajouter des documents", "Documents indexés", "Avis reçus"])
with upload:
    library.upload_panel()
with documents:
    library.documents_panel()
with feedback:
    library.feedback_panel()
