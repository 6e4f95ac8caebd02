"""The programme overview page, as each role sees it."""

import json

from streamlit.testing.v1 import AppTest

from tests.support.app import APP, NO_AUTH_SECRETS
from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER
from tracker.charts import DARK_TEXT, contrast

OVERVIEW = "pages/programme/overview.py"


def test_staff_see_every_deliverable_with_rag_as_words(demo_app) -> None:
    at = demo_app(ADMIN, OVERVIEW)
    assert at.title[0].value == "Programme overview"
    frame = at.dataframe[0].value
    assert list(frame["Ref"]) == ["ASC-01", "CC-01", "CTAX-02", "MB-01", "RB-01", "WA-01", "WB-01"]
    assert set(frame["RAG"]) == {"Red", "Amber", "Green"}
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Deliverables"] == "7"
    assert metrics["Red"] == "1"
    assert metrics["Amber"] == "2"


def test_board_member_reads_the_whole_programme(demo_app) -> None:
    at = demo_app(BOARD, OVERVIEW)
    assert len(at.dataframe[0].value) == 7


def test_each_deliverable_shows_its_forecast_against_its_target(demo_app) -> None:
    frame = demo_app(BOARD, OVERVIEW).dataframe[0].value
    frame = (frame.data if hasattr(frame, "data") else frame).set_index("Ref")
    wb01 = frame.loc["WB-01"]
    assert str(wb01["Target date"]) == "2026-10-30"
    assert float(wb01["Slip (weeks)"]) > 0  # its 85% likely date is past the target
    assert (
        list(frame.columns).index("85% likely by") == list(frame.columns).index("Target date") + 1
    )


def test_supplier_sees_only_their_organisations_deliverables(demo_app) -> None:
    at = demo_app(SUPPLIER, OVERVIEW)
    frame = at.dataframe[0].value
    assert list(frame["Ref"]) == ["CTAX-02", "RB-01"]
    assert set(frame["Supplier"]) == {"Ledgerline Systems Ltd"}


def test_stage_timeline_plots_planned_and_actual_bars(demo_app) -> None:
    at = demo_app(ADMIN, OVERVIEW)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Planned", "Actual"]
    planned = figure["data"][0]
    assert "RB-01 Shared revenues and benefits platform" in planned["y"]
    assert figure["layout"]["title"]["text"].startswith("Stage timeline")
    assert figure["layout"]["xaxis"]["title"]["text"] == "Date"


def test_stage_timeline_labels_contrast_with_their_bars(demo_app) -> None:
    """Hatched planned bars are white underneath, so their labels are dark; each solid bar's
    label has at least 4.5:1 contrast with its colour (white labels on pale hatching did not)."""
    at = demo_app(OWNER, OVERVIEW)
    planned, actual = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert planned["marker"]["color"] == "#ffffff"
    assert set(planned["insidetextfont"]["color"]) == {DARK_TEXT}
    fills, labels = actual["marker"]["color"], actual["insidetextfont"]["color"]
    assert len(fills) == len(labels) > 0
    assert all(contrast(label, fill) >= 4.5 for label, fill in zip(labels, fills, strict=True))


def test_demo_mode_is_labelled(demo_app) -> None:
    at = demo_app(ADMIN)
    assert any("Demo mode" in m.value for m in at.sidebar.markdown)


def test_a_database_never_upgraded_is_one_clear_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv("TRACKER_DEMO", "1")
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets = dict(NO_AUTH_SECRETS)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "the database has no tracker tables yet: run `tracker db upgrade` (or `make run`)."
    ]
