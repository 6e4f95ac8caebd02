"""Normalising Jira's JSON: values the reports replay, whatever shape a site sends them in."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.jira_sync.live import jql_instant
from tracker.jira_sync.normalise import IssueNormaliser, SiteFields, parse_timestamp, sprint_ids

FIELDS = SiteFields.from_fields(
    [
        {
            "id": "customfield_10020",
            "name": "Sprint",
            "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"},
        },
        {
            "id": "customfield_10016",
            "name": "Story point estimate",
            "schema": {"custom": "x:float"},
        },
        {"id": "customfield_10026", "name": "Story Points", "schema": {"custom": "x:float"}},
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-06-18T18:41:29.398+0000", datetime(2021, 6, 18, 18, 41, 29, 398000, tzinfo=UTC)),
        ("2020-06-12T08:29:19.487+0800", datetime(2020, 6, 12, 0, 29, 19, 487000, tzinfo=UTC)),
        ("2016-04-11T07:29:03.294-07:00", datetime(2016, 4, 11, 14, 29, 3, 294000, tzinfo=UTC)),
        ("2020-06-22T05:59:58.980Z", datetime(2020, 6, 22, 5, 59, 58, 980000, tzinfo=UTC)),
        (None, None),
    ],
)
def test_timestamps_are_utc(text: str | None, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected


def test_sprint_field_values_in_both_shapes() -> None:
    objects = [{"id": 76, "name": "A", "state": "closed"}, {"id": 79, "name": "B"}]
    prefix = "com.atlassian.greenhopper.service.sprint.Sprint"
    old = [
        f"{prefix}@1a2b[id=12,rapidViewId=3,state=CLOSED,name=S 1]",
        f"{prefix}@9f[rapidViewId=3,id=14,state=ACTIVE,name=S 2]",
    ]
    assert sprint_ids(objects) == "76,79"
    assert sprint_ids(old) == "12,14"
    assert sprint_ids(None) == ""


def _events(normaliser: IssueNormaliser, *items: dict[str, object]) -> list[tuple[object, ...]]:
    history = {"id": "10", "created": "2026-03-02T09:15:00.000+0100", "items": list(items)}
    return [event[4:7] for event in normaliser.events(1, [history])]


def test_changelog_items_are_named_and_normalised() -> None:
    normaliser = IssueNormaliser(FIELDS, "customfield_10016")
    events = _events(
        normaliser,
        {"field": "Sprint", "fieldId": "customfield_10020", "from": "76", "to": "76, 79"},
        {"field": "Sprint", "from": "", "to": "79"},  # no fieldId: matched by name
        {
            "field": "Story point estimate",
            "fieldId": "customfield_10016",
            "fromString": "3.0",
            "toString": "5",
        },
        {
            "field": "Story Points",
            "fieldId": "customfield_10026",
            "toString": "8",
        },  # not this board's
        {"field": "status", "from": "10000", "to": "3"},
        {"field": "Flagged", "fieldId": "customfield_10021", "from": None, "to": "[10019]"},
    )
    assert events == [
        ("sprint", "76", "76,79"),
        ("sprint", None, "79"),
        ("estimate", "3", "5"),
        ("story points", None, None),
        ("status", "10000", "3"),
        ("flagged", None, "[10019]"),
    ]
    history_at = normaliser.events(
        1, [{"id": "10", "created": "2026-03-02T09:15:00.000+0100", "items": [{}]}]
    )[0][3]
    assert history_at == datetime(2026, 3, 2, 8, 15, tzinfo=UTC)


def test_estimate_field_is_the_boards_else_jira_softwares_else_by_name() -> None:
    board = {"estimation": {"type": "field", "field": {"fieldId": "customfield_10016"}}}
    assert FIELDS.estimate_for(board) == "customfield_10016"
    assert FIELDS.estimate_for({}) == "customfield_10026"  # "Story Points" before "...estimate"
    typed = SiteFields.from_fields(
        [
            {"id": "customfield_10028", "name": "Story Points", "schema": {"custom": "x:float"}},
            {
                "id": "customfield_10016",
                "name": "Story point estimate",
                "schema": {"custom": "com.pyxis.greenhopper.jira:jsw-story-points"},
            },
        ]
    )
    assert typed.estimate_for({}) == "customfield_10016"
    # A board estimating by "Issue Count" has no estimation field: Jira counts its issues.
    assert typed.estimate_for({"estimation": {"type": "issueCount"}}) is None
    assert SiteFields.from_fields([]).estimate_for({}) is None


def test_issue_row_from_a_search_result() -> None:
    raw = {
        "id": "10100",
        "key": "REV-7",
        "fields": {
            "summary": "Direct debit",
            "issuetype": {"name": "Sub-task", "subtask": True},
            "parent": {
                "key": "REV-2",
                "fields": {"issuetype": {"name": "Story", "hierarchyLevel": 0}},
            },
            "status": {
                "id": "3",
                "name": "In Progress",
                "statusCategory": {"key": "indeterminate"},
            },
            "customfield_10016": 2,
            "customfield_10020": [{"id": 5}],
            "components": [{"name": "Payments"}],
            "labels": ["web"],
            "created": "2026-01-05T09:00:00.000+0000",
        },
    }
    row = IssueNormaliser(FIELDS, "customfield_10016").issue(raw)
    assert (row["jira_id"], row["is_subtask"], row["parent_key"], row["epic_key"]) == (
        10100,
        True,
        "REV-2",
        None,
    )
    assert (row["estimate"], row["sprint_ids"], row["components"]) == (2.0, "5", ["Payments"])


@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(
        ["UTC", "Europe/London", "America/New_York", "Asia/Shanghai", "Pacific/Kiritimati"]
    ),
)
def test_jql_instant_is_never_later_whichever_zone_jira_reads_it_in(
    moment: datetime, zone: str
) -> None:
    text = jql_instant(moment, zone)
    wall = datetime.strptime(text, "%Y/%m/%d %H:%M")
    for reader in (UTC, ZoneInfo(zone)):
        read = wall.replace(tzinfo=reader)
        assert read <= moment
