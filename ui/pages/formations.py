"""Formations page: find a training course by filters or in plain words, read it, compare,
add its sessions to a calendar."""

from datetime import date

import streamlit as st

from kb.catalogue.display import display
from kb.catalogue.model import FORMAT_LABELS, MONTHS, OFFER_LABELS, ROLE_LABELS
from kb.catalogue.ranking import search_courses
from kb.catalogue.requests import CourseFilters
from ui import resources
from ui.course_cards import card, comparison, filters_summary, request_filters
from ui.markdown import escape

st.title("Trouver une formation")
catalogue = resources.catalogue()
courses = catalogue.listed()
if not courses:
    st.info(
        "Le catalogue des formations est vide : il se remplit quand des programmes de formation "
        f"sont indexés. {resources.HOW_TO_INGEST}"
    )
    st.stop()
today = date.today()


def _choice(label: str, labels: dict, key: str):
    """A select box whose first option, None, means 'any'."""
    return st.selectbox(
        label, [None, *labels], format_func=lambda v: "Indifférent" if v is None else labels[v],
        key=key, placeholder="Indifférent",
    )


with st.sidebar:
    st.header("Filtres")
    read_from_request = st.container()  # filled once the request is read, below
    places = sorted({s.place for c in courses for s in c.sessions if s.place})
    chosen = {
        "audience": _choice("Public", ROLE_LABELS, "audience"),
        "month": _choice("Mois", dict(enumerate(MONTHS, 1)), "month"),
        "place": _choice("Lieu", {p: p for p in places}, "place"),
        "format": _choice("Modalité", FORMAT_LABELS, "format"),
        "offer": _choice("Type d'offre", OFFER_LABELS, "offer"),
        "max_price": st.number_input(
            "Budget maximum par stagiaire (€, 0 = sans limite)", 0, 100_000, 0, 50, key="budget"
        ) or None,
        "max_days": st.number_input(
            "Durée maximum (jours, 0 = sans limite)", 0.0, 60.0, 0.0, 0.5, "%g", key="days"
        ) or None,
        "open_only": st.checkbox("Sessions à venir seulement", key="open_only"),
    }
filters = CourseFilters(**{k: v for k, v in chosen.items() if v is not None})

request = st.text_input(
    "Votre besoin, en quelques mots",
    placeholder="Ex. : je suis élue référente CTG, une formation à Paris avant juin ?",
    key="request",
)
result = search_courses(
    catalogue, request, filters, today=today, embeddings=resources.embeddings()
)
(st.success if result.results else st.warning)(escape(result.message))
if summary := filters_summary(result.filters):
    st.caption(escape(summary))
with read_from_request:
    request_filters(result, filters)
for match in result.results:
    card(match, today, "result")
if result.nearest and not result.results:
    st.subheader("La formation la plus proche")
    card(result.nearest, today, "nearest")
if result.intra_options:
    st.subheader("Possibles en intra ou sur mesure")
    for match in result.intra_options:
        card(match, today, "option")

st.divider()
st.subheader("Comparer des formations")
picked = st.multiselect(
    "Choisissez au moins deux formations",
    [course.id for course in courses],
    format_func=lambda course_id: display(catalogue.get(course_id).title),
    placeholder="Choisir des formations",
    select_all=False,  # a table of every course side by side reads as nothing
    key="compare",
)
if len(picked) < 2:
    st.caption("La comparaison s'affiche dès que deux formations sont choisies.")
else:
    differences = st.toggle("Seulement ce qui diffère", key="differences")
    st.table(comparison([catalogue.get(i) for i in picked], today, differences))
