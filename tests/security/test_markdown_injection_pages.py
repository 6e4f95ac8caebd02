"""ASVS probe finding 6: Markdown injection from Jira and from people.

Sprint and board names were rendered as Markdown (the Sprint review's heading and captions): an
image in a sprint name made every viewer's browser fetch an outside address. Here every text a
person or Jira supplies is given an image and a link, and every page is opened by each role: no
heading, caption, label, message or option may render them as anything but the text typed.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from markdown_it import MarkdownIt
from playwright.sync_api import expect
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from tests.support.browser import StreamlitServer, wait_for_app
from tests.support.roles import ADMIN, BOARD, OWNER, SUPPLIER
from tracker.models import Role
from tracker.ui.navigation import pages_for

IMAGE = "![i](https://evil.example/i.png)"
LINK = "[open](https://evil.example/x)"
EVIL = f"{IMAGE} {LINK} :red[x] <b>y</b> $z$"
#: what people and Jira supply and pages show: (table, column)
TYPED = [
    ("jira_site", "name"),
    ("jira_board", "name"),
    ("jira_sprint", "name"),
    ("jira_sprint", "goal"),
    ("jira_issue", "summary"),
    ("programme", "name"),
    ("programme", "description"),
    ("deliverable", "title"),
    ("deliverable", "rag_reason"),
    ("organisation", "name"),
    ("person", "name"),
    ("person", "job_title"),
    ("stage", "name"),
    ("engagement", "notes"),
    ("raid_item", "title"),
    ("raid_item", "description"),
    ("decision", "title"),
    ("dependency", "description"),
    ("highlight_note", "summary"),
]
#: proto fields Streamlit renders as Markdown (a radio's options too); a selectbox's options, a
#: table's cells, st.text and st.code are plain text already
MARKDOWN_FIELDS = {"body", "label", "help"}
PLAIN_ELEMENTS = {"text", "code", "json", "exception"}
ROLES = {Role.admin: ADMIN, Role.project_owner: OWNER, Role.board_member: BOARD,
         Role.supplier_contact: SUPPLIER}  # fmt: skip
MARKDOWN = MarkdownIt("commonmark")


def _plant(url: str) -> None:
    """Append the image, link and directives to every typed text of the database."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = {row[0] for row in conn.execute(text("SELECT name FROM sqlite_master"))}
        for table, column in TYPED:
            if table in tables:
                conn.execute(
                    text(f"UPDATE {table} SET {column} = coalesce({column}, '') || ' ' || :evil"),
                    {"evil": EVIL},
                )
    engine.dispose()


@pytest.fixture
def evil_app(demo_app, demo_sqlite_url: str):
    _plant(demo_sqlite_url)
    return demo_app


def _strings(message: Any, element_type: str) -> Iterator[str]:
    for field, value in message.ListFields():
        repeated = not isinstance(value, str | bytes) and hasattr(value, "__len__")
        values = value if repeated and not hasattr(value, "ListFields") else [value]
        for item in values:
            if hasattr(item, "ListFields"):
                yield from _strings(item, element_type)
            elif field.name in MARKDOWN_FIELDS or (element_type, field.name) == (
                "radio",
                "options",
            ):
                yield str(item)


def _rendered(at: AppTest) -> Iterator[tuple[str, str]]:
    def walk(node: Any) -> Iterator[Any]:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    for root in (at.main, at.sidebar):
        for node in walk(root):
            proto = getattr(node, "proto", None)
            if proto is None or node.type in PLAIN_ELEMENTS:
                continue
            for source in _strings(proto, node.type):
                if "evil.example" in source:
                    yield node.type, source


def _injected(source: str) -> bool:
    html = MARKDOWN.render(source)
    # Streamlit links bare addresses and colours `:red[...]` after parsing: no escape stops it,
    # so the pattern itself must not be there
    return "<img" in html or "<a " in html or "://evil" in source or ":red[" in source


@pytest.mark.parametrize("role", list(ROLES))
def test_nothing_typed_renders_as_markdown_on_any_page(evil_app, role: Role) -> None:
    found: dict[str, list[tuple[str, str]]] = {}
    shown = 0
    for page in pages_for(role):
        at = evil_app(ROLES[role], page.path, timeout=60)
        assert not at.exception, (page.path, at.exception)
        rendered = list(_rendered(at))
        shown += len(rendered)
        bad = [(kind, source) for kind, source in rendered if _injected(source)]
        if bad:
            found[page.path] = bad
    assert shown, "no page showed any of the planted text: the test would prove nothing"
    assert not found, "\n".join(
        f"{page}: {kind}: {source[:160]}" for page, bad in found.items() for kind, source in bad
    )


def test_an_image_in_a_sprint_name_is_not_an_image_on_the_sprint_review(evil_app) -> None:
    at = evil_app(ADMIN, "pages/delivery/sprint_review.py")
    heading = at.subheader[0].value
    assert "evil.example" in heading
    assert "<img" not in MARKDOWN.render(heading)


@pytest.fixture
def evil_server(demo_sqlite_url: str, tmp_path) -> Iterator[StreamlitServer]:
    _plant(demo_sqlite_url)
    server = StreamlitServer(
        {"DATABASE_URL": demo_sqlite_url, "TRACKER_DEMO": "1"},
        ("--secrets.files", str(tmp_path / "no-secrets.toml")),
    )
    yield server
    server.stop()


@pytest.mark.e2e
def test_no_browser_fetches_an_image_named_in_a_sprint(evil_server, page) -> None:
    """In Chromium, as Streamlit really renders it: the sprint review's heading shows the image's
    Markdown as text, and nothing is fetched from the address."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{evil_server.url}/sprint-review")
    wait_for_app(page, timeout=60_000)
    heading = page.get_by_role("heading", level=3).filter(has_text="ASC Sprint 27").first
    expect(heading).to_contain_text(f"ASC Sprint 27 {IMAGE}")
    expect(page.locator("img[src*='evil.example']")).to_have_count(0)
    expect(page.locator("a[href*='evil.example']")).to_have_count(0)
    expect(page.locator(".stMarkdownColoredText, .katex")).to_have_count(0)
    assert not [url for url in fetched if "evil.example" in url]
