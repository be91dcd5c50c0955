"""What a practitioner reads on each page, in its busiest state (a question answered with its
sources, a request read as filters, a sheet open, a plan drafted, the library unlocked), shows
none of the leaks of tests/ui/page_text.py.

Text is taken as the browser shows it: Markdown rendered (CommonMark, as Streamlit does), and
for a select box left without a placeholder, the English text Streamlit puts there instead."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest
from markdown_it import MarkdownIt

from tests.ui.conftest import PASSWORD, open_page
from tests.ui.page_text import RAW_MARKDOWN, leaks

# Elements whose value is Markdown text; every label and help text is Markdown too.
TEXT_ELEMENTS = {"markdown", "caption", "title", "header", "subheader", "info", "warning",
                 "success", "error"}  # fmt: skip
SELECTS = {"selectbox": "Choose an option", "multiselect": "Choose options"}
_MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rendered(markdown: str) -> str:
    """The text a reader sees once `markdown` is rendered, a line per line or block."""
    lines = []
    for token in _MARKDOWN.parse(markdown):
        if token.type == "inline":
            lines.append("".join(
                "\n" if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children or ()
            ))  # fmt: skip
    return "\n".join(lines)


def _texts(node) -> Iterator[str]:
    """What `node` puts on screen, as read."""
    if node.type in TEXT_ELEMENTS and isinstance(node.value, str):
        yield rendered(node.value)
    for name in ("label", "help"):
        if isinstance(value := getattr(node, name, None), str) and value:
            yield rendered(value)
    placeholder = getattr(node, "placeholder", None)
    if node.type in SELECTS:
        yield placeholder or SELECTS[node.type]  # Streamlit's default stands for an empty one
        yield from node.options
        if node.type == "multiselect" and node.proto.select_all != 0 and len(node.options) > 1:
            yield "Select all"
    elif isinstance(placeholder, str):
        yield placeholder
    if node.type == "date_input":
        yield node.proto.format if node.value else node.proto.format.lower()


def page_texts(app) -> list[str]:
    roots = (app.main, app.sidebar, *app.chat_input)  # the chat box sits below the page
    return [text for root in roots for node in root for text in _texts(node)]


def _assistant():
    app = open_page()
    app.chat_input[0].set_value("Combien coûte la formation inter de FR Consultants ?").run()
    return app


def _formations():
    app = open_page("formations")
    app.text_input(key="request").set_value("une formation courte pour les élus").run()
    two = app.multiselect(key="compare").options[:2]
    app.multiselect(key="compare").set_value(two).run()
    return app


def _methodes():
    app = open_page("methodes")
    app.button(key="read-comite-de-pilotage-et-comite-technique").click().run()
    return app


def _seance():
    app = open_page("seance")
    app.text_input(key="goal").set_value(
        "Une demi-journée pour lancer le diagnostic partagé avec les partenaires, 20 personnes"
    )
    app.button(key="propose").click().run()
    app.button(key="save").click().run()  # and the saved plans listed in the sidebar
    return app


def _bibliotheque():
    app = open_page("bibliotheque")
    app.text_input[0].set_value(PASSWORD)
    app.button[0].click().run()
    assert app.tabs  # unlocked: every panel is on the page
    return app


PAGES: dict[str, Callable] = {
    "assistant": _assistant, "formations": _formations, "methodes": _methodes,
    "seance": _seance, "bibliotheque": _bibliotheque,
}  # fmt: skip


@pytest.fixture
def app_data(corpus_app):
    """The app on the shipped corpus; a plan saved by a page is removed afterwards."""
    yield corpus_app
    shutil.rmtree(corpus_app / "plans", ignore_errors=True)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_reads_as_plain_french(app_data, page):
    app = PAGES[page]()
    assert not app.exception, app.exception
    texts = page_texts(app)
    assert len(texts) > 10  # the page was read, not just its title
    assert not leaks(texts)


def test_what_is_read_is_what_the_browser_shows():
    assert rendered("**Gras** et [lien](https://exemple.fr)") == "Gras et lien"
    assert RAW_MARKDOWN.search(rendered("COPIL**\\) \\:**"))  # bold that Markdown cannot close
    assert RAW_MARKDOWN.search(rendered("\\#\\# Titre"))
    assert not RAW_MARKDOWN.search(rendered("## Titre\n\nTexte"))
