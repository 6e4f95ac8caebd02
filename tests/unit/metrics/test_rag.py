"""Derived RAG rules on hand-built rows of measures, and the properties a board relies on."""

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.metrics.frames import FrameContractError
from tracker.metrics.rag import (
    INPUT_COLUMNS,
    OVERALL,
    RANK,
    Dimension,
    Rating,
    Thresholds,
    better_than,
    derive_checks,
    overall,
    ratings,
    rollup,
    slip_weeks,
    trend,
    worst,
)

TARGET = pd.Timestamp("2027-03-01", tz="UTC")
#: a deliverable on track in every dimension, with the RAID log installed
HEALTHY = {
    "has_issues": True,
    "target": TARGET,
    "remaining": 20.0,
    "p50": TARGET - pd.Timedelta(weeks=4),
    "p85": TARGET - pd.Timedelta(weeks=1),
    "scope_baseline": 100.0,
    "scope_now": 105.0,
    "sprints_closed": 1,
    "not_done_pct": 10.0,
    "previous_not_done_pct": 10.0,
    "completed": 10.0,
    "previous_completed": 10.0,
    "criteria": 4,
    "waiting_past_due": 0,
    "days_past_due": math.nan,
    "rejected": 0,
    "gates_blocked": 0,
    "gates_overridden": 0,
    "days_to_expiry": 200.0,
    "risks_available": True,
    "high_risks_past_review": 0,
    "escalated_issues": 0,
    "red_dependencies": 0,
}


def frame(*rows: dict) -> pd.DataFrame:
    """Rows of measures (each HEALTHY with changes), typed as the contract says."""
    records = [
        {"deliverable_id": i + 1, "ref": f"D-{i + 1}", **HEALTHY, **row}
        for i, row in enumerate(rows)
    ]
    built = pd.DataFrame(records, columns=list(INPUT_COLUMNS))
    for column, kind in INPUT_COLUMNS.items():
        if kind.startswith("datetime"):
            built[column] = pd.to_datetime(built[column], utc=True)
        else:
            built[column] = built[column].astype(kind)
    return built


def rating_of(row: dict, dimension: Dimension, thresholds: Thresholds | None = None) -> str:
    rated = ratings(frame(row), thresholds)
    return rated.set_index("dimension").loc[dimension.value, "rating"]


def reason_of(row: dict, dimension: Dimension) -> str:
    return ratings(frame(row)).set_index("dimension").loc[dimension.value, "reason"]


def test_a_healthy_deliverable_is_green_in_every_dimension() -> None:
    rated = ratings(frame({}))
    assert set(rated["rating"]) == {"green"}
    assert list(rated["dimension"]) == [d.value for d in Dimension]
    assert overall(rated)["rating"].tolist() == ["green"]


@pytest.mark.parametrize(
    ("p50_weeks", "p85_weeks", "expected"),
    [
        (-4, -1, "green"),  # 85% date a week before the target
        (-4, 0, "green"),  # 85% date on the target
        (-1, 2, "amber"),  # only the 50% date on time
        (0, 2, "amber"),  # 50% on the day
        (1, 3, "red"),  # the 50% date late
    ],
)
def test_time_by_the_forecast_against_the_target(p50_weeks, p85_weeks, expected) -> None:
    row = {
        "p50": TARGET + pd.Timedelta(weeks=p50_weeks),
        "p85": TARGET + pd.Timedelta(weeks=p85_weeks),
    }
    assert rating_of(row, Dimension.time) == expected


def test_time_shows_the_slip_in_weeks() -> None:
    row = {"p50": TARGET - pd.Timedelta(weeks=1), "p85": TARGET + pd.Timedelta(days=17)}
    assert slip_weeks(frame(row)).tolist() == [2.4]
    assert "slip +2.4 weeks" in reason_of(row, Dimension.time)
    assert "85% by 18 Mar 2027" in reason_of(row, Dimension.time)


