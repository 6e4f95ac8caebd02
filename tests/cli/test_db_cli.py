"""`tracker db upgrade` and its failures, as an operator sees them."""

import pytest

from tests.support.cli import run_tracker


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "error: DATABASE_URL is not a database URL"),
        ("postgresql://nobody@127.0.0.1:1/none", "error: cannot connect to postgresql"),
        ("mysql://root@127.0.0.1:1/none", "error: cannot use mysql"),
    ],
)
def test_bad_database_url_gives_one_line_and_non_zero_exit(url: str, expected: str) -> None:
    result = run_tracker("db", "upgrade", env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert result.stderr.startswith(expected)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_upgrade_creates_a_sqlite_database(tmp_path) -> None:
    db = tmp_path / "sub" / "t.db"
    result = run_tracker(
        "db", "upgrade", env={"DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin"}
    )
    assert result.returncode == 0, result.stderr
    assert "database at head" in result.stdout
    assert db.exists()


def test_a_database_never_upgraded_is_one_line_naming_the_fix(tmp_path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}", "PATH": "/usr/bin"}
    result = run_tracker("demo", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: the database has no tracker tables yet: run `tracker db upgrade` (or `make run`)."
    )


def test_a_database_behind_the_code_is_one_line_naming_the_fix(tmp_path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}", "PATH": "/usr/bin"}
    assert run_tracker("db", "upgrade", "0001", env=env).returncode == 0
    result = run_tracker("report", "overview", "--programme", "x", env=env)
    assert result.returncode != 0
    assert "schema is at revision 0001" in result.stderr
    assert "run `tracker db upgrade`" in result.stderr
    assert "Traceback" not in result.stderr
