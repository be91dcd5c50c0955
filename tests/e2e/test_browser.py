"""The app in a real browser: `streamlit run app.py` on an index built by `ctg ingest corpus`,
driven through Debian's Chromium. A question is answered with a source that opens on its
passage, a course is found and its sessions downloaded as .ics, a document added on the admin
page is then found by a question; what the pages show reads as plain French
(tests/ui/page_text.py). Each page is saved to tests/e2e/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import (
    ask,
    build_index,
    chromium,
    go_to,
    last_answer,
    leaks_on,
    missing_browser,
    open_app,
    screenshot,
    streamlit_app,
    wait_idle,
)

pytestmark = pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))

SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "mot-de-passe-de-test"
NOTE = """# Passerelle Zéphyr : note de la CAF

Le dispositif Passerelle Zéphyr finance l'ouverture de tiers-lieux de parentalité dans les
communes rurales signataires d'une CTG. Chaque projet retenu reçoit une aide de démarrage
versée par la CAF pendant deux ans.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    build_index(data_dir)
    with streamlit_app(data_dir, admin_password=PASSWORD) as app:
        yield app


@pytest.fixture(scope="module")
def page(server):
    with chromium() as browser_page:
        open_app(browser_page, server)
        yield browser_page


def test_a_question_is_answered_with_a_source_that_opens_on_its_passage(page):
    go_to(page, "Assistant", "Assistant CTG")
    examples = page.get_by_role("button", name="Comment animer un fish-bowl ?")
    examples.wait_for()
    screenshot(page, SCREENSHOTS / "assistant-accueil.png")
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("?")
    box.press("Enter")
    page.get_by_text("La question est vide").wait_for()
    assert examples.is_visible()  # the examples stay after a question refused as empty
    ask(page, "Combien coûte la formation inter de FR Consultants ?")
    answer = last_answer(page)
    assert "850" in answer.get_by_test_id("stMarkdownContainer").first.inner_text()
    source = answer.get_by_test_id("stExpander").first
    source.locator("summary").click()
    passage = source.get_by_test_id("stExpanderDetails")
    passage.wait_for()
    # The sentence the answer leans on is in bold in the passage.
    support = passage.locator("strong").filter(has_text="850")
    support.wait_for()
    page.wait_for_timeout(500)  # the source's opening animation
    source.evaluate("source => source.scrollIntoView({block: 'start'})")  # its label, then text
    assert source.get_by_test_id("stDownloadButton").is_visible()  # the file it comes from
    assert not leaks_on(page)
    screenshot(page, SCREENSHOTS / "assistant.png")


def test_a_course_is_found_and_its_sessions_downloaded_as_ics(page, tmp_path):
    go_to(page, "Formations", "Trouver une formation")
    request = page.get_by_label("Votre besoin, en quelques mots")
    request.fill("chargé de coopération, une formation à Paris")
    request.press("Enter")
    wait_idle(page)
    card = page.locator("[class*='st-key-course-result-']").filter(has_text="FR Consultants")
    card.first.wait_for()
    with page.expect_download() as download:
        card.first.get_by_test_id("stDownloadButton").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".ics"
    calendar = saved.read_text(encoding="utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR") and "20260518" in calendar
    assert "Lu dans votre demande" in page.get_by_test_id("stSidebar").inner_text()
    assert not leaks_on(page)
    screenshot(page, SCREENSHOTS / "formations.png")
    comparing = page.get_by_test_id("stMultiSelect").filter(has_text="au moins deux formations")
    comparing.scroll_into_view_if_needed()
    assert comparing.get_by_placeholder("Choisir des formations").is_visible()
    comparing.get_by_role("combobox").click()
    page.get_by_role("option").first.wait_for()  # the list of courses, open
    page.wait_for_timeout(500)  # its opening animation
    assert not leaks_on(page)
    screenshot(page, SCREENSHOTS / "formations-comparer.png")
    page.keyboard.press("Escape")


def test_method_sheets_are_listed_and_read(page):
    go_to(page, "Méthodes", "Méthodes d'animation")
    page.locator(".st-key-method-fish-bowl").get_by_role("button", name="Lire la fiche").click()
    sheet = page.get_by_role("heading", name="Fish-bowl (bocal à poissons)")
    sheet.wait_for()
    sheet.scroll_into_view_if_needed()
    assert not leaks_on(page)
    screenshot(page, SCREENSHOTS / "methodes.png")


def test_a_document_added_on_the_admin_page_is_found_by_a_question(page, tmp_path):
    go_to(page, "Bibliothèque", "Bibliothèque")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Entrer").click()
    page.get_by_role("tab", name="Ajouter des documents").wait_for()
    note = tmp_path / "passerelle zephyr.md"
    note.write_text(NOTE, encoding="utf-8")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(note)
    page.get_by_test_id("stFileUploader").get_by_text(note.stem).wait_for()
    page.get_by_role("button", name="Indexer").click()
    result = page.get_by_test_id("stTable").filter(has_text=note.name)
    result.wait_for()
    assert "indexé" in result.inner_text()
    screenshot(page, SCREENSHOTS / "bibliotheque.png")

    go_to(page, "Assistant", "Assistant CTG")
    ask(page, "Que finance le dispositif Passerelle Zéphyr ?")
    answer = last_answer(page)
    assert "tiers-lieux" in answer.inner_text()
    assert "Passerelle Zéphyr" in answer.get_by_test_id("stExpander").first.inner_text()
    screenshot(page, SCREENSHOTS / "assistant-document-ajoute.png")
