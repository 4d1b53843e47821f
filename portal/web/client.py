"""The client's address as throttling and the audit log see it: through trusted proxies only."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from portal.settings import get_settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def parse_address(text: str) -> Address | None:
    """An IP address from a socket peer or an X-Forwarded-For entry (a port is allowed); None when malformed."""
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:443"
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client reaching a dual-stack socket shows as ::ffff:a.b.c.d: count it as the IPv4 address.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def _forwarded_for(scope: Any) -> list[str]:
    """Every X-Forwarded-For entry, left to right, across repeated headers."""
    entries: list[str] = []
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-forwarded-for":
            entries.extend(value.decode("latin-1").split(","))
    return entries


def address_from_scope(scope: Any, trusted_proxies: tuple[str, ...]) -> str:
    """The socket peer; when that is a trusted proxy, the nearest forwarded address that is not one.

    X-Forwarded-For is read from the right: each trusted proxy appends the address it saw, so the first
    entry that is not a trusted proxy is the one the outermost trusted proxy vouches for. Anything to its
    left the client could have written itself. A peer that is not trusted is the answer whatever it sends.
    """
    client = scope.get("client")
    peer_text = str(client[0]) if client else "unknown"
    peer = parse_address(peer_text)
    networks = _networks(trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return str(peer) if peer else peer_text
    nearest = peer
    for entry in reversed(_forwarded_for(scope)):
        address = parse_address(entry)
        if address is None:
            continue  # malformed ("unknown", a typo): it vouches for nothing
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    # Only trusted hops (a health check from inside): the furthest of them.
    return str(nearest)


def client_address(request: Any) -> str:
    """The address of whoever sent ``request`` (a Litestar request or connection)."""
    return address_from_scope(request.scope, get_settings().trusted_proxies)
