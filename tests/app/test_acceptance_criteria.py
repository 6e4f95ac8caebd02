"""The acceptance criteria page, as each role sees it and uses it."""

from datetime import date

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER
from tracker.db import create_tracker_engine, session_scope
from tracker.models import AcceptanceCriterion, Deliverable
from tracker.services.acceptance.criteria import (
    Details,
    Wording,
    create_criterion,
    current_wording,
    edit_criterion,
)
from tracker.services.auth.users import actor_for_email
from tracker.ui.markdown import plain

PAGE = "pages/acceptance/criteria.py"


def open_deliverable(at: AppTest, ref: str) -> None:
    chooser = at.selectbox(key="criteria_deliverable")
    chooser.select_index(next(i for i, o in enumerate(chooser.options) if o.startswith(ref))).run()
    assert not at.exception, at.exception


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def criterion_id(url: str, ref: str, number: int) -> int:
    engine = create_tracker_engine(url)
    with Session(engine) as session:
        found = session.exec(
            select(AcceptanceCriterion.id)
            .join(Deliverable, Deliverable.id == AcceptanceCriterion.deliverable_id)
            .where(Deliverable.ref == ref, AcceptanceCriterion.number == number)
        ).one()
    engine.dispose()
    return found


def test_owner_sees_status_history_and_their_moves(demo_app) -> None:
    at = demo_app(OWNER, PAGE)
    open_deliverable(at, "RB-01")
    panel = at.dataframe[0].value
    assert panel["Status"].tolist() == [
        "Evidence submitted",
        "Rejected",
        "Accepted",
        "Sent to supplier",
        "Draft",
    ]
    assert [e.label.split(" · ")[0] for e in at.expander] == [f"AC-{n}" for n in range(1, 6)]
    history = at.expander[2].dataframe[-1].value  # AC-3: evidence, then history
    assert history["Move"].tolist() == [
        "create",
        "send to supplier",
        "confirm",
        "submit evidence",
        "accept",
    ]
    assert history["Who"].tolist()[2] == "Karen Stokes"
    labels = buttons(at)
    assert {"Accept AC-1", "Reject AC-1", "Send AC-5 to the supplier"} <= set(labels)
    assert "Save changes to AC-3" not in labels  # accepted: closed
    assert "Add the criterion as a draft" in labels


@pytest.mark.parametrize(("email", "ref"), [(BOARD, "RB-01"), (OWNER, "CC-01")])
def test_board_members_and_other_councils_read_only(demo_app, email: str, ref: str) -> None:
    at = demo_app(email, PAGE)
    open_deliverable(at, ref)
    assert len(at.expander) >= 3
    assert buttons(at) == ["Prepare the evidence pack"]
    assert not at.get("form")


def test_admin_makes_the_councils_moves_on_any_deliverable(demo_app) -> None:
    at = demo_app(ADMIN, PAGE)
    open_deliverable(at, "WB-01")
    assert "Save changes to AC-2" in buttons(at)
    assert "Add the criterion as a draft" in buttons(at)


def test_supplier_contacts_cannot_open_the_page(demo_app) -> None:
    at = demo_app(SUPPLIER)
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(PAGE)


def _click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def test_owner_accepts_and_a_rejection_needs_a_reason(demo_app) -> None:
    at = demo_app(OWNER, PAGE)
    open_deliverable(at, "RB-01")
    _click(at, "Reject AC-1")
    assert at.error[0].value == "Give the reason for rejecting."
    _click(at, "Accept AC-1")
    assert at.success[0].value == "Saved: AC-1 is now 'accepted', version 1."
    assert at.dataframe[0].value["Status"].tolist()[0] == "Accepted"


