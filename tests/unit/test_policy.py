"""The role rules, decided in one place."""

import pytest

from tracker.errors import NotAllowed
from tracker.models import Deliverable, Role
from tracker.policy import (
    Action,
    Actor,
    can,
    can_edit_deliverable,
    can_read_deliverable,
    require,
)


def actor(role: Role, org: int = 1) -> Actor:
    return Actor(
        user_id=1, person_id=1, name="A", role=role, organisation_id=org, organisation_name="Org"
    )


DELIVERABLE = Deliverable(
    id=1, programme_id=1, ref="X", title="X", owner_org_id=1, supplier_org_id=2
)


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (Role.admin, Action.manage_sites, True),
        (Role.project_owner, Action.manage_sites, False),
        (Role.project_owner, Action.edit_deliverable, True),
        (Role.board_member, Action.read_programme, True),
        (Role.board_member, Action.edit_deliverable, False),
        (Role.supplier_contact, Action.read_programme, False),
    ],
)
def test_role_actions(role: Role, action: Action, allowed: bool) -> None:
    assert can(actor(role), action) is allowed
    if allowed:
        require(actor(role), action)
    else:
        with pytest.raises(NotAllowed, match=action.value):
            require(actor(role), action)


def test_supplier_reads_only_deliverables_their_organisation_supplies() -> None:
    assert can_read_deliverable(actor(Role.supplier_contact, org=2), DELIVERABLE)
    assert not can_read_deliverable(actor(Role.supplier_contact, org=3), DELIVERABLE)


def test_project_owner_edits_only_their_councils_deliverables() -> None:
    assert can_edit_deliverable(actor(Role.project_owner, org=1), DELIVERABLE)
    assert not can_edit_deliverable(actor(Role.project_owner, org=5), DELIVERABLE)
    assert not can_edit_deliverable(actor(Role.board_member, org=1), DELIVERABLE)
    assert can_edit_deliverable(actor(Role.admin, org=9), DELIVERABLE)
