"""The JQL subset's parser: what it accepts, and that it refuses rather than guesses."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.jira_server.jql import Clause, JqlError, Query, Sort, parse


def test_clauses_and_order_are_parsed():
    query = parse('filter = 10001 AND updated >= "2026/01/03 10:00" ORDER BY updated DESC, key')

    assert query == Query(
        (Clause("filter", "=", ("10001",)), Clause("updated", ">=", ("2026/01/03 10:00",))),
        (Sort("updated", True), Sort("key", False)),
    )
    assert query.clauses[1].instant() == datetime(2026, 1, 3, 10, 0, tzinfo=UTC)


def test_keywords_are_case_insensitive_and_values_may_be_quoted():
    query = parse("Project In (\"REV\", 'HWK') and IssueKey = rev-1 order by KEY asc")

    assert query.clauses == (
        Clause("project", "in", ("REV", "HWK")),
        Clause("key", "=", ("rev-1",)),
    )
    assert query.order == (Sort("key", False),)


def test_empty_query_and_bare_order_by():
    assert parse("") == Query((), ())
    assert parse("ORDER BY rank") == Query((), (Sort("rank", False),))


@pytest.mark.parametrize(
    "jql",
    [
        'project = "REV',
        "project =",
        "project in (REV",
        "project in (REV,)",
        "key = REV-1 ORDER key",
        "project = REV project = HWK",
        "project > REV",
        "updated = 2026-13-01",
        "status = Done",
        "sprint in openSprints()",
        "(project = REV)",
        "project != REV",
        "ORDER BY summary",
    ],
)
def test_malformed_or_unsupported_queries_raise(jql: str):
    with pytest.raises(JqlError):
        parse(jql)


_values = st.from_regex(r"[A-Z]{2,5}-[1-9][0-9]{0,3}", fullmatch=True)
_equality = st.builds(
    lambda field, values: Clause(field, "in" if len(values) > 1 else "=", tuple(values)),
    st.sampled_from(["project", "key", "sprint", "filter"]),
    st.lists(_values, min_size=1, max_size=3),
)
_dates = st.builds(
    lambda field, op, moment: Clause(field, op, (moment.strftime("%Y/%m/%d %H:%M"),)),
    st.sampled_from(["updated", "created"]),
    st.sampled_from(["=", ">=", ">", "<=", "<"]),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
)
_sorts = st.builds(Sort, st.sampled_from(["key", "updated", "created", "rank"]), st.booleans())


def _text(query: Query) -> str:
    def clause(c: Clause) -> str:
        if c.operator == "in":
            return f"{c.field} in ({', '.join(c.values)})"
        return f'{c.field} {c.operator} "{c.values[0]}"'

    where = " AND ".join(clause(c) for c in query.clauses)
    order = ", ".join(f"{s.field} {'DESC' if s.descending else 'ASC'}" for s in query.order)
    return where + (f" ORDER BY {order}" if order else "")


@given(
    st.builds(
        Query,
        st.lists(st.one_of(_equality, _dates), max_size=4).map(tuple),
        st.lists(_sorts, max_size=3).map(tuple),
    )
)
def test_any_query_of_the_subset_reads_back_as_written(query: Query):
    assert parse(_text(query)) == query
