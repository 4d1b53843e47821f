"""Send one plain-text message: over SMTP when PORTAL_SMTP_HOST is set, else into the outbox folder."""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import anyio

from portal.clock import utc_now
from portal.settings import Settings, get_settings

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 15


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


@dataclass(frozen=True)
class Mail:
    """One message to one recipient, already written in their language."""

    to: str
    subject: str
    body: str


def _message(mail: Mail, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utc_now())
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message


def _deliver_smtp(message: EmailMessage, settings: Settings) -> None:
    context = ssl.create_default_context()
    if settings.smtp_security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS, context=context
        )
    else:
        server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    with server:
        if settings.smtp_security == "starttls":
            server.starttls(context=context)
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password)
        server.send_message(message)


def _write_outbox(message: EmailMessage, settings: Settings) -> None:
    settings.outbox_dir.mkdir(parents=True, exist_ok=True)
    stamp = utc_now().strftime("%Y%m%dT%H%M%S")
    path = settings.outbox_dir / f"{stamp}-{secrets.token_hex(4)}.eml"
    # Reset and invitation links are secrets: only the portal's own user may read them.
    path.touch(mode=0o600)
    path.write_bytes(bytes(message))
    log.info("mail to %s written to %s (no PORTAL_SMTP_HOST set)", message["To"], path)


def deliver(mail: Mail, settings: Settings | None = None) -> None:
    """Hand ``mail`` over, blocking; raise :class:`MailError` when the server refuses or cannot be reached."""
    settings = settings or get_settings()
    message = _message(mail, settings)
    try:
        if settings.smtp_host:
            _deliver_smtp(message, settings)
        else:
            _write_outbox(message, settings)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"could not send mail to {mail.to}: {exc}") from exc


async def send(mail: Mail) -> None:
    """Send ``mail`` without holding up the event loop (SMTP can take seconds)."""
    await anyio.to_thread.run_sync(deliver, mail)
