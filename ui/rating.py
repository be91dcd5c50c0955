"""Thumbs up or down, with an optional comment, under every answer; kept by kb.core.feedback."""

from __future__ import annotations

import streamlit as st

from kb.core.documents import Answer
from kb.core.feedback import MAX_COMMENT_CHARS
from ui import resources

_THUMBS = {1: 1, 0: -1}  # st.feedback's thumbs: 1 = up, 0 = down


def _rated() -> dict[str, int]:
    return st.session_state.setdefault("rated", {})


def rating_form(key: str, question: str, answer: Answer) -> None:
    """The rating of one answer, sent once; afterwards, a thank-you line."""
    if key in _rated():
        thumb = "👍" if _rated()[key] == 1 else "👎"
        st.caption(f"Merci, votre avis ({thumb}) est enregistré.")
        return
    with st.form(f"rating-{key}", border=False, enter_to_submit=True):
        thumbs, comment_column, send = st.columns([1, 5, 2], vertical_alignment="bottom")
        with thumbs:
            choice = st.feedback("thumbs", key=f"thumbs-{key}")
        with comment_column:
            comment = st.text_input(
                "Commentaire (facultatif)",
                key=f"comment-{key}",
                max_chars=MAX_COMMENT_CHARS,
                placeholder="Ce qui manque ou ce qui est faux…",
            )
        with send:
            sent = st.form_submit_button("Envoyer mon avis")
    if not sent:
        return
    if choice is None:
        st.warning("Choisissez 👍 ou 👎 avant d'envoyer votre avis.")
        return
    rating = _THUMBS[choice]
    citations = [f"[{c.number}] {c.chunk.title} · {c.chunk.source}" for c in answer.citations]
    resources.feedback().add(question, answer.text, citations, rating, comment)
    _rated()[key] = rating
    st.rerun()
