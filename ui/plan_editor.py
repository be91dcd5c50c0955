"""Editing a session plan with widgets. The plan lives in `st.session_state["plan"]`; `bind`
copies it into widget keys whenever it changes shape (draft, reopen, move, add, delete), and
`read` builds it back from those keys at the start of each run, so times and warnings shown
above the widgets are never one edit late."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.training.methods import MethodSheet, plain_blocks
from kb.training.sessions import Passage, Sequence, SessionPlan
from ui.markdown import escape

PLAN = "plan"
KINDS = {"sequence": "Séquence", "pause": "Pause", "repas": "Repas"}
HEADER = {
    "title": "plan-title", "audience": "plan-audience", "date": "plan-date",
    "start": "plan-start", "available": "plan-available", "participants": "plan-participants",
    "objectives": "plan-objectives",
}  # fmt: skip
# The date is typed: Streamlit's date field is English whatever its format (empty, it reads
# "dd/mm/yyyy"; its calendar names months and days in English).
DATE_FORMAT = "%d/%m/%Y"
# The sequence fields edited in a row, each under the widget key `seq-<index>-<field>`.
ROW_FIELDS = ("objective", "duration", "method", "contents", "animation", "materials", "output")


def row_key(index: int, name: str) -> str:
    return f"seq-{index}-{name}"


def current() -> SessionPlan | None:
    return st.session_state.get(PLAN)


def bind(plan: SessionPlan) -> None:
    """Make `plan` the one being edited and set every widget to its values. Only call it from
    a callback: Streamlit refuses to change a widget's state once it is drawn."""
    state = st.session_state
    state[PLAN] = plan
    header = plan.model_dump(include=set(HEADER))
    header.update(participants=plan.participants or 0, objectives="\n".join(plan.objectives),
                  date=f"{plan.date:{DATE_FORMAT}}" if plan.date else "")  # fmt: skip
    state.update({HEADER[name]: value for name, value in header.items()})
    for index, sequence in enumerate(plan.sequences):
        values = sequence.model_dump(include=set(ROW_FIELDS))
        values["materials"] = " ; ".join(sequence.materials)
        state.update({row_key(index, name): value for name, value in values.items()})


def read(plan: SessionPlan) -> SessionPlan:
    """`plan` with the values its widgets hold now."""
    state = st.session_state
    header = {name: state[key] for name, key in HEADER.items() if key in state}
    header.update(
        title=header.get("title") or "Séance",
        participants=header.get("participants") or None,
        date=_written_date(header["date"]) if "date" in header else plan.date,
        objectives=_lines(header.get("objectives", "\n".join(plan.objectives)), "\n"),
    )
    sequences = [_read_row(index, sequence) for index, sequence in enumerate(plan.sequences)]
    return plan.model_copy(update={**header, "sequences": sequences})


def _read_row(index: int, sequence: Sequence) -> Sequence:
    state = st.session_state
    fields = {name: state[row_key(index, name)] for name in ROW_FIELDS
              if row_key(index, name) in state}  # fmt: skip
    if "materials" in fields:
        fields["materials"] = _lines(fields["materials"], ";")
    return sequence.model_copy(update=fields)


def _written_date(text: str) -> dt.date | None:
    """The date typed as "18/05/2026"; None when the field is empty or cannot be read."""
    try:
        return dt.datetime.strptime(text.strip(), DATE_FORMAT).date()
    except ValueError:
        return None


def _lines(text: str, separator: str) -> list[str]:
    return [item.strip() for item in text.split(separator) if item.strip()]


def move(index: int, step: int) -> None:
    """Swap sequence `index` with its neighbour `index + step`."""
    sequences = list(read(current()).sequences)
    sequences[index], sequences[index + step] = sequences[index + step], sequences[index]
    bind(current().model_copy(update={"sequences": sequences}))


def remove(index: int) -> None:
    plan = read(current())
    bind(plan.model_copy(update={"sequences": plan.sequences[:index] + plan.sequences[index + 1:]}))


def append(sequence: Sequence) -> None:
    plan = read(current())
    bind(plan.model_copy(update={"sequences": [*plan.sequences, sequence]}))


def header_fields() -> None:
    """The plan's own fields, as widgets."""
    left, middle, right = st.columns(3)
    left.text_input("Titre de la séance", key=HEADER["title"])
    left.text_input("Public", key=HEADER["audience"])
    written = middle.text_input("Date", key=HEADER["date"], placeholder="jj/mm/aaaa",
                                help="Laissez vide si la date n'est pas encore fixée.")  # fmt: skip
    if written.strip() and _written_date(written) is None:
        middle.caption("Date illisible : écrivez-la jour/mois/année, par exemple 18/05/2026.")
    middle.time_input("Heure de début", key=HEADER["start"], step=900)
    right.number_input("Temps disponible (min)", 15, 24 * 60, step=15, key=HEADER["available"])
    right.number_input("Participants (0 = non précisé)", 0, 2000, key=HEADER["participants"])
    st.text_area("Objectifs (un par ligne)", key=HEADER["objectives"], height=80)


def sequence_row(
    index: int, sequence: Sequence, when: str, count: int, methods: list[MethodSheet]
) -> None:
    """One sequence as a bordered block of widgets, with move and delete buttons."""
    titles = {method.slug: method.title for method in methods}
    kind = KINDS[sequence.kind] + (" (suite)" if sequence.continues else "")
    with st.container(border=True, key=f"sequence-{index}"):
        top = st.columns([2, 5, 2, 1, 1, 1], vertical_alignment="bottom")
        top[0].markdown(f"**{when}**  \n{kind}")
        top[1].text_input("Objectif", key=row_key(index, "objective"))
        top[2].number_input("Durée (min)", 5, 24 * 60, step=5, key=row_key(index, "duration"))
        top[3].button("↑", key=f"up-{index}", on_click=move, args=(index, -1),
                      disabled=index == 0, help="Monter")  # fmt: skip
        top[4].button("↓", key=f"down-{index}", on_click=move, args=(index, 1),
                      disabled=index == count - 1, help="Descendre")  # fmt: skip
        top[5].button("✕", key=f"remove-{index}", on_click=remove, args=(index,),
                      help="Supprimer")  # fmt: skip
        if sequence.kind == "sequence":
            _details(index, titles)
        if sequence.passage:
            _passage(sequence.passage, titles.get(sequence.method or "", ""))


def _details(index: int, titles: dict[str, str]) -> None:
    left, right = st.columns(2)
    # A reopened plan may name a sheet since removed: keep it selectable, check_plan flags it.
    chosen = st.session_state.get(row_key(index, "method"))
    options = [None, *titles, *([chosen] if chosen and chosen not in titles else [])]
    left.selectbox("Méthode", options, key=row_key(index, "method"), placeholder="Aucune méthode",
                   format_func=lambda slug: "—" if slug is None else titles.get(slug, slug))
    left.text_input("Animation", key=row_key(index, "animation"))
    left.text_input("Matériel (séparé par ;)", key=row_key(index, "materials"))
    right.text_area("Contenus", key=row_key(index, "contents"), height=68)
    right.text_area("Production attendue", key=row_key(index, "output"), height=68)


def _passage(passage: Passage, title: str) -> None:
    # The sheet is named by its title, never by its file; the text is shown as plain text (a
    # plan saved by an older version may hold the sheet's raw Markdown there).
    with st.expander("Pourquoi cette méthode ? (base de connaissances)"):
        section = passage.section.rsplit(" > ", 1)[-1]
        st.caption(" · ".join(part for part in (passage.title or title, section) if part))
        st.markdown(escape(" ".join(plain_blocks(passage.text))))
