"""`tracker programme load`: a council's own programme file, checked whole and loaded idempotently,
on SQLite and PostgreSQL."""

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from tracker.cli.app import operator_actor
from tracker.db import session_scope
from tracker.errors import NotAllowed
from tracker.models import (
    Deliverable,
    JiraSite,
    Organisation,
    Person,
    Programme,
    ProgrammeMember,
    Role,
    Stage,
)
from tracker.models.delivery import DEFAULT_STAGES
from tracker.policy import (
    Actor,
)
from tracker.services.programme.file import ProgrammeFileError, load_programme_file

MINIMAL: dict[str, Any] = {
    "programme": {"name": "Fenland Shared Waste"},
    "organisations": [
        {"name": "Fenland District Council", "kind": "council", "role": "lead authority"},
        {"name": "Binwise Digital Ltd", "kind": "supplier"},
    ],
    "people": [
        {
            "name": "Ann Reed",
            "organisation": "Fenland District Council",
            "email": "ann.reed@fenland.gov.uk",
            "role": "project owner",
        }
    ],
    "deliverables": [
        {
            "ref": "FW-01",
            "title": "Garden waste subscriptions",
            "owner": "Fenland District Council",
            "owner_person": "ann.reed@fenland.gov.uk",
            "supplier": "Binwise Digital Ltd",
            "stage": "Alpha",
            "rag": "amber",
            "rag_reason": "Payments supplier not chosen",
            "target_date": "2027-03-31",
            "stages": {"Discovery": ["2026-01-05", "2026-03-27", "2026-01-05", "2026-04-03"]},
        }
    ],
}


def _write(tmp_path: Path, data: Any, name: str = "programme.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def _row_counts(engine: Engine) -> dict[str, int]:
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


def test_a_minimal_file_gets_the_default_stages(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        result = load_programme_file(session, operator_actor(), path=_write(tmp_path, MINIMAL))
    assert result.created["deliverable"] == 1 and result.created["stage"] == len(DEFAULT_STAGES)
    assert "created" in result.summary()
    with Session(engine) as session:
        programme = session.exec(select(Programme)).one()
        stages = session.exec(
            select(Stage.name).where(Stage.programme_id == programme.id).order_by(Stage.position)
        ).all()
        assert tuple(stages) == DEFAULT_STAGES == ("Discovery", "Alpha", "Beta", "Live")
        deliverable = session.exec(select(Deliverable)).one()
        assert deliverable.programme_id == programme.id
        assert deliverable.rag == "amber" and deliverable.sensitivity == "official"
        assert session.get(Stage, deliverable.stage_id).name == "Alpha"  # type: ignore[union-attr]


def test_loading_twice_leaves_the_same_rows(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL)
    with session_scope(engine) as session:
        load_programme_file(session, operator_actor(), path=path)
    before = _row_counts(engine)
    with session_scope(engine) as session:
        again = load_programme_file(session, operator_actor(), path=path)
    assert _row_counts(engine) == before
    assert not again.created and not again.updated and again.unchanged > 0


def test_every_problem_is_listed_and_nothing_is_written(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        session.add(JiraSite(name="fenland", url="https://fenland.example", kind="cloud"))
    bad = json.loads(json.dumps(MINIMAL))
    bad["organisations"].append({"name": "Marsh Trust", "kind": "charity trust"})
    bad["people"].append({"name": "No Email", "organisation": "Fenland District Council"})
    bad["deliverables"] += [
        {
            "ref": "FW-02",
            "title": "Bulky waste",
            "owner": "Fenland District Council",
            "stage": "Gamma",
            "rag": "purple",
            "target_date": "31/03/2027",
        },
        {
            "ref": "FW-03",
            "title": "Missed bins",
            "owner": "Fenland District Council",
            "supplier": "Ledgerline",
            "stage": "Beta",
            "sensitivity": "secret",
            "scopes": [{"site": "northmoor", "kind": "board", "value": "7"}],
        },
    ]
    before = _row_counts(engine)
    with session_scope(engine) as session, pytest.raises(ProgrammeFileError) as caught:
        load_programme_file(session, operator_actor(), path=_write(tmp_path, bad))
    problems = caught.value.problems
    expected = [
        'organisations[2].kind: "charity trust" is not one of "council", "county council"',
        "people[1].email: required but missing",
        'deliverables[1].stage: no stage "Gamma" in the programme (stages: Discovery, Alpha',
        'deliverables[1].rag: "purple" is not one of "red", "amber", "green"',
        'deliverables[1].target_date: "31/03/2027" is not a date (use YYYY-MM-DD)',
        'deliverables[2].supplier: no organisation "Ledgerline" in the file or database',
        'deliverables[2].sensitivity: "secret" is not one of "public", "official"',
        'deliverables[2].scopes[0].site: no Jira site "northmoor" (sites: fenland)',
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)
    assert _row_counts(engine) == before


def test_invalid_json_names_the_line(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n "programme": {"name": "X"},\n "organisations": [\n}\n', encoding="utf-8")
    with session_scope(engine) as session, pytest.raises(ProgrammeFileError) as caught:
        load_programme_file(session, operator_actor(), path=path)
    assert caught.value.problems[0].startswith("(file) line 4")


def test_organisations_and_people_in_the_database_may_be_referred_to(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        load_programme_file(session, operator_actor(), path=_write(tmp_path, MINIMAL))
    second = {
        "programme": {"name": "Fenland Customer Services", "stages": ["Plan", "Build", "Run"]},
        "deliverables": [
            {
                "ref": "CS-01",
                "title": "Web chat",
                "owner": "Fenland District Council",
                "owner_person": "ann.reed@fenland.gov.uk",
                "supplier": "Binwise Digital Ltd",
                "stage": "Build",
            }
        ],
    }
    with session_scope(engine) as session:
        load_programme_file(session, operator_actor(), path=_write(tmp_path, second, "second.json"))
    with Session(engine) as session:
        assert len(session.exec(select(Organisation)).all()) == 2
        deliverable = session.exec(select(Deliverable).where(Deliverable.ref == "CS-01")).one()
        person = session.exec(select(Person)).one()
        assert deliverable.owner_person_id == person.id
        programme = session.get(Programme, deliverable.programme_id)
        assert programme is not None and programme.name == "Fenland Customer Services"
        members = session.exec(
            select(ProgrammeMember).where(ProgrammeMember.programme_id == programme.id)
        ).all()
        assert len(members) == 2  # the owner and the supplier join the new programme


def test_only_admins_load_programmes(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL)
    for role in (Role.project_owner, Role.board_member, Role.supplier_contact):
        actor = Actor(
            user_id=1,
            person_id=1,
            name="Someone",
            role=role,
            organisation_id=1,
            organisation_name="Fenland District Council",
        )
        with session_scope(engine) as session, pytest.raises(NotAllowed):
            load_programme_file(session, actor, path=path)
    with Session(engine) as session:
        assert session.exec(select(Programme)).first() is None
