"""Email tests: what the loopback SMTP server (aiosmtpd) received, and helpers acting as the demo
programme's people on the demo's day."""

import asyncio
import email
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import default
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.support.roles import ADMIN, OWNER, SUPPLIER
from tracker.db import session_scope
from tracker.models import Deliverable, Notification
from tracker.policy import Actor
from tracker.services.acceptance.criteria import (
    CriterionMove,
    Wording,
    create_criterion,
    make_move,
)
from tracker.services.auth.users import actor_for_email
from tracker.services.notify.delivery import RunReport, send_digests, send_due

KAREN = SUPPLIER  # Ledgerline, accountable on RB-01 and CTAX-02
IMRAN = "imran.qureshi@ledgerline.co.uk"  # Ledgerline, responsible on RB-01; no account
NADIA = "nadia.kowalski@binwise.co.uk"  # Binwise, accountable on WB-01
CHLOE = "chloe.bennett@skywardtelecom.co.uk"  # Skyward
BASE_URL = "https://tracker.marshland.example"
MAIL_FROM = "tracker@marshland.example"
#: the demo's day: its Jira was exported on 27 November 2026
TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    #: the TLS version the message came over ("TLSv1.3"), None in clear
    tls: str | None = None

    @property
    def to(self) -> str:
        return self.recipients[0]

    @property
    def subject(self) -> str:
        """As a mail client shows it (a long subject is folded onto a second header line)."""
        return " ".join(str(self.message["Subject"]).split())

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()  # type: ignore[union-attr]


@dataclass
class Inbox:
    """What the server received, and how it should answer next."""

    received: list[Received] = field(default_factory=list)
    #: replies to give RCPT, one per recipient, before accepting again (e.g. "451 4.3.0 busy")
    refuse_rcpt: list[str] = field(default_factory=list)
    #: called after a message is received and before the server answers 250
    on_data: Callable[[], None] | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        secured = server.transport.get_extra_info("ssl_object")
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message,  # type: ignore[arg-type]
                secured.version() if secured is not None else None,
            )
        )
        if self.on_data is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_data)
        return "250 2.0.0 accepted"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def clear(self) -> None:
        self.received.clear()


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox


def actor(engine: Engine, address: str) -> Actor:
    with session_scope(engine) as session:
        return actor_for_email(session, address)


def send(engine: Engine, **options: Any) -> RunReport:
    """`tracker notify send` on the demo's day."""
    return send_due(engine, actor(engine, ADMIN), now=options.pop("now", NOW), today=TODAY)


def digest(engine: Engine, **options: Any) -> RunReport:
    return send_digests(engine, actor(engine, ADMIN), now=options.pop("now", NOW), today=TODAY)


def drained(engine: Engine, smtp_server: SmtpServer) -> None:
    """Send what the demo's loading queued (and the clock made due), then forget it: a test
    starts from an outbox with nothing waiting."""
    send(engine)
    digest(engine)
    smtp_server.inbox.clear()


def notifications(engine: Engine, **where: Any) -> list[Notification]:
    with Session(engine) as session:
        query = select(Notification).order_by(Notification.id)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return list(session.exec(query))


def send_rb01_criterion(engine: Engine, title: str = "Refunds within five days") -> int:
    """A new RB-01 criterion sent to Ledgerline (Karen Stokes is its accountable contact)."""
    owner = actor(engine, OWNER)
    with session_scope(engine) as session:
        rb01 = session.exec(select(Deliverable).where(Deliverable.ref == "RB-01")).one()
        saved = create_criterion(
            session, owner, deliverable_id=rb01.id or 0, wording=Wording(title, "Given, then.")
        )
        make_move(
            session,
            owner,
            criterion_id=saved.criterion_id,
            move=CriterionMove.send,
            expected_row_version=saved.row_version,
        )
    return saved.criterion_id
