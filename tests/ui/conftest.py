"""The people's side, tested for real: `tandem serve` on a fresh migrated and seeded SQLite file, driven by
headless Chromium through Playwright (never a downloaded browser: Debian's /usr/bin/chromium).

Without Chromium the browser tests skip, saying why; under CI=true they fail instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tandem.demo.seed import seed
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work
from tandem.kit.migrate import upgrade
from tandem.users import service as user_service
from tandem.users.models import User
from ui.helpers import Desk, Staff

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
TIMEOUT_MS = 10_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare_store(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        seed(session)
        session.flush()
        # Nobody online: hand-overs wait in their queue for the test's agent to take (routing has its own tests).
        for user in session.scalars(select(User)).all():
            user_service.set_presence(session, user.id, "away")
    engine.dispose()


@pytest.fixture(scope="session")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    workdir = tmp_path_factory.mktemp("ui-desk")
    database_url = f"sqlite:///{workdir / 'desk.db'}"
    _prepare_store(database_url)
    port = _free_port()
    log_path = workdir / "serve.log"
    # Its own workspace folder: the admin screen saves rules there (never into the checkout's var/).
    env = {**os.environ, "TANDEM_DATABASE_URL": database_url, "TANDEM_WORKSPACE_DIR": str(workdir / "var")}
    tandem = Path(sys.executable).parent / "tandem"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(tandem), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, log_path)
        yield Desk(base, database_url)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"tandem serve exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"tandem serve did not answer within 45 s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) to run browser tests"
        if IN_CI:
            pytest.fail(message + " (CI=true: browser tests may not be skipped)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any, desk: Desk) -> Iterator[Any]:
    """Pages in fresh browser contexts (separate cookies and storage: a customer, an agent, another agent)."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 800) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=desk.url)
        context.set_default_timeout(TIMEOUT_MS)
        # `expect` has its own 5 s default; on a loaded 2-core CI box the live updates can take longer.
        expect.set_options(timeout=TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.script_errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def api() -> Iterator[httpx.Client]:
    """A plain HTTP client for setting the scene through the same API the UI uses."""
    with httpx.Client(timeout=15) as client:
        yield client


@pytest.fixture
def staff(desk: Desk) -> Iterator[Any]:
    """Console users signed in through the API: `staff(MARIA)`."""
    signed_in: list[Staff] = []

    def make(email: str) -> Staff:
        member = Staff(desk.url, email).sign_in()
        signed_in.append(member)
        return member

    yield make
    for member in signed_in:
        member.close()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """docs/screenshots when TANDEM_UI_SCREENSHOTS=1 (to refresh the committed pictures), else a temp folder."""
    if os.environ.get("TANDEM_UI_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path
