"""`tracker users ...` and `tracker report acceptance`: the admin page and the acceptance board at
the command line."""

import json


def test_admin_lists_and_adds_accounts(tracker) -> None:
    listed = json.loads(tracker("users", "list", "--json").stdout)
    assert {"priya.raman@northmoor.gov.uk", "karen.stokes@ledgerline.co.uk"} <= {
        u["email"] for u in listed
    }
    added = tracker("users", "add", "Gareth.Lewis@eastvale.gov.uk", "--role", "project owner")
    assert added.returncode == 0, added.stderr
    listed = json.loads(tracker("users", "list", "--json").stdout)
    gareth = next(u for u in listed if u["email"] == "gareth.lewis@eastvale.gov.uk")
    assert (gareth["role"], gareth["active"]) == ("project owner", True)


def test_a_bad_account_is_refused_with_every_problem(tracker) -> None:
    result = tracker("users", "add", "priya.raman@northmoor.gov.uk", "--role", "boss")
    assert result.returncode == 1
    headline, *problems = result.stderr.strip().splitlines()
    assert headline == "error: nothing was saved: 2 problems"
    assert "role 'boss' must be one of" in problems[0] and "already has an account" in problems[1]


def test_only_admins_manage_users(tracker) -> None:
    result = tracker("--as", "karen.stokes@ledgerline.co.uk", "users", "list")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: supplier contacts may not manage users"


def test_acceptance_report_totals_are_the_sums_of_its_rows(tracker) -> None:
    result = tracker(
        "report", "acceptance", "--programme", "Marshland Shared Services Partnership", "--json"
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    rows, totals = payload["deliverables"], payload["totals"]
    assert len(rows) == 7
    for column in ("criteria", "confirmed", "accepted", "queried", "rejected", "overdue"):
        assert totals[column] == sum(r[column] for r in rows)
    assert totals["criteria"] > 0
    assert totals["confirmed_pct"] == round(100 * totals["confirmed"] / totals["criteria"])


def test_acceptance_report_is_for_staff_as_the_board_page_is(tracker) -> None:
    result = tracker(
        "--as", "karen.stokes@ledgerline.co.uk",
        "report", "acceptance", "--programme", "Marshland Shared Services Partnership",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == "error: supplier contacts may not read the programme"
