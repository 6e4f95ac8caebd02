"""The programme board's acceptance roll-up."""

import json

import pytest

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER

PAGE = "pages/acceptance/board.py"


@pytest.mark.parametrize("email", [BOARD, OWNER, ADMIN])
def test_staff_see_acceptance_across_deliverables(demo_app, email: str) -> None:
    at = demo_app(email, PAGE)
    metrics = {m.label: m.value for m in at.metric}
    table = at.dataframe[0].value
    assert metrics["Criteria"] == "17"
    assert metrics["Confirmed by suppliers"] == "59%"  # 10 of 17
    assert metrics["Accepted"] == "24%"  # 4 of 17
    assert metrics["Queried"] == "1"
    assert metrics["Overdue"] == str(table["Overdue"].sum())
    assert table["Ref"].tolist() == [
        "ASC-01",
        "CC-01",
        "CTAX-02",
        "MB-01",
        "RB-01",
        "WA-01",
        "WB-01",
    ]
    # what needs acting on leads the table, before the shares and the title
    assert list(table.columns[:4]) == ["Ref", "Overdue", "Queried", "Rejected"]
    rb01 = table.set_index("Ref").loc["RB-01"]
    assert rb01[["Criteria", "Confirmed", "Accepted", "Rejected"]].tolist() == [5, 3, 1, 1]


def test_the_chart_has_titles_and_the_tables_numbers(demo_app) -> None:
    at = demo_app(BOARD, PAGE)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in figure["data"]] == ["Confirmed by supplier", "Accepted by council"]
    assert figure["layout"]["title"]["text"].startswith("Acceptance criteria")
    assert figure["layout"]["xaxis"]["title"]["text"] == "Share of the deliverable's criteria (%)"
    assert figure["layout"]["yaxis"]["title"]["text"] == "Deliverable"
    confirmed = dict(zip(figure["data"][0]["y"], figure["data"][0]["text"], strict=True))
    assert confirmed["RB-01 Shared revenues and benefits platform"] == "60% (3 of 5)"


def test_suppliers_do_not_have_the_page(demo_app) -> None:
    at = demo_app(SUPPLIER)
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(PAGE)
