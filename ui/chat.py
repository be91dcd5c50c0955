"""The conversation of the Assistant page: this session's messages, the streamed answer to a new
question, and under each answer its notices, sources, backend and rating."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import streamlit as st

from kb.core.config import Settings
from kb.core.documents import Answer
from kb.search.questions import QuestionError, clean_question
from ui import resources
from ui.markdown import answer_markdown, escape
from ui.rating import rating_form
from ui.sources import show_sources

EXAMPLES = (
    "Qu'est-ce qu'une Convention territoriale globale ?",
    "Quel est le rôle du chargé de coopération CTG ?",
    "Combien coûte la formation inter de FR Consultants ?",
    "Comment animer un fish-bowl ?",
)
# How an answer is written, in words a practitioner reads: "Réponse <label>."
BACKEND_LABELS = {
    "extractive": "faite des phrases des documents, citées telles quelles",
    "openai": "rédigée par une intelligence artificielle d'après les documents (serveur "
    "compatible OpenAI)",
    "ollama": "rédigée par une intelligence artificielle d'après les documents (Ollama)",
    "llamacpp": "rédigée par une intelligence artificielle installée sur cet ordinateur, "
    "d'après les documents",
}

Message = dict[str, Any]
log = logging.getLogger(__name__)


def messages() -> list[Message]:
    return st.session_state.setdefault("messages", [])


def clear() -> None:
    messages().clear()


def _pick(question: str) -> None:
    st.session_state["pending"] = question


def pending() -> str | None:
    """An example question clicked on the previous run."""
    return st.session_state.pop("pending", None)


def examples() -> None:
    """Clickable example questions, for an empty conversation."""
    st.markdown("**Quelques questions pour commencer :**")
    columns = st.columns(2)
    for number, question in enumerate(EXAMPLES):
        columns[number % 2].button(
            question, key=f"example-{number}", on_click=_pick, args=(question,), width="stretch"
        )


def backend_label(backend: str, settings: Settings | None = None) -> str:
    label = BACKEND_LABELS.get(backend, backend)
    if settings and backend != "extractive" and settings.llm_model:
        label += f", modèle {settings.llm_model}"
    return label


def subtitle(settings: Settings) -> str:
    """What the answers are made of, under the page title."""
    return (
        f"Chaque réponse est {backend_label(settings.llm, settings)}, avec ses sources "
        "numérotées ; quand les documents ne répondent pas, l'assistant le dit."
    )


def replay() -> None:
    """The conversation so far."""
    for message in messages():
        with st.chat_message(message["role"]):
            shown = answer_markdown if message["role"] == "assistant" else escape
            st.markdown(shown(message["content"]))
            if message["role"] == "assistant":
                _details(message)


def ask(question: str, doc_types: set[str] | None) -> None:
    """Answer `question` in the conversation, streaming the text as it comes."""
    try:
        question = clean_question(question)
    except QuestionError as exc:
        st.warning(str(exc))
        return
    history = [{"role": m["role"], "content": m["content"]} for m in messages()]
    messages().append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(escape(question))
    with st.chat_message("assistant"):
        final: list[Answer] = []
        try:
            st.write_stream(_pieces(question, history, doc_types, final))
        except Exception as exc:  # the index unreachable, a bug: say it, keep the session
            log.exception("answer failed")
            messages().pop()
            st.error(f"La réponse a échoué ({type(exc).__name__}) : {exc}")
            return
        answer = final[-1]
        message = {"role": "assistant", "content": answer.text, "answer": answer,
                   "question": question, "id": uuid4().hex}
        messages().append(message)
        _details(message)


def _pieces(
    question: str, history: list[Message], doc_types: set[str] | None, final: list[Answer]
) -> Iterator[str]:
    """The answer's text pieces, escaped for Markdown; the Answer itself goes to `final`."""
    for piece in resources.assistant().stream(question, history, doc_types):
        if isinstance(piece, Answer):
            final.append(piece)
        else:
            yield answer_markdown(piece)


def _details(message: Message) -> None:
    answer: Answer = message["answer"]
    if answer.notice:
        st.warning(escape(answer.notice), icon=":material/info:")
    show_sources(answer, message["id"])
    st.caption(f"Réponse {backend_label(answer.backend)}.")
    rating_form(message["id"], message["question"], answer)
