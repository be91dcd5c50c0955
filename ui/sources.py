"""The sources of an answer: numbered passages, labelled by document title and section, that
open on their text, with the sentence the answer leans on in bold, and the file they come
from."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from kb.core.documents import DOC_TYPE_LABELS, Answer, Chunk, DocType
from ui import resources
from ui.markdown import escape, literal, readable, support_spans


def show_sources(answer: Answer, key: str) -> None:
    """Numbered citations of an answer and the other passages retrieved; for an abstention, the
    closest passages."""
    if answer.abstained:
        if not answer.passages:
            st.caption("Aucun passage proche : la base ne dit rien de ce sujet.")
            return
        st.markdown("**Passages les plus proches** (aucun ne répond directement ; en gras, la "
                    "phrase qui s'en approche le plus)")
        for number, hit in enumerate(answer.passages, 1):
            nearest = answer.nearest.get(hit.chunk.id)
            passage(f"[{number}]", hit.chunk, [nearest] if nearest else (),
                    f"{key}-near-{number}")
        return
    if answer.citations:
        st.markdown("**Sources**")
    for citation in answer.citations:
        passage(f"[{citation.number}]", citation.chunk, citation.supports,
                f"{key}-{citation.number}", citation.section)
    others = [hit.chunk for hit in answer.uncited()]
    if others:
        st.markdown("**Autres passages retrouvés**")
        st.caption("Non cités dans la réponse ; si elle ne convient pas, l'information cherchée "
                   "est peut-être ici.")
    for number, chunk in enumerate(others, 1):
        passage("•", chunk, (), f"{key}-other-{number}")


def passage(mark: str, chunk: Chunk, supports: Sequence[str], key: str,
            section: str = "") -> None:
    """One source, closed: its mark ("[1]"), title and place (in `section`, by default the
    passage's own); open: its kind of document, its text with `supports` in bold, its file."""
    where = chunk.located(_below_title(chunk.title, section or chunk.section))
    label = f"{mark} {chunk.title}" + (f" — {where}" if where else "")
    with st.expander(escape(label)):
        st.caption(escape(DOC_TYPE_LABELS.get(chunk.doc_type, str(chunk.doc_type))))
        text = readable(chunk.text)
        spans = support_spans(text, supports)
        st.markdown(literal(text, [span for span in spans if span]))
        for sentence, span in zip(supports, spans, strict=True):
            if span is None:  # a paraphrase too loose to point at: quote it instead
                st.caption(f"Phrase de la réponse appuyée par ce passage : « {escape(sentence)} »")
        _file(chunk, key)
        _method_sheet(chunk, key)


def _below_title(title: str, section: str) -> str:
    """The section path without the document's title heading it ("Titre > Tarif" is "Tarif"):
    the label names the title already."""
    parts = section.split(" > ")
    return " > ".join(parts[1:] if parts[0].strip() == title.strip() else parts)


def _method_sheet(chunk: Chunk, key: str) -> None:
    """For a passage of a method sheet the Méthodes page lists, a button that opens it there."""
    slug = Path(chunk.path).stem if chunk.path else ""
    if chunk.doc_type != DocType.METHODE or slug not in {
            sheet.slug for sheet in resources.method_library().sheets}:
        return
    if st.button("Ouvrir la fiche méthode", key=f"sheet-{key}", icon=":material/menu_book:"):
        st.session_state["method"] = slug
        st.switch_page("ui/pages/methodes.py")


def _file(chunk: Chunk, key: str) -> None:
    path = Path(chunk.path) if chunk.path else None
    if path is None or not path.is_file():
        st.caption("Le fichier d'origine n'est plus disponible : seul ce passage reste lisible.")
        return
    st.download_button(
        "Télécharger le document source",
        data=path.read_bytes,  # read on click only
        file_name=path.name,
        mime=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        key=f"file-{key}",
        on_click="ignore",
        icon=":material/download:",
    )
