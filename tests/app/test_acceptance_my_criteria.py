"""'Criteria waiting for me': a supplier contact's own queue, and nothing else."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.roles import ADMIN, BOARD, IDLE_SUPPLIER, OWNER, SUPPLIER

PAGE = "pages/acceptance/my_criteria.py"


def _click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def test_a_supplier_sees_only_what_waits_for_them(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    table = at.dataframe[0].value
    assert table[["Deliverable", "Criterion", "Status", "Needed from you"]].values.tolist() == [
        ["CTAX-02", "AC-2", "Confirmed", "Submit evidence"],
        ["CTAX-02", "AC-3", "Sent to supplier", "Confirm or query"],
        ["RB-01", "AC-2", "Rejected", "Submit evidence"],
        ["RB-01", "AC-4", "Sent to supplier", "Confirm or query"],
    ]
    # the rejection reason is on screen, so they know what to fix
    assert any(t.value.startswith("The test ran against build 4.6") for t in at.text)
    assert [b.label for b in at.button] == [
        "Submit evidence for AC-2",
        "Confirm AC-3 as understood",
        "Query AC-3",
        "Submit evidence for AC-2",
        "Confirm AC-4 as understood",
        "Query AC-4",
    ]


def test_confirming_and_querying(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    _click(at, "Query AC-4")
    assert at.error[0].value == "Give the question."
    _click(at, "Confirm AC-4 as understood")
    assert at.success[0].value == "Saved: AC-4 is now 'confirmed', version 1."
    statuses = dict(zip(at.dataframe[0].value["Criterion"] + at.dataframe[0].value["Deliverable"],
                        at.dataframe[0].value["Status"], strict=True))  # fmt: skip
    assert statuses["AC-4RB-01"] == "Confirmed"


def test_evidence_links_must_be_web_addresses(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    # the first waiting criterion, CTAX-02 AC-2 (version 2, confirmed)
    evidence = next(t for t in at.text_area if t.key.endswith("_evidence")).key
    at.text_area(key=evidence).input("javascript:alert(1) click me")
    _click(at, "Submit evidence for AC-2")
    assert at.error[0].value.startswith("Evidence links must be web addresses")
    assert at.text_area(key=evidence).value == "javascript:alert(1) click me"
    at.text_area(key=evidence).input("https://ledgerline.example/rerun.pdf Rerun")
    _click(at, "Submit evidence for AC-2")
    assert at.success[0].value == "Saved: AC-2 is now 'evidence submitted', version 2."


def test_nothing_waiting_says_so(demo_app) -> None:
    at = demo_app(IDLE_SUPPLIER, PAGE)
    assert at.info[0].value.startswith("Nothing is waiting for you")
    assert not at.dataframe


@pytest.mark.parametrize("email", [ADMIN, OWNER, BOARD])
def test_staff_do_not_have_the_page(demo_app, email: str) -> None:
    at = demo_app(email)
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(PAGE)
