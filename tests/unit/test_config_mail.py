"""The mail settings refuse to send in clear to anything but a server on this host."""

import pytest

from tracker.config import SmtpSecurity, mail_settings

CLEAR = (
    "TRACKER_SMTP_SECURITY=none sends in clear, so only to a server on this host (localhost), "
    "not {host}: use starttls or tls"
)


def _settings(monkeypatch: pytest.MonkeyPatch, host: str, security: str) -> None:
    for name in ("TRACKER_SMTP_PORT", "TRACKER_SMTP_USER", "TRACKER_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACKER_SMTP_HOST", host)
    monkeypatch.setenv("TRACKER_SMTP_SECURITY", security)
    monkeypatch.setenv("TRACKER_MAIL_FROM", "tracker@partnership.example")
    monkeypatch.setenv("TRACKER_BASE_URL", "https://tracker.partnership.example")


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "127.0.0.1", "::1"])
def test_plain_smtp_is_allowed_to_a_server_on_this_host(
    monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    _settings(monkeypatch, host, "none")

    settings = mail_settings()

    assert settings.problems == ()
    assert (settings.security, settings.port) == (SmtpSecurity.none, 25)


@pytest.mark.parametrize(
    "host",
    ["smtp.partnership.example", "localhost.partnership.example", "10.0.0.25", "mail"],
)
def test_plain_smtp_to_any_other_host_is_refused_and_named(
    monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    _settings(monkeypatch, host, "none")

    assert mail_settings().problems == (CLEAR.format(host=host),)


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("tls", 465), ("TLS", 465)])
def test_encrypted_smtp_to_a_remote_host_is_accepted_with_its_usual_port(
    monkeypatch: pytest.MonkeyPatch, security: str, port: int
) -> None:
    _settings(monkeypatch, "smtp.partnership.example", security)

    settings = mail_settings()

    assert settings.problems == () and settings.port == port
