"""What needs me, where project owners, supplier contacts and admins land: their own open work as
cards, overdue said in words, each section linking to where it is done."""

import pytest

from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER

PAGE = "pages/programme/needs_me.py"


def headings(at) -> list[str]:
    return [h.value for h in at.subheader]


@pytest.mark.parametrize(
    ("email", "sections"),
    [
        (
            OWNER,
            [
                "Queries to answer (0)",
                "Evidence to accept or reject (1)",
                "Overdue confirmations (0)",
                "Waiting on the supplier (2)",
                "Gaps in who to engage (0)",
            ],
        ),
        (
            SUPPLIER,
            ["Criteria to confirm (2)", "Evidence requested (2)", "Your open queries (1)"],
        ),
        (
            ADMIN,
            [
                "Accreditations expiring (2)",
                "Blocked gates (1)",
                "People waiting for an account (0)",
            ],
        ),
    ],
)
def test_people_with_work_of_their_own_land_on_it(demo_app, email, sections) -> None:
    at = demo_app(email)  # no page chosen: where they land
    assert at.title[0].value == "What needs me"
    assert headings(at) == sections
    links = at.get("page_link")
    assert links, "each section with work links to where it is done"


def test_overdue_is_a_word_on_the_card(demo_app) -> None:
    at = demo_app(SUPPLIER, PAGE)
    cards = [m.value for m in at.markdown if "·" in m.value]
    overdue = [c for c in cards if "Overdue" in c]
    assert any("CTAX-02" in c and "AC-3" in c for c in overdue)
    assert not any("AC-4" in c for c in overdue)
    assert any(t.value.startswith("You asked: ") for t in at.text)


def test_board_members_land_on_the_board_pack_and_have_no_such_page(demo_app) -> None:
    at = demo_app(BOARD)
    assert at.title[0].value == "Board pack"
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(PAGE)
