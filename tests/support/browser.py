"""A real Streamlit server and Debian's Chromium, driven by Playwright.

Modelled on Streamlit's own e2e_playwright/conftest.py: start the server on a free port, poll its
health endpoint, then wait for the app's script to finish before asserting.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence

import requests
from playwright.sync_api import Page, expect

from tests.support.app import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    def __init__(self, env: dict[str, str], args: Sequence[str] = ()) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ROOT / "test-results" / f"streamlit-{self.port}.log"
        self.log.parent.mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                "--server.headless", "true",
                "--server.port", str(self.port),
                "--server.address", "127.0.0.1",
                "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none",
                *args,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log.read_text()}")
            try:
                if requests.get(f"{self.url}/_stcore/health", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("streamlit did not become healthy in 60 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def wait_for_app(page: Page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script for the current page."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout
    )
    page.wait_for_timeout(300)


def act_as(page: Page, name: str) -> None:
    """Pick the demo user in the sidebar's picker, once, and wait until the page is theirs."""
    page.get_by_role("combobox", name="Act as (demo user)").click()
    page.get_by_role("option", name=name).click()
    wait_for_app(page)
    expect(page.get_by_text(f"Acting as {name}")).to_be_visible(timeout=10_000)


def open_page(page: Page, section: str, title: str) -> None:
    """Top navigation: open the section's menu, then the page."""
    page.get_by_test_id("stTopNavSection").filter(has_text=section).click()
    page.get_by_test_id("stTopNavDropdownLink").filter(has_text=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    wait_for_app(page)


AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core"
#: WCAG 2.2 AA as axe-core tags it
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical WCAG 2.2 AA violations on the page as it stands."""
    page.add_script_tag(path=str(AXE / "axe.min.js"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
