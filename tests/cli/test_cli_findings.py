"""What walking the command line found: a red or amber RAG needs its own reason, references
match ignoring case, an unknown programme, site, board or role names the valid ones, a role is
written as `users list` shows it, and the running sprint's id can be looked up."""

import json

from tests.support.roles import OWNER, SUPPLIER


def one_error(result) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_a_red_rating_without_a_reason_is_refused_not_given_the_amber_one(tracker) -> None:
    # RB-01 is amber, with a reason about the data migration
    line = one_error(tracker("--as", OWNER, "deliverable", "update", "RB-01", "--rag", "red"))
    assert line == "error: Say why RB-01 is red: a reason is required."
    history = json.loads(tracker("deliverable", "history", "RB-01", "--json").stdout)
    assert history == []  # nothing was written
    # other changes keep the reason the rating already has
    kept = tracker("--as", OWNER, "deliverable", "update", "RB-01", "--target-date", "2027-04-08")
    assert kept.returncode == 0, kept.stderr
    # and a reason copied from the old rating is not a reason for the new one
    old = json.loads(tracker("report", "overview", "--programme", "marshland shared services "
                             "partnership", "--json").stdout)  # fmt: skip
    amber_reason = next(d for d in old["deliverables"] if d["ref"] == "RB-01")["rag_reason"]
    line = one_error(
        tracker("--as", OWNER, "deliverable", "update", "RB-01", "--rag", "red",
                "--reason", amber_reason)
    )  # fmt: skip
    assert "the reason given with the change" in line


def test_references_match_ignoring_case(tracker) -> None:
    result = tracker("deliverable", "history", "rb-01", "--json")
    assert result.returncode == 0, result.stderr
    engaged = tracker("engage", "--deliverable", "ctax-02", "--json")
    assert json.loads(engaged.stdout)["deliverable"] == "CTAX-02"


def test_unknown_names_list_the_valid_ones(tracker) -> None:
    line = one_error(tracker("report", "overview", "--programme", "Marsh"))
    assert line == (
        "error: no programme 'Marsh' that you can see "
        "(programmes: Marshland Shared Services Partnership)"
    )
    line = one_error(tracker("report", "velocity", "--site", "eastvale", "--board", "1"))
    assert line.endswith("(sites: northmoor, westbridge)")
    line = one_error(tracker("report", "velocity", "--site", "northmoor", "--board", "7"))
    assert line.endswith("(1 RB Scrum, 2 Contact Centre Scrum)")
    line = one_error(tracker("site", "test", "eastvale"))
    assert line.endswith("(sites: northmoor, westbridge).")
    refused = tracker("users", "add", "gareth.lewis@eastvale.gov.uk", "--role", "boss")
    assert refused.returncode == 1
    headline, problem = refused.stderr.strip().splitlines()  # rows rejected: each problem listed
    assert headline == "error: nothing was saved: 1 problem"
    assert (
        "must be one of admin, project owner, supplier contact, programme board member" in problem
    )


def test_a_role_is_accepted_as_users_list_shows_it(tracker) -> None:
    shown = {u["role"] for u in json.loads(tracker("users", "list", "--json").stdout)}
    assert "programme board member" in shown
    added = tracker("users", "add", "gareth.lewis@eastvale.gov.uk", "--role", "Board_Member")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip().endswith("may now sign in as programme board member")
    listed = json.loads(tracker("users", "list", "--json").stdout)
    assert next(u for u in listed if u["email"] == "gareth.lewis@eastvale.gov.uk")["role"] == (
        "programme board member"
    )


def test_the_running_sprints_id_is_listed(tracker) -> None:
    result = tracker("report", "sprints", "--site", "northmoor", "--board", "1", "--json")
    assert result.returncode == 0, result.stderr
    sprints = json.loads(result.stdout)["sprints"]
    [running] = [s for s in sprints if s["state"] == "active"]
    assert (running["sprint_id"], running["sprint"], running["board_id"]) == (84, "RB Sprint 21", 1)
    assert sprints[0]["state"] == "future" and sprints[-1]["sprint"] == "RB Sprint 14"
    # the id it gives is the one the sprint report takes
    report = tracker("report", "sprint", "--site", "northmoor", "--sprint", "84", "--json")
    assert json.loads(report.stdout)["sprint"]["name"] == "RB Sprint 21"
    text = tracker("report", "sprints", "--site", "westbridge").stdout
    assert "Board 10 ASC Referrals on westbridge:" in text
    assert "Board 11 Waste Digital on westbridge:" in text
    # a supplier contact lists only the boards showing their deliverables
    line = one_error(tracker("--as", SUPPLIER, "report", "sprints", "--site", "westbridge"))
    assert line.endswith("(sites: northmoor)")
