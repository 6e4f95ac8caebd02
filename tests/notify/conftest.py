"""A real SMTP server on loopback (aiosmtpd) and the mail settings pointing at it."""

import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.support.mail import BASE_URL, MAIL_FROM, Inbox, SmtpServer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield SmtpServer(controller.port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def mail_env(smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The mail settings pointing at the test server (plain SMTP, allowed on this host)."""
    settings = {
        "TRACKER_SMTP_HOST": "127.0.0.1",
        "TRACKER_SMTP_PORT": str(smtp_server.port),
        "TRACKER_SMTP_SECURITY": "none",
        "TRACKER_MAIL_FROM": MAIL_FROM,
        "TRACKER_BASE_URL": BASE_URL,
    }
    for name in ("TRACKER_SMTP_USER", "TRACKER_SMTP_PASSWORD", "TRACKER_OWNER_OVERDUE_DAYS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return settings
