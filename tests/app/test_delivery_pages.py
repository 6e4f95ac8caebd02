"""The sprint review and the burndown page, as each role sees them: figures and tables."""

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER

REVIEW = "pages/delivery/sprint_review.py"
BURNDOWN = "pages/delivery/burndown.py"
STAFF = [ADMIN, OWNER, BOARD]
RB_SPRINT_14 = 7  # the review's sprints run newest first: RB Sprint 21 (active) down to 14


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace(figure: dict, name: str) -> dict:
    return next(t for t in figure["data"] if t["name"] == name)


def values(array: list | dict) -> list:
    """A trace's numbers: plotly sends numpy arrays base64-encoded as {"dtype", "bdata"}."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), array["dtype"]).tolist()
    return array


def ys(figure: dict, name: str) -> list:
    return values(trace(figure, name)["y"])


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The one table on the page with this column."""
    [found] = [frame.value for frame in at.dataframe if column in frame.value.columns]
    return found


def outcome_tables(at: AppTest) -> dict[str, pd.DataFrame]:
    """The review's issue tables by their outcome: each follows its bold label."""
    labels = [
        m.value.split("**")[1]
        for m in at.markdown
        if m.value.startswith("**") and "issue" in m.value
    ]
    frames = [f.value for f in at.dataframe if "Added during the sprint" in f.value.columns]
    return dict(zip(labels, frames, strict=True))


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def review_board_sprint(at: AppTest, board: str, sprint_index: int) -> AppTest:
    at.radio(key="review_by").set_value("Board").run()
    boards = at.selectbox(key="review_board")
    boards.select_index(next(i for i, o in enumerate(boards.options) if o.startswith(board))).run()
    at.selectbox(key="review_sprint").select_index(sprint_index).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("email", "ref", "heading"),
    [
        (
            ADMIN,
            "ASC-01",
            "ASC Sprint 27: ASC-01's issues on ASC Referrals (board 10 on westbridge)",
        ),
        (
            BOARD,
            "ASC-01",
            "ASC Sprint 27: ASC-01's issues on ASC Referrals (board 10 on westbridge)",
        ),
        # a project owner starts from their own council's deliverable
        (OWNER, "RB-01", "RB Sprint 20: RB-01's issues on RB Scrum (board 1 on northmoor)"),
    ],
)
def test_staff_review_a_deliverable_with_engagement_and_criteria(
    demo_app, email, ref, heading
) -> None:
    at = demo_app(email, REVIEW)
    assert at.title[0].value == "Sprint review"
    assert at.selectbox(key="review_deliverable").value is not None
    headings = [h.value for h in at.subheader]
    assert headings[0] == heading
    assert f"Who to engage now: {ref} at Beta" in headings
    assert f"Acceptance criteria of {ref}" in headings
    assert any(m.value.startswith("**Sprint goal:**") for m in at.markdown)
    [burndown] = figures(at)
    assert burndown["layout"]["title"]["text"] == f"{heading.split(':')[0]} burndown"
    committed = metrics(at)["Committed"].split(" points")[0]
    assert ys(burndown, "Remaining work")[0] == float(committed)


def test_rb_sprint_14_review_by_board(demo_app) -> None:
    at = review_board_sprint(demo_app(ADMIN, REVIEW), "RB Scrum", RB_SPRINT_14)

    assert at.subheader[0].value == "RB Sprint 14: RB Scrum (board 1 on northmoor)"
    assert metrics(at) == {
        "Committed": "18 points, 6 issues",
        "Completed": "4 points, 2 issues",
        "Added": "4 points, 3 issues",
        "Removed": "5 points, 1 issue",
        "Not completed": "14 points, 5 issues",
    }
    labels = [m.value for m in at.markdown]
    assert "**Removed from the sprint**: 1 issue, 5 points" in labels
    assert "**Completed outside this sprint**: 1 issue, none points" not in labels
    tables = outcome_tables(at)
    assert list(tables) == [
        "Completed",
        "Not completed",
        "Removed from the sprint",
        "Completed outside this sprint",
    ]
    removed = tables["Removed from the sprint"]
    assert list(removed["Key"]) == ["https://northmoor-shared.atlassian.net/browse/RB-12"]
    assert list(removed["Added during the sprint"]) == ["No"]
    assert len(tables["Completed"]) == 2
    # every issue not completed in RB Sprint 14 was finished later: the review says so
    assert (
        "**Not completed**: 5 issues, 14 points; 5 of them done since the sprint closed" in labels
    )
    assert (
        tables["Not completed"]["Status now"].str.endswith("(done after the sprint closed)").all()
    )

    carried = table(at, "Moved at the close to")
    assert dict(
        zip(
            carried["Key"].str.rsplit("/", n=1).str[-1],
            carried["Moved at the close to"],
            strict=True,
        )
    ) == {
        "RB-10": "backlog",
        "RB-21": "backlog",
        "RB-39": "RB Sprint 15",
        "RB-4": "RB Sprint 15",
        "RB-5": "RB Sprint 15",
    }

    [burndown] = figures(at)
    assert ys(burndown, "Remaining work")[0] == 18
    assert ys(burndown, "Guideline")[0] == 18 and ys(burndown, "Guideline")[-1] == 0
    removals = trace(burndown, "Removed from the sprint")
    assert "RB-12 removed from the sprint: scope −5" in removals["text"]
    assert "RB-15 added to the sprint: scope +1" in trace(burndown, "Added to the sprint")["text"]
    assert burndown["layout"]["xaxis"]["title"]["text"] == "Date"
    assert burndown["layout"]["yaxis"]["title"]["text"] == "Remaining work (points)"
    steps = table(at, "Explanation")
    assert len(steps) == len(ys(burndown, "Remaining work"))
    assert "RB-12 removed from the sprint: scope −5" in set(steps["Explanation"])

    choices = "\n".join(labels)
    assert "sub-tasks are left out, as in Jira" in choices
    assert "issues already done when the sprint started are left out of committed" in choices
    downloads = {b.proto.label for b in at.get("download_button")}
    assert {"Download the sprint's issues (CSV)", "Download the sprint's totals (CSV)"} <= downloads
    assert "Review a deliverable instead of a board" in at.caption[-1].value


