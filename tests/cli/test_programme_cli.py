"""`tracker programme load FILE` on a fresh SQLite database, as an operator runs it."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import Run, run_tracker

PROGRAMME = {
    "programme": {"name": "Fenland Shared Waste"},
    "organisations": [{"name": "Fenland District Council", "kind": "council"}],
    "people": [
        {
            "name": "Ann Reed",
            "organisation": "Fenland District Council",
            "email": "ann.reed@fenland.gov.uk",
            "role": "board member",
        }
    ],
    "deliverables": [
        {"ref": "FW-01", "title": "Garden waste", "owner": "Fenland District Council"},
    ],
}


@pytest.fixture
def fresh(tmp_path: Path) -> Run:
    """`tracker ...` against a new SQLite database brought up with `tracker db upgrade`."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    upgraded = run_tracker("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_tracker(*args, env=env)

    return run


def _file(tmp_path: Path, data: object) -> str:
    path = tmp_path / "programme.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_a_bad_file_lists_every_problem_and_loads_nothing(fresh: Run, tmp_path: Path) -> None:
    failed = fresh("programme", "load", _file(tmp_path, PROGRAMME))
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and "nothing was loaded: 2 problems" in lines[0]
    assert lines[1:] == [
        '  people[0].role: "board member" is not one of "admin", "project owner", '
        '"supplier contact", "programme board member"',
        "  deliverables[0].stage: required but missing",
    ]
    assert "Traceback" not in failed.stderr
    overview = fresh("report", "overview", "--programme", "Fenland Shared Waste")
    assert overview.returncode != 0


def test_a_good_file_loads_and_reloads(fresh: Run, tmp_path: Path) -> None:
    good = json.loads(json.dumps(PROGRAMME))
    good["people"][0]["role"] = "programme board member"
    good["deliverables"][0]["stage"] = "Discovery"
    path = _file(tmp_path, good)
    loaded = fresh("programme", "load", path)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip().splitlines() == [
        "loaded programme 'Fenland Shared Waste': created 1 deliverable, 1 organisation, "
        "1 person, 1 programme, 1 programme member, 4 stages, 1 user; updated nothing; 0 unchanged"
    ]
    again = fresh("programme", "load", path)
    assert again.returncode == 0
    assert "created nothing; updated nothing; 10 unchanged" in again.stdout
    refused = fresh("--as", "ann.reed@fenland.gov.uk", "programme", "load", path)
    assert refused.returncode == 1 and "is a set-up command for the operator" in refused.stderr


def test_invalid_json_names_the_line(fresh: Run, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"programme": {"name": "X"},\n "people": [}\n', encoding="utf-8")
    failed = fresh("programme", "load", str(path))
    assert failed.returncode == 1
    assert "(file) line 2, column " in failed.stderr and "invalid JSON" in failed.stderr
