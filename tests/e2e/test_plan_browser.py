"""The Préparer une séance page in a real browser: a goal becomes a déroulé, a duration edited
below its sheet's minimum raises a warning, and the plan is downloaded as a Word file that
python-docx opens. The page is saved to tests/e2e/screenshots/seance.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from tests.e2e.harness import (
    build_index,
    chromium,
    go_to,
    leaks_on,
    missing_browser,
    open_app,
    screenshot,
    streamlit_app,
    wait_idle,
)

pytestmark = pytest.mark.skipif(missing_browser() is not None, reason=str(missing_browser()))

SCREENSHOTS = Path(__file__).parent / "screenshots"
GOAL = "Une demi-journée pour lancer le diagnostic partagé avec les partenaires, 20 personnes"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("plan-browser") / "data"
    build_index(data_dir)
    with streamlit_app(data_dir) as server, chromium() as browser_page:
        open_app(browser_page, server)
        yield browser_page


def test_a_goal_becomes_a_plan_that_is_downloaded_as_docx(page, tmp_path):
    go_to(page, "Préparer une séance", "Préparer une séance")
    page.get_by_label("Objectif de la séance").fill(GOAL)
    page.get_by_role("button", name="Proposer un déroulé").click()
    page.get_by_text("Durée totale").wait_for()
    wait_idle(page)
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "3 h 30"

    duration = page.locator(".st-key-sequence-1").get_by_label("Durée (min)")
    duration.fill("20")
    duration.press("Enter")
    warning = page.get_by_test_id("stAlertContentWarning").filter(has_text="minimum")
    warning.first.wait_for()

    with page.expect_download() as download:
        page.get_by_role("button", name="Word (DOCX)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    table = Document(str(saved)).tables[0]
    assert table.rows[0].cells[0].text == "Horaire" and len(table.rows) > 3
    assert table.rows[2].cells[1].text == "20 min"  # the edit made in the page
    assert not leaks_on(page)
    page.get_by_role("heading", name="Préparer une séance").scroll_into_view_if_needed()
    screenshot(page, SCREENSHOTS / "seance.png")
