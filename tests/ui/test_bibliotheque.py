"""The Bibliothèque page: the corpus at a glance; behind CTG_ADMIN_PASSWORD, the indexed
documents, deletion and rebuild (seen at once by the other pages), the feedback and its CSV."""

from __future__ import annotations

import logging

from kb.core.config import get_settings
from kb.core.feedback import feedback_store
from kb.core.store import open_store
from tests.ui.conftest import PASSWORD, open_page, texts

FR_CONSULTANTS = "corpus/programmes/fr-consultants-piloter-ctg.md"


def _login(app, password: str):
    app.text_input[0].set_value(password)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def test_without_a_password_set_the_page_says_how_to_enable_it(app_env, corpus_index):
    app_env(corpus_index.settings.data_dir)
    app = open_page("bibliotheque")
    assert any("CTG_ADMIN_PASSWORD" in text for text in texts(app, "info"))
    assert not app.text_input and not app.tabs
    assert app.get("vega_lite_chart")  # the corpus at a glance stays public


def test_a_wrong_password_is_refused_and_logged_without_the_password(corpus_app, caplog):
    caplog.set_level(logging.WARNING, logger="ui.admin")
    app = _login(open_page("bibliotheque"), "pas-le-bon")
    assert "Mot de passe incorrect." in texts(app, "error")
    assert not app.tabs
    refused = [r for r in caplog.records if r.name == "ui.admin"]
    assert refused and all("pas-le-bon" not in r.getMessage() for r in refused)


def test_the_right_password_opens_documents_and_feedback(corpus_app):
    feedback_store(get_settings()).add("Question ?", "Réponse [1]", ["[1] Doc"], -1, "À revoir")
    app = _login(open_page("bibliotheque"), PASSWORD)
    assert [tab.label for tab in app.tabs] == [
        "Ajouter des documents", "Documents indexés", "Avis reçus"
    ]
    documents = app.dataframe[0].value
    assert FR_CONSULTANTS in set(documents["Fichier"]) and {"Type", "Passages"} <= set(documents)
    ratings = app.dataframe[1].value
    assert "À revoir" in set(ratings["Commentaire"])
    assert len(app.get("vega_lite_chart")) == 2  # documents by type, ratings per day
    assert app.get("download_button")  # the CSV export
    app.sidebar.button[0].click().run()  # log out
    assert not app.tabs


def test_a_deleted_document_leaves_the_index_and_the_other_pages(app_env, small_index):
    app_env(small_index, admin_password=PASSWORD)
    app = _login(open_page("bibliotheque"), PASSWORD)
    app.selectbox[1].set_value(FR_CONSULTANTS)
    app.button(key="FormSubmitter:delete-Supprimer").click().run()
    assert any("Cochez" in text for text in texts(app, "warning"))  # not confirmed
    app.checkbox[0].check()
    app.button(key="FormSubmitter:delete-Supprimer").click().run()
    assert any("retiré de l'index" in text for text in texts(app, "success"))
    assert FR_CONSULTANTS not in open_store(get_settings()).documents()
    app.switch_page("ui/pages/formations.py").run()
    assert any("catalogue des formations est vide" in text for text in texts(app, "info"))


def test_the_index_is_rebuilt_from_the_files(app_env, small_index):
    app_env(small_index, admin_password=PASSWORD)
    before = open_store(get_settings()).documents()
    app = _login(open_page("bibliotheque"), PASSWORD)
    app.button(key="rebuild").click().run()
    assert any("Index reconstruit : 2 document(s)" in text for text in texts(app, "success"))
    after = open_store(get_settings()).documents()
    assert after.keys() == before.keys()
    assert all(after[s].indexed_at >= before[s].indexed_at for s in after)
