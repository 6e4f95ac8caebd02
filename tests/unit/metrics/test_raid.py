"""RAID and dependency figures on hand-built frames: no database."""

from datetime import date

import pandas as pd

from tracker.metrics.dependencies import health, in_cycle, organisation_matrix, strongly_connected
from tracker.metrics.raid import attention, heatmap_counts, score

TODAY = date(2026, 12, 1)


def register(*rows: tuple) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["kind", "status", "likelihood", "impact", "review_date", "escalation"]
    )
    frame["review_date"] = pd.to_datetime(frame["review_date"]).dt.date
    return frame


def test_score_is_the_product_and_empty_without_both() -> None:
    got = score(pd.Series([4, 5, None]), pd.Series([5, None, 2]))
    assert got.tolist()[0] == 20 and got.isna().tolist() == [False, True, True]


def test_heatmap_cells_add_up_to_the_open_risks() -> None:
    frame = register(
        ("risk", "open", 4, 5, None, "none"),
        ("risk", "open", 4, 5, None, "none"),
        ("risk", "open", 1, 1, None, "none"),
        ("risk", "closed", 3, 3, None, "none"),
        ("issue", "open", None, None, None, "none"),
    )
    grid = heatmap_counts(frame)
    assert grid.loc[4, 5] == 2 and grid.loc[1, 1] == 1 and grid.loc[3, 3] == 0
    assert int(grid.to_numpy().sum()) == 3
    assert grid.shape == (5, 5)


def test_attention_only_for_open_items_with_reasons_in_words() -> None:
    frame = attention(
        register(
            ("risk", "open", 3, 5, "2026-11-30", "programme board"),
            ("risk", "closed", 5, 5, "2026-11-01", "joint committee"),
            ("issue", "open", None, None, "2026-12-01", "none"),
        ),
        TODAY,
    )
    assert frame["needs_attention"].tolist() == [True, False, False]
    assert frame["attention"].tolist()[0] == (
        "escalated to programme board; score 15; review overdue since 30 Nov 2026"
    )
    assert frame["attention"].tolist()[1:] == ["", ""]


def dependencies(*rows: tuple) -> pd.DataFrame:
    columns = ["consumer", "provider", "needed_by", "expected_by", "same_sprint", "known", "done"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["needed_by"] = pd.to_datetime(frame["needed_by"])
    frame["expected_by"] = pd.to_datetime(frame["expected_by"])
    return frame


def test_health_rules_worst_first() -> None:
    rated = health(
        dependencies(
            ("A", "B", "2027-01-10", "2027-01-20", False, True, False),  # late
            ("A", "C", "2027-01-10", "2027-01-05", False, True, False),  # earlier
            ("A", "D", "2027-01-10", "2027-01-10", True, True, False),  # same sprint
            ("A", "E", "2027-01-10", None, False, True, False),  # no date
            ("A", "F", None, None, False, False, False),  # not synced
            ("A", "G", "2027-01-10", "2027-02-01", False, True, True),  # done
            ("A", "H", "2027-01-10", "2027-01-10", False, True, False),  # the same day
        )
    )
    assert rated["health"].tolist() == ["red", "green", "amber", "amber", "unknown", "amber"]
    assert rated["why"].tolist()[3] == "the provider has no date"


def test_cycles_are_found_whatever_their_length() -> None:
    frame = dependencies(
        ("A", "B", None, None, False, True, False),
        ("B", "A", None, None, False, True, False),
        ("C", "D", None, None, False, True, False),
        ("D", "E", None, None, False, True, False),
        ("E", "C", None, None, False, True, False),
        ("E", "F", None, None, False, True, False),
        ("G", "G", None, None, False, True, False),
    )
    assert in_cycle(frame).tolist() == [True, True, True, True, True, False, True]
    groups = strongly_connected([("A", "B"), ("B", "A"), ("B", "C")])
    assert groups[0] == {"A", "B"}


def test_matrix_cell_is_the_worst_between_two_organisations() -> None:
    rated = pd.DataFrame(
        {
            "consumer_org": ["North", "North", "South"],
            "provider_org": ["East", "East", "North"],
            "health": ["green", "red", "unknown"],
        }
    )
    matrix = organisation_matrix(rated)
    assert matrix.loc["North", "East"] == "red" and matrix.loc["South", "North"] == "unknown"
    assert pd.isna(matrix.loc["South", "East"])
