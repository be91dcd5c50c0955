"""The Formations page: filters and plain-French requests, cards with their reason, the nearest
course when none matches, side-by-side comparison, calendar export."""

from __future__ import annotations

from tests.ui.conftest import open_page, texts

FR_CONSULTANTS = "fr-consultants-piloter-ctg"
EGOC = "egoc-caf-loire-cooperation-territoriale"


def _cards(app) -> list[str]:
    """The ids of the result cards, in order."""
    return [
        block.key.removeprefix("course-result-")
        for block in app.main.get("flex_container")
        if getattr(block, "key", None) and block.key.startswith("course-result-")
    ]


def test_sidebar_filters_narrow_the_courses_with_a_reason_each(corpus_app):
    app = open_page("formations")
    before = _cards(app)
    app.sidebar.selectbox(key="place").set_value("Paris").run()
    # Only the Paris session is left, beside courses followed from anywhere (remote).
    assert FR_CONSULTANTS in _cards(app) and EGOC not in _cards(app)
    assert len(_cards(app)) < len(before)
    captions = texts(app, "caption")
    assert any("850 € TTC par stagiaire" in caption for caption in captions)  # the reason
    assert any("lieu : Paris" in caption for caption in captions)  # the criteria understood


def test_a_request_in_plain_words_is_read_as_filters(corpus_app):
    app = open_page("formations")
    app.text_input(key="request").set_value("je suis élue, une formation en intra").run()
    assert EGOC in _cards(app) and FR_CONSULTANTS not in _cards(app)
    assert any("public : élu·es" in caption for caption in texts(app, "caption"))


def test_the_sidebar_shows_what_the_request_was_read_as(corpus_app):
    app = open_page("formations")
    app.text_input(key="request").set_value("une formation courte pour les élus").run()
    read = texts(app.sidebar, "caption")
    assert "Public : élu·es ; durée maximum : 1 jour." in read
    assert any("« Courte » est compris comme 1 jour au plus" in text for text in read)
    # A filter chosen in the sidebar is not repeated as read from the request.
    app.sidebar.selectbox(key="audience").set_value("elu").run()
    assert "Durée maximum : 1 jour." in texts(app.sidebar, "caption")


def test_no_match_shows_the_nearest_course(corpus_app):
    app = open_page("formations")
    app.text_input(key="request").set_value("une formation à Lyon en décembre").run()
    assert not _cards(app)
    assert any(text.startswith("Aucune formation") for text in texts(app, "warning"))
    assert "La formation la plus proche" in texts(app, "subheader")


def test_two_courses_are_compared_side_by_side(corpus_app):
    app = open_page("formations")
    assert not app.table
    app.multiselect(key="compare").set_value([FR_CONSULTANTS, EGOC]).run()
    table = app.table[0].value
    assert len(table.columns) == 2 and "Tarif" in table.index
    assert table.loc["Tarif", table.columns[1]] == "non précisé"  # EGOC states no price
    app.toggle(key="differences").set_value(True).run()
    assert len(app.table[0].value) < len(table)


def test_each_course_offers_its_sheet_contact_and_calendar(corpus_app):
    app = open_page("formations")
    app.sidebar.selectbox(key="place").set_value("Paris").run()
    card = next(
        block for block in app.main.get("flex_container")
        if getattr(block, "key", None) == f"course-result-{FR_CONSULTANTS}"
    )
    facts = " ".join(texts(card, "markdown"))
    assert "06 19 13 88 34" in facts and "Inscription" in facts
    assert card.expander[0].label == "Fiche complète"
    assert card.get("download_button")


def test_an_empty_catalogue_says_how_to_fill_it(app_env, tmp_path):
    app_env(tmp_path / "data")
    app = open_page("formations")
    assert any("catalogue des formations est vide" in text for text in texts(app, "info"))
