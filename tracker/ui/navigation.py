"""Which pages exist, in which section, and the policy action that opens each.

`streamlit_app.py` builds the navigation from this table for the signed-in role, asking
tracker.policy which roles may do each page's action, and every page checks the same at its top
(tracker.ui.page.page_setup), so a page missing from someone's menu also refuses a direct URL.
"""

from dataclasses import dataclass

import streamlit as st

from tracker.models import Role
from tracker.policy import Action, allows


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    section: str
    url_path: str
    action: Action
    icon: str


PAGES: tuple[PageSpec, ...] = (
    # where people with work of their own land (LANDING); board members land on the board pack
    PageSpec(
        "pages/programme/needs_me.py",
        "What needs me",
        "Programme",
        "needs-me",
        Action.see_own_work,
        ":material/inbox:",
    ),
    PageSpec(
        "pages/programme/overview.py",
        "Programme overview",
        "Programme",
        "overview",
        Action.read_deliverables,
        ":material/dashboard:",
    ),
    PageSpec(
        "pages/board/board_pack.py",
        "Board pack",
        "Programme",
        "board-pack",
        Action.read_deliverables,
        ":material/summarize:",
    ),
    # Supplier contacts open these, but tracker.services.raid shows them only the items,
    # decisions and dependencies of the deliverables their organisation supplies.
    PageSpec(
        "pages/programme/raid.py",
        "RAID log",
        "Programme",
        "raid",
        Action.read_deliverables,
        ":material/report:",
    ),
    PageSpec(
        "pages/programme/decisions.py",
        "Decision log",
        "Programme",
        "decisions",
        Action.read_deliverables,
        ":material/gavel:",
    ),
    PageSpec(
        "pages/programme/dependencies.py",
        "Dependencies",
        "Programme",
        "dependencies",
        Action.read_deliverables,
        ":material/account_tree:",
    ),
    PageSpec(
        "pages/people/engagement.py",
        "Engagement map",
        "People",
        "engagement",
        Action.read_deliverables,
        ":material/hub:",
    ),
    PageSpec(
        "pages/people/contacts.py",
        "Contacts",
        "People",
        "contacts",
        Action.read_deliverables,
        ":material/contacts:",
    ),
    PageSpec(
        "pages/people/assurance.py",
        "Supplier assurance",
        "People",
        "assurance",
        Action.read_deliverables,
        ":material/verified_user:",
    ),
    PageSpec(
        "pages/acceptance/criteria.py",
        "Acceptance criteria",
        "Acceptance",
        "criteria",
        Action.read_programme,
        ":material/fact_check:",
    ),
    PageSpec(
        "pages/acceptance/my_criteria.py",
        "Criteria waiting for me",
        "Acceptance",
        "my-criteria",
        Action.answer_criteria,
        ":material/assignment_turned_in:",
    ),
    PageSpec(
        "pages/acceptance/board.py",
        "Acceptance across deliverables",
        "Acceptance",
        "acceptance-board",
        Action.read_programme,
        ":material/monitoring:",
    ),
    # Supplier contacts open the sprint review, but tracker.services.delivery.sprints shows them
    # only the deliverables they supply; the burndown page mixes every supplier's work: staff only.
    PageSpec(
        "pages/delivery/sprint_review.py",
        "Sprint review",
        "Delivery",
        "sprint-review",
        Action.read_deliverables,
        ":material/event_available:",
    ),
    PageSpec(
        "pages/delivery/burndown.py",
        "Burndown and progress",
        "Delivery",
        "burndown",
        Action.read_programme,
        ":material/trending_down:",
    ),
    PageSpec(
        "pages/admin/jira_sites.py",
        "Jira sites",
        "Admin",
        "jira-sites",
        Action.manage_sites,
        ":material/sync:",
    ),
    PageSpec(
        "pages/admin/users.py",
        "Users and sign-ins",
        "Admin",
        "users",
        Action.manage_users,
        ":material/manage_accounts:",
    ),
    PageSpec(
        "pages/admin/notifications.py",
        "Sent notifications",
        "Admin",
        "notifications-sent",
        Action.manage_notifications,
        ":material/outgoing_mail:",
    ),
    PageSpec(
        "pages/account/notifications.py",
        "Email notifications",
        "Account",
        "notifications",
        Action.read_deliverables,
        ":material/notifications:",
    ),
)

PAGES_BY_URL = {page.url_path: page for page in PAGES}


def pages_for(role: Role) -> list[PageSpec]:
    return [page for page in PAGES if allows(role, page.action)]


#: where a role lands when it opens tracker, if not on its first page: a board member's question
#: is "are we on track, and what must we decide?"; everyone else's is "what is mine to do?"
LANDING = {
    Role.board_member: "board-pack",
    Role.admin: "needs-me",
    Role.project_owner: "needs-me",
    Role.supplier_contact: "needs-me",
}


def landing_page(role: Role) -> PageSpec:
    pages = pages_for(role)
    return next((p for p in pages if p.url_path == LANDING.get(role)), pages[0])


def build_navigation(role: Role) -> dict[str, list[st.Page]]:
    """Sections of st.Page objects for one role; its landing page is the default."""
    landing = landing_page(role)
    sections: dict[str, list[st.Page]] = {}
    for page in pages_for(role):
        sections.setdefault(page.section, []).append(
            st.Page(
                page.path,
                title=page.title,
                url_path=page.url_path,
                icon=page.icon,
                default=page == landing,
            )
        )
    return sections
