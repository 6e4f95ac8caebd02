"""`tracker criteria list/export` and `tracker audit verify` on the demo programme."""

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from tracker.cli import app

KAREN = "karen.stokes@ledgerline.co.uk"  # supplier contact of Ledgerline (RB-01, CTAX-02)
pytestmark = pytest.mark.db


def tracker(engine: Engine, *args: str) -> Result:
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(app, list(args), env={"DATABASE_URL": url})


def test_list_shows_status_and_version_drafts_only_to_staff(demo_engine: Engine) -> None:
    staff = tracker(demo_engine, "criteria", "list", "--deliverable", "RB-01")
    assert staff.exit_code == 0, staff.output
    lines = staff.output.splitlines()
    assert lines[0] == "RB-01 Shared revenues and benefits platform: 5 acceptance criteria"
    assert "AC-2  rejected" in staff.output
    assert "draft" in staff.output
    supplier = tracker(demo_engine, "--as", KAREN, "criteria", "list", "--deliverable", "RB-01")
    assert supplier.exit_code == 0, supplier.output
    assert "4 acceptance criteria" in supplier.output
    assert "draft" not in supplier.output


def test_list_as_json(demo_engine: Engine) -> None:
    result = tracker(demo_engine, "criteria", "list", "--deliverable", "CTAX-02", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["deliverable"] == "CTAX-02"
    by_code = {c["code"]: c for c in payload["criteria"]}
    assert by_code["AC-1"]["status"] == "queried"
    assert by_code["AC-1"]["last_comment"].startswith("Does 'reminder' include final notices?")
    assert (by_code["AC-2"]["status"], by_code["AC-2"]["version"]) == ("confirmed", 2)


def test_a_supplier_cannot_list_another_suppliers_deliverable(demo_engine: Engine) -> None:
    result = tracker(demo_engine, "--as", KAREN, "criteria", "list", "--deliverable", "WB-01")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no deliverable 'WB-01' that you can see"


def test_export_writes_the_evidence_pack(demo_engine: Engine, tmp_path: Path) -> None:
    result = tracker(
        demo_engine, "criteria", "export", "--deliverable", "CC-01", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert "Audit ledger verified" in result.output
    page = (tmp_path / "CC-01-evidence-pack.html").read_text(encoding="utf-8")
    assert "Evidence pack: CC-01 Joint contact centre on cloud telephony" in page
    assert "Priya Raman" in page  # the admin who accepted while the owner was on leave
    assert "Chloe Bennett" in page  # the supplier contact who confirmed
    assert "@" not in page  # names, never email addresses
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "CC-01-audit.csv",
        "CC-01-criteria.csv",
        "CC-01-evidence-pack.html",
        "CC-01-evidence.csv",
        "CC-01-versions.csv",
    ]


def test_audit_verify_passes_then_names_the_altered_entry(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        entries = conn.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
    assert entries > 50  # the demo's criteria, RAID log and decisions all write to the ledger
    intact = tracker(demo_engine, "audit", "verify")
    assert intact.exit_code == 0, intact.output
    assert intact.output.startswith(
        f"Audit ledger verified: all {entries} entries intact; head hash "
    )
    with demo_engine.begin() as conn:
        if demo_engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
        conn.execute(text("UPDATE audit_entry SET comment = 'Accepted.' WHERE seq = 12"))
    broken = tracker(demo_engine, "audit", "verify")
    assert broken.exit_code == 1
    assert "error: audit ledger broken at entry 12: was changed after it was written" in (
        broken.output
    )
