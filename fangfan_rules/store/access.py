"""Access by area: who a token speaks for and which households it may see.

A token has a role and an area: a ``village`` token reads and writes only its village's households
and cases, a ``town`` token its town's villages, a ``county`` token the whole county. Tokens are
random (32 bytes, URL-safe) and stored only as their sha256: a high-entropy secret needs no slow
hash, and a stolen database gives no usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

Role = Literal["village", "town", "county"]
ROLES: tuple[Role, ...] = ("village", "town", "county")
TOKEN_PREFIX = "ffr_"


def new_token() -> str:
    """A fresh API token (shown once to whoever creates it)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """The holder of a valid token: a name (for the audit log), a role and an area."""

    name: str
    role: Role
    county: str
    town: str | None = None
    village: str | None = None
    reveal_ids: bool = False
    admin: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, got {self.role!r}")
        if self.role in ("town", "village") and not self.town:
            raise ValueError(f"a {self.role} token needs its town")
        if self.role == "village" and not self.village:
            raise ValueError("a village token needs its village")

    def covers(self, county: str, town: str, village: str) -> bool:
        """Whether a household of this county / town / village is within the token's area."""
        if county != self.county:
            return False
        if self.role == "county":
            return True
        if town != self.town:
            return False
        return self.role == "town" or village == self.village

    @property
    def area(self) -> str:
        return "/".join(p for p in (self.county, self.town, self.village) if p)