def test_the_second_save_is_refused_and_keeps_the_typed_text(
    demo_app, demo_sqlite_url: str
) -> None:
    at = demo_app(OWNER, PAGE)
    open_deliverable(at, "RB-01")
    url = demo_sqlite_url
    cid = criterion_id(url, "RB-01", 4)
    mine = "Given arrears\nThen up to twelve instalments, with the schedule as a PDF"
    at.text_area(key=f"edit_{cid}_text").input(mine)
    # meanwhile the admin saves a different wording
    with session_scope(create_tracker_engine(url)) as session:
        criterion = session.get(AcceptanceCriterion, cid)
        wording = current_wording(session, actor_for_email(session, ADMIN), criterion_id=cid)
        edit_criterion(
            session,
            actor_for_email(session, ADMIN),
            criterion_id=cid,
            expected_row_version=criterion.row_version,
            wording=Wording(wording.title, "Theirs: up to ten instalments", wording.sow_ref),
            details=Details(
                criterion.stage_id,
                criterion.sprint_id,
                criterion.due_on,
                tuple(criterion.jira_keys),
            ),
        )
    _click(at, "Save changes to AC-4")
    assert "AC-4 was changed by Priya Raman (admin, edit at" in at.error[0].value
    assert "your text is kept" in at.error[0].value
    assert at.text_area(key=f"edit_{cid}_text").value == mine
    # their change is on the page to compare with; saving again replaces it knowingly
    assert any(t.value == "Theirs: up to ten instalments" for t in at.text)
    _click(at, "Save changes to AC-4")
    assert at.success[0].value == "Saved: AC-4 is now 'sent to supplier', version 3."
    assert any(t.value == mine for t in at.text)


def test_criteria_text_with_html_or_markdown_is_shown_inert(demo_app, demo_sqlite_url: str) -> None:
    title = "<b>Bold</b> [click](https://evil.example) :red[alarm]"
    text = "<script>alert('x')</script>\n**not bold** ![img](https://evil.example/x.png)"
    at = demo_app(OWNER, PAGE)
    with session_scope(create_tracker_engine(demo_sqlite_url)) as session:
        rb01 = session.exec(select(Deliverable.id).where(Deliverable.ref == "RB-01")).one()
        create_criterion(
            session,
            actor_for_email(session, OWNER),
            deliverable_id=rb01,
            wording=Wording(title, text),
        )
    at.run()
    open_deliverable(at, "RB-01")
    label = at.expander[-1].label
    assert label == f"AC-6 · {plain(title)} · Draft, version 1"
    assert any(t.value == text for t in at.text)
    assert not any("<script" in m.value or "evil.example" in m.value for m in at.markdown)
    assert at.dataframe[0].value["Title"].tolist()[-1] == title  # a table cell is plain text


def test_old_versions_stay_readable_and_the_pack_downloads(demo_app) -> None:
    at = demo_app(BOARD, PAGE)
    open_deliverable(at, "CTAX-02")
    reworded = at.expander[1]
    assert reworded.label.endswith("Confirmed, version 2")
    assert "**Version 1** (superseded)" in reworded.markdown[0].value
    texts = [t.value for t in reworded.text]
    assert any("paying in ten instalments" in t for t in texts)  # version 1
    assert any("ten or twelve instalments" in t for t in texts)  # version 2
    _click(at, "Prepare the evidence pack")
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == [
        "Download the pack as a web page (HTML)",
        "Download the pack as CSV files (zip)",
    ]


def test_a_due_date_is_picked_and_the_outcome_shows_on_its_criterion(
    demo_app, demo_sqlite_url: str
) -> None:
    at = demo_app(OWNER, PAGE)
    open_deliverable(at, "RB-01")
    cid = criterion_id(demo_sqlite_url, "RB-01", 5)  # a draft with no due date of its own
    due = at.date_input(key=f"edit_{cid}_due")
    assert due.label == "Due date (optional)"
    due.set_value(date(2027, 2, 26))
    _click(at, "Save changes to AC-5")
    [expander] = [e for e in at.expander if e.label.startswith("AC-5")]
    assert [s.value for s in expander.success] == ["Saved: AC-5 is now 'draft', version 1."]
    assert len(at.success) == 1  # beside the form, not at the top of the page
    assert any("Due: 2027-02-26" in t.value for t in expander.text)
