"""Préparer une séance: a first déroulé drafted from a goal and the method sheets, edited row by
row with its total and warnings kept live, saved as JSON, exported as Markdown, DOCX and HTML."""

import streamlit as st

from kb.core.config import get_settings
from kb.search.retrieval import HybridRetriever
from kb.training.export import EXPORTS
from kb.training.sessions import (
    Sequence,
    check_plan,
    draft_plan,
    load_plan,
    minutes,
    plans_dir,
    save_plan,
    saved_plan_labels,
    slugify,
)
from ui import plan_editor, resources

EXAMPLE = "Une demi-journée pour lancer le diagnostic partagé avec les partenaires, 20 personnes"
FORMATS = {"md": "Markdown", "docx": "Word (DOCX)", "html": "HTML à imprimer"}

st.title("Préparer une séance")
methods = resources.methods()
folder = plans_dir(get_settings())


def propose() -> None:
    goal = st.session_state.get("goal", "").strip()
    if not goal:
        st.session_state["notice"] = "Décrivez d'abord l'objectif de la séance."
        return
    searcher = HybridRetriever(store=resources.store())
    plan_editor.bind(draft_plan(goal, methods, searcher))
    st.session_state["notice"] = None


def save() -> None:
    plan = plan_editor.read(plan_editor.current())
    save_plan(plan, folder)
    st.session_state["notice"] = f"Déroulé enregistré : « {plan.title} »."


def reopen() -> None:
    # The widget holds the file's name; the trainer sees the plan's title and date.
    name = st.session_state["saved-plan"]
    opened = load_plan(folder / name)
    plan_editor.bind(opened)
    label = saved_plan_labels(folder).get(name, opened.title)
    st.session_state["notice"] = f"Déroulé ouvert : « {label} »."


with st.sidebar:
    st.header("Déroulés enregistrés")
    labels = saved_plan_labels(folder)
    if labels:
        st.selectbox("Déroulé", list(labels), key="saved-plan", format_func=labels.__getitem__,
                     placeholder="Choisir un déroulé",
                     help="Par titre, avec la date de la séance, ou à défaut celle de "
                          "l'enregistrement.")  # fmt: skip
        st.button("Ouvrir", on_click=reopen, key="open-plan")
    else:
        st.caption("Aucun déroulé enregistré pour l'instant.")

st.text_input(
    "Objectif de la séance, en quelques mots (durée, public, nombre de participants)",
    key="goal", placeholder=EXAMPLE,
)
st.button("Proposer un déroulé", type="primary", on_click=propose, key="propose")
if st.session_state.get("notice"):
    st.info(st.session_state["notice"])
plan = plan_editor.current()
if plan is None:
    st.caption(
        "Le déroulé proposé ne prend que des méthodes qui ont une fiche ; vous le modifiez "
        "ensuite séquence par séquence."
    )
    st.stop()

plan = plan_editor.read(plan)
st.session_state[plan_editor.PLAN] = plan
total, available, count = st.columns(3)
total.metric("Durée totale", minutes(plan.total))
available.metric("Temps disponible", minutes(plan.available))
count.metric("Séquences", len(plan.sequences))
for note in plan.notes:
    st.info(note)
warnings = check_plan(plan, methods)
for warning in warnings:
    st.warning(warning)
if not warnings:
    st.success("Le déroulé tient dans le temps disponible et respecte les fiches méthodes.")
buttons = st.columns(4)
buttons[0].button("Enregistrer le déroulé", on_click=save, key="save")
for column, (extension, label) in zip(buttons[1:], FORMATS.items(), strict=True):
    mime, export = EXPORTS[extension]
    column.download_button(
        label, export(plan, methods), file_name=f"{slugify(plan.title)}.{extension}",
        mime=mime, key=f"download-{extension}",
    )

plan_editor.header_fields()
st.subheader("Déroulé")
for index, (start, end, sequence) in enumerate(plan.schedule()):
    plan_editor.sequence_row(index, sequence, f"{start:%H:%M}–{end:%H:%M}", len(plan.sequences),
                             methods)  # fmt: skip
add_left, add_right, _ = st.columns([1, 1, 3])
add_left.button("Ajouter une séquence", on_click=plan_editor.append, key="add-sequence",
                args=(Sequence(duration=30, objective="Nouvelle séquence"),))  # fmt: skip
add_right.button("Ajouter une pause", on_click=plan_editor.append, key="add-pause",
                 args=(Sequence(kind="pause", duration=15, objective="Pause"),))  # fmt: skip
