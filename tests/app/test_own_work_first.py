"""Pages start from the user's own work: a project owner opens Sprint review, Acceptance criteria
and the Engagement map on a deliverable their council owns (not the first of another council's,
where the forms were simply missing), and is told when a deliverable is theirs only to read."""

import pytest

from tests.support.roles import ADMIN, OTHER_OWNER, OWNER

REVIEW = "pages/delivery/sprint_review.py"
CRITERIA = "pages/acceptance/criteria.py"
ENGAGEMENT = "pages/people/engagement.py"


def shown(box) -> str:
    return box.options[box.index]


def choose(at, key: str, ref: str):
    box = at.selectbox(key=key)
    return box.select_index(next(i for i, o in enumerate(box.options) if o.startswith(ref))).run()


@pytest.mark.parametrize(
    ("page", "key"),
    [(REVIEW, "review_deliverable"), (CRITERIA, "criteria_deliverable"), (ENGAGEMENT, "map_ref")],
)
@pytest.mark.parametrize(("email", "ref"), [(OWNER, "RB-01"), (OTHER_OWNER, "MB-01")])
def test_a_project_owner_opens_on_a_deliverable_their_council_owns(
    demo_app, email: str, ref: str, page: str, key: str
) -> None:
    at = demo_app(email, page, timeout=60)
    assert shown(at.selectbox(key=key)).startswith(ref)


def test_an_admin_still_opens_on_the_first_deliverable(demo_app) -> None:
    at = demo_app(ADMIN, CRITERIA)
    assert shown(at.selectbox(key="criteria_deliverable")).startswith("ASC-01")


def test_criteria_the_owner_may_only_read_say_so(demo_app) -> None:
    at = demo_app(OWNER, CRITERIA)
    assert "Add the criterion as a draft" in [b.label for b in at.button]
    assert not [i for i in at.info if i.value.startswith("You can read")]
    at = choose(at, "criteria_deliverable", "CC-01")
    assert "Add the criterion as a draft" not in [b.label for b in at.button]
    assert [i.value for i in at.info if i.value.startswith("You can read")] == [
        "You can read CC-01's criteria. Eastvale Borough Council owns it: its project owners, or "
        "an admin, add, send, accept and reject them."
    ]


def test_a_map_the_owner_may_only_read_says_so(demo_app) -> None:
    at = choose(demo_app(OWNER, ENGAGEMENT), "map_ref", "CC-01")
    assert any(i.value.startswith("You can read CC-01's map.") for i in at.info)
