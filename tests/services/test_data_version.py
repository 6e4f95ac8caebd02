"""The delivery pages cache their figures keyed on `data_version`: whatever changes those
figures must change the key, or a page would show the figures of before a programme load or a
new target date until its cache expired (a silent wrong number for up to 15 minutes); and
nothing else may, or every page run would work its figures out again."""

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.db import session_scope
from tracker.demo.loader import DEMO_DIR
from tracker.models import Deliverable
from tracker.policy import OPERATOR
from tracker.services.delivery.sprints import data_version, programme_progress
from tracker.services.programme.file import load_programme_file
from tracker.services.programme.status import current_status, update_status

pytestmark = pytest.mark.db


def _version(engine: Engine) -> str:
    with Session(engine) as session:
        return data_version(session, OPERATOR)


def _load(engine: Engine, path: Path, data: dict) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")
    with session_scope(engine) as session:
        load_programme_file(session, OPERATOR, path=path)


def _scope_issues(engine: Engine, ref: str) -> int:
    """The deliverable's scope today on the Burndown and progress page, in issues."""
    with Session(engine) as session:
        deliverables = programme_progress(session, OPERATOR, programme_id=1).deliverables
    return int(deliverables.loc[deliverables["ref"] == ref, "scope_issues"].iloc[-1])


def test_loading_the_same_programme_again_keeps_the_key(demo_engine: Engine, tmp_path) -> None:
    before = _version(demo_engine)
    data = json.loads((DEMO_DIR / "programme.json").read_text(encoding="utf-8"))
    _load(demo_engine, tmp_path / "programme.json", data)
    assert _version(demo_engine) == before


def test_a_programme_load_changing_scope_rules_gives_a_new_key(
    demo_engine: Engine, tmp_path
) -> None:
    data = json.loads((DEMO_DIR / "programme.json").read_text(encoding="utf-8"))
    ctax = next(d for d in data["deliverables"] if d["ref"] == "CTAX-02")
    before = _version(demo_engine)
    scope = _scope_issues(demo_engine, "CTAX-02")
    # CTAX-02 now also counts the whole of RB-01's board, not only its epic
    ctax["scopes"].append({"site": "northmoor", "kind": "board", "value": "1"})
    _load(demo_engine, tmp_path / "programme.json", data)
    assert _version(demo_engine) != before
    # the figures a cache keyed on the old version would have kept did change
    assert _scope_issues(demo_engine, "CTAX-02") > scope


def test_a_new_target_date_gives_a_new_key(demo_engine: Engine) -> None:
    before = _version(demo_engine)
    with session_scope(demo_engine) as session:
        rb01 = session.execute(select(Deliverable).where(Deliverable.ref == "RB-01")).scalar_one()
        seen = current_status(session, OPERATOR, deliverable_id=rb01.id)
        wanted = replace(seen, target_date=date(2027, 6, 30))
        assert update_status(session, OPERATOR, deliverable_id=rb01.id, seen=seen, wanted=wanted)
    assert _version(demo_engine) != before