def test_review_options_are_applied(demo_app) -> None:
    at = review_board_sprint(demo_app(ADMIN, REVIEW), "RB Scrum", RB_SPRINT_14)
    at.checkbox(key="review_subtasks").check().run()
    assert metrics(at)["Committed"].startswith("21 points")
    assert any("sub-task estimates are added to their parent's" in m.value for m in at.markdown)
    at.radio(key="review_done_at_start").set_value("include").run()
    assert any(
        "issues already done when the sprint started are counted in committed" in m.value
        for m in at.markdown
    )


def test_supplier_reviews_only_their_own_deliverables(demo_app) -> None:
    at = demo_app(SUPPLIER, REVIEW)
    assert "review_by" not in [r.key for r in at.radio]  # no whole-board review for suppliers
    deliverables = at.selectbox(key="review_deliverable")
    assert deliverables.options == [
        "CTAX-02 Council tax e-billing",
        "RB-01 Shared revenues and benefits platform",
    ]
    deliverables.select_index(1).run()
    assert at.subheader[0].value == (
        "RB Sprint 20: RB-01's issues on RB Scrum (board 1 on northmoor)"
    )
    [burndown] = figures(at)
    assert burndown["layout"]["title"]["text"] == "RB Sprint 20 burndown"
    assert "Who to engage now: RB-01 at Beta" in [h.value for h in at.subheader]
    keys = {
        url.rsplit("/", 1)[-1]
        for frame in at.dataframe
        if "Key" in frame.value.columns
        for url in frame.value["Key"]
    }
    assert keys and all(key.startswith("RB-") for key in keys)


def test_supplier_cannot_open_the_burndown_page(demo_app) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        demo_app(SUPPLIER, BURNDOWN)


@pytest.mark.parametrize("email", STAFF)
def test_burndown_velocity_and_programme_burnup(demo_app, email) -> None:
    at = demo_app(email, BURNDOWN)
    assert at.title[0].value == "Burndown and progress"
    assert [h.value for h in at.header] == [
        "Sprint burndown",
        "Velocity",
        "Programme burnup and forecast: Marshland Shared Services Partnership",
    ]
    burndown, velocity, programme = figures(at)

    assert burndown["layout"]["title"]["text"] == "RB Sprint 21 burndown"  # the running sprint
    # a running sprint says what is left, how long remains and whether that is on track
    standing = [m.value for m in [*at.success, *at.warning] if "to the planned end" in m.value]
    assert len(standing) == 1 and re.search(
        r"^\d+(\.\d+)? of \d+(\.\d+)? points left with \d+ days? \(\d+ working\)", standing[0]
    )
    assert standing[0].endswith(("on track.", "more left than planned."))
    assert {"Guideline", "Remaining work"} <= {t["name"] for t in burndown["data"]}

    assert velocity["layout"]["title"]["text"] == "RB Scrum velocity: committed and completed"
    committed, completed = trace(velocity, "Committed"), trace(velocity, "Completed")
    assert committed["x"] == [f"RB Sprint {n}" for n in range(14, 21)]
    assert values(committed["y"])[:3] == [18, 16, 28] and values(completed["y"])[:3] == [4, 12, 19]
    rows = table(at, "Completed (points)")
    assert list(rows["Completed (points)"]) == values(completed["y"])
    assert list(rows["Completed (issues)"])[:3] == [2, 5, 6]
    assert "Not completed (issues)" in rows.columns
    assert velocity["layout"]["yaxis"]["title"]["text"] == "Estimate (points)"

    assert programme["layout"]["title"]["text"] == "Burnup of the whole programme"
    assert programme["layout"]["yaxis"]["title"]["text"] == "Issues"
    marks = trace(programme, "Forecast completion")["text"]
    assert [label.split("%")[0] for label in marks] == ["50", "85", "95"]
    forecasts = table(at, "50% likely by")
    assert list(forecasts.iloc[:, 0]) == [
        "Whole programme", "ASC-01", "CC-01", "CTAX-02", "MB-01", "RB-01", "WA-01", "WB-01"
    ]  # fmt: skip
    whole = forecasts.iloc[0]
    assert whole["Done"] == str(int(ys(programme, "Done")[-1]))
    assert marks[0].endswith(whole["50% likely by"])


