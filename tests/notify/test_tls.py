"""Mail over an encrypted connection, as a council's server expects: STARTTLS (port 587) and TLS
from the start (port 465), against a real SMTP server on loopback (aiosmtpd) holding a
certificate made for the test by a certificate authority of its own. A certificate tracker cannot
trust stops the run with one clear line, and nothing is marked sent."""

import os
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.support.cli import run_tracker
from tests.support.mail import (
    BASE_URL,
    KAREN,
    MAIL_FROM,
    NOW,
    Inbox,
    drained,
    notifications,
    send,
    send_rb01_criterion,
)
from tracker.models import (
    AttemptOutcome,
    NotificationAttempt,
    NotificationKind,
)

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Authority:
    """A certificate authority made for one test, and a server certificate it signed."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _make_authority(where: Path, server_names: list[str]) -> Authority:
    """A CA certificate and a server certificate for `server_names` (IP addresses or DNS names)
    signed by it, both valid for a day."""
    start = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("tracker test authority"))
        .issuer_name(_name("tracker test authority"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    alternative_names: list[x509.GeneralName] = [
        x509.IPAddress(IPv4Address(name)) if name[0].isdigit() else x509.DNSName(name)
        for name in server_names
    ]
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(server_names[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    found = Authority(where / "ca.pem", where / "server.pem", where / "server.key")
    found.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    found.cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    found.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return found


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    """A server certificate for this host, from an authority of the test's own (as a council's
    internal one would be), which SSL_CERT_FILE makes trusted."""
    return _make_authority(tmp_path, [HOST, "localhost"])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class TlsServer:
    port: int
    inbox: Inbox


def _serve(authority: Authority, security: str) -> Iterator[TlsServer]:
    """A loopback server that speaks only encrypted: STARTTLS required before any mail, or TLS
    from the first byte."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(authority.cert_file, authority.key_file)
    inbox = Inbox()
    if security == "starttls":
        controller = Controller(
            inbox, hostname=HOST, port=_free_port(), tls_context=context, require_starttls=True
        )
    else:
        controller = Controller(inbox, hostname=HOST, port=_free_port(), ssl_context=context)
    controller.start()
    try:
        yield TlsServer(controller.port, inbox)
    finally:
        controller.stop()


@pytest.fixture(params=["starttls", "tls"])
def security(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def tls_server(authority: Authority, security: str) -> Iterator[TlsServer]:
    yield from _serve(authority, security)


def _settings(monkeypatch: pytest.MonkeyPatch, port: int, security: str) -> None:
    for name in ("TRACKER_SMTP_USER", "TRACKER_SMTP_PASSWORD", "TRACKER_OWNER_OVERDUE_DAYS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "TRACKER_SMTP_HOST": HOST,
        "TRACKER_SMTP_PORT": str(port),
        "TRACKER_SMTP_SECURITY": security,
        "TRACKER_MAIL_FROM": MAIL_FROM,
        "TRACKER_BASE_URL": BASE_URL,
    }.items():
        monkeypatch.setenv(name, value)


def _mine(engine: Engine, criterion_id: int) -> list:
    return [
        n
        for n in notifications(engine, kind=NotificationKind.criteria_to_confirm)
        if n.facts.get("criterion_id") == criterion_id
    ]


def test_notifications_go_over_starttls_and_over_tls_from_the_start(
    demo_engine: Engine,
    tls_server: TlsServer,
    security: str,
    authority: Authority,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _settings(monkeypatch, tls_server.port, security)
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))  # the council's own authority
    drained(demo_engine, tls_server)  # type: ignore[arg-type]
    criterion_id = send_rb01_criterion(demo_engine, "Refunds within five days")

    first = send(demo_engine)
    again = send(demo_engine)

    [mail] = tls_server.inbox.received
    assert (first.sent, first.ok, again.sent) == (1, True, 0)
    assert mail.to == KAREN and mail.sender == MAIL_FROM
    assert mail.tls in ("TLSv1.2", "TLSv1.3")  # the message itself crossed encrypted
    assert mail.subject.startswith("RB-01 Shared revenues and benefits platform: AC-")
    assert f"{BASE_URL}/my-criteria" in mail.text
    assert [n.status for n in _mine(demo_engine, criterion_id)] == ["sent"]


