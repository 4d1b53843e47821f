"""The client address behind trusted proxies: never a value the client chose when the peer is not trusted."""

from __future__ import annotations

import pytest

from portal.web.client import address_from_scope, parse_address


def scope(peer: str | None, *forwarded: str) -> dict:
    return {
        "client": (peer, 50000) if peer else None,
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


def test_without_trusted_proxies_the_socket_peer_is_the_address():
    assert address_from_scope(scope("203.0.113.9", "198.51.100.1"), ()) == "203.0.113.9"


def test_a_peer_that_is_not_trusted_is_the_address_whatever_it_forwards():
    assert address_from_scope(scope("203.0.113.9", "198.51.100.1"), ("10.0.0.0/8",)) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_forwarded_address_counts():
    assert address_from_scope(scope("10.0.0.2", "198.51.100.1"), ("10.0.0.0/8",)) == "198.51.100.1"


def test_a_forged_entry_left_of_the_proxys_own_is_ignored():
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it really saw.
    assert address_from_scope(scope("10.0.0.2", "1.2.3.4, 198.51.100.1"), ("10.0.0.2",)) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    forwarded = "1.2.3.4, 198.51.100.1, 10.0.0.7, 10.0.0.5"
    assert address_from_scope(scope("10.0.0.2", forwarded), ("10.0.0.0/8",)) == "198.51.100.1"


def test_repeated_headers_read_as_one_list_in_order():
    assert address_from_scope(scope("10.0.0.2", "1.2.3.4", "198.51.100.1"), ("10.0.0.0/8",)) == "198.51.100.1"


@pytest.mark.parametrize("junk", ["unknown", "", "not-an-ip", "999.1.1.1", "_hidden"])
def test_malformed_entries_are_skipped(junk):
    forwarded = f"198.51.100.1, {junk}"
    assert address_from_scope(scope("10.0.0.2", forwarded), ("10.0.0.0/8",)) == "198.51.100.1"


def test_only_trusted_hops_give_the_furthest_of_them():
    assert address_from_scope(scope("10.0.0.2", "10.0.0.9"), ("10.0.0.0/8",)) == "10.0.0.9"
    assert address_from_scope(scope("10.0.0.2"), ("10.0.0.0/8",)) == "10.0.0.2"


def test_ports_brackets_and_mapped_ipv4_are_understood():
    assert parse_address("192.0.2.1:443") == parse_address("192.0.2.1")
    assert str(parse_address("[2001:db8::1]:443")) == "2001:db8::1"
    assert str(parse_address("::ffff:192.0.2.1")) == "192.0.2.1"
    assert address_from_scope(scope("::ffff:10.0.0.2", "2001:db8::7"), ("10.0.0.0/8",)) == "2001:db8::7"


def test_a_peer_that_is_no_address_is_passed_through_and_never_trusted():
    assert address_from_scope(scope("testclient", "198.51.100.1"), ("10.0.0.0/8",)) == "testclient"
    assert address_from_scope(scope(None, "198.51.100.1"), ("10.0.0.0/8",)) == "unknown"
