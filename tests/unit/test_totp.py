"""Two-factor pieces without a database: which codes match, the QR code's markup, who must enrol."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from types import SimpleNamespace

import pyotp
import pytest

from portal.auth import two_factor
from portal.auth.current_user import CurrentUser
from portal.auth.guards import TwoFactorEnrolmentRequired, deny_by_default
from portal.settings import get_settings

SECRET = pyotp.random_base32()
NOW = 1_800_000_000.0  # a fixed moment: step 60,000,000


def test_codes_of_the_current_and_the_neighbouring_steps_match_others_not():
    totp = pyotp.TOTP(SECRET)
    step = totp.timecode(dt.datetime.fromtimestamp(NOW, dt.UTC))
    assert two_factor.matching_step(SECRET, totp.at(NOW), at=NOW) == step
    assert two_factor.matching_step(SECRET, totp.at(NOW - 30), at=NOW) == step - 1
    assert two_factor.matching_step(SECRET, totp.at(NOW + 30), at=NOW) == step + 1
    for far in (NOW - 60, NOW + 60, NOW - 3600):
        if totp.at(far) not in {totp.at(NOW - 30), totp.at(NOW), totp.at(NOW + 30)}:
            assert two_factor.matching_step(SECRET, totp.at(far), at=NOW) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x", "١٢٣٤٥٦"])
def test_anything_but_six_digits_never_matches(code):
    assert two_factor.matching_step(SECRET, code, at=NOW) is None


def test_spaces_in_a_typed_code_are_ignored():
    code = pyotp.TOTP(SECRET).at(NOW)
    assert two_factor.matching_step(SECRET, f" {code[:3]} {code[3:]} ", at=NOW) is not None


def test_recovery_codes_are_readable_and_normalised_for_comparison():
    code = two_factor._new_recovery_code()
    assert re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code)
    assert two_factor._normalise(f" {code.upper().replace('-', ' ')} ") == code.replace("-", "")


def test_the_qr_code_is_inline_svg_with_an_escaped_accessible_name_and_no_text_of_the_uri():
    uri = two_factor.provisioning_uri(SECRET, 'eve"><script>alert(1)</script>')
    assert uri.startswith("otpauth://totp/Activation%20portal:eve%22%3E%3Cscript%3E")
    assert "issuer=Activation%20portal" in uri
    svg = str(two_factor.qr_svg(uri, 'QR "code" <for> you'))
    assert svg.startswith('<svg role="img" aria-label="QR &#34;code&#34; &lt;for&gt; you" ')
    assert "script" not in svg and "eve" not in svg and SECRET not in svg
    assert set(re.findall(r"<(/?\w+)", svg)) <= {"svg", "/svg", "g", "/g", "path"}


def _user(role: str, totp_enabled: bool = False) -> CurrentUser:
    return CurrentUser(1, "u", "U", role, 7, "Org", "", totp_enabled=totp_enabled)


def _connection(user: CurrentUser | None, path: str):
    return SimpleNamespace(scope={"user": user, "path": path})


@pytest.fixture
def admins_need_it(monkeypatch):
    settings = dataclasses.replace(get_settings(), two_factor_roles=("admin",))
    monkeypatch.setattr(two_factor, "get_settings", lambda: settings)


def test_who_must_enrol(admins_need_it):
    assert two_factor.must_enrol(_user("admin"))
    assert not two_factor.must_enrol(_user("admin", totp_enabled=True))
    assert not two_factor.must_enrol(_user("counsellor"))
    assert not two_factor.must_enrol(None)


@pytest.mark.parametrize("path", ["/cases/", "/audit/", "/", "/organisations/", "/api/v1/network/status"])
def test_a_user_who_must_enrol_is_stopped_everywhere_else(admins_need_it, path):
    public = SimpleNamespace(opt={"access": "public"})
    with pytest.raises(TwoFactorEnrolmentRequired):
        deny_by_default(_connection(_user("admin"), path), public)


@pytest.mark.parametrize("path", ["/account/two-factor", "/account/two-factor/confirm", "/logout", "/language"])
def test_a_user_who_must_enrol_reaches_enrolment_and_logout(admins_need_it, path):
    deny_by_default(_connection(_user("admin"), path), SimpleNamespace(opt={}))


def test_enrolled_users_and_other_roles_are_not_stopped(admins_need_it):
    deny_by_default(_connection(_user("admin", totp_enabled=True), "/audit/"), SimpleNamespace(opt={}))
    deny_by_default(_connection(_user("counsellor"), "/cases/"), SimpleNamespace(opt={}))
