"""The Board pack page as each role sees it."""

from datetime import date

from tests.support.roles import ADMIN, BOARD, IDLE_SUPPLIER, OWNER, SUPPLIER
from tracker.models import Role
from tracker.services.board.period import Period
from tracker.ui.navigation import landing_page

PACK = "pages/board/board_pack.py"
REFS = ["ASC-01", "CC-01", "CTAX-02", "MB-01", "RB-01", "WA-01", "WB-01"]
DIMENSIONS = ["Time", "Scope", "Delivery", "Acceptance", "Assurance", "Risks and dependencies"]


def tables(at, column: str) -> list:
    """The page's tables that have this column, in page order."""
    values = [d.value.data if hasattr(d.value, "data") else d.value for d in at.dataframe]
    return [v for v in values if column in v.columns]


def table(at, column: str):
    return tables(at, column)[0]


def test_board_members_land_on_the_pack_with_exceptions_first(demo_app) -> None:
    at = demo_app(BOARD)
    assert at.title[0].value == "Board pack"
    assert [h.value for h in at.header][:3] == [
        "Exceptions",
        "Programme dimensions",
        "Deliverables: forecast against target",
    ]
    exceptions = table(at, "Exception")
    assert ("WB-01", "Forecast past target") in set(
        zip(exceptions["Ref"], exceptions["Exception"], strict=True)
    )
    programme = table(at, "Dimension")
    assert list(programme["Dimension"]) == [*DIMENSIONS, "Overall"]
    assert set(programme["Derived"]) <= {"Red", "Amber", "Green", "No data"}
    deliverables = table(at, "Slip (weeks)").set_index("Ref")
    assert list(deliverables.index) == REFS
    assert deliverables.loc["WB-01", "Target"] == "30 Oct 2026"
    assert float(deliverables.loc["WB-01", "Slip (weeks)"]) > 0
    periods = at.selectbox(key="pack_period")
    assert periods.value == Period(date(2026, 11, 10), date(2026, 11, 23))
    assert periods.options[1] == "27 Oct 2026 to 09 Nov 2026"
    # board members read: no publishing, no thresholds form, no notes to write
    assert not [b for b in at.button if b.key == "publish"]
    assert not at.number_input
    assert not [s for s in at.selectbox if s.key == "note_of"]
    assert any("No highlight report has been published" in i.value for i in at.info)


def test_other_roles_land_elsewhere(demo_app) -> None:
    landing = landing_page(Role.admin).title
    assert landing != "Board pack" and demo_app(ADMIN).title[0].value == landing


def test_a_period_ending_before_it_starts_is_one_clear_message(demo_app) -> None:
    at = demo_app(BOARD, PACK)
    at.text_input(key="pack_from").set_value("2026-11-20")
    at.text_input(key="pack_to").set_value("2026-11-01").run()
    assert [e.value for e in at.error] == [
        "the period ends on 01 Nov 2026, before it starts on 20 Nov 2026: nothing was done"
    ]
    at.text_input(key="pack_to").set_value("1 Dec").run()
    assert [e.value for e in at.error] == [
        "No report for those dates: To: '1 Dec' is not a date written as YYYY-MM-DD"
    ]
    at.text_input(key="pack_to").set_value("2026-12-03").run()
    assert not at.error
    assert "The report for 20 Nov 2026 to 03 Dec 2026" in [s.value for s in at.subheader]


def test_an_earlier_period_is_chosen_from_the_list(demo_app) -> None:
    at = demo_app(BOARD, PACK)
    at.selectbox(key="pack_period").set_value(Period(date(2026, 10, 27), date(2026, 11, 9))).run()
    assert not at.error and not at.exception
    assert "The report for 27 Oct 2026 to 09 Nov 2026" in [s.value for s in at.subheader]


def test_owner_writes_their_note_and_sees_it_declared(demo_app) -> None:
    at = demo_app(OWNER, PACK)
    assert at.selectbox(key="note_of").options == ["RB-01"]
    rb01 = at.selectbox(key="note_of").value
    at.text_area(key=f"note_summary_{rb01}").set_value("Rehearsal 3 passed; <b>not bold</b>")
    at.selectbox(key=f"note_time_{rb01}").set_value("amber")
    next(b for b in at.button if b.label == "Save note").click().run()
    assert not at.exception and not at.error
    at.selectbox(key="pack_deliverable").set_value(1).run()  # RB-01, the owner's
    ratings = tables(at, "Declared")[1]  # after the deliverables
    assert ratings.set_index("Dimension").loc["Time", "Declared"] == "Amber"
    assert any(t.value == "Rehearsal 3 passed; <b>not bold</b>" for t in at.text)


def test_admin_publishing_without_declarations_is_refused_then_sets_thresholds(demo_app) -> None:
    at = demo_app(ADMIN, PACK)
    next(b for b in at.button if b.key == "publish").click().run()
    assert any(e.value.startswith("not published: 7 deliverables") for e in at.error)
    assert any("No highlight report has been published" in i.value for i in at.info)
    limits = table(at, "Rule")
    assert len(limits) == 7
    at.number_input[0].set_value(15.0)  # scope amber
    next(b for b in at.button if b.label == "Save thresholds").click().run()
    assert not at.error
    assert "15" in list(table(at, "Rule")["Limit"])


def test_a_supplier_sees_only_their_deliverables(demo_app) -> None:
    at = demo_app(SUPPLIER, PACK)
    assert list(table(at, "Slip (weeks)")["Ref"]) == ["CTAX-02", "RB-01"]
    assert not [b for b in at.button if b.key == "publish"]
    assert not at.number_input
    idle = demo_app(IDLE_SUPPLIER, PACK)
    assert list(table(idle, "Slip (weeks)")["Ref"]) == ["ASC-01"]
