"""The app as a user meets it: an index built by `ctg ingest`, `streamlit run app.py` on a free
port of 127.0.0.1, and Debian's Chromium driven by Playwright. Shared by the browser test and
bench/app.py. Every wait is bounded."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port, isolated_env, serve
from tests.ui.page_text import leaks

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Chromium without a sandbox (containers have no user namespaces) and without any call home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INGEST_TIMEOUT = 300.0  # seconds for `ctg ingest corpus`
START_TIMEOUT = 60.0  # seconds for the server to answer its health check
STEP_TIMEOUT = 60_000  # milliseconds for one step of a page to show (a first answer loads models)


def missing_browser() -> str | None:
    """Why the browser test cannot run here, or None."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} absent : apt-get install chromium chromium-driver"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright absent : pip install playwright (never `playwright install`)"
    return None


def build_index(data_dir: Path) -> None:
    """`python -m kb ingest corpus` into `data_dir`, from the repository (ids are relative)."""
    done = subprocess.run(
        [sys.executable, "-m", "kb", "ingest", "corpus"],
        cwd=REPO, env=isolated_env(data_dir), capture_output=True, text=True,
        timeout=INGEST_TIMEOUT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ctg ingest failed ({done.returncode}):\n{done.stderr}")


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path
    started: float  # time.perf_counter() when `streamlit run` was launched


@contextmanager
def streamlit_app(data_dir: Path, **settings: str) -> Iterator[Server]:
    """`streamlit run app.py` on the index of `data_dir`, with `settings` as CTG_* variables."""
    port = free_port()
    log = data_dir.parent / f"streamlit-{port}.log"
    env = isolated_env(data_dir, **settings)
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with serve(command, log, f"{url}/_stcore/health", START_TIMEOUT, cwd=REPO,
               env=env) as process:
        yield Server(url, process, log, started)


@contextmanager
def chromium() -> Iterator:
    """A Playwright page in Debian's Chromium, 1400×1000 (the app's wide layout)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(
                viewport={"width": 1400, "height": 1000}, locale="fr-FR", accept_downloads=True
            )
            page = context.new_page()
            page.set_default_timeout(STEP_TIMEOUT)
            yield page
        finally:
            browser.close()


# --- what a user does -----------------------------------------------------------------------


def open_app(page, server: Server) -> None:
    """Load the app and wait for the Assistant page to be drawn."""
    page.goto(server.url, wait_until="domcontentloaded")
    page.get_by_role("heading", name="Assistant CTG").wait_for()
    wait_idle(page)


def go_to(page, title: str, heading: str) -> None:
    """Follow the sidebar link `title` (the session is kept) and wait for `heading`."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=heading).first.wait_for()
    wait_idle(page)  # the rest of the page (a replayed conversation) comes after its title


def ask(page, question: str) -> None:
    """Type a question in the chat and wait until its answer is drawn with its rating form."""
    answers = page.get_by_test_id("stChatMessage")
    before = answers.count()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    last_answer(page, before + 2).get_by_role("button", name="Envoyer mon avis").wait_for()


def last_answer(page, count: int | None = None):
    """The last chat message; with `count`, once there are at least that many."""
    messages = page.get_by_test_id("stChatMessage")
    if count is not None:
        messages.nth(count - 1).wait_for()
    return messages.last


def wait_idle(page) -> None:
    """Wait until the script run triggered by the last action has finished."""
    page.wait_for_timeout(300)  # the status widget shows only after a short delay
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")


def leaks_on(page) -> dict[str, list[str]]:
    """What the page shows that a practitioner must not read (tests/ui/page_text.py), in its
    text and in its fields' placeholders, which are attributes, not text."""
    placeholders = page.locator("[placeholder]").evaluate_all("all => all.map(f => f.placeholder)")
    return leaks([page.locator("body").inner_text(), *placeholders])


def screenshot(page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
