"""The RAID log's figures as pure pandas: scores, what needs the board's attention, the heatmap.

The register frame has one row per item with at least `kind`, `status`, `likelihood`, `impact`,
`review_date` (dates or NaT) and `escalation`. Scores are computed here and nowhere else, so the
page, the command line and the board pack can never disagree with the register.
"""

from datetime import date

import pandas as pd

from tracker.models import Escalation, RaidKind, RaidStatus

#: a risk scoring this or more is high: it needs an owner and a review date, and the board's eye
HIGH_SCORE = 15
SCALE = range(1, 6)
#: the usual 5x5 bands: low up to 4, medium 5 to 12, high from 15 (no product lies between)
BANDS = ((HIGH_SCORE, "high"), (5, "medium"), (1, "low"))


def band(value: int) -> str:
    """A score's band in words."""
    return next(word for floor, word in BANDS if value >= floor)


def score(likelihood: pd.Series, impact: pd.Series) -> pd.Series:
    """Likelihood times impact (1-25); empty where either is empty."""
    return likelihood.astype("Int64") * impact.astype("Int64")


def _before(dates: pd.Series, today: date) -> pd.Series:
    return pd.to_datetime(dates).lt(pd.Timestamp(today)).astype(bool)


def attention(register: pd.DataFrame, today: date) -> pd.DataFrame:
    """The register with `score`, `high`, `review_overdue`, `escalated`, `needs_attention` and
    `attention` (the reasons, in words) added. Only open items need attention: a closed or
    occurred risk is history."""
    out = register.copy()
    out["score"] = score(out["likelihood"], out["impact"])
    is_open = out["status"].eq(RaidStatus.open.value)
    out["high"] = is_open & out["score"].ge(HIGH_SCORE).fillna(False).astype(bool)
    out["review_overdue"] = is_open & _before(out["review_date"], today)
    out["escalated"] = is_open & out["escalation"].ne(Escalation.none.value)
    out["needs_attention"] = out["high"] | out["review_overdue"] | out["escalated"]
    reasons = pd.DataFrame(
        {
            "escalated": out["escalation"].where(out["escalated"]).radd("escalated to "),
            "high": out["score"].astype("string").where(out["high"]).radd("score "),
            "review": pd.to_datetime(out["review_date"])
            .dt.strftime("%d %b %Y")
            .where(out["review_overdue"])
            .radd("review overdue since "),
        },
        index=out.index,
    )
    out["attention"] = reasons.apply(lambda row: "; ".join(row.dropna()), axis=1).astype(str)
    return out


def open_risks(register: pd.DataFrame) -> pd.DataFrame:
    """Open risks, highest score first, then the soonest review."""
    risks = register[
        register["kind"].eq(RaidKind.risk.value) & register["status"].eq(RaidStatus.open.value)
    ].copy()
    risks["score"] = score(risks["likelihood"], risks["impact"])
    return risks.sort_values(["score", "review_date"], ascending=[False, True], na_position="last")


def heatmap_counts(register: pd.DataFrame) -> pd.DataFrame:
    """Open risks counted by likelihood (rows, 5 at the top) and impact (columns 1-5): every
    open risk is in exactly one cell, so the cells add up to the register."""
    risks = open_risks(register)
    counts = pd.crosstab(risks["likelihood"].astype(int), risks["impact"].astype(int))
    return (
        counts.reindex(index=list(reversed(SCALE)), columns=list(SCALE), fill_value=0)
        .rename_axis(index="likelihood", columns="impact")
        .astype("int64")
    )
