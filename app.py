"""Streamlit entry point: page navigation and wiring only."""

import streamlit as st

import kb  # noqa: F401 -- offline environment before any model code

st.set_page_config(page_title="Assistant CTG", page_icon="🤝", layout="wide")
st.navigation([st.Page("ui/recherche.py", title="Recherche", icon="🔎", default=True)]).run()
