"""Derived RAG ratings for the programme board: pure rules over one row of measures per deliverable.

A board asks "are we on track, and why?". A declared RAG answers the first half only; these rules
derive one rating per dimension from the delivery data and say which rule fired, on what measured
value, against which threshold. They are advisory: they never overwrite the declared RAG, and
where the declaration is better than the data the pack says so.

Ratings order green < no data < amber < red. "No data" is never green: a deliverable nobody has
synced is not on track by default, and it sits below amber so a real warning still shows. A
dimension whose input is not installed (`counted` False) is shown but left out of the overall.
"""

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import ClassVar

import numpy as np
import pandas as pd

from tracker.metrics.frames import validate


class Rating(StrEnum):
    green = "green"
    no_data = "no data"
    amber = "amber"
    red = "red"


RANK = {Rating.green: 0, Rating.no_data: 1, Rating.amber: 2, Rating.red: 3}
BY_RANK = {rank: rating for rating, rank in RANK.items()}


class Dimension(StrEnum):
    time = "Time"
    scope = "Scope"
    delivery = "Delivery"
    acceptance = "Acceptance"
    assurance = "Assurance"
    risks = "Risks and dependencies"


OVERALL = "Overall"

INPUT_COLUMNS = {
    "deliverable_id": "int64",
    "ref": "str",
    #: any Jira issue mapped to the deliverable: false means it was never synced
    "has_issues": "bool",
    "target": "datetime64[UTC]",
    "remaining": "float64",
    "p50": "datetime64[UTC]",
    "p85": "datetime64[UTC]",
    "scope_baseline": "float64",
    "scope_now": "float64",
    #: sprints of the deliverable's boards closed in the period with work of it committed
    "sprints_closed": "int64",
    #: % of committed work not completed in the last closed sprint, and in the one before it
    "not_done_pct": "float64",
    "previous_not_done_pct": "float64",
    #: work completed in the last closed sprint, and the mean of the three before it
    "completed": "float64",
    "previous_completed": "float64",
    "criteria": "int64",
    "waiting_past_due": "int64",
    "days_past_due": "float64",
    "rejected": "int64",
    "gates_blocked": "int64",
    "gates_overridden": "int64",
    #: days to the soonest expiry of an accreditation its data needs; NaN for none
    "days_to_expiry": "float64",
    "risks_available": "bool",
    "high_risks_past_review": "int64",
    "escalated_issues": "int64",
    "red_dependencies": "int64",
}
"""One row per deliverable. Counts of work are in issues, the measure that compares across
councils' boards; percentages are 0-100."""


@dataclass(frozen=True)
class Thresholds:
    """The rules' limits; an admin sets them per programme and the pack shows them."""

    scope_amber_pct: float = 10
    scope_red_pct: float = 20
    delivery_amber_pct: float = 25
    delivery_red_pct: float = 50
    velocity_drop_pct: float = 20
    acceptance_red_days: int = 14
    expiry_amber_days: int = 30

    MEANINGS: ClassVar[dict[str, str]] = {
        "scope_amber_pct": "Scope: growth since the baseline (%) above which it is amber",
        "scope_red_pct": "Scope: growth since the baseline (%) above which it is red",
        "delivery_amber_pct": "Delivery: committed work not completed (%) above which it is amber",
        "delivery_red_pct": "Delivery: committed work not completed (%) above which it is red",
        "velocity_drop_pct": "Delivery: fall in work completed on the previous three sprints (%)"
        " above which it is amber",
        "acceptance_red_days": "Acceptance: days a criterion waits on the supplier past its due"
        " date before it is red",
        "expiry_amber_days": "Assurance: days before an accreditation expires when it is amber",
    }

    def problems(self) -> list[str]:
        """Every limit that makes no sense, each naming its field. Scope may grow past 100%;
        a share of committed work or a fall in velocity may not."""
        ceilings = {"scope_amber_pct": 1000, "scope_red_pct": 1000}
        found = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_pct") and not 0 <= value <= ceilings.get(f.name, 100):
                top = ceilings.get(f.name, 100)
                found.append(f"{f.name}: must be a number from 0 to {top}, not {value!r}")
            if f.name.endswith("_days") and not (float(value).is_integer() and 0 <= value <= 365):
                found.append(
                    f"{f.name}: must be a whole number of days from 0 to 365, not {value!r}"
                )
        for name in ("scope", "delivery"):
            amber, red = getattr(self, f"{name}_amber_pct"), getattr(self, f"{name}_red_pct")
            if amber > red:
                found.append(f"{name}_red_pct: must not be below {name}_amber_pct ({amber:g})")
        return found

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


