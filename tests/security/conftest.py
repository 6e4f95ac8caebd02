"""The app and browser fixtures (AppTest as a demo user, Chromium) for the security tests too."""

from tests.app.conftest import _fresh_caches, demo_app  # noqa: F401
from tests.e2e.conftest import browser, page  # noqa: F401
