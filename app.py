"""Streamlit entry point: page navigation and wiring only (each page lives in ui/pages/)."""

import streamlit as st

import kb  # noqa: F401 -- offline environment before any model code

st.set_page_config(page_title="Assistant CTG", page_icon="🤝", layout="wide")
st.navigation(
    [
        st.Page("ui/pages/assistant.py", title="Assistant", icon=":material/forum:", default=True),
        st.Page("ui/pages/formations.py", title="Formations", icon=":material/school:"),
        st.Page("ui/pages/methodes.py", title="Méthodes", icon=":material/menu_book:"),
        st.Page("ui/pages/seance.py", title="Préparer une séance", icon=":material/event_note:"),
        st.Page("ui/pages/bibliotheque.py", title="Bibliothèque", icon=":material/shelves:"),
    ]
).run()
