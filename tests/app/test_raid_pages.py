"""The RAID log, decision log and dependencies pages, as each role opens them on the demo."""

import json
from datetime import date

import pytest

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER

RAID = "pages/programme/raid.py"
DECISIONS = "pages/programme/decisions.py"
DEPENDENCIES = "pages/programme/dependencies.py"


def frame(element):
    """A table's data, whether drawn plain or styled."""
    value = element.value
    return value.data if hasattr(value, "data") and not hasattr(value, "columns") else value


def headers(at) -> list[str]:
    return [h.value for h in at.header]


def all_text(at) -> str:
    tables = " ".join(
        d.value.to_csv() if hasattr(d.value, "to_csv") else str(d.value.data.to_csv())
        for d in at.dataframe
    )
    return tables + " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("email", [ADMIN, OWNER, BOARD, SUPPLIER])
@pytest.mark.parametrize("page", [RAID, DECISIONS, DEPENDENCIES])
def test_every_role_opens_the_pages(demo_app, email: str, page: str) -> None:
    at = demo_app(email, page)
    assert not at.exception
    assert len(at.title) == 1
    staff_form = {RAID: "Raise an item", DECISIONS: "Propose a decision",
                  DEPENDENCIES: "Declare a dependency"}[page]  # fmt: skip
    expect_form = {
        RAID: email != BOARD,
        DECISIONS: email in (ADMIN, OWNER),
        DEPENDENCIES: email in (ADMIN, OWNER),
    }[page]
    assert (staff_form in headers(at)) is expect_form


def test_the_heatmap_counts_equal_the_register(demo_app) -> None:
    at = demo_app(BOARD, RAID)
    register = at.dataframe[-1].value
    open_risks = register[(register["Kind"] == "risk") & (register["Status"] == "open")]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Open risks"] == str(len(open_risks)) == "8"
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    counts = [
        int(a["text"].split("</b>")[0].removeprefix("<b>")) for a in figure["layout"]["annotations"]
    ]
    assert sum(counts) == len(open_risks)
    assert "<b>1</b> high" in [a["text"] for a in figure["layout"]["annotations"]]  # 4 x 5
    assert figure["layout"]["xaxis"]["title"]["text"] == "Impact (1 to 5)"
    attention = at.dataframe[1].value
    assert {"R-1", "R-2"} <= set(attention["Code"])
    assert (
        attention.set_index("Code")
        .loc["R-1", "Needs the board because"]
        .startswith("escalated to programme board; score 20")
    )


def test_filters_by_deliverable(demo_app) -> None:
    at = demo_app(BOARD, RAID)
    at.multiselect(key="raid_refs").set_value(["ASC-01"]).run()
    register = at.dataframe[-1].value
    assert set(register["Deliverable"]) == {"ASC-01"}


def test_a_supplier_sees_only_their_own_deliverables_items(demo_app) -> None:
    at = demo_app(SUPPLIER, RAID)
    register = at.dataframe[-1].value
    assert set(register["Deliverable"]) <= {"RB-01", "CTAX-02"}
    assert "R-8" in set(register["Code"])  # raised by Ledgerline itself
    assert "DPIA" not in all_text(at)  # Westbridge's risk on Carers Link Trust's deliverable
    at = demo_app(SUPPLIER, DECISIONS)
    log = at.dataframe[-1].value
    assert set(log["Deliverable"]) <= {"RB-01", "CTAX-02"}
    at = demo_app(SUPPLIER, DEPENDENCIES)
    rows = frame(at.dataframe[-1])
    assert all(
        "RB-01" in (a, b) or "CTAX-02" in (a, b)
        for a, b in zip(rows["Waiting"], rows["Waits on"], strict=True)
    )


def test_raising_a_bad_risk_names_every_problem_and_a_good_one_is_raised(demo_app) -> None:
    at = demo_app(OWNER, RAID)
    at.text_input(key="raise_risk_title").set_value("Printing contract ends in March")
    at.selectbox(key="raise_risk_org").set_value("Northmoor District Council")
    at.selectbox(key="raise_risk_l").set_value("5")
    at.selectbox(key="raise_risk_i").set_value("4")
    at.button[0].click()  # the form's submit button is the first button on the page
    at.run()
    problems = at.dataframe[-1].value["Problem"].tolist()
    assert problems == [
        "a risk scoring 20 (15 or more) needs an owner",
        "a risk scoring 20 (15 or more) needs a review date",
    ]
    assert at.text_input(key="raise_risk_title").value == "Printing contract ends in March"
    at.selectbox(key="raise_risk_i").set_value("2")
    at.button[0].click()
    at.run()
    assert not at.exception
    register = at.dataframe[-1].value
    assert "Printing contract ends in March" in set(register["Title"])


def test_the_dependency_matrix_says_who_waits_on_whom_in_words(demo_app) -> None:
    at = demo_app(BOARD, DEPENDENCIES)
    matrix = frame(at.dataframe[0]).set_index("Waits (row) on (column)")
    assert matrix.loc["Southmere District Council", "Eastvale Borough Council"] == "Red"
    assert matrix.loc["Westbridge County Council", "not synced"] == "Unknown"
    listing = frame(at.dataframe[1])
    assert {"Red", "Amber", "Green", "Unknown"} <= set(listing["Health"])
    assert "Jira" in set(listing["From"])


def test_decisions_needed_lead_the_decision_log(demo_app) -> None:
    at = demo_app(BOARD, DECISIONS)
    needed = at.dataframe[0].value
    assert needed["Code"].tolist() == ["D-4", "D-5", "D-6"]
    log = at.dataframe[1].value.set_index("Code")
    assert log.loc["D-2", "Status"] == "superseded" and log.loc["D-2", "Replaced by"] == "D-3"


def test_recording_a_decision_on_the_page(demo_app) -> None:
    at = demo_app(ADMIN, DECISIONS)
    at.selectbox(key="decide_code").set_value("D-4").run()
    at.text_area(key="decide_outcome").set_value("Go live without the dashboard until March")
    at.text_input(key="decide_minute").set_value("JC-2026-12 item 1")
    submit = next(b for b in at.button if b.label == "Record the decision on D-4")
    submit.click()
    at.run()
    # no date given: refused, every problem listed, what was typed kept
    assert frame(at.dataframe[-1])["Problem"].tolist() == [
        "decided_on (the date of the meeting) is required"
    ]
    assert at.text_area(key="decide_outcome").value.startswith("Go live without")
    at.date_input(key="decide_on").set_value(date(2026, 12, 1))
    next(b for b in at.button if b.label == "Record the decision on D-4").click()
    at.run()
    needed = at.dataframe[0].value
    assert "D-4" not in set(needed["Code"])


def test_changing_a_risk_that_occurred_raises_its_issue(demo_app) -> None:
    at = demo_app(OWNER, RAID)
    at.selectbox(key="change_code").set_value("R-1").run()
    at.selectbox(key="change_R-1_status").set_value("occurred")
    next(b for b in at.button if b.label == "Save R-1").click()
    at.run()
    assert not at.exception
    register = at.dataframe[-1].value.set_index("Code")
    assert register.loc["R-1", "Status"] == "occurred"
    issue = register[register["Raised from"] == "R-1"]
    assert issue["Kind"].tolist() == ["issue"]
