"""The board's acceptance roll-up, on hand-built criteria."""

from datetime import date

import pandas as pd

from tracker.metrics.acceptance import acceptance_summary, acceptance_totals, overdue

TODAY = date(2026, 11, 29)
DELIVERABLES = pd.DataFrame({"ref": ["A", "B", "C"], "title": ["Alpha", "Beta", "Gamma"]})
CRITERIA = pd.DataFrame(
    [
        ("A", "draft", None),
        ("A", "sent to supplier", date(2026, 11, 1)),  # overdue
        ("A", "confirmed", date(2026, 12, 1)),
        ("A", "accepted", date(2026, 1, 1)),  # past due but accepted: not overdue
        ("B", "queried", date(2026, 11, 28)),  # overdue
        ("B", "rejected", None),
        ("B", "evidence submitted", TODAY),  # due today: not yet overdue
    ],
    columns=["deliverable", "status", "due"],
)


def test_summary_counts_and_percentages_per_deliverable() -> None:
    summary = acceptance_summary(DELIVERABLES, CRITERIA, TODAY).set_index("deliverable")
    assert summary.loc["A", ["criteria", "confirmed", "accepted", "overdue"]].tolist() == [
        4, 2, 1, 1,
    ]  # fmt: skip
    assert summary.loc["A", "confirmed_pct"] == 50
    assert summary.loc["A", "accepted_pct"] == 25
    assert summary.loc["B", ["confirmed", "queried", "rejected", "overdue"]].tolist() == [
        2, 1, 1, 1,
    ]  # fmt: skip
    assert summary.loc["B", "confirmed_pct"] == 67


def test_a_deliverable_without_criteria_shows_zero_and_no_percentage() -> None:
    summary = acceptance_summary(DELIVERABLES, CRITERIA, TODAY).set_index("deliverable")
    assert summary.loc["C", "criteria"] == 0
    assert pd.isna(summary.loc["C", "confirmed_pct"])


def test_totals_over_the_programme() -> None:
    totals = acceptance_totals(acceptance_summary(DELIVERABLES, CRITERIA, TODAY))
    assert totals == {
        "criteria": 7,
        "confirmed": 4,
        "accepted": 1,
        "queried": 1,
        "rejected": 1,
        "overdue": 2,
        "confirmed_pct": 57,
        "accepted_pct": 14,
    }
    empty = acceptance_summary(DELIVERABLES, CRITERIA.iloc[0:0], TODAY)
    assert acceptance_totals(empty)["confirmed_pct"] is None


def test_overdue_ignores_missing_dates() -> None:
    due = pd.Series([None, date(2026, 1, 1), date(2027, 1, 1)])
    status = pd.Series(["sent to supplier"] * 3)
    assert overdue(due, status, TODAY).tolist() == [False, True, False]
