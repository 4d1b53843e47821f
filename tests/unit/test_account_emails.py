"""Account e-mails: in the recipient's language, with a link to this portal, naming the account when asked."""

from __future__ import annotations

from portal.auth import emails
from portal.settings import get_settings


def test_a_reset_mail_names_the_account_and_links_to_the_portal():
    mail = emails.reset_mail("ana@example.org", "en", "TOKEN", "Ana", "ana.novak")
    assert f"{get_settings().public_url}/password/reset/TOKEN" in mail.body
    assert "ana.novak" in mail.body and mail.to == "ana@example.org"


def test_the_invitation_is_in_the_invitees_language():
    english = emails.invitation_mail("ana@example.org", "en", "T", "Ana", "Coordinator")
    slovene = emails.invitation_mail("ana@example.org", "sl", "T", "Ana", "Coordinator")
    assert "/invitation/T" in english.body and "/invitation/T" in slovene.body
    assert english.subject == "Your account on the activation portal"
