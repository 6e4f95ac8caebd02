"""The engagement map page: who to engage now, the map and its editor, the RACI matrix and the
power/interest grid, as each role sees it."""

import json
import os

from sqlmodel import Session, func, select
from streamlit.testing.v1 import AppTest

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER
from tracker.db import create_tracker_engine
from tracker.models import Engagement

PAGE = "pages/people/engagement.py"


def choose(at: AppTest, key: str, label_start: str) -> AppTest:
    """Pick the option whose label starts with `label_start` (options are shown as labels)."""
    box = at.selectbox(key=key)
    index = next(i for i, o in enumerate(box.options) if o.startswith(label_start))
    return box.select_index(index).run()


def table_with(at: AppTest, column: str):
    """The first table on the page having this column (AppTest does not expose their keys)."""
    return next(f.value for f in at.dataframe if column in f.value)


def engagements_in_database() -> int:
    engine = create_tracker_engine(os.environ["DATABASE_URL"])
    with Session(engine) as session:
        found = session.exec(select(func.count()).select_from(Engagement)).one()
    engine.dispose()
    return found


def save_button(at: AppTest):
    return next(b for b in at.button if b.label == "Save engagements")


def test_who_to_engage_now_shows_gaps_in_words(demo_app) -> None:
    at = choose(demo_app(ADMIN, PAGE), "map_ref", "WA-01")
    assert at.subheader[0].value == "Who to engage now: WA-01 at Alpha"
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("Gap (contact has left): Liam Doherty") for w in warnings)
    assert any("lacks NHS DSPT (Standards Met)" in w for w in warnings)
    contacts = table_with(at, "Why")
    assert list(contacts["Why"][:3]) == [
        "Supplier accountable",
        "Supplier responsible",
        "Council owner",
    ]
    assert contacts.loc[1, "Status"] == "left"


def test_raci_matrix_and_power_interest_grid_agree_with_their_tables(demo_app) -> None:
    at = choose(demo_app(BOARD, PAGE), "map_ref", "RB-01")
    matrix = table_with(at, "Discovery")
    tom = matrix[(matrix["Ref"] == "RB-01") & (matrix["Name"] == "Tom Hargreaves")]
    assert tom[["Discovery", "Alpha", "Beta", "Live"]].values.tolist() == [["A"] * 4]
    gareth = matrix[(matrix["Ref"] == "RB-01") & (matrix["Name"] == "Gareth Lewis")]
    assert gareth[["Alpha", "Beta"]].values.tolist() == [["", "C"]]
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["title"]["text"] == "Power and interest: RB-01 at Beta"
    assert figure["layout"]["xaxis"]["title"]["text"].startswith("Interest")
    assert figure["layout"]["yaxis"]["title"]["text"].startswith("Power")
    plotted = {name for trace in figure["data"] for name in trace["text"]}
    table = table_with(at, "Quadrant")
    assert plotted == set(table["Name"])
    assert table.set_index("Name").loc["Robert Osei", "Quadrant"] == "Keep satisfied"
    assert [t["name"] for t in figure["data"]] == [
        "Council side",
        "Supplier side",
        "Partner side",
    ]


def test_a_supplier_sees_only_their_deliverables_and_no_other_contact_details(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    assert [o.split(" ")[0] for o in at.selectbox(key="map_ref").options] == ["CTAX-02", "RB-01"]
    for ref in ("CTAX-02", "RB-01"):
        at = choose(at, "map_ref", ref)
        for frame in at.dataframe:
            table = frame.value
            if "Email" not in table:
                continue
            others = table[table["Organisation"] != "Ledgerline Systems Ltd"]
            # another organisation's details only for a council contact, by their own channel
            for detail, channel in (("Email", "email"), ("Phone", "phone")):
                shown = others[others[detail] != ""]
                assert (shown["Side"] == "council").all(), (ref, detail, shown.to_dict())
                assert (shown["Preferred channel"] == channel).all(), (ref, detail)
    assert not any(b.label == "Save engagements" for b in at.button)


def test_a_supplier_engages_the_council_first_and_sees_how_to_email_them(demo_app) -> None:
    at = choose(demo_app(SUPPLIER, PAGE), "map_ref", "RB-01")
    contacts = table_with(at, "Why")
    assert contacts.iloc[0][["Why", "Name", "Email", "Preferred channel"]].tolist() == [
        "Council owner",
        "Tom Hargreaves",
        "tom.hargreaves@northmoor.gov.uk",
        "email",
    ]
    karen = contacts[contacts["Name"] == "Karen Stokes"]
    assert karen.index.min() > contacts[contacts["Name"] != "Karen Stokes"].index.max()
    assert karen["Why"].str.endswith("(you)").all()


def test_owners_edit_only_their_councils_maps(demo_app) -> None:
    at = choose(demo_app(OWNER, PAGE), "map_ref", "CTAX-02")
    assert not any(b.label == "Save engagements" for b in at.button)
    at = choose(at, "map_ref", "RB-01")
    assert save_button(at)


def test_a_rejected_edit_keeps_what_was_typed_and_writes_nothing(demo_app) -> None:
    at = choose(demo_app(ADMIN, PAGE), "map_ref", "ASC-01")
    deliverable = at.selectbox(key="map_ref").value
    key = f"map_editor_{deliverable}_0"
    before = engagements_in_database()
    typed = {
        "edited_rows": {},
        "added_rows": [
            {
                "stage": "All stages",
                "person": "Ben Ashworth (Carers Link Trust)",
                "side": "charity",
                "raci": "A",
                "power": 3,
                "interest": 3,
            }
        ],
        "deleted_rows": [],
    }
    at.session_state[key] = typed
    save_button(at).click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Nothing was saved: 1 problem ")
    problems = table_with(at, "Problem")
    assert problems.loc[0, "Row"] == 8  # ASC-01 has 7 engagements; the new row is the 8th
    assert "ASC-01 would have 2 Accountables on the charity side" in problems.loc[0, "Problem"]
    assert at.session_state[key]["added_rows"] == typed["added_rows"]
    assert engagements_in_database() == before


def test_a_good_edit_is_saved(demo_app) -> None:
    at = choose(demo_app(ADMIN, PAGE), "map_ref", "ASC-01")
    deliverable = at.selectbox(key="map_ref").value
    at.session_state[f"map_editor_{deliverable}_0"] = {
        "edited_rows": {0: {"interest": 4, "notes": "Prefers mornings"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    save_button(at).click().run()
    assert [s.value for s in at.success][-1] == "Saved: 1 row written."
    assert at.session_state[f"map_editor_{deliverable}_version"] == 1


def test_the_overview_says_who_to_engage_now(demo_app) -> None:
    at = demo_app(OWNER, "pages/programme/overview.py")
    summary = table_with(at, "1. Supplier accountable").set_index("Ref")
    assert (
        summary.loc["RB-01", "1. Supplier accountable"] == "Karen Stokes (Ledgerline Systems Ltd)"
    )
    assert summary.loc["RB-01", "3. Council owner"] == "Tom Hargreaves (Northmoor District Council)"
    assert summary.loc["RB-01", "4. Escalation path"].startswith("Imran Qureshi (Ledgerline")
    assert summary.loc["RB-01", "Gaps"] == "none"
    assert summary.loc["MB-01", "Gaps"] == "No active supplier-side contact for MB-01 at Discovery."
    assert any("engagement gaps" in w.value for w in at.warning)
