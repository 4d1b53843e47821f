"""The logged-in user as the request sees it: plain data, no ORM row."""

from __future__ import annotations

from dataclasses import dataclass

from portal.auth.roles import NETWORK_MANAGERS


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    organisation_id: int
    organisation_name: str
    language: str
    totp_enabled: bool = False

    @property
    def manages_network(self) -> bool:
        return self.role in NETWORK_MANAGERS