def test_a_starttls_server_refuses_mail_sent_in_clear(
    demo_engine: Engine, authority: Authority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test server really insists on encryption: the STARTTLS test's delivery is not a
    plain conversation that happened to succeed."""
    server = _serve(authority, "starttls")
    started = next(server)
    try:
        _settings(monkeypatch, started.port, "none")  # allowed: the server is on this host
        send_rb01_criterion(demo_engine, "Refunds within five days")
        refused = send(demo_engine)
    finally:
        server.close()

    assert refused.sent == 0 and started.inbox.received == []
    assert any("STARTTLS" in problem for problem in refused.problems)


@pytest.mark.parametrize(
    "trouble", ["an authority tracker does not know", "a certificate for another host"]
)
def test_a_certificate_that_cannot_be_trusted_stops_the_run_and_nothing_is_marked_sent(
    demo_engine: Engine,
    security: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    trouble: str,
) -> None:
    elsewhere = trouble == "a certificate for another host"
    (tmp_path / "server").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "fixed").mkdir()
    authority = _make_authority(
        tmp_path / "server", ["smtp.partnership.example"] if elsewhere else [HOST, "localhost"]
    )
    # trusted: the server's own authority (the name is wrong), or an unrelated one
    trusted = authority if elsewhere else _make_authority(tmp_path / "other", [HOST])
    monkeypatch.setenv("SSL_CERT_FILE", str(trusted.ca_file))
    server = _serve(authority, security)
    started = next(server)
    try:
        _settings(monkeypatch, started.port, security)
        criterion_id = send_rb01_criterion(demo_engine, "Refunds within five days")
        refused = send(demo_engine)
    finally:
        server.close()

    assert started.inbox.received == []
    assert (refused.sent, refused.ok) == (0, False)
    [note] = _mine(demo_engine, criterion_id)
    assert note.status == "pending" and note.sent_at is None  # tried again at a later run
    with Session(demo_engine) as session:
        attempts = session.exec(
            select(NotificationAttempt).where(NotificationAttempt.notification_id == note.id)
        ).all()
    [(outcome, detail)] = [(a.outcome, a.detail or "") for a in attempts]
    assert outcome == AttemptOutcome.deferred
    assert detail.startswith(
        f"the mail server at {HOST}:{started.port} presented a certificate that cannot be trusted ("
    )
    assert "so nothing was sent to it" in detail and "SSL_CERT_FILE" in detail
    assert "\n" not in detail and "Traceback" not in detail
    assert refused.problems == [detail]  # once for the run, however many were waiting
    assert refused.deferred > 1

    # with the server's certificate put right, the next run after the wait sends it, once
    fixed = _make_authority(tmp_path / "fixed", [HOST])
    monkeypatch.setenv("SSL_CERT_FILE", str(fixed.ca_file))
    server = _serve(fixed, security)
    started = next(server)
    try:
        _settings(monkeypatch, started.port, security)
        send(demo_engine, now=NOW + timedelta(minutes=5))
        send(demo_engine, now=NOW + timedelta(minutes=10))
    finally:
        server.close()
    mine = [r for r in started.inbox.to(KAREN) if "Refunds within five days" in r.text]
    assert len(mine) == 1 and mine[0].tls is not None
    assert [n.status for n in _mine(demo_engine, criterion_id)] == ["sent"]


def test_at_the_command_line_an_untrusted_certificate_is_one_line_and_exit_1(
    demo_sqlite_url: str, tmp_path: Path
) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "other").mkdir()
    authority = _make_authority(tmp_path / "server", [HOST])
    unrelated = _make_authority(tmp_path / "other", [HOST])
    server = _serve(authority, "starttls")
    started = next(server)
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("TRACKER_SMTP_USER", "TRACKER_SMTP_PASSWORD")
    }
    env.update(
        DATABASE_URL=demo_sqlite_url,
        TRACKER_SMTP_HOST=HOST,
        TRACKER_SMTP_PORT=str(started.port),
        TRACKER_SMTP_SECURITY="starttls",
        TRACKER_MAIL_FROM=MAIL_FROM,
        TRACKER_BASE_URL=BASE_URL,
        SSL_CERT_FILE=str(unrelated.ca_file),
    )
    try:
        done = run_tracker("notify", "send", env=env)
    finally:
        server.close()

    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert [line.strip() for line in lines if "certificate" in line] == [
        f"the mail server at {HOST}:{started.port} presented a certificate that cannot be "
        "trusted (unable to get local issuer certificate), so nothing was sent to it: check "
        "that TRACKER_SMTP_HOST is the name on the server's certificate, and for a certificate "
        "from your own authority set SSL_CERT_FILE to that authority's certificate"
    ]
    assert lines[-1].startswith("error: ")
    assert done.stdout.startswith("notify send: 0 notifications sent")
    assert started.inbox.received == []
