"""`tracker engage` and `tracker assurance check` on the demo, as operators run them."""

import json

TODAY = "2026-11-29"


def test_engage_lists_contacts_in_order_with_the_gaps(tracker) -> None:
    result = tracker("engage", "--deliverable", "WA-01", "--on", TODAY)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "WA-01 Welfare advice referrals, at Alpha"
    assert lines[1].startswith(" 1. Supplier accountable: Grace Nwosu, Chief Executive")
    assert lines[3].startswith(" 2. Supplier responsible: Liam Doherty")
    assert "Gap (contact has left): Liam Doherty (Open Door Advice" in result.stdout
    assert "Gap (organisation lacks an accreditation): Open Door Advice" in result.stdout


def test_engage_json_at_a_chosen_stage(tracker) -> None:
    result = tracker("engage", "--deliverable", "MB-01", "--json", "--on", TODAY)
    data = json.loads(result.stdout)
    assert data["stage"] == "Discovery"
    assert [g["kind"] for g in data["gaps"]] == ["no_supplier_contact"]
    later = json.loads(
        tracker("engage", "--deliverable", "MB-01", "--stage", "Alpha", "--json").stdout
    )
    assert later["gaps"] == []
    assert [c["reason"] for c in later["contacts"]][:3] == [
        "Supplier accountable",
        "Supplier responsible",
        "Council owner",
    ]


def test_a_supplier_cannot_ask_about_another_suppliers_deliverable(tracker) -> None:
    result = tracker("--as", "karen.stokes@ledgerline.co.uk", "engage", "--deliverable", "WA-01")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: no deliverable 'WA-01' that you can see"
    own = tracker(
        "--as", "karen.stokes@ledgerline.co.uk", "engage", "--deliverable", "RB-01", "--json"
    )
    contacts = json.loads(own.stdout)["contacts"]
    # the council first; Tom prefers email, so Karen sees his address and nothing else of his
    owner = contacts[0]
    assert (owner["reason"], owner["name"]) == ("Council owner", "Tom Hargreaves")
    assert owner["email"] == "tom.hargreaves@northmoor.gov.uk" and owner["phone"] is None
    assert contacts[-1]["reason"].endswith("(you)")
    assert next(c for c in contacts if c["name"] == "Imran Qureshi")["email"]


def test_assurance_check_reports_blocks_and_expiries_and_exits_1(tracker) -> None:
    result = tracker("assurance", "check", "--json", "--on", TODAY)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [(b["ref"], b["organisation"], b["missing"]) for b in data["blocks"]] == [
        ("WA-01", "Open Door Advice", "NHS DSPT (Standards Met)")
    ]
    expiries = {(e["organisation"], e["scheme"]): e for e in data["expiries"]}
    skyward = expiries[("Skyward Telecom Ltd", "Cyber Essentials Plus")]
    assert (skyward["days_left"], skyward["status"]) == (19, "expires within 30 days")
    assert skyward["expires_on"] == "2026-12-18"
    text = tracker("assurance", "check", "--on", TODAY).stdout
    assert (
        "Blocked (1):\n  WA-01: Open Door Advice (supplier) lacks NHS DSPT (Standards Met)" in text
    )