def test_a_forecast_beyond_the_horizon_is_late() -> None:
    row = {"p50": TARGET - pd.Timedelta(weeks=1), "p85": pd.NaT}
    assert rating_of(row, Dimension.time) == "amber"


def test_all_scope_done_is_on_time_whatever_the_dates() -> None:
    row = {"remaining": 0.0, "p50": TARGET + pd.Timedelta(weeks=9), "p85": TARGET}
    assert rating_of(row, Dimension.time) == "green"


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ({"has_issues": False}, "no Jira issues synced"),
        ({"target": pd.NaT}, "no target date"),
        ({"p50": pd.NaT, "p85": pd.NaT}, "no forecast possible yet"),
    ],
)
def test_time_without_data_is_grey_not_green(row, why) -> None:
    assert rating_of(row, Dimension.time) == "no data"
    assert reason_of(row, Dimension.time) == f"no data: {why}"


@pytest.mark.parametrize(
    ("now", "expected"), [(110.0, "green"), (110.5, "amber"), (120.0, "amber"), (121.0, "red")]
)
def test_scope_growth_over_ten_percent_amber_over_twenty_red(now, expected) -> None:
    assert rating_of({"scope_now": now}, Dimension.scope) == expected


def test_scope_without_a_baseline_is_no_data() -> None:
    assert rating_of({"scope_baseline": math.nan}, Dimension.scope) == "no data"
    assert rating_of({"scope_baseline": 0.0}, Dimension.scope) == "no data"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"not_done_pct": 25.0}, "green"),
        ({"not_done_pct": 30.0, "previous_not_done_pct": 10.0}, "amber"),
        ({"not_done_pct": 51.0, "previous_not_done_pct": 0.0}, "red"),
        ({"not_done_pct": 30.0, "previous_not_done_pct": 26.0}, "red"),  # two sprints running
        ({"not_done_pct": 30.0, "previous_not_done_pct": math.nan}, "amber"),  # first sprint
        ({"completed": 7.9, "previous_completed": 10.0}, "amber"),  # velocity down 21%
        ({"completed": 8.0, "previous_completed": 10.0}, "green"),  # down exactly 20%
        ({"completed": 0.0, "previous_completed": 0.0}, "green"),  # nothing to fall from
    ],
)
def test_delivery_rules(row, expected) -> None:
    assert rating_of(row, Dimension.delivery) == expected


def test_no_sprint_in_the_period_is_no_data() -> None:
    row = {"sprints_closed": 0, "not_done_pct": math.nan}
    assert rating_of(row, Dimension.delivery) == "no data"
    assert reason_of(row, Dimension.delivery) == "no data: no sprint closed in the period"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"waiting_past_due": 1, "days_past_due": 3.0}, "amber"),
        ({"waiting_past_due": 1, "days_past_due": 14.0}, "amber"),
        ({"waiting_past_due": 2, "days_past_due": 15.0}, "red"),
        ({"rejected": 1}, "red"),
        ({"criteria": 0}, "no data"),
    ],
)
def test_acceptance_rules(row, expected) -> None:
    assert rating_of(row, Dimension.acceptance) == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"gates_blocked": 1}, "red"),
        ({"gates_overridden": 1}, "amber"),
        ({"days_to_expiry": 30.0}, "amber"),
        ({"days_to_expiry": 31.0}, "green"),
        ({"days_to_expiry": math.nan}, "green"),  # needs nothing
    ],
)
def test_assurance_rules(row, expected) -> None:
    assert rating_of(row, Dimension.assurance) == expected


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"high_risks_past_review": 1}, "amber"),
        ({"escalated_issues": 1}, "red"),
        ({"red_dependencies": 2}, "red"),
    ],
)
def test_risk_rules(row, expected) -> None:
    assert rating_of(row, Dimension.risks) == expected


