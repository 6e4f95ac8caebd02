"""`tracker needs-me`: the "What needs me" page at the command line, for each role."""

import json

from tests.support.roles import ADMIN, BOARD, SUPPLIER


def test_a_supplier_contacts_work_as_json(tracker) -> None:
    result = tracker("needs-me", "--as", SUPPLIER, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["role"] == "supplier contact"
    sections = {s["key"]: s["items"] for s in payload["sections"]}
    assert list(sections) == ["to_confirm", "evidence_requested", "open_queries"]
    confirm = sections["to_confirm"]
    assert [c["due"] for c in confirm] == sorted(c["due"] for c in confirm)
    overdue = next(c for c in confirm if c["item"].startswith("AC-3"))
    assert (overdue["ref"], overdue["overdue"], overdue["due"]) == ("CTAX-02", True, "2026-11-25")
    assert [q["item"].split(" ")[0] for q in sections["open_queries"]] == ["AC-1"]


def test_text_flags_overdue_items_and_names_empty_sections(tracker) -> None:
    result = tracker("--as", SUPPLIER, "needs-me")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "What needs Karen Stokes (supplier contact, Ledgerline Systems Ltd): 5 items"
    assert "  OVERDUE  CTAX-02  AC-3 E-billing take-up is reported monthly" in lines
    admin = tracker("needs-me", "--as", ADMIN).stdout
    assert "People waiting for an account: none." in admin
    assert "WA-01  Open Door Advice" in admin


def test_a_board_member_is_told_their_role_reads(tracker) -> None:
    result = tracker("needs-me", "--as", BOARD)
    assert result.returncode == 0
    assert "nothing here is yours to act on" in result.stdout
