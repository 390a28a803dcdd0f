"""Which budget a request draws on, by what its route costs; and the budgets, from settings.

A route's class is decided from its method and path alone, so a refusal costs no body read and
no route lookup. Classes a route can fall in, most specific first: exempt (health, Stripe's
webhooks, static files, the local simulator), chat turns, money commands, checkout sessions,
uploads, replays and exports, other writes, reads."""

import re
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse_many

EXEMPT = "exempt"
CHAT, MONEY, CHECKOUT, UPLOAD, REPLAY = "chat", "money", "checkout", "upload", "replay"
WRITE, READ = "write", "read"
PER_ADDRESS = "address"
UPLOAD_BYTES = "upload_mib"

_ID = r"[^/]+"
_RULES: tuple[tuple[str, frozenset[str] | None, re.Pattern[str]], ...] = tuple(
    (name, frozenset(methods.split()) if methods else None, re.compile(pattern))
    for name, methods, pattern in (
        (EXEMPT, "", r"^/(?:healthz$|api/webhooks/stripe$|static/|simulator/|favicon\.ico$)"),
        (CHAT, "POST", rf"^/api/(?:sfw|intimate)-chat/{_ID}$|^/chat/{_ID}/send$"),
        (MONEY, "POST", rf"^/api/tips(?:/send)?$|^/api/ppv/{_ID}/purchase$"
                        rf"|^/models/{_ID}/tip$|^/ppv/{_ID}/unlock$"),
        (CHECKOUT, "POST", rf"^/api/tokens/checkout$|^/api/models/{_ID}/subscribe$"
                           rf"|^/wallet/buy$|^/models/{_ID}/subscribe$"),
        (UPLOAD, "POST", rf"^/api/creator/media$|^/api/creator/models/{_ID}/images$"
                         rf"|^/creator/library/{_ID}/upload$|^/creator/personas/{_ID}/pictures$"),
        (REPLAY, "", r"^/api/audit/(?:export|as-of|verify)$"
                     r"|^/api/finance/(?:earnings-diff|payouts/rebuild|reconciliation)$"
                     r"|^/(?:finance|audit|audit/verify)$"),
    ))
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def classify(method: str, path: str) -> str:
    for name, methods, pattern in _RULES:
        if (methods is None or method in methods) and pattern.search(path):
            return name
    return READ if method in _READS else WRITE


@dataclass(frozen=True)
class Budgets:
    """Each class's limits (per user, or per address for a request without one), the limit
    every address has whoever it is, and an upload's bytes per user."""

    by_class: dict[str, tuple[RateLimitItem, ...]]
    per_address: tuple[RateLimitItem, ...]
    upload_mib: tuple[RateLimitItem, ...]

    @classmethod
    def parse(cls, by_class: dict[str, str], per_address: str, upload_mib: str) -> "Budgets":
        """Limits in the `limits` library's notation ("60/minute;1000/hour"); ValueError names
        the one that does not parse."""
        def parsed(name: str, text: str) -> tuple[RateLimitItem, ...]:
            try:
                return tuple(parse_many(text))
            except ValueError as error:
                raise ValueError(f"the {name} limit {text!r} does not parse: {error}") from None

        return cls({name: parsed(name, text) for name, text in by_class.items()},
                   parsed(PER_ADDRESS, per_address), parsed(UPLOAD_BYTES, upload_mib))


def budgets_from(settings: Any) -> Budgets | None:
    """The settings' budgets, or None when rate limits are off."""
    if not settings.rate_limits_enabled:
        return None
    return Budgets.parse({
        READ: settings.rate_limit_reads, WRITE: settings.rate_limit_writes,
        MONEY: settings.rate_limit_money, CHAT: settings.rate_limit_chat,
        CHECKOUT: settings.rate_limit_checkout, UPLOAD: settings.rate_limit_uploads,
        REPLAY: settings.rate_limit_replays},
        settings.rate_limit_per_address, settings.rate_limit_upload_mib)
