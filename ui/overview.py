"""The corpus and the feedback at a glance, with Streamlit's own charts."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from kb.core.documents import DocType
from kb.core.feedback import Feedback
from kb.core.store import Store
from ui.resources import HOW_TO_INGEST

# Short plural labels: a chart's axis has little room.
TYPE_AXIS = {
    DocType.PROGRAMME: "Programmes",
    DocType.METHODE: "Méthodes",
    DocType.REFERENCE: "Références",
    DocType.AUTRE: "Autres",
}


def corpus(store: Store) -> None:
    """Documents and passages, in figures and by type."""
    by_type = store.stats()
    if not by_type:
        st.info(f"La base est vide. {HOW_TO_INGEST}")
        return
    documents = sum(row["documents"] for row in by_type.values())
    passages = sum(row["chunks"] for row in by_type.values())
    figures, chart = st.columns([1, 2])
    figures.metric("Documents indexés", documents)
    figures.metric("Passages", passages)
    with chart:
        st.bar_chart(
            [
                {"Type": TYPE_AXIS[DocType(kind)], "Documents": row["documents"]}
                for kind, row in sorted(by_type.items())
            ],
            x="Type",
            y="Documents",
            horizontal=True,
            x_label="Documents",
            y_label="",
            height=200,
        )


def feedback(items: list[Feedback]) -> None:
    """Ratings received per day, useful or not."""
    counts = Counter((item.created_at[:10], item.rating) for item in items)
    useful = sum(1 for item in items if item.rating == 1)
    st.metric("Avis reçus", len(items), help=f"{useful} utile(s), {len(items) - useful} non.")
    st.bar_chart(
        [
            {"Jour": day, "Avis": "👍 utile" if rating == 1 else "👎 pas utile", "Nombre": n}
            for (day, rating), n in sorted(counts.items())
        ],
        x="Jour",
        y="Nombre",
        color="Avis",
        height=220,
    )