def test_risks_without_the_raid_log_show_no_data_and_leave_the_overall_alone() -> None:
    rated = ratings(frame({"risks_available": False}))
    risks = rated.set_index("dimension").loc[Dimension.risks.value]
    assert (risks["rating"], bool(risks["counted"])) == ("no data", False)
    assert risks["reason"] == "no data: the RAID log is not available yet"
    assert overall(rated)["rating"].tolist() == ["green"]


def test_thresholds_change_the_colours() -> None:
    row = {"scope_now": 115.0}
    assert rating_of(row, Dimension.scope) == "amber"
    assert rating_of(row, Dimension.scope, Thresholds(scope_amber_pct=15)) == "green"
    assert rating_of(row, Dimension.scope, Thresholds(scope_red_pct=12)) == "red"


def test_each_check_says_rule_measured_threshold_and_fired() -> None:
    checks = derive_checks(frame({"scope_now": 115.0}))
    scope = checks.loc[checks["dimension"] == "Scope"]
    assert scope[["rating", "measured", "threshold", "fired"]].values.tolist() == [
        ["amber", "15% growth", "10%", True],
        ["red", "15% growth", "20%", False],
    ]
    assert reason_of({"scope_now": 115.0}, Dimension.scope) == (
        "scope grew since the baseline by more than the amber limit: 15% growth (limit 10%)"
    )


def test_overall_is_the_worst_counted_dimension_and_says_which() -> None:
    rated = ratings(frame({"rejected": 1, "scope_now": 115.0}))
    assert overall(rated).iloc[0][["rating", "reason"]].tolist() == ["red", "red: Acceptance"]


def test_no_data_beats_green_in_the_overall_but_not_amber() -> None:
    grey = ratings(frame({"criteria": 0}))
    assert overall(grey)["rating"].tolist() == ["no data"]
    amber = ratings(frame({"criteria": 0, "gates_overridden": 1}))
    assert overall(amber)["rating"].tolist() == ["amber"]


def test_programme_rollup_is_the_worst_with_counts_and_names() -> None:
    rated = ratings(frame({}, {"gates_blocked": 1}, {"gates_overridden": 1}, {"rejected": 1}))
    programme = rollup(rated).set_index("dimension")
    assert programme.loc["Assurance", "rating"] == "red"
    assert programme.loc["Assurance", "reason"] == "1 red, 1 amber, 2 green (worst: D-2)"
    assert programme.loc[OVERALL, "reason"] == "2 red, 1 amber, 1 green (worst: D-2, D-4)"
    assert list(programme.index) == [*(d.value for d in Dimension), OVERALL]


def test_declared_better_than_derived_is_flagged() -> None:
    declared = pd.Series(["green", "amber", "red", "green", None])
    derived = pd.Series(["amber", "amber", "amber", "no data", "red"])
    assert better_than(declared, derived).tolist() == [True, False, False, False, False]


def test_trend_against_the_last_period() -> None:
    before = pd.Series(["red", "green", "amber", None, "no data", "green"])
    now = pd.Series(["amber", "amber", "amber", "green", "red", "no data"])
    assert trend(before, now).tolist() == ["better", "worse", "same", "new", "new", "worse"]


def test_worst_of_nothing_is_no_data() -> None:
    assert worst([]) is Rating.no_data
    assert worst(["green", "amber"]) is Rating.amber


def test_a_frame_missing_a_measure_is_refused_by_name() -> None:
    with pytest.raises(FrameContractError, match="gates_blocked: missing"):
        ratings(frame({}).drop(columns=["gates_blocked"]))


def test_threshold_problems_are_each_named() -> None:
    bad = Thresholds(scope_amber_pct=30, scope_red_pct=20, expiry_amber_days=2.5)
    assert bad.problems() == [
        "expiry_amber_days: must be a whole number of days from 0 to 365, not 2.5",
        "scope_red_pct: must not be below scope_amber_pct (30)",
    ]
    assert Thresholds().problems() == []


# --- properties -------------------------------------------------------------------------------