RATING_COLUMNS = ["deliverable_id", "ref", "dimension", "rating", "reason", "counted"]


@dataclass(frozen=True)
class _Check:
    dimension: Dimension
    rule: str
    rating: Rating
    measured: Callable[[pd.DataFrame], pd.Series]
    threshold: Callable[[Thresholds], str]
    fired: Callable[[pd.DataFrame, Thresholds], pd.Series]


def _day(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%d %b %Y").fillna("no date")


def slip_weeks(inputs: pd.DataFrame) -> pd.Series:
    """Weeks by which the 85% likely date passes the target (negative: ahead); NaN without both."""
    return ((inputs["p85"] - inputs["target"]).dt.days / 7).round(1)


def _slip_text(inputs: pd.DataFrame) -> pd.Series:
    slip = slip_weeks(inputs)
    text = slip.map(lambda w: f"slip {w:+.1f} weeks" if pd.notna(w) else "beyond the horizon")
    dates = "85% by " + _day(inputs["p85"]) + ", 50% by " + _day(inputs["p50"])
    return (dates + " (" + text + ")").mask(inputs["remaining"] <= 0, "all scope done")


def _pct(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "none" if pd.isna(v) else f"{v:.0f}%")


def _growth(inputs: pd.DataFrame) -> pd.Series:
    return 100 * (inputs["scope_now"] - inputs["scope_baseline"]) / inputs["scope_baseline"]


def _counted(column: str, noun: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: f[column].astype("int64").astype("str") + f" {noun}"


def _late(column: str) -> Callable[[pd.DataFrame, Thresholds], pd.Series]:
    """The forecast date is after the target, or beyond the forecast's horizon; never when all
    the scope is done."""
    return lambda f, t: (f[column].isna() | (f[column] > f["target"])) & (f["remaining"] > 0)


CHECKS: tuple[_Check, ...] = (
    _Check(
        Dimension.time,
        "the 85% likely date is after the target date",
        Rating.amber,
        _slip_text,
        lambda t: "on or before the target date",
        _late("p85"),
    ),
    _Check(
        Dimension.time,
        "the 50% likely date is after the target date",
        Rating.red,
        _slip_text,
        lambda t: "on or before the target date",
        _late("p50"),
    ),
    _Check(
        Dimension.scope,
        "scope grew since the baseline by more than the amber limit",
        Rating.amber,
        lambda f: _pct(_growth(f)) + " growth",
        lambda t: f"{t.scope_amber_pct:g}%",
        lambda f, t: _growth(f) > t.scope_amber_pct,
    ),
    _Check(
        Dimension.scope,
        "scope grew since the baseline by more than the red limit",
        Rating.red,
        lambda f: _pct(_growth(f)) + " growth",
        lambda t: f"{t.scope_red_pct:g}%",
        lambda f, t: _growth(f) > t.scope_red_pct,
    ),
    _Check(
        Dimension.delivery,
        "committed work not completed in the last closed sprint",
        Rating.amber,
        lambda f: _pct(f["not_done_pct"]) + " not completed",
        lambda t: f"{t.delivery_amber_pct:g}%",
        lambda f, t: f["not_done_pct"] > t.delivery_amber_pct,
    ),
    _Check(
        Dimension.delivery,
        "committed work not completed in the last closed sprint",
        Rating.red,
        lambda f: _pct(f["not_done_pct"]) + " not completed",
        lambda t: f"{t.delivery_red_pct:g}%",
        lambda f, t: f["not_done_pct"] > t.delivery_red_pct,
    ),
    _Check(
        Dimension.delivery,
        "committed work not completed, two sprints running",
        Rating.red,
        lambda f: _pct(f["not_done_pct"]) + " and " + _pct(f["previous_not_done_pct"]),
        lambda t: f"{t.delivery_amber_pct:g}% in both",
        lambda f, t: (
            (f["not_done_pct"] > t.delivery_amber_pct)
            & (f["previous_not_done_pct"] > t.delivery_amber_pct)
        ),
    ),
    _Check(
        Dimension.delivery,
        "work completed fell on the mean of the previous three sprints",
        Rating.amber,
        lambda f: (
            f["completed"].map(lambda v: "none" if pd.isna(v) else f"{v:g}")
            + " against "
            + f["previous_completed"].map(lambda v: "none" if pd.isna(v) else f"{v:.1f}")
        ),
        lambda t: f"a fall of more than {t.velocity_drop_pct:g}%",
        lambda f, t: (
            (f["previous_completed"] > 0)
            & (f["completed"] < f["previous_completed"] * (1 - t.velocity_drop_pct / 100))
        ),
    ),
    _Check(
        Dimension.acceptance,
        "criteria waiting on the supplier past their due date",
        Rating.amber,
        _counted("waiting_past_due", "past due"),
        lambda t: "none",
        lambda f, t: f["waiting_past_due"] > 0,
    ),
    _Check(
        Dimension.acceptance,
        "a criterion waiting on the supplier long past its due date",
        Rating.red,
        lambda f: f["days_past_due"].map(lambda d: "none" if pd.isna(d) else f"{d:.0f} days"),
        lambda t: f"{t.acceptance_red_days} days",
        lambda f, t: f["days_past_due"] > t.acceptance_red_days,
    ),
    _Check(
        Dimension.acceptance,
        "a rejected criterion",
        Rating.red,
        _counted("rejected", "rejected"),
        lambda t: "none",
        lambda f, t: f["rejected"] > 0,
    ),
    _Check(
        Dimension.assurance,
        "a blocked assurance gate",
        Rating.red,
        _counted("gates_blocked", "blocked"),
        lambda t: "none",
        lambda f, t: f["gates_blocked"] > 0,
    ),
    _Check(
        Dimension.assurance,
        "an overridden assurance gate",
        Rating.amber,
        _counted("gates_overridden", "overridden"),
        lambda t: "none",
        lambda f, t: f["gates_overridden"] > 0,
    ),
    _Check(
        Dimension.assurance,
        "an accreditation its data needs expires soon",
        Rating.amber,
        lambda f: f["days_to_expiry"].map(lambda d: "none" if pd.isna(d) else f"{d:.0f} days"),
        lambda t: f"{t.expiry_amber_days} days",
        lambda f, t: f["days_to_expiry"] <= t.expiry_amber_days,
    ),
    _Check(
        Dimension.risks,
        "a high risk past its review date",
        Rating.amber,
        _counted("high_risks_past_review", "past review"),
        lambda t: "none",
        lambda f, t: f["high_risks_past_review"] > 0,
    ),
    _Check(
        Dimension.risks,
        "an open escalated issue",
        Rating.red,
        _counted("escalated_issues", "open"),
        lambda t: "none",
        lambda f, t: f["escalated_issues"] > 0,
    ),
    _Check(
        Dimension.risks,
        "a red dependency",
        Rating.red,
        _counted("red_dependencies", "red"),
        lambda t: "none",
        lambda f, t: f["red_dependencies"] > 0,
    ),
)


def _no_data(inputs: pd.DataFrame) -> dict[Dimension, pd.Series]:
    """Why each dimension has no data, per deliverable ("" where it has data). Checked in order,
    so the first reason given is the most basic one."""
    unsynced = ~inputs["has_issues"]

    def first(*cases: tuple[pd.Series, str]) -> pd.Series:
        conditions = [np.asarray(c, dtype=bool) for c, _ in cases]
        return pd.Series(
            np.select(conditions, [why for _, why in cases], default=""), index=inputs.index
        )

    return {
        Dimension.time: first(
            (unsynced, "no Jira issues synced"),
            (inputs["target"].isna(), "no target date"),
            ((inputs["remaining"] > 0) & inputs["p50"].isna(), "no forecast possible yet"),
        ),
        Dimension.scope: first(
            (unsynced, "no Jira issues synced"),
            (~(inputs["scope_baseline"] > 0), "no scope at the baseline"),
        ),
        Dimension.delivery: first(
            (unsynced, "no Jira issues synced"),
            (inputs["sprints_closed"] == 0, "no sprint closed in the period"),
        ),
        Dimension.acceptance: first((inputs["criteria"] == 0, "no acceptance criteria recorded")),
        Dimension.assurance: first((pd.Series(False, index=inputs.index), "")),
        Dimension.risks: first(
            (~inputs["risks_available"], "the RAID log is not available yet"),
        ),
    }


def derive_checks(inputs: pd.DataFrame, thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Every rule checked for every deliverable: the rule, the rating it gives, the measured
    value, the threshold and whether it fired (never where the dimension has no data)."""
    validate(inputs, INPUT_COLUMNS, "rating inputs")
    thresholds = thresholds or Thresholds()
    has_data = {d: (why == "").to_numpy() for d, why in _no_data(inputs).items()}
    n = len(inputs)
    fired = [
        check.fired(inputs, thresholds).fillna(False).to_numpy(dtype=bool)
        & has_data[check.dimension]
        for check in CHECKS
    ]
    measured = [
        np.where(
            has_data[check.dimension], check.measured(inputs).to_numpy(dtype=object), "no data"
        )
        for check in CHECKS
    ]
    return pd.DataFrame(
        {
            "deliverable_id": np.tile(inputs["deliverable_id"].to_numpy(), len(CHECKS)),
            "ref": np.tile(inputs["ref"].to_numpy(dtype=object), len(CHECKS)),
            "dimension": np.repeat([c.dimension.value for c in CHECKS], n).astype(object),
            "rule": np.repeat([c.rule for c in CHECKS], n).astype(object),
            "rating": np.repeat([c.rating.value for c in CHECKS], n).astype(object),
            "measured": np.concatenate(measured) if n else np.array([], dtype=object),
            "threshold": np.repeat([c.threshold(thresholds) for c in CHECKS], n).astype(object),
            "fired": np.concatenate(fired) if n else np.array([], dtype=bool),
        }
    )


def ratings(
    inputs: pd.DataFrame, thresholds: Thresholds | None = None, checks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per deliverable and dimension: the rating (the worst rule that fired, green when
    none did, "no data" when the data is missing), the reason in words, and whether it counts
    towards the overall. `checks` is derive_checks' result when the caller has it already."""
    checks = derive_checks(inputs, thresholds) if checks is None else checks
    fired = checks.loc[checks["fired"].to_numpy()]
    top = (
        fired.assign(rank=fired["rating"].map(RANK))
        .sort_values("rank", kind="stable")
        .drop_duplicates(["deliverable_id", "dimension"], keep="last")
        .set_index(["deliverable_id", "dimension"])
    )
    missing = _no_data(inputs)
    n, dimensions = len(inputs), list(Dimension)
    ids = np.tile(inputs["deliverable_id"].to_numpy(), len(dimensions))
    names = np.repeat([d.value for d in dimensions], n).astype(object)
    why = np.concatenate([missing[d].to_numpy(dtype=object) for d in dimensions]) if n else []
    counted = np.concatenate(
        [
            np.full(n, True) if d is not Dimension.risks else inputs["risks_available"].to_numpy()
            for d in dimensions
        ]
    )
    found = top.reindex(pd.MultiIndex.from_arrays([ids, names]))
    no_data = np.asarray(why, dtype=object) != ""
    because = found["rule"] + ": " + found["measured"] + " (limit " + found["threshold"] + ")"
    return pd.DataFrame(
        {
            "deliverable_id": ids,
            "ref": np.tile(inputs["ref"].to_numpy(dtype=object), len(dimensions)),
            "dimension": names,
            "rating": np.where(
                no_data,
                Rating.no_data.value,
                found["rating"].fillna(Rating.green.value).to_numpy(dtype=object),
            ),
            "reason": np.where(
                no_data,
                "no data: " + np.asarray(why, dtype=object),
                because.fillna("no rule fired").to_numpy(dtype=object),
            ),
            "counted": counted.astype(bool),
        },
        columns=RATING_COLUMNS,
    )


def worst(values: Iterable[str]) -> Rating:
    """The worst of some ratings; no ratings at all is no data, never green."""
    ranks = [RANK[Rating(v)] for v in values]
    return BY_RANK[max(ranks)] if ranks else Rating.no_data


def overall(rated: pd.DataFrame) -> pd.DataFrame:
    """Per deliverable: the worst of its counted dimensions, and which dimensions gave it."""
    counted = rated.loc[rated["counted"].to_numpy(dtype=bool)]
    rank = counted["rating"].map(RANK)
    top = counted.loc[(rank == rank.groupby(counted["deliverable_id"]).transform("max")).to_numpy()]
    found = top.groupby(["deliverable_id", "ref"], sort=False).agg(
        rating=("rating", "first"), which=("dimension", ", ".join)
    )
    found["reason"] = found["rating"] + ": " + found["which"]
    return found.reset_index()[["deliverable_id", "ref", "rating", "reason"]]


def rollup(rated: pd.DataFrame, whole: pd.DataFrame | None = None) -> pd.DataFrame:
    """The programme's rating per dimension (and overall): the worst of its deliverables', with
    how many deliverables stand at each rating and which are the worst. `whole` is
    overall(rated) when the caller has it already."""
    whole = (overall(rated) if whole is None else whole).assign(dimension=OVERALL, counted=True)
    rows = []
    for dimension, group in pd.concat([rated, whole]).groupby("dimension", sort=False):
        rating = worst(group["rating"])
        tally = group["rating"].value_counts()
        counts = ", ".join(
            f"{tally[r.value]} {r.value}" for r in reversed(Rating) if r.value in tally
        )
        refs = ", ".join(sorted(group.loc[group["rating"] == rating.value, "ref"]))
        rows.append((dimension, rating.value, f"{counts} (worst: {refs})" if refs else counts))
    order = [d.value for d in Dimension] + [OVERALL]
    frame = pd.DataFrame(rows, columns=["dimension", "rating", "reason"])
    return frame.set_index("dimension").reindex(order).dropna().reset_index()


def better_than(declared: pd.Series, derived: pd.Series) -> pd.Series:
    """Where a declared rating is better than the derived one: the board should ask why. A
    derived "no data" proves nothing, and a missing declaration is not a claim."""
    declared_rank = declared.map(lambda v: RANK.get(v) if pd.notna(v) else None)
    derived_rank = derived.map(RANK)
    return (
        derived.isin([Rating.amber.value, Rating.red.value])
        & declared_rank.notna()
        & (declared_rank.astype("float") < derived_rank.astype("float"))
    )


def trend(before: pd.Series, now: pd.Series) -> pd.Series:
    """This period against the last: "better", "worse" or "same" by the ratings' order, or "new"
    where the last period had no rating to compare with (none, or no data)."""
    b = before.map(RANK).astype("float")
    n = now.map(RANK).astype("float")
    none_before = before.isna() | before.eq(Rating.no_data.value)
    out = np.select([none_before, n < b, n > b], ["new", "better", "worse"], default="same")
    return pd.Series(out, index=now.index)
