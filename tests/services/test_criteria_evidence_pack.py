"""The evidence pack: complete, readable by people, inert in a browser and a spreadsheet."""

import csv
import io
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.support.criteria import PATH, World, build_world, new_criterion
from tracker.errors import NotAllowed
from tracker.models import CriterionMove, CriterionStatus
from tracker.services.acceptance.criteria import EvidenceLink, make_move
from tracker.services.acceptance.evidence_pack import (
    build_evidence_pack,
    pack_csv,
    pack_html,
    write_pack,
)
from tracker.services.people.personal_data import erase_person, placeholder_name

M, S = CriterionMove, CriterionStatus
pytestmark = pytest.mark.db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _accepted_with(session: Session, world: World, text: str) -> None:
    saved = new_criterion(session, world, text=text)
    for who, move in PATH[S.accepted]:
        saved = make_move(
            session,
            world.by_name(who),
            criterion_id=saved.criterion_id,
            move=move,
            expected_row_version=saved.row_version,
            comment='=HYPERLINK("https://evil.example")' if move is M.confirm else None,
            evidence=[EvidenceLink("https://evidence.example.org/a?x=1&y=<b>", "UAT <i>run</i>")],
        )
    session.commit()


def test_the_pack_names_who_confirmed_and_who_decided(session: Session) -> None:
    world = build_world(session)
    _accepted_with(session, world, "Given a resident, then they can pay")
    pack = build_evidence_pack(session, world.board, deliverable_id=world.deliverable_id)
    row = pack.criteria.iloc[0]
    assert (row["Status"], row["Confirmed by"], row["Decision"], row["Decided by"]) == (
        "accepted",
        "Sam",
        "accept",
        "Olu",
    )
    assert pack.ledger.intact
    assert list(pack.audit["criterion"].unique()) == ["AC-1"]
    assert len(pack.audit) == 5


def test_html_is_escaped_self_contained_and_script_free(session: Session) -> None:
    world = build_world(session)
    _accepted_with(session, world, SCRIPT)
    page = pack_html(build_evidence_pack(session, world.admin, deliverable_id=world.deliverable_id))
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "default-src 'none'" in page
    assert "http" not in page.replace("https://evidence.example.org", "").replace(
        "https://evil.example", ""
    ).replace('http-equiv="Content-Security-Policy"', "")
    assert 'href="https://evidence.example.org/a?x=1&amp;y=&lt;b&gt;"' in page
    assert "Audit ledger verified: all 5 entries intact" in page


def test_csv_cells_never_run_as_formulas(session: Session) -> None:
    world = build_world(session)
    _accepted_with(session, world, "=1+1")
    files = pack_csv(build_evidence_pack(session, world.admin, deliverable_id=world.deliverable_id))
    versions = list(csv.DictReader(io.StringIO(files["D-1-versions.csv"])))
    assert versions[0]["text"] == "'=1+1"
    audit = list(csv.DictReader(io.StringIO(files["D-1-audit.csv"])))
    assert audit[2]["comment"] == '\'=HYPERLINK("https://evil.example")'


def test_an_erased_person_shows_as_erased(session: Session) -> None:
    world = build_world(session)
    _accepted_with(session, world, "x")
    erase_person(session, world.admin, person_id=world.supplier.person_id)
    session.commit()
    pack = build_evidence_pack(session, world.admin, deliverable_id=world.deliverable_id)
    assert pack.criteria.iloc[0]["Confirmed by"] == placeholder_name(world.supplier.person_id)
    assert "Sam" not in pack_html(pack)
    assert pack.ledger.intact


def test_export_writes_four_csv_files_and_the_page(session: Session, tmp_path: Path) -> None:
    world = build_world(session)
    _accepted_with(session, world, "x")
    written = write_pack(
        build_evidence_pack(session, world.owner, deliverable_id=world.deliverable_id), tmp_path
    )
    assert sorted(p.name for p in written) == [
        "D-1-audit.csv",
        "D-1-criteria.csv",
        "D-1-evidence-pack.html",
        "D-1-evidence.csv",
        "D-1-versions.csv",
    ]


def test_suppliers_cannot_export(session: Session) -> None:
    world = build_world(session)
    with pytest.raises(NotAllowed):
        build_evidence_pack(session, world.supplier, deliverable_id=world.deliverable_id)