#: changes that each make a rule fire red (a "red signal")
RED_SIGNALS = {
    "p50 late": {"p50": TARGET + pd.Timedelta(weeks=3), "p85": TARGET + pd.Timedelta(weeks=6)},
    "scope +25%": {"scope_now": 125.0},
    "not done 60%": {"not_done_pct": 60.0},
    "rejected": {"rejected": 1},
    "long past due": {"waiting_past_due": 1, "days_past_due": 20.0},
    "blocked": {"gates_blocked": 1},
    "escalated": {"escalated_issues": 1},
    "red dependency": {"red_dependencies": 1},
}
ANY_CHANGE = {
    **RED_SIGNALS,
    "p85 late": {"p85": TARGET + pd.Timedelta(weeks=1)},
    "no target": {"target": pd.NaT},
    "unsynced": {"has_issues": False},
    "scope +15%": {"scope_now": 115.0},
    "no sprint": {"sprints_closed": 0},
    "not done 30%": {"not_done_pct": 30.0},
    "velocity down": {"completed": 2.0},
    "no criteria": {"criteria": 0},
    "past due": {"waiting_past_due": 1, "days_past_due": 2.0},
    "overridden": {"gates_overridden": 1},
    "expiring": {"days_to_expiry": 10.0},
    "high risk": {"high_risks_past_review": 1},
    "no raid": {"risks_available": False},
}


@st.composite
def rows(draw: st.DrawFn) -> dict:
    row: dict = {}
    for name in draw(st.lists(st.sampled_from(sorted(ANY_CHANGE)), max_size=6)):
        row |= ANY_CHANGE[name]
    return row


def _ranks(rated: pd.DataFrame) -> dict[str, int]:
    by_dimension = rated.set_index("dimension")["rating"].map(RANK).to_dict()
    return by_dimension | {OVERALL: RANK[Rating(overall(rated)["rating"].iloc[0])]}


@settings(max_examples=60, deadline=None)
@given(row=rows(), signal=st.sampled_from(sorted(RED_SIGNALS)))
def test_adding_a_red_signal_never_improves_a_rating(row: dict, signal: str) -> None:
    before = _ranks(ratings(frame(row)))
    after = _ranks(ratings(frame(row | RED_SIGNALS[signal])))
    assert all(after[key] >= before[key] for key in before), (before, after)


@settings(max_examples=25, deadline=None)
@given(many=st.lists(rows(), min_size=1, max_size=5))
def test_the_same_data_gives_the_same_answer_in_any_order(many: list[dict]) -> None:
    built = frame(*many)
    first = ratings(built)
    again = ratings(built.iloc[::-1].reset_index(drop=True))
    key = ["deliverable_id", "dimension"]
    pd.testing.assert_frame_equal(
        first.sort_values(key, ignore_index=True), again.sort_values(key, ignore_index=True)
    )
    assert ratings(built).equals(first)


@settings(max_examples=40, deadline=None)
@given(row=rows())
def test_no_data_is_never_green_and_green_means_no_rule_fired(row: dict) -> None:
    rated = ratings(frame(row))
    checks = derive_checks(frame(row))
    fired = set(checks.loc[checks["fired"], "dimension"])
    for record in rated.itertuples():
        if record.reason.startswith("no data"):
            assert record.rating == "no data"
        if record.rating == "green":
            assert record.dimension not in fired


@settings(max_examples=40, deadline=None)
@given(row=rows(), declared=st.sampled_from(["red", "amber", "green"]))
def test_declared_better_is_flagged_exactly_when_the_data_says_worse(
    row: dict, declared: str
) -> None:
    derived = overall(ratings(frame(row)))["rating"]
    flagged = better_than(pd.Series([declared]), derived).iloc[0]
    derived_rating = Rating(derived.iloc[0])
    expected = (
        derived_rating in (Rating.amber, Rating.red)
        and RANK[Rating(declared)] < RANK[derived_rating]
    )
    assert flagged == expected
