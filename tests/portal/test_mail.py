"""Outgoing mail: to a real SMTP server when one is set, else into the outbox folder."""

from __future__ import annotations

import dataclasses

import pytest

from portal.mail.sender import Mail, MailError, deliver, send
from portal.settings import get_settings


async def test_mail_reaches_the_smtp_server(mailbox):
    await send(Mail(to="ana@example.org", subject="Povabilo", body="Pozdravljeni, čžš."))
    assert len(mailbox) == 1
    message = mailbox[0]
    assert message["To"] == "ana@example.org" and message["Subject"] == "Povabilo"
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Pozdravljeni, čžš."


def test_without_an_smtp_host_mail_lands_in_the_outbox_readable_only_by_the_portal(tmp_path):
    settings = dataclasses.replace(get_settings(), smtp_host="", outbox_dir=tmp_path / "outbox")
    deliver(Mail(to="ana@example.org", subject="Reset", body="https://portal.example/reset/x"), settings)
    (path,) = (tmp_path / "outbox").glob("*.eml")
    assert b"https://portal.example/reset/x" in path.read_bytes()
    assert path.stat().st_mode & 0o077 == 0


def test_an_unreachable_server_is_a_mail_error(tmp_path):
    settings = dataclasses.replace(get_settings(), smtp_host="127.0.0.1", smtp_port=9, smtp_security="none")
    with pytest.raises(MailError):
        deliver(Mail(to="ana@example.org", subject="x", body="y"), settings)
