"""The browser tests' own rules, checked without a browser.

- No fixed sleeps: a wait of so many milliseconds is too short on a busy machine (a fresh-clone
  `make test` failed once under load) and too long on an idle one. Tests wait on Streamlit's
  script runs (wait_for_app, rerun) and on elements (expect).
- Screenshots go to docs/screenshots only when asked: `make test` leaves a clean checkout clean.
"""

import ast
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.support.browser import SCREENSHOTS, run_watch_script, screenshot_dir

HERE = Path(__file__).resolve().parent
BROWSER_CODE = [*sorted(HERE.glob("*.py")), HERE.parent / "support" / "browser.py"]
SLEEPS = {"wait_for_timeout", "sleep"}


def fixed_sleeps(source: str) -> list[int]:
    """Lines calling page.wait_for_timeout, time.sleep, asyncio.sleep or a bare sleep."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if isinstance(node.func, ast.Name):
            name = node.func.id
        if name in SLEEPS:
            found.append(node.lineno)
    return found


def test_the_scan_finds_each_kind_of_fixed_sleep() -> None:
    source = (
        "import time\nfrom time import sleep\n"
        "page.wait_for_timeout(500)\ntime.sleep(0.2)\nsleep(1)\nawait asyncio.sleep(1)\n"
        "page.wait_for_function('x')\n"
    )
    assert fixed_sleeps(source) == [3, 4, 5, 6]


def test_no_browser_test_waits_a_fixed_time() -> None:
    found = {
        path.name: lines
        for path in BROWSER_CODE
        if (lines := fixed_sleeps(path.read_text(encoding="utf-8")))
    }
    assert not found, f"fixed sleeps (wait on state instead): {found}"


def test_no_test_anywhere_waits_on_the_browser_for_a_fixed_time() -> None:
    """Browser tests outside tests/e2e (the security probes) follow the same rule."""
    found = {}
    for path in HERE.parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "wait_for_timeout"
        ]
        if calls:
            found[str(path.relative_to(HERE.parent))] = calls
    assert not found, f"wait_for_timeout (wait on state instead): {found}"


def test_screenshots_go_to_the_docs_only_when_asked(tmp_path: Path) -> None:
    assert screenshot_dir(tmp_path, {}) == tmp_path
    assert screenshot_dir(tmp_path, {"TRACKER_UPDATE_SCREENSHOTS": "0"}) == tmp_path
    assert screenshot_dir(tmp_path, {"TRACKER_UPDATE_SCREENSHOTS": "1"}) == SCREENSHOTS


def test_the_screenshot_fixture_writes_to_a_temp_folder_by_default(
    screenshots: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # under `make screenshots` the fixture is meant to give docs/screenshots
    expected_docs = screenshot_dir(Path("unused")) == SCREENSHOTS
    assert (screenshots == SCREENSHOTS) is expected_docs
    if not expected_docs:
        assert screenshots.is_relative_to(tmp_path_factory.getbasetemp())


def test_tests_name_no_screenshot_folder_of_their_own() -> None:
    """Every screenshot goes through the `screenshots` fixture."""
    for path in HERE.glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        assert '"screenshots"' not in path.read_text(encoding="utf-8"), path.name


# the page script run outside a browser: a WebSocket that only records its listeners
_NODE_HARNESS = """
const fs = require("fs");
const [scriptPath, eventsJson] = process.argv.slice(1); // node -e: no script name
globalThis.window = globalThis;
globalThis.requestAnimationFrame = (tick) => setTimeout(tick, 0);
class Socket {
  constructor() { this.listeners = []; }
  addEventListener(type, listener) { if (type === "message") this.listeners.push(listener); }
  send() {}
}
window.WebSocket = Socket;
eval(fs.readFileSync(scriptPath, "utf8"));
const socket = new window.WebSocket("ws://127.0.0.1/_stcore/stream");
const pending = [];
for (const [kind, hex] of JSON.parse(eventsJson)) {
  const bytes = Uint8Array.from(Buffer.from(hex, "hex"));
  if (kind === "send") socket.send(bytes);
  else socket.listeners.forEach((listener) => listener({ data: bytes.buffer }));
  pending.push(window.__trackerRuns.pending);
}
setTimeout(() => console.log(JSON.stringify({ pending, runs: window.__trackerRuns })), 50);
"""


def _finished(status: str) -> ForwardMsg:
    message = ForwardMsg(hash="h" * 40)
    message.metadata.delta_path.extend([0, 1])
    message.script_finished = ForwardMsg.ScriptFinishedStatus.Value(status)
    return message


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node (as axe-core's install does)")
def test_the_run_counter_reads_streamlits_protocol(tmp_path: Path) -> None:
    """wait_for_app trusts this: a rerun asked for is pending until a run finishes, a run stopped
    early for another does not count, and other messages (long ones too) change nothing."""
    rerun = BackMsg()
    rerun.rerun_script.query_string = "q" * 300  # a length that takes two bytes to write
    delta = ForwardMsg(hash="d" * 40)
    delta.delta.new_element.markdown.body = "x" * 500
    events = [
        ("send", rerun),
        ("receive", delta),
        ("receive", _finished("FINISHED_EARLY_FOR_RERUN")),
        ("receive", delta),
        ("receive", _finished("FINISHED_SUCCESSFULLY")),
        ("send", BackMsg(app_heartbeat=True)),
        ("send", rerun),
        ("receive", _finished("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")),
    ]
    script = tmp_path / "runs.js"
    script.write_text(run_watch_script(), encoding="utf-8")
    encoded = json.dumps([(kind, message.SerializeToString().hex()) for kind, message in events])
    result = subprocess.run(
        ["node", "-e", _NODE_HARNESS, str(script), encoded],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["pending"] == [True, True, True, True, False, False, True, False]
    assert seen["runs"]["requested"] == 2
    assert seen["runs"]["settledFrames"] == 2
