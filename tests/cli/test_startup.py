"""Each `tracker` command imports only what it uses, so it starts quickly (docs/benchmarks.md,
"Start-up"): `--help` none of the heavy packages, the database commands no pandas, no command
psycopg on SQLite, no report the Jira client, the pages' libraries or PostgreSQL's dialect, and
a report only the tables it reads."""

import ast
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import imported_by, modules_loaded_by
from tracker.cli.app import COMMANDS, command

PROGRAMME = "Marshland Shared Services Partnership"
OVERVIEW = ["report", "overview", "--programme", PROGRAMME]
VELOCITY = ["report", "velocity", "--site", "northmoor", "--board", "1"]
PROGRESS = ["report", "programme", "--programme", PROGRAMME]
SPRINT = ["report", "sprint", "--site", "northmoor", "--sprint", "70"]


def test_help_imports_neither_pandas_nor_sqlalchemy_nor_jira(tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'absent.db'}"}
    assert imported_by(["--help"], env).isdisjoint({"pandas", "sqlalchemy", "sqlmodel", "jira"})


@pytest.mark.parametrize(
    ("args", "not_imported"),
    [
        (["db", "upgrade"], {"pandas", "jira", "psycopg"}),
        (["site", "list"], {"pandas", "psycopg"}),
        (OVERVIEW, {"jira", "psycopg", "alembic"}),
        (VELOCITY, {"jira", "psycopg"}),
    ],
)
def test_a_command_imports_only_what_it_uses(
    demo_sqlite_url: str, args: list[str], not_imported: set[str]
) -> None:
    loaded = imported_by(args, {**os.environ, "DATABASE_URL": demo_sqlite_url})
    assert "sqlmodel" in loaded  # the probe saw the command run
    assert loaded.isdisjoint(not_imported), loaded & not_imported


@pytest.mark.parametrize("args", [OVERVIEW, VELOCITY, PROGRESS, SPRINT])
def test_a_report_loads_no_page_chart_or_spreadsheet_library_nor_postgresql_on_sqlite(
    demo_sqlite_url: str, args: list[str]
) -> None:
    loaded = modules_loaded_by(args, {**os.environ, "DATABASE_URL": demo_sqlite_url})
    assert "tracker.models.jira" in loaded  # the probe saw the report run
    unused = {"streamlit", "plotly", "openpyxl", "sqlalchemy.dialects.postgresql"}
    assert loaded.isdisjoint(unused), loaded & unused


@pytest.mark.parametrize("args", [OVERVIEW, VELOCITY, PROGRESS, SPRINT])
def test_a_report_builds_only_the_tables_it_reads(demo_sqlite_url: str, args: list[str]) -> None:
    """Building the tables is most of what a report pays for beyond pandas and SQLModel: these
    read Jira's tables and the deliverables, never criteria, assurance, sign-ins, the board
    pack, notifications or the RAID log (the overview's forecast lives beside the board pack's
    ratings, which read them all)."""
    loaded = modules_loaded_by(args, {**os.environ, "DATABASE_URL": demo_sqlite_url})
    assert {"tracker.models.jira", "tracker.models.delivery"} <= loaded
    unread = {"acceptance", "assurance", "auth", "board", "notifications", "raid"}
    assert loaded.isdisjoint({f"tracker.models.{m}" for m in unread}), loaded


# `tracker ARGS` in this interpreter, reporting as it exits whether garbage collection is on.
_COLLECTING = """
import atexit, gc, sys
atexit.register(lambda: print(gc.isenabled(), file=sys.stderr))
sys.argv = ["tracker", *sys.argv[1:]]
from tracker.cli import main
main()
"""


def test_a_command_runs_with_the_garbage_collector_on(demo_sqlite_url: str) -> None:
    """tracker.cli.main pauses the collector only while the command's modules load: a sync of
    50,000 issues run without it would keep every reference cycle it ever made."""
    done = subprocess.run(
        [sys.executable, "-c", _COLLECTING, *VELOCITY],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": demo_sqlite_url},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "True"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_help_lists_each_command_as_the_command_describes_itself(name: str) -> None:
    described = inspect.cleandoc(command(name).help or "").split("\n\n")[0]
    assert COMMANDS[name].summary == " ".join(described.split())


def test_a_module_adding_commands_to_another_s_group_is_loaded_with_it() -> None:
    """`tracker report rag` lives in tracker/cli/board.py: `tracker report` must load it too."""
    extended = {entry.module: set(entry.extended_by) for entry in COMMANDS.values()}
    for path in sorted((Path(__file__).resolve().parents[2] / "tracker" / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        borrowed = {
            alias.asname or alias.name: node.module
            for node in tree.body
            if isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("tracker.cli.")
            and node.module != "tracker.cli.app"
            for alias in node.names
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in borrowed
                and node.attr in ("command", "add_typer")
            ):
                owner = borrowed[node.value.id]
                assert f"tracker.cli.{path.stem}" in extended.get(owner, set()), (
                    f"{path.name} adds commands to {owner}: name it in that entry's extended_by"
                )
