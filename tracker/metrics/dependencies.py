"""Dependency health, cycles and the organisation matrix, as pure pandas over dependency frames.

A dependency frame has one row per dependency with `consumer` and `provider` (node names: a
deliverable's ref, or an organisation's or unknown issue's name), `needed_by` and `expected_by`
(dates or NaT: when the consumer needs it, when the provider will have it), `same_sprint`,
`known` (False: the provider is an issue outside every synced board) and `done`.

Health, worst first: **red** when the provider's date is after the consumer needs it; **amber**
when both fall in the same sprint, on the same day, or either side has no date; **unknown** when
the other end is not synced; **green** when scheduled earlier. Done dependencies drop out.
"""

from collections.abc import Hashable, Iterable

import pandas as pd

RED, AMBER, UNKNOWN, GREEN = "red", "amber", "unknown", "green"
#: worst first; a matrix cell shows the worst of its dependencies
SEVERITY = {RED: 3, AMBER: 2, UNKNOWN: 1, GREEN: 0}


def health(dependencies: pd.DataFrame) -> pd.DataFrame:
    """The open dependencies with `health` and `why` (the rule that fired, in words)."""
    out = dependencies.loc[~dependencies["done"].astype(bool)].copy()
    needed = pd.to_datetime(out["needed_by"])
    expected = pd.to_datetime(out["expected_by"])
    same_sprint = out["same_sprint"].astype(bool)
    known = out["known"].astype(bool)
    rules = [
        (~known, UNKNOWN, "the other end is not on any synced board"),
        (expected.isna(), AMBER, "the provider has no date"),
        (needed.isna(), AMBER, "the waiting work has no date yet"),
        (same_sprint, AMBER, "both are in the same sprint"),
        (expected.gt(needed), RED, "the provider's date is after it is needed"),
        (expected.eq(needed), AMBER, "the provider's date is the day it is needed"),
    ]
    out["health"], out["why"] = GREEN, "scheduled before it is needed"
    # Apply in reverse so the first rule that holds wins.
    for mask, word, why in reversed(rules):
        out.loc[mask.to_numpy(), ["health", "why"]] = [word, why]
    return out


def strongly_connected(edges: Iterable[tuple[Hashable, Hashable]]) -> list[set[Hashable]]:
    """Groups of nodes that reach each other (Tarjan's algorithm, iterative), largest first;
    a group of more than one node, or a node with an edge to itself, is a cycle."""
    graph: dict[Hashable, list[Hashable]] = {}
    for source, target in edges:
        graph.setdefault(source, []).append(target)
        graph.setdefault(target, [])
    index: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    stack: list[Hashable] = []
    on_stack: set[Hashable] = set()
    groups: list[set[Hashable]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return sorted(groups, key=len, reverse=True)


def in_cycle(dependencies: pd.DataFrame) -> pd.Series:
    """True for each dependency whose consumer and provider wait on each other, directly or
    round a longer loop (A waits on B waits on A)."""
    pairs = list(zip(dependencies["consumer"], dependencies["provider"], strict=True))
    group_of = {
        node: number for number, group in enumerate(strongly_connected(pairs)) for node in group
    }
    # Two different nodes share a group only if each reaches the other.
    return pd.Series(
        [source == target or group_of[source] == group_of[target] for source, target in pairs],
        index=dependencies.index,
        dtype=bool,
    )


def worst(healths: pd.Series) -> str | None:
    """The worst health among these, or None when there are none."""
    if healths.empty:
        return None
    return max(healths, key=SEVERITY.__getitem__)


def organisation_matrix(rated: pd.DataFrame) -> pd.DataFrame:
    """Who waits on whom: consumer organisations (`consumer_org`, rows) by provider organisations
    (`provider_org`, columns), each cell the worst health of the dependencies between them
    (empty where none)."""
    if rated.empty:
        return pd.DataFrame()
    cells = rated.groupby(["consumer_org", "provider_org"])["health"].agg(worst)
    return cells.unstack("provider_org").sort_index().sort_index(axis=1)


def by_consumer(rated: pd.DataFrame, consumers: pd.Series) -> pd.DataFrame:
    """Per consumer (every value of `consumers`, with or without dependencies): how many open
    dependencies are red, amber, unknown and green, the worst, and whether any is in a cycle."""
    counts = (
        pd.crosstab(rated["consumer"], rated["health"])
        .reindex(index=consumers.to_list(), columns=[RED, AMBER, UNKNOWN, GREEN], fill_value=0)
        .astype("int64")
    )
    counts["open"] = counts.sum(axis=1)
    worst_of = rated.groupby("consumer")["health"].agg(worst).reindex(counts.index)
    counts["worst"] = worst_of.astype(object).where(worst_of.notna(), None)
    cycle = rated.get("in_cycle", pd.Series(False, index=rated.index)).astype(bool)
    counts["in_cycle"] = (
        cycle.groupby(rated["consumer"]).any().reindex(counts.index, fill_value=False).astype(bool)
    )
    return counts.rename_axis("deliverable").reset_index()
