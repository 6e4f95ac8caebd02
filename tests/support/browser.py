"""A real Streamlit server and Debian's Chromium, driven by Playwright.

Modelled on Streamlit's own e2e_playwright/conftest.py: start the server on a free port, poll its
health endpoint, then wait for the app's script to finish before asserting. Waits are on state,
never on fixed sleeps (a busy machine makes any fixed sleep too short): the page counts the script
runs it asks Streamlit for and the runs Streamlit finishes (tests/support/streamlit_runs.js), and
wait_for_app / rerun wait until none is pending.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

import requests
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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
                sys.executable, "-m", "tracker.cli", "serve",
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
                pass
            # the next poll in 0.2 s, or at once if the server dies
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=0.2)
        raise RuntimeError("streamlit did not become healthy in 60 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@cache
def run_watch_script() -> str:
    """The init script that counts the page's script runs, with the protocol's field numbers."""
    source = (Path(__file__).with_name("streamlit_runs.js")).read_text(encoding="utf-8")
    numbers = {
        "__RERUN_SCRIPT__": BackMsg.DESCRIPTOR.fields_by_name["rerun_script"].number,
        "__SCRIPT_FINISHED__": ForwardMsg.DESCRIPTOR.fields_by_name["script_finished"].number,
        "__EARLY__": ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN"),
    }
    for name, number in numbers.items():
        source = source.replace(name, str(number))
    return source


# settled: a run was asked for, none is pending, Streamlit says it is not running, and what it
# drew is in place (no placeholder skeleton, no stale element, every visible chart drawn)
_SETTLED = """() => {
  const runs = window.__trackerRuns;
  const app = document.querySelector("[data-testid='stApp']");
  return Boolean(runs && app) && runs.requested > 0 && !runs.pending && runs.settledFrames >= 2
    && app.dataset.testScriptState === "notRunning"
    && app.dataset.testConnectionState === "CONNECTED"
    && !document.querySelector("[data-testid='stSkeleton'], [data-stale='true']")
    && [...document.querySelectorAll("[data-testid='stPlotlyChart']")].every(
      (chart) => chart.offsetParent === null || chart.querySelector(".main-svg"));
}"""


def wait_for_app(page: Page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has run every script run this page asked for, and drawn it.

    The page must come from the `page` fixture (its context counts the runs)."""
    try:
        page.wait_for_function(_SETTLED, timeout=timeout)
    except PlaywrightTimeoutError as exc:
        raise AssertionError(f"Streamlit did not settle: {page.evaluate(_STATE)}") from exc


# what wait_for_app waits on, to say which part did not happen
_STATE = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return {
    url: location.href,
    runs: window.__trackerRuns || null,
    script: app && app.dataset.testScriptState,
    connection: app && app.dataset.testConnectionState,
    skeletons: document.querySelectorAll("[data-testid='stSkeleton']").length,
    stale: document.querySelectorAll("[data-stale='true']").length,
    undrawnCharts: [...document.querySelectorAll("[data-testid='stPlotlyChart']")].filter(
      (chart) => chart.offsetParent !== null && !chart.querySelector(".main-svg")).length,
  };
}"""


def _requested(page: Page) -> int:
    return page.evaluate("() => window.__trackerRuns ? window.__trackerRuns.requested : 0")


@contextmanager
def rerun(page: Page, timeout: float = 30_000) -> Iterator[None]:
    """Around an action that makes Streamlit run the script again (a widget changed, a button
    pressed, a page opened): wait until that run was asked for, finished and drawn."""
    before = _requested(page)
    yield
    page.wait_for_function(
        "(before) => window.__trackerRuns && window.__trackerRuns.requested > before",
        arg=before,
        timeout=timeout,
    )
    wait_for_app(page, timeout)


def act_as(page: Page, name: str) -> None:
    """Pick the demo user in the sidebar's picker, once, and wait until the page is theirs."""
    picker = page.get_by_role("combobox", name="Act as (demo user)")
    if picker.input_value() != name:  # choosing the user already chosen runs nothing
        picker.click()
        with rerun(page, timeout=60_000):
            page.get_by_role("option", name=name).click()
    expect(page.get_by_text(f"Acting as {name}")).to_be_visible(timeout=10_000)


def open_page(page: Page, section: str, title: str) -> None:
    """Top navigation: open the section's menu, then the page."""
    page.get_by_test_id("stTopNavSection").filter(has_text=section).click()
    with rerun(page, timeout=60_000):
        page.get_by_test_id("stTopNavDropdownLink").filter(has_text=title).click()
    expect(page.get_by_role("heading", name=title, exact=True, level=1)).to_be_visible()


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


SCREENSHOTS = ROOT / "docs" / "screenshots"


def screenshot_dir(scratch: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """Where the browser tests write their screenshots: the README's docs/screenshots only when
    asked (`make screenshots`, TRACKER_UPDATE_SCREENSHOTS=1), so that `make test` leaves a clean
    checkout clean; otherwise the scratch folder."""
    if environ.get("TRACKER_UPDATE_SCREENSHOTS") == "1":
        return SCREENSHOTS
    return scratch
