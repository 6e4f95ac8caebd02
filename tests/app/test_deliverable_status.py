"""A project owner moves their deliverable's stage and RAG on the overview."""

from dataclasses import replace

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER
from tracker.db import create_tracker_engine, session_scope
from tracker.services.auth.users import actor_for_email
from tracker.services.programme.status import current_status, update_status

OVERVIEW = "pages/programme/overview.py"


def _save(at):
    next(b for b in at.button if b.label == "Save stage and RAG").click().run()


def test_owner_sees_only_their_councils_deliverable(demo_app) -> None:
    at = demo_app(OWNER, OVERVIEW)
    assert at.selectbox(key="status_deliverable").options == [
        "RB-01 Shared revenues and benefits platform"
    ]


def test_red_without_a_reason_is_refused_and_keeps_what_was_typed(demo_app) -> None:
    at = demo_app(OWNER, OVERVIEW)
    deliverable = at.selectbox(key="status_deliverable").value
    at.radio(key=f"status_rag_{deliverable}").set_value("red")
    at.text_area(key=f"status_reason_{deliverable}").set_value("")
    _save(at)
    assert any("a reason is required" in e.value for e in at.error)
    assert at.radio(key=f"status_rag_{deliverable}").value == "red"
    frame = at.dataframe[0].value
    assert frame.set_index("Ref").loc["RB-01", "RAG"] == "Amber"


def test_a_saved_change_shows_in_the_table_and_the_history(demo_app) -> None:
    at = demo_app(OWNER, OVERVIEW)
    deliverable = at.selectbox(key="status_deliverable").value
    at.selectbox(key=f"status_stage_{deliverable}").set_value("Live")
    at.radio(key=f"status_rag_{deliverable}").set_value("green")
    at.text_area(key=f"status_reason_{deliverable}").set_value("")
    _save(at)
    assert not at.exception
    assert [s.value for s in at.success] == ["Saved."]
    row = at.dataframe[0].value.set_index("Ref").loc["RB-01"]
    assert (row["Stage"], row["RAG"]) == ("Live", "Green")
    history = next(d for d in at.dataframe if "reason" in d.value.columns).value
    assert history.iloc[0]["stage"] == "Beta -> Live"


def test_board_members_and_suppliers_get_no_form(demo_app) -> None:
    for email in (BOARD, SUPPLIER):
        at = demo_app(email, OVERVIEW)
        assert not [s for s in at.selectbox if s.key == "status_deliverable"]


def test_admin_may_update_every_deliverable(demo_app) -> None:
    at = demo_app(ADMIN, OVERVIEW)
    assert len(at.selectbox(key="status_deliverable").options) == 7


def test_a_change_made_meanwhile_is_reported_and_the_next_save_is_made_against_it(
    demo_app, demo_sqlite_url
) -> None:
    at = demo_app(OWNER, OVERVIEW)
    deliverable = at.selectbox(key="status_deliverable").value
    engine = create_tracker_engine(demo_sqlite_url)
    with session_scope(engine) as session:
        admin = actor_for_email(session, ADMIN)
        seen = current_status(session, admin, deliverable_id=deliverable)
        update_status(
            session,
            admin,
            deliverable_id=deliverable,
            seen=seen,
            wanted=replace(seen, stage="Live"),
        )
    engine.dispose()
    at.radio(key=f"status_rag_{deliverable}").set_value("green")
    at.text_area(key=f"status_reason_{deliverable}").set_value("")
    _save(at)
    assert any("changed by someone else" in e.value for e in at.error)
    _save(at)
    assert [s.value for s in at.success] == ["Saved."]
    row = at.dataframe[0].value.set_index("Ref").loc["RB-01"]
    assert row["RAG"] == "Green"
