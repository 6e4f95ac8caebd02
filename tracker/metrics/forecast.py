"""When will the remaining scope be done? A Monte Carlo forecast from recent weekly throughput.

A single average date hides how uncertain it is; programme boards need "50% likely by ..., 85%
likely by ...". Each trial replays weeks drawn at random from the recent weeks' throughput until
the remaining work is done; the percentiles of those trials are the dates.
"""

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

Measure = Literal["issues", "points"]


def weekly_throughput(
    burnup: pd.DataFrame, measure: Measure = "issues", weeks: int = 12
) -> np.ndarray:
    """Work done in each of the last `weeks` whole weeks (fewer when the history is shorter).

    A week where reopened work outweighed finished work counts as 0: the reopened work is back
    in the remaining scope already, and negative speed would count it twice.
    """
    done = burnup.set_index("date")[f"done_{measure}"]
    last = done.index[-1]
    available = min(weeks, (last - done.index[0]).days // 7)
    ends = pd.DatetimeIndex([last - pd.Timedelta(weeks=k) for k in range(available, -1, -1)])
    return np.clip(np.diff(done.reindex(ends).to_numpy(dtype=float)), 0.0, None)


def forecast(
    burnup: pd.DataFrame,
    *,
    measure: Measure = "issues",
    history_weeks: int = 12,
    percentiles: Sequence[int] = (50, 85, 95),
    trials: int = 10_000,
    seed: int = 0,
    horizon_weeks: int = 520,
) -> pd.DataFrame:
    """Completion dates at the given confidence levels, from a daily burnup (see rollup).

    Returns one row per percentile: `percentile`, `weeks` from the burnup's last day, `date`, and
    `note`. When no forecast is possible (no work finished in the history, or less than a week of
    it) `weeks` is NaN, `date` NaT and `note` says why; a date beyond `horizon_weeks` is NaT too.
    The same `seed` gives the same dates, so a page does not flicker between reloads.
    """
    if burnup.empty:
        return _frame(
            pd.NaT, percentiles, *_weeks(None, 0.0, percentiles, trials, seed, horizon_weeks)
        )
    last = burnup.iloc[-1]
    remaining = float(last[f"scope_{measure}"] - last[f"done_{measure}"])
    throughput = weekly_throughput(burnup, measure, history_weeks)
    weeks, note = _weeks(throughput, remaining, percentiles, trials, seed, horizon_weeks)
    return _frame(pd.Timestamp(last["date"]), percentiles, weeks, note)


def forecast_each(
    burnups: pd.DataFrame,
    by: str,
    *,
    measure: Measure = "issues",
    history_weeks: int = 12,
    percentiles: Sequence[int] = (50, 85, 95),
    trials: int = 10_000,
    seed: int = 0,
    horizon_weeks: int = 520,
) -> pd.DataFrame:
    """forecast() of each group of a burnup holding many (one row per `by` and day, every group
    over the same days, as tracker.metrics.rollup gives per deliverable), with `by` added: the
    same rows as calling forecast() on each group, with the recent throughput of every group
    read in one step, so a programme of fifty deliverables costs little more than one."""
    if burnups.empty:
        return pd.DataFrame(
            {
                "percentile": pd.Series(dtype="int64"),
                "weeks": pd.Series(dtype="float64"),
                "date": pd.Series(dtype="datetime64[ns]"),
                "note": pd.Series(dtype="str"),
                by: pd.Series(dtype=burnups[by].dtype),
            }
        )
    done = burnups.pivot(index="date", columns=by, values=f"done_{measure}").sort_index()
    scope = burnups.pivot(index="date", columns=by, values=f"scope_{measure}").sort_index()
    last = done.index[-1]
    available = min(history_weeks, (last - done.index[0]).days // 7)
    ends = pd.DatetimeIndex([last - pd.Timedelta(weeks=k) for k in range(available, -1, -1)])
    throughput = np.clip(np.diff(done.reindex(ends).to_numpy(dtype=float), axis=0), 0.0, None)
    remaining = (scope.iloc[-1] - done.iloc[-1]).to_numpy(dtype=float)
    found = [
        _weeks(throughput[:, column], remaining[column], percentiles, trials, seed, horizon_weeks)
        for column in range(len(done.columns))
    ]
    weeks = np.concatenate([w for w, _ in found])
    each = len(percentiles)
    return pd.DataFrame(
        {
            "percentile": list(percentiles) * len(found),
            "weeks": np.where(np.isfinite(weeks), weeks, np.nan),
            # one conversion for every group, as _frame makes each group's
            "date": pd.to_datetime(
                [last + pd.Timedelta(weeks=w) if math.isfinite(w) else pd.NaT for w in weeks]
            ),
            "note": [note for _, note in found for _ in range(each)],
            by: np.repeat(done.columns.to_numpy(), each),
        }
    )


def _weeks(
    throughput: np.ndarray | None,
    remaining: float,
    percentiles: Sequence[int],
    trials: int,
    seed: int,
    horizon_weeks: int,
) -> tuple[np.ndarray, str]:
    """Weeks to finish at each percentile (inf: no date) and the note saying how, or why not;
    `throughput` None means there is no history at all."""
    none = np.full(len(percentiles), np.inf)
    if throughput is None:
        return none, "no history: no forecast possible"
    if remaining <= 0:
        return np.zeros(len(percentiles)), "all scope is done"
    if throughput.size == 0:
        return none, "less than a week of history: no forecast possible"
    if not throughput.any():
        return (
            none,
            f"nothing was finished in the last {throughput.size} weeks: no forecast possible",
        )
    weeks_needed = _simulate(throughput, remaining, trials, seed, horizon_weeks)
    weeks = np.percentile(weeks_needed, list(percentiles), method="inverted_cdf")
    beyond = f"; later than {horizon_weeks} weeks shows no date" if np.isinf(weeks).any() else ""
    return weeks, f"{trials} trials over {throughput.size} weeks of throughput{beyond}"


def _frame(
    as_of: pd.Timestamp, percentiles: Sequence[int], weeks: np.ndarray, note: str
) -> pd.DataFrame:
    dates = [as_of + pd.Timedelta(weeks=w) if math.isfinite(w) else pd.NaT for w in weeks]
    return pd.DataFrame(
        {
            "percentile": list(percentiles),
            "weeks": np.where(np.isfinite(weeks), weeks, np.nan),
            "date": pd.to_datetime(dates),
            "note": note,
        }
    )


def _simulate(
    throughput: np.ndarray, remaining: float, trials: int, seed: int, horizon_weeks: int
) -> np.ndarray:
    """Weeks each trial needs to reach `remaining` (inf past the horizon), drawn in blocks of weeks
    so the common case is one vectorised draw and a slow tail only extends the trials still open.

    Throughput in whole issues is summed as 32-bit integers against the whole number of issues
    left, which reaches the same week as floats do, in half the time. Each draw picks a week by
    `rng.integers`, the very numbers `rng.choice(throughput)` draws, so the dates stay the same
    for a seed."""
    rng = np.random.default_rng(seed)
    needed = np.full(trials, np.inf)
    values: np.ndarray = throughput
    goal: float = remaining
    if np.array_equal(throughput, np.floor(throughput)) and (
        throughput.max() * horizon_weeks < np.iinfo(np.int32).max
    ):
        values, goal = throughput.astype(np.int32), math.ceil(remaining)
    total = np.zeros(trials, dtype=values.dtype)
    open_trials = np.arange(trials)
    block = max(4, math.ceil(2 * remaining / throughput.mean()))
    elapsed = 0
    while open_trials.size and elapsed < horizon_weeks:
        width = min(block, horizon_weeks - elapsed)
        draws = values[rng.integers(0, values.size, size=(open_trials.size, width))]
        cumulative = draws.cumsum(axis=1, dtype=values.dtype)
        cumulative += total[open_trials, None]
        reached = cumulative >= goal
        finished = reached[:, -1]
        needed[open_trials[finished]] = elapsed + reached[finished].argmax(axis=1) + 1
        total[open_trials] = cumulative[:, -1]
        open_trials = open_trials[~finished]
        elapsed += width
    return needed
