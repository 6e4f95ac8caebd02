"""The README stays true: every setting and every command is documented."""

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tracker.cli.app import COMMANDS
from tracker.cli.app import command as loaded_command
from tracker.config import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(commands: Mapping[str, Any], prefix: str = "tracker") -> list[str]:
    found = []
    for name, found_command in commands.items():
        if getattr(found_command, "hidden", False):
            continue
        path = f"{prefix} {name}"
        if hasattr(found_command, "commands"):
            found += _commands(found_command.commands, path)
        else:
            found.append(path)
    return found


def test_every_setting_is_documented() -> None:
    for name in SETTINGS:
        assert f"`{name}`" in README, f"{name} is read by tracker but not in the README"


def test_every_command_is_documented() -> None:
    commands = _commands({name: loaded_command(name) for name in COMMANDS})
    assert "tracker db upgrade" in commands
    for command in commands:
        assert re.search(rf"`{re.escape(command)}\b", README), f"{command} missing from README"


def test_quick_start_is_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make \w+", quick_start, flags=re.M)
    assert commands == ["make run", "make test"]


ROOT = Path(__file__).resolve().parents[1]
#: What the repository's own text lives in; data/ holds Jira's recorded JSON, not prose.
TEXT_ROOTS = (
    "tracker",
    "tests",
    "pages",
    "bench",
    "jira_simulator",
    "docs",
    "README.md",
    "Makefile",
    "streamlit_app.py",
)
TEXT_SUFFIXES = {".py", ".md", ".toml", ".txt", ".cfg", ".ini", ""}
# Built from parts so this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        re.escape(p)
        for p in ("/" + "work/", "../" + "shared", "shared/" + "jira-", "shared/" + "docs")
    )
)


def _text_files() -> list[Path]:
    found: list[Path] = []
    for name in TEXT_ROOTS:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        found += [
            f
            for f in files
            if f.is_file() and f.suffix in TEXT_SUFFIXES and "__pycache__" not in f.parts
        ]
    return found


def test_no_file_names_a_path_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _text_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert offenders == [], "paths outside the repository are named at " + ", ".join(offenders)


def test_every_cited_doc_is_in_the_repository() -> None:
    cited = {
        match
        for path in _text_files()
        for match in re.findall(r"\bdocs/[\w-]+\.md\b", path.read_text(encoding="utf-8"))
    }
    assert "docs/jira-sprint-semantics.md" in cited
    missing = sorted(doc for doc in cited if not (ROOT / doc).is_file())
    assert missing == [], f"cited but not in the repository: {missing}"
