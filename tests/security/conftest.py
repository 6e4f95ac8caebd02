"""The app fixtures (AppTest as a demo user) for the security tests too; Chromium is the root
conftest's."""

from tests.app.conftest import _fresh_caches, demo_app  # noqa: F401
