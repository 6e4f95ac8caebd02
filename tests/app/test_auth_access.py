"""Every role on every page, signed in through the identity provider (`at.user`).

For each row of tracker.ui.navigation.PAGES and each role: a page the role may open is in its
navigation and renders without an exception; any other page is missing from its navigation, so
switching to it fails, and its own guard refuses it when its script is run directly. Then what a
supplier contact can try from the address bar: query parameters naming another supplier's
deliverable. (A forged widget value naming one reaches the services, whose refusals
tests/services/test_access.py tries.)
"""

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.app import AUTH_SECRETS, ROOT
from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER
from tracker.db import create_tracker_engine, session_scope
from tracker.models import Role
from tracker.policy import allows
from tracker.services.auth.users import actor_for_email
from tracker.services.lookups import deliverable_by_ref
from tracker.ui.navigation import PAGES, PageSpec
from tracker.ui.session import ACTOR_KEY

ROLES = {
    Role.admin: ADMIN,
    Role.project_owner: OWNER,
    Role.board_member: BOARD,
    Role.supplier_contact: SUPPLIER,
}
NO_ACCESS = "You do not have access to this page. Ask your programme admin if you need it."
#: what no page may ever show, whoever is signed in
SECRETS = [
    AUTH_SECRETS["auth"]["client_secret"],
    AUTH_SECRETS["auth"]["cookie_secret"],
]
#: another supplier's deliverables (Binwise Digital), and Binwise's people
BINWISE = ["WB-01", "MB-01", "Nadia Kowalski", "Jack Turner", "binwise.co.uk"]


def shown(at: AppTest) -> str:
    """Everything a run put on screen, as text: words, tables, choices, metrics, errors."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "error",
        "warning",
        "info",
        "success",
        "exception",
        "expander",
    ):
        for element in getattr(at, kind, []):
            parts.append(str(getattr(element, "value", getattr(element, "label", ""))))
    for frame in at.dataframe:
        value = frame.value
        parts.append((value.data if hasattr(value, "data") else value).to_csv())
    for widget in [*at.selectbox, *at.multiselect, *at.radio]:
        parts += [widget.label, *map(str, widget.options)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [json_chart for json_chart in (c.proto.spec for c in at.get("plotly_chart"))]
    return "\n".join(parts)


def navigable(at: AppTest) -> set[str]:
    """The pages the run's navigation offers, found by switching to each (which fails for a page
    not registered)."""
    found = set()
    for page in PAGES:
        try:
            at.switch_page(page.path)
        except ValueError:
            continue
        found.add(page.path)
    return found


CASES = [
    pytest.param(page, role, id=f"{page.url_path}-{role.value.replace(' ', '_')}")
    for page in PAGES
    for role in ROLES
]


@pytest.mark.parametrize(("page", "role"), CASES)
def test_every_role_on_every_page(
    signed_in_app: Callable[..., AppTest], page: PageSpec, role: Role
) -> None:
    at = signed_in_app(ROLES[role], timeout=60)
    assert not at.exception, at.exception
    assert (page.path in navigable(at)) is allows(role, page.action)
    if allows(role, page.action):
        at.switch_page(page.path).run()
        assert not at.exception, at.exception
        assert at.title[0].value == page.title
        assert NO_ACCESS not in [e.value for e in at.error]
        text = shown(at)
        assert not [secret for secret in SECRETS if secret in text]
    else:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page.path)


def test_each_role_is_offered_exactly_its_pages(signed_in_app: Callable[..., AppTest]) -> None:
    for role, email in ROLES.items():
        offered = navigable(signed_in_app(email))
        assert offered == {p.path for p in PAGES if allows(role, p.action)}, role


@pytest.mark.parametrize(
    ("page", "role"),
    [
        pytest.param(p, r, id=f"{p.url_path}-{r.value}")
        for p in PAGES
        for r in ROLES
        if not allows(r, p.action)
    ],
)
def test_a_page_refuses_a_role_itself(
    demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch, page: PageSpec, role: Role
) -> None:
    """Run the page's own script, as if something got past the navigation: its guard shows only
    the refusal."""
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)
    engine = create_tracker_engine(demo_sqlite_url)
    with session_scope(engine) as session:
        actor = actor_for_email(session, ROLES[role])
    engine.dispose()
    at = AppTest.from_file(str(ROOT / page.path), default_timeout=30)
    at.session_state[ACTOR_KEY] = actor
    at.run()
    assert [e.value for e in at.error] == [NO_ACCESS]
    assert not at.title and not at.dataframe and not at.exception


def test_a_page_run_with_nobody_signed_in_shows_nothing(
    demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / page.path), default_timeout=30).run()
        assert [e.value for e in at.error] == ["Nobody is signed in."], page.path
        assert not at.title and not at.dataframe


def _binwise_ids(demo_sqlite_url: str) -> dict[str, int]:
    engine = create_tracker_engine(demo_sqlite_url)
    with session_scope(engine) as session:
        admin = actor_for_email(session, ADMIN)
        ids = {
            ref: deliverable_by_ref(session, admin, ref=ref).id or 0 for ref in ("WB-01", "MB-01")
        }
    engine.dispose()
    return ids


@pytest.mark.parametrize(
    "page", [p for p in PAGES if allows(Role.supplier_contact, p.action)], ids=lambda p: p.url_path
)
def test_query_parameters_naming_another_suppliers_work_show_nothing_of_it(
    signed_in_app: Callable[..., AppTest], demo_sqlite_url: str, page: PageSpec
) -> None:
    """No page reads query parameters to choose what to show; naming another supplier's
    deliverable, or its id, in the URL changes nothing."""
    wb = _binwise_ids(demo_sqlite_url)["WB-01"]
    at = signed_in_app(SUPPLIER)
    at.query_params.update(
        {"deliverable": "WB-01", "ref": "WB-01", "id": str(wb), "deliverable_id": str(wb)}
    )
    at.switch_page(page.path).run()
    assert not at.exception, at.exception
    text = shown(at)
    assert not [name for name in BINWISE if name in text]


def test_every_page_script_is_in_the_navigation_table_and_guards_itself() -> None:
    """A script directly in pages/ would be auto-discovered and run without the entry point's
    checks; a script missing from PAGES would have no role rule."""
    scripts = {str(p.relative_to(ROOT)) for p in (ROOT / "pages").rglob("*.py")}
    assert scripts == {page.path for page in PAGES}
    assert not list((ROOT / "pages").glob("*.py"))
    for page in PAGES:
        source = (ROOT / page.path).read_text(encoding="utf-8")
        assert f'page_setup("{page.url_path}"' in source, page.path
