"""`import_site_directory`: the demo's Jira files and councils' exports, all or nothing."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from jira_simulator import generate_demo_sites
from tests.jira_server.sample import build_site
from tests.support.jira import issues_by_key, jira_rows
from tracker.config import DATA_DIR
from tracker.jira_sync.dataset import DatasetError, write_dataset
from tracker.jira_sync.offline import import_site_directory
from tracker.models import JiraBoard, JiraIssue, JiraSite, SyncRun

DEMO_JIRA = DATA_DIR / "demo" / "jira"


@pytest.fixture(scope="module")
def demo_dirs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo sites as the generator writes them (data/demo/jira holds the same files)."""
    root = tmp_path_factory.mktemp("demo-jira")
    for name, data in generate_demo_sites().items():
        write_dataset(data, root / name)
    return sorted(root.iterdir())


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_demo_sites_import_and_reimport_leaves_the_same_rows(
    engine: Engine, demo_dirs: list[Path]
) -> None:
    summaries = [import_site_directory(engine, d) for d in demo_dirs]
    first = jira_rows(engine)
    again = [import_site_directory(engine, d) for d in demo_dirs]

    assert jira_rows(engine) == first
    assert [(s.site, s.kind, s.boards) for s in summaries] == [
        ("northmoor", "cloud", 2),
        ("westbridge", "datacenter", 2),
    ]
    assert all(s.events > 1000 for s in summaries) and all(s.events == 0 for s in again)
    assert _count(engine, SyncRun) == 8  # a run per board per import
    with Session(engine) as session:
        sites = session.execute(select(JiraSite.name, JiraSite.offline)).all()
        synced = session.execute(select(func.count()).where(JiraBoard.synced)).scalar_one()
    assert sorted(sites) == [("northmoor", True), ("westbridge", True)] and synced == 4


@pytest.mark.skipif(not DEMO_JIRA.exists(), reason="data/demo/jira is not generated yet")
def test_committed_demo_files_import(engine: Engine) -> None:
    for directory in sorted(p for p in DEMO_JIRA.iterdir() if (p / "site.json").exists()):
        assert import_site_directory(engine, directory).issues > 0


def test_an_issue_missing_from_a_new_export_is_marked_removed(
    engine: Engine, tmp_path: Path
) -> None:
    data = build_site("datacenter")
    write_dataset(data, tmp_path / "site")
    import_site_directory(engine, tmp_path / "site")
    data["boards"][2]["issues"] = [i for i in data["boards"][2]["issues"] if i["key"] != "HWK-3"]
    write_dataset(data, tmp_path / "site")

    summary = import_site_directory(engine, tmp_path / "site")

    assert summary.gone == 1
    issues = issues_by_key(engine)
    assert issues["HWK-3"].removed_at is not None and issues["HWK-1"].removed_at is None


def _break_json(directory: Path) -> Path:
    path = directory / "boards" / "2" / "issues.json"
    path.write_text(path.read_text()[:-20], encoding="utf-8")
    return path


def _drop_fields(directory: Path) -> Path:
    path = directory / "boards" / "2" / "issues.json"
    issues = json.loads(path.read_text())
    del issues["issues"][1]["fields"]
    path.write_text(json.dumps(issues), encoding="utf-8")
    return path


def _bad_timestamp(directory: Path) -> Path:
    path = directory / "boards" / "1" / "sprints.json"
    sprints = json.loads(path.read_text())
    sprints["values"][0]["startDate"] = "last Tuesday"
    path.write_text(json.dumps(sprints), encoding="utf-8")
    return path


def _remove_site_kind(directory: Path) -> Path:
    path = directory / "site.json"
    path.write_text(json.dumps({"name": "x", "url": "https://x.example"}), encoding="utf-8")
    return path


def _missing_configuration(directory: Path) -> Path:
    path = directory / "boards" / "2" / "configuration.json"
    path.unlink()
    return path


@pytest.mark.parametrize(
    "damage", [_break_json, _drop_fields, _bad_timestamp, _remove_site_kind, _missing_configuration]
)
def test_a_malformed_file_is_one_error_naming_it_and_nothing_is_written(
    engine: Engine, tmp_path: Path, damage: Callable[[Path], Path]
) -> None:
    directory = tmp_path / "export"
    write_dataset(build_site("cloud"), directory)
    broken = damage(directory)

    with pytest.raises(DatasetError) as raised:
        import_site_directory(engine, directory)

    assert str(broken) in str(raised.value) and "\n" not in str(raised.value)
    for model in (JiraSite, JiraBoard, JiraIssue, SyncRun):
        assert _count(engine, model) == 0


def test_files_cannot_overwrite_a_live_site(engine: Engine, tmp_path: Path) -> None:
    data = build_site("cloud")
    with Session(engine) as session:
        session.add(JiraSite(name=data["site"]["name"], url="https://x.example", kind="cloud"))
        session.commit()
    write_dataset(data, tmp_path / "export")

    with pytest.raises(DatasetError, match="synced live"):
        import_site_directory(engine, tmp_path / "export")
    assert _count(engine, JiraIssue) == 0
