"""The scheduled jobs as the example files under deploy/ run them."""

import json
import re
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _after_tracker(command: str) -> tuple[str, ...]:
    return tuple(command.split()[1:])


def crontab_jobs() -> set[tuple[str, ...]]:
    lines = (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines()
    return {
        _after_tracker(line.split("/bin/")[-1])
        for line in lines
        if not line.startswith("#") and "/bin/tracker " in line
    }


def systemd_jobs() -> dict[str, tuple[str, ...]]:
    """Instance name -> the command the service template runs for it."""
    text = (DEPLOY / "systemd" / "tracker-job@.service").read_text(encoding="utf-8")
    return {
        name: _after_tracker(command.split("/bin/")[-1])
        for name, command in re.findall(r"([\w-]+)\) exec (\S+/tracker [^;]+?) ;;", text)
    }


def systemd_timer_units() -> set[str]:
    return {
        match
        for timer in sorted((DEPLOY / "systemd").glob("*.timer"))
        for match in re.findall(r"^Unit=tracker-job@([\w-]+)\.service$", timer.read_text(), re.M)
    }


def kubernetes_jobs() -> set[tuple[str, ...]]:
    text = (DEPLOY / "kubernetes" / "cronjobs.yaml").read_text(encoding="utf-8")
    return {tuple(json.loads(args)[1:]) for args in re.findall(r"args: (\[.*\])", text)}
