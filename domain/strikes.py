"""Progressive enforcement, as a pure policy over a creator's strike history.

Policy (configurable): a warning counts for nothing; a strike is active for `strike_ttl` after it
was issued unless an appeal revoked it; when a new strike makes `suspend_at_active` strikes
active, the creator is suspended. A suspension stays until an admin reinstates the creator:
strikes expiring or being revoked later never lift it by themselves, and never re-impose it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

WARNING = "warning"
STRIKE = "strike"


@dataclass(frozen=True)
class StrikePolicy:
    strike_ttl: timedelta = timedelta(days=90)
    suspend_at_active: int = 3


@dataclass(frozen=True)
class StrikeFact:
    severity: str
    issued_at: datetime
    revoked: bool = False


def active_strikes(strikes: Iterable[StrikeFact], now: datetime, policy: StrikePolicy) -> int:
    return sum(1 for s in strikes if s.severity == STRIKE and not s.revoked
               and s.issued_at <= now < s.issued_at + policy.strike_ttl)


def crosses_threshold(strikes: Iterable[StrikeFact], new: StrikeFact, policy: StrikePolicy) -> bool:
    """Does issuing `new` bring the active strikes up to the suspension threshold?"""
    if new.severity != STRIKE:
        return False
    return active_strikes([*strikes, new], new.issued_at, policy) >= policy.suspend_at_active
