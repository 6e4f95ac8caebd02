"""Handing messages to the mail server with smtplib, and what its answers mean.

One connection per run, opened on first use and reopened after the server drops it. A 4xx reply
or a network failure is temporary (tried again later, with backoff); a 5xx reply is final. A
failure to connect, to trust the server's certificate or to sign in stops the run: every later
message would fail the same way.
Server replies are kept for the admin with the recipient's address taken out.
"""

import contextlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType

from tracker.config import MailSettings, SmtpSecurity

TIMEOUT_SECONDS = 30


class DeliveryFailure(Exception):
    """The server did not take a message. `temporary`: worth trying again later; `fatal`: the
    run cannot send anything (no connection, sign-in refused)."""

    def __init__(
        self, detail: str, code: int | None = None, *, temporary: bool, fatal: bool = False
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.temporary = temporary
        self.fatal = fatal


def scrub(text: str, address: str) -> str:
    """The text with the recipient's address taken out (servers quote it in refusals)."""
    return re.sub(re.escape(address), "<recipient>", text, flags=re.IGNORECASE) if address else text


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {text}".strip()


class MailServer:
    """A connection to the configured server, as a context manager."""

    def __init__(self, settings: MailSettings, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "MailServer":
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.host}:{s.port}"
        context = ssl.create_default_context()
        try:
            if s.security is SmtpSecurity.tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host or "", s.port, timeout=self.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(s.host or "", s.port, timeout=self.timeout)
            if s.security is SmtpSecurity.starttls:
                smtp.starttls(context=context)
            if s.user:
                smtp.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailure(
                f"the mail server at {where} refused TRACKER_SMTP_USER's sign-in: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}",
                exc.smtp_code,
                temporary=True,
                fatal=True,
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryFailure(
                f"the mail server at {where} presented a certificate that cannot be trusted "
                f"({exc.verify_message}), so nothing was sent to it: check that "
                "TRACKER_SMTP_HOST is the name on the server's certificate, and for a certificate "
                "from your own authority set SSL_CERT_FILE to that authority's certificate",
                temporary=True,
                fatal=True,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryFailure(
                f"the mail server at {where} does not offer STARTTLS: set "
                "TRACKER_SMTP_SECURITY=tls if it expects TLS from the start",
                temporary=True,
                fatal=True,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailure(
                f"cannot reach the mail server at {where}: {exc}", temporary=True, fatal=True
            ) from None
        return smtp

    def send(self, message: EmailMessage, to: str) -> None:
        """Hand one message to the server; DeliveryFailure if it does not accept it."""
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise DeliveryFailure(
                scrub(_reply(code, reply), to), code, temporary=400 <= code < 500
            ) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise DeliveryFailure(
                scrub(_reply(exc.smtp_code, exc.smtp_error), to),
                exc.smtp_code,
                temporary=400 <= exc.smtp_code < 500,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.smtp = None  # the connection is no use now; the next message reconnects
            raise DeliveryFailure(
                scrub(f"the connection failed: {exc}", to), temporary=True
            ) from None
