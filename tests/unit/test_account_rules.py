"""Pure rules of self-service accounts: new passwords, the profile form, naming a browser."""

from __future__ import annotations

import pytest

from portal.auth.accounts import MIN_PASSWORD_LENGTH
from portal.auth.browsers import describe
from portal.auth.self_service import MAX_PASSWORD_LENGTH, clean_profile, new_password_errors

GOOD = "correct horse battery"


def test_a_long_enough_password_typed_twice_is_accepted():
    assert new_password_errors(GOOD, GOOD, "ana") == {}
    assert new_password_errors("x" * MIN_PASSWORD_LENGTH, "x" * MIN_PASSWORD_LENGTH, "ana") == {}


@pytest.mark.parametrize(
    ("password", "again", "username", "field"),
    [
        ("x" * (MIN_PASSWORD_LENGTH - 1), "x" * (MIN_PASSWORD_LENGTH - 1), "ana", "new_password"),
        ("x" * (MAX_PASSWORD_LENGTH + 1), "x" * (MAX_PASSWORD_LENGTH + 1), "ana", "new_password"),
        ("ana.novak.counsellor", "ana.novak.counsellor", "ana.novak.counsellor", "new_password"),
        (" Ana.Novak.Counsellor ", " Ana.Novak.Counsellor ", "ana.novak.counsellor", "new_password"),
        (GOOD, GOOD + "!", "ana", "new_password_again"),
    ],
)
def test_bad_new_passwords_name_the_field(password, again, username, field):
    assert set(new_password_errors(password, again, username)) == {field}


def test_the_profile_is_trimmed_and_checked():
    values, errors = clean_profile({"display_name": "  Ana Novak ", "email": " ana@example.org ", "language": "hr"})
    assert errors == {}
    assert values == {"display_name": "Ana Novak", "email": "ana@example.org", "language": "hr"}
    assert clean_profile({"display_name": "Ana", "email": "", "language": ""})[1] == {}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"display_name": "", "email": "", "language": ""}, "display_name"),
        ({"display_name": "A" * 201, "email": "", "language": ""}, "display_name"),
        ({"display_name": "Ana\x07", "email": "", "language": ""}, "display_name"),
        ({"display_name": "Ana", "email": "ana@", "language": ""}, "email"),
        ({"display_name": "Ana", "email": "ana@example.org\nBcc: x@y.z", "language": ""}, "email"),
        ({"display_name": "Ana", "email": "", "language": "de"}, "language"),
    ],
)
def test_bad_profile_input_names_the_field(data, field):
    assert set(clean_profile(data)[1]) == {field}


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        ("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", ("Firefox", "Linux")),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
            ("Chrome", "Windows"),
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
            "Safari/537.36 Edg/120.0",
            ("Edge", "Windows"),
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.0 Mobile/15E148 Safari/604.1",
            ("Safari", "iOS"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile "
            "Safari/537.36",
            ("Chrome", "Android"),
        ),
        ("curl/8.5.0", ("curl", "")),
        ("", ("", "")),
    ],
)
def test_browsers_are_named(user_agent, expected):
    assert describe(user_agent) == expected