def test_burndown_page_by_points_and_per_deliverable(demo_app) -> None:
    at = demo_app(BOARD, BURNDOWN)
    at.radio(key="burnup_measure").set_value("points").run()
    at.selectbox(key="burnup_of").set_value("RB-01").run()
    programme = figures(at)[2]
    assert programme["layout"]["title"]["text"] == "Burnup of RB-01"
    assert programme["layout"]["yaxis"]["title"]["text"] == "Estimate (points)"
    burnup = table(at, "Day")
    assert list(burnup.columns) == ["Day", "Scope (points)", "Done (points)"]
    assert burnup["Done (points)"].iloc[-1] == f"{ys(programme, 'Done')[-1]:g}"


def test_burndown_page_follows_another_board_and_closed_sprint(demo_app) -> None:
    at = demo_app(OWNER, BURNDOWN)
    boards = at.selectbox(key="burndown_board")
    boards.select_index(next(i for i, o in enumerate(boards.options) if o.startswith("RB"))).run()
    at.selectbox(key="burndown_sprint").select_index(RB_SPRINT_14).run()
    burndown = figures(at)[0]
    assert burndown["layout"]["title"]["text"] == "RB Sprint 14 burndown"
    assert ys(burndown, "Remaining work")[-1] == 14
    assert "Reopened" in {t["name"] for t in burndown["data"]}


def shown(box) -> str:
    """What a selectbox shows: the label of its current option."""
    return box.options[box.index]


def choose(box, prefix: str):
    """Choose the option whose label starts with `prefix`."""
    return box.select_index(next(i for i, o in enumerate(box.options) if o.startswith(prefix)))


def test_review_sprint_picker_follows_a_new_deliverable(demo_app) -> None:
    at = demo_app(ADMIN, REVIEW)
    at.selectbox(key="review_sprint").select_index(3).run()
    assert at.subheader[0].value.startswith("ASC Sprint 25:")
    choose(at.selectbox(key="review_deliverable"), "RB-01").run()
    # the new deliverable's latest closed sprint, named alike in the box and the heading
    assert shown(at.selectbox(key="review_sprint")).startswith("RB Sprint 20 (closed")
    assert at.subheader[0].value.startswith("RB Sprint 20:")
    # the options are the sprints themselves (Jira's ids), not list positions
    assert at.selectbox(key="review_sprint").value == 82


def test_burndown_sprint_picker_follows_a_new_board(demo_app) -> None:
    at = demo_app(OWNER, BURNDOWN)
    choose(at.selectbox(key="burndown_board"), "RB").run()
    at.selectbox(key="burndown_sprint").select_index(RB_SPRINT_14).run()
    assert figures(at)[0]["layout"]["title"]["text"] == "RB Sprint 14 burndown"
    choose(at.selectbox(key="burndown_board"), "ASC").run()
    assert shown(at.selectbox(key="burndown_sprint")).startswith("ASC Sprint 28 (active")
    assert figures(at)[0]["layout"]["title"]["text"] == "ASC Sprint 28 burndown"


def test_a_future_sprint_is_listed_as_not_started_with_no_report(demo_app) -> None:
    at = demo_app(ADMIN, REVIEW)
    at.radio(key="review_by").set_value("Board").run()
    boards = at.selectbox(key="review_board")
    boards.select_index(next(i for i, o in enumerate(boards.options) if o.startswith("RB"))).run()
    sprints = at.selectbox(key="review_sprint")
    assert sprints.options[-1] == "RB Sprint 22 (future, not started)"

    sprints.set_value(86).run()

    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [
        "RB Sprint 22 has not started: it is a future sprint, and Jira gives a sprint report "
        "once it starts"
    ]
    assert not at.metric and not at.get("plotly_chart")
