"""ASVS probe finding 5: path traversal through a deliverable's ref.

`programme load` accepted a ref like `../../x`, and `criteria export` then wrote outside `--out`
(the app's zip download used the same names). Refs are now checked where they enter (letters,
digits and dashes), and file names are built safely whatever a ref holds, for a database that
took such a ref before.
"""

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from tests.support.cli import run_tracker
from tracker.services.acceptance.evidence_pack import build_evidence_pack, pack_zip
from tracker.services.auth.users import actor_for_email
from tracker.services.file_names import file_name
from tracker.services.lookups import deliverable_by_ref

ADMIN = "priya.raman@northmoor.gov.uk"
BAD_REFS = ["../../x", "RB 01", "a/b", "-x", "..", "RB-01\\..\\y", "x.html"]


def _programme(refs: list[str]) -> dict:
    return {
        "programme": {"name": "Fenland Shared Waste"},
        "organisations": [{"name": "Fenland District Council", "kind": "council"}],
        "deliverables": [
            {"ref": ref, "title": "Garden waste", "owner": "Fenland District Council",
             "stage": "Discovery"}
            for ref in refs
        ],
    }  # fmt: skip


def test_programme_load_refuses_every_bad_ref_and_loads_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    assert run_tracker("db", "upgrade", env=env).returncode == 0
    path = tmp_path / "programme.json"
    path.write_text(json.dumps(_programme(["FW-01", *BAD_REFS])), encoding="utf-8")
    failed = run_tracker("programme", "load", str(path), env=env)
    assert failed.returncode == 1
    for i, ref in enumerate(BAD_REFS, start=1):
        assert f'deliverables[{i}].ref: "{ref}" is not a reference (letters, digits' in (
            failed.stderr.replace("\\\\", "\\")
        ), failed.stderr
    assert "deliverables[0]" not in failed.stderr
    assert "Traceback" not in failed.stderr
    with create_engine(env["DATABASE_URL"]).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM deliverable")).scalar() == 0


def _legacy_ref(url_or_engine, ref: str) -> None:
    """A database that took a bad ref before refs were checked."""
    engine = create_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    with engine.begin() as conn:
        conn.execute(text("UPDATE deliverable SET ref = :ref WHERE ref = 'RB-01'"), {"ref": ref})


def test_criteria_export_writes_only_inside_out(demo_sqlite_url: str, tmp_path: Path) -> None:
    _legacy_ref(demo_sqlite_url, "../../x")
    out = tmp_path / "a" / "b" / "out"
    env = {**os.environ, "DATABASE_URL": demo_sqlite_url}
    done = run_tracker("criteria", "export", "--deliverable", "../../x", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert written and all(p.parent == out for p in written), written
    assert sorted(p.name for p in written) == [
        "x-audit.csv", "x-criteria.csv", "x-evidence-pack.html", "x-evidence.csv", "x-versions.csv",
    ]  # fmt: skip


@pytest.mark.db
def test_the_apps_zip_download_names_stay_plain(demo_engine: Engine) -> None:
    _legacy_ref(demo_engine, "../../x")
    with Session(demo_engine) as session:
        admin = actor_for_email(session, ADMIN)
        deliverable = deliverable_by_ref(session, admin, ref="../../x")
        pack = build_evidence_pack(session, admin, deliverable_id=deliverable.id)
    names = zipfile.ZipFile(io.BytesIO(pack_zip(pack))).namelist()
    assert names and all("/" not in n and "\\" not in n and ".." not in n for n in names), names


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("../../x", "evidence-pack"), "x-evidence-pack.zip"),
        (("..", "/etc/passwd"), "etc-passwd.zip"),
        (("northmoor", "sprint", 70, "RB-01\\..\\y"), "northmoor-sprint-70-RB-01-y.zip"),
        (("", "..."), "tracker.zip"),
    ],
)
def test_download_names_keep_only_plain_characters(parts: tuple, expected: str) -> None:
    assert file_name(*parts, suffix=".zip") == expected


def test_the_readme_states_the_ref_format() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "letters, digits and dashes" in readme
