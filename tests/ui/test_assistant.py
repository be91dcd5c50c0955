"""The Assistant page: answers with numbered sources, abstentions, follow-ups, type filter,
ratings kept in SQLite."""

from __future__ import annotations

import sqlite3

from kb.answers.prompt import NOT_FOUND
from tests.ui.conftest import open_page, shown, texts

FR_CONSULTANTS_TITLE = (
    "Piloter et faire vivre une Convention territoriale globale : rôle et missions du·de la "
    "chargé·e de coopération"
)


def _ask(app, question: str):
    app.chat_input[0].set_value(question).run()
    assert not app.exception, app.exception
    return app


def _answer_text(app) -> str:
    """The text of the last assistant message (its first Markdown block)."""
    return shown(app.chat_message[-1].markdown[0].value)


def test_an_empty_chat_offers_example_questions_that_can_be_clicked(corpus_app):
    app = open_page()
    examples = [b for b in app.button if b.key and b.key.startswith("example-")]
    assert len(examples) >= 3
    # How answers are made, in plain words.
    assert any("citées telles quelles" in caption for caption in texts(app, "caption"))
    next(b for b in examples if "FR Consultants" in b.label).click().run()
    assert [m.name for m in app.chat_message] == ["user", "assistant"]
    assert "850" in _answer_text(app)
    assert not [b for b in app.button if b.key and b.key.startswith("example-")]


def test_the_example_questions_stay_after_an_empty_question(corpus_app):
    app = _ask(open_page(), " ? ")
    assert any("La question est vide" in text for text in texts(app, "warning"))
    assert [b for b in app.button if b.key and b.key.startswith("example-")]


def test_a_question_is_answered_with_sources_that_open_on_the_supporting_sentence(corpus_app):
    app = _ask(open_page(), "Combien coûte la formation inter de FR Consultants ?")
    answer = app.chat_message[-1]
    assert "[1]" in _answer_text(app)
    sources = answer.expander
    label = shown(sources[0].label)
    # The document's title once, then the section within it.
    assert label == f"[1] {FR_CONSULTANTS_TITLE} — Tarif et modalités"
    passage = sources[0].markdown[0].value
    bold = passage.split("**")[1::2]  # headings, and the sentence the answer leans on
    assert any("850" in part for part in bold)
    # The source's lines, wrapped at 96 characters, read as one item again.
    assert "le déjeuner et la collation sont inclus" in shown(passage)
    assert sources[0].get("download_button")  # the source file
    # The passages retrieved but not cited are one click away too, after the sources.
    blocks = texts(answer, "markdown")
    assert blocks.index("**Autres passages retrouvés**") > blocks.index("**Sources**")
    others = [e for e in sources if shown(e.label).startswith("• ")]
    assert 1 <= len(others) <= 3
    assert all(not shown(e.label).startswith("[1] ") for e in others)


def test_a_list_answer_is_shown_as_a_list(corpus_app):
    """The running order's steps reach Streamlit's Markdown as list items, not as one line."""
    app = _ask(open_page(), "Comment animer un fish-bowl ?")
    markdown = app.chat_message[-1].markdown[0].value
    items = [line for line in markdown.splitlines() if line.startswith("- ")]
    assert len(items) >= 4
    assert all(shown(item) in _answer_text(app) for item in items)


def test_a_cited_method_sheet_opens_on_the_methodes_page(corpus_app):
    app = _ask(open_page(), "Qui a créé le world café et en quelle année ?")
    opening = [b for b in app.chat_message[-1].button if b.label == "Ouvrir la fiche méthode"]
    assert opening
    opening[0].click().run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Méthodes d'animation"
    assert [h.value for h in app.main.header] == ["World café"]


def test_an_unanswerable_question_says_so_and_shows_the_closest_passages(corpus_app):
    app = _ask(open_page(), "Quelle est la recette de la tarte tatin ?")
    assert _answer_text(app).startswith(NOT_FOUND)
    blocks = texts(app.chat_message[-1], "markdown")
    assert any("Passages les plus proches" in text for text in blocks)
    assert app.chat_message[-1].expander  # the closest passages, to check by oneself
    nearest = app.session_state["messages"][-1]["answer"].nearest
    # Each passage opens on the sentence that comes nearest to answering, in bold (beside the
    # bold heading above the passages).
    assert nearest and sum("**" in text for text in blocks) >= 2


def test_a_follow_up_question_is_read_in_the_conversation(corpus_app):
    app = _ask(open_page(), "Quel numéro appeler pour joindre l'EGOC ?")
    _ask(app, "et son site internet ?")
    assert [m.name for m in app.chat_message] == ["user", "assistant"] * 2
    assert "EGOC" in app.session_state["messages"][-1]["answer"].standalone_question
    assert "www.egoc.org" in _answer_text(app)


def test_the_type_filter_restricts_the_documents_read(corpus_app):
    app = open_page()
    app.multiselect(key="doc_types").set_value(["methode"]).run()
    _ask(app, "Combien coûte la formation inter de FR Consultants ?")
    assert _answer_text(app).startswith(NOT_FOUND)


def test_a_rating_with_its_comment_is_stored_in_sqlite(corpus_app):
    database = corpus_app / "feedback.sqlite3"
    question = "Qu'est-ce qu'une Convention territoriale globale ?"
    app = _ask(open_page(), question)
    _send_rating(app)  # without a thumb: refused
    assert any("Choisissez" in text for text in texts(app, "warning"))
    before = _count(database)
    app.feedback[0].set_value(1)
    app.chat_message[-1].text_input[0].set_value("Réponse claire")
    _send_rating(app)
    assert _count(database) == before + 1
    with sqlite3.connect(database) as db:
        row = db.execute(
            "SELECT question, rating, comment, citations FROM feedback ORDER BY id DESC"
        ).fetchone()
    assert row[:3] == (question, 1, "Réponse claire") and "[1]" in row[3]
    assert any("Merci" in caption for caption in texts(app, "caption"))
    assert not app.feedback  # one rating per answer


def _send_rating(app) -> None:
    next(b for b in app.chat_message[-1].button if b.label == "Envoyer mon avis").click().run()


def _count(database) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database) as db:
        return db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]


def test_an_empty_index_says_how_to_fill_it(app_env, tmp_path):
    app_env(tmp_path / "empty")
    app = open_page()
    assert any("ctg ingest" in text for text in texts(app, "info"))
    assert not app.chat_input


def test_the_backend_in_use_and_its_fallback_are_shown(app_env, corpus_index):
    app_env(corpus_index.settings.data_dir, llm="openai")  # no server URL: unusable
    app = open_page()
    assert any("compatible OpenAI" in caption for caption in texts(app, "caption"))
    _ask(app, "Combien coûte la formation inter de FR Consultants ?")
    notices = texts(app.chat_message[-1], "warning")
    assert any("n'est pas utilisable" in notice for notice in notices)
    assert any("citées telles quelles" in c for c in texts(app.chat_message[-1], "caption"))
