"""Méthodes page: the method sheets, filtered by CTG moment, time available and group size."""

import streamlit as st

from kb.training.methods import SEE_ALSO, MethodSheet, filter_methods
from ui import resources

MOMENT_LABELS = {
    "diagnostic": "Diagnostic de territoire",
    "mobilisation": "Mobilisation des acteurs",
    "plan-actions": "Plan d'actions",
    "gouvernance": "Gouvernance et pilotage",
    "evaluation": "Évaluation",
    "formation": "Formation des équipes",
}
# Sections opened when a sheet is read: what it is for and how it runs.
OPEN_SECTIONS = {"À quoi ça sert", "Déroulé pas à pas"}

st.title("Méthodes d'animation")
library = resources.method_library()
methods = library.sheets
if library.problems:
    with st.expander(f"{len(library.problems)} fichier(s) déposé(s) comme fiche méthode mais "
                     "non affiché(s) ici (ils restent interrogeables dans l'assistant)"):
        for problem in library.problems:
            st.markdown(f"- {problem}")
if not methods:
    st.info(
        "Aucune fiche méthode trouvée : elles sont lues dans le dossier methodes/ du corpus "
        "(réglable par CTG_CORPUS_DIR) et parmi les documents déposés dans la Bibliothèque avec "
        "le type « Fiche méthode »."
    )
    st.stop()

with st.sidebar:
    st.header("Filtres")
    moment = st.selectbox(
        "Moment de la CTG",
        [None, *MOMENT_LABELS],
        format_func=lambda v: "Tous" if v is None else MOMENT_LABELS[v],
        placeholder="Tous",
        key="moment",
    )
    duration = st.number_input(
        "Temps disponible (minutes, 0 = sans limite)", 0, 24 * 60, 0, 15, key="duration"
    )
    group = st.number_input(
        "Nombre de participants (0 = indifférent)", 0, 1000, 0, 1, key="group"
    )
found = filter_methods(methods, moment, duration or None, group or None)


def facts(method: MethodSheet) -> str:
    moments = ", ".join(MOMENT_LABELS[m] for m in method.moments)
    return (
        f"{method.duree_min} à {method.duree_max} min · {method.participants_min} à "
        f"{method.participants_max} participants · {moments}"
    )


def read(slug: str) -> None:
    st.session_state["method"] = slug


listing, sheet_column = st.columns([2, 3], gap="large")
with listing:
    st.caption(f"{len(found)} fiche(s) sur {len(methods)}.")
    if not found:
        st.warning(
            "Aucune fiche ne convient à ces critères. Essayez plus de temps, un autre moment "
            "du cycle, ou laissez la taille du groupe indifférente."
        )
    for method in found:
        with st.container(border=True, key=f"method-{method.slug}"):
            st.markdown(f"**{method.title}**")
            st.caption(facts(method))
            st.button("Lire la fiche", key=f"read-{method.slug}", on_click=read,
                      args=(method.slug,))

wanted = st.session_state.get("method")
chosen = next((m for m in methods if m.slug == wanted), found[0] if found else None)
with sheet_column:
    if chosen is not None:
        st.header(chosen.title)
        st.markdown(f"*{chosen.objectif}*")
        st.caption(facts(chosen))
        st.markdown("**Matériel** : " + " ; ".join(chosen.materiel))
        titles = {method.slug: method.title for method in methods}
        for heading, text in chosen.sections.items():
            if heading == SEE_ALSO:
                continue
            with st.expander(heading, expanded=heading in OPEN_SECTIONS):
                st.markdown(text)
        # The sheet's links to other sheets open them here, named by their titles.
        linked = [slug for slug in chosen.related() if slug in titles]
        if linked:
            st.markdown(f"**{SEE_ALSO}**")
            for slug in linked:
                st.button(titles[slug], key=f"see-{slug}", on_click=read, args=(slug,),
                          icon=":material/arrow_forward:")
