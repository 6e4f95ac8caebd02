"""Fixtures shared by every test: databases on SQLite and PostgreSQL, built by the migrations
(tests/support/databases.py), the demo programme loaded into them."""

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine
from sqlmodel import Session

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, run_watch_script
from tests.support.databases import BACKENDS, Backend
from tracker.db import create_tracker_engine


@pytest.fixture(scope="session")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Backend]]:
    made = {kind: Backend(kind, tmp_path_factory.mktemp(kind)) for kind in BACKENDS}
    yield made
    for backend in made.values():
        backend.drop_all()


@pytest.fixture(scope="session")
def templates(backends: dict[str, Backend]) -> dict[tuple[str, str], str]:
    """Template URLs by (backend, content), made on first use."""
    return {}


def _database(
    request: pytest.FixtureRequest,
    backends: dict[str, Backend],
    templates: dict[tuple[str, str], str],
    content: str,
    setup: Callable[[Engine], None] | None,
) -> Iterator[Engine]:
    backend = backends[request.param]
    if (request.param, content) not in templates:
        templates[(request.param, content)] = backend.prepare(setup)
    engine = create_tracker_engine(backend.copy(templates[(request.param, content)]))
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest,
    backends: dict[str, Backend],
    templates: dict[tuple[str, str], str],
) -> Iterator[Engine]:
    """An empty, migrated database: once on SQLite, once on PostgreSQL."""
    yield from _database(request, backends, templates, "empty", None)


def _load_demo(engine: Engine) -> None:
    from tracker.demo.loader import load_demo

    load_demo(engine)


@pytest.fixture(params=BACKENDS)
def demo_engine(
    request: pytest.FixtureRequest,
    backends: dict[str, Backend],
    templates: dict[tuple[str, str], str],
) -> Iterator[Engine]:
    """A database holding the demo programme (loaded once per backend, copied per test)."""
    yield from _database(request, backends, templates, "demo", _load_demo)


def _demo_sqlite_copy(backends: dict[str, Backend], templates: dict[tuple[str, str], str]) -> str:
    if ("sqlite", "demo") not in templates:
        templates[("sqlite", "demo")] = backends["sqlite"].prepare(_load_demo)
    return backends["sqlite"].copy(templates[("sqlite", "demo")])


@pytest.fixture
def demo_sqlite_url(backends: dict[str, Backend], templates: dict[tuple[str, str], str]) -> str:
    """A private SQLite copy of the demo database, for the app and browser tests."""
    return _demo_sqlite_copy(backends, templates)


@pytest.fixture(scope="module")
def module_demo_sqlite_url(
    backends: dict[str, Backend], templates: dict[tuple[str, str], str]
) -> str:
    """A SQLite copy of the demo database shared by one test module (its Streamlit server's)."""
    return _demo_sqlite_copy(backends, templates)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session


# One Chromium per test process, shared by the browser and security tests: a second sync
# Playwright in the same process refuses to start ("Sync API inside the asyncio loop").
@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context per test; it counts Streamlit's script runs for wait_for_app."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(script=run_watch_script())
    opened = context.new_page()
    yield opened
    context.close()
