"""The README stays true: every setting and every command is documented."""

import re
from pathlib import Path

import typer.main

from tracker.cli import app
from tracker.config import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = "tracker") -> list[str]:
    found = []
    for name, command in getattr(group, "commands", {}).items():
        if getattr(command, "hidden", False):
            continue
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


def test_every_setting_is_documented() -> None:
    for name in SETTINGS:
        assert f"`{name}`" in README, f"{name} is read by tracker but not in the README"


def test_every_command_is_documented() -> None:
    commands = _commands(typer.main.get_command(app))
    assert "tracker db upgrade" in commands
    for command in commands:
        assert re.search(rf"`{re.escape(command)}\b", README), f"{command} missing from README"


def test_quick_start_is_the_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make \w+", quick_start, flags=re.M)
    assert commands == ["make run", "make test"]
