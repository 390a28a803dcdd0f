"""A fan proves their age through an identity provider (Stripe Identity, or the simulator's),
and the outcome arrives as a verified Stripe event, recorded once on the fan's stream."""

from typing import Any

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.ports import IdentityVerifier
from domain import ids
from domain.aggregates.age_verification import AgeVerification

VERIFIED = "identity.verification_session.verified"
REQUIRES_INPUT = "identity.verification_session.requires_input"
KIND = "age_verification"


class AgeVerifications:
    def __init__(self, ledger: Ledger, verifier: IdentityVerifier, clock: Clock,
                 public_url: str) -> None:
        self._ledger = ledger
        self._verifier = verifier
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    def status(self, fan_id: str) -> dict[str, Any]:
        found = self._ledger.get_or_none(ids.age_verification_id(fan_id))
        if not isinstance(found, AgeVerification):
            return {"status": "unverified", "verified_at": None}
        return {"status": found.status,
                "verified_at": found.verified_at.isoformat() if found.verified_at else None,
                "last_failure": found.last_failure}

    def start(self, fan_id: str) -> dict[str, Any]:
        found = self._ledger.get_or_none(ids.age_verification_id(fan_id))
        if isinstance(found, AgeVerification) and found.status == "verified":
            return {"status": "verified", "session_id": found.verified_session, "url": None}
        attempt = len(found.sessions) if isinstance(found, AgeVerification) else 0
        session = self._verifier.create_verification_session(
            fan_id=fan_id, return_url=f"{self._public_url}/api/age-verification",
            idempotency_key=f"age-verification:{fan_id}:{attempt}")
        def plan() -> list[AgeVerification]:
            verification = self._ledger.get_or_none(ids.age_verification_id(fan_id)) or \
                AgeVerification.open(fan_id)
            verification.start(session.id, self._clock())
            return [verification]

        self._ledger.save_planned(plan)
        return {"status": "pending", "session_id": session.id, "url": session.url}

    # -- StripeEventPlanner ------------------------------------------------------------------

    def plan_stripe_event(self, event: dict[str, Any]) -> tuple[str, list[Any]] | None:
        if event["type"] not in (VERIFIED, REQUIRES_INPUT):
            return None
        session = event["data"]["object"]
        metadata = session.get("metadata") or {}
        if metadata.get("lyra_kind") != KIND or not metadata.get("fan_id"):
            return "unmatched_verification", []
        verification = self._ledger.get_or_none(ids.age_verification_id(metadata["fan_id"]))
        if not isinstance(verification, AgeVerification):
            return "unmatched_verification", []
        now = self._clock()
        if event["type"] == VERIFIED:
            changed = verification.verify(session["id"], now)
            return ("age_verified" if changed else "already_recorded"), \
                ([verification] if changed else [])
        reason = ((session.get("last_error") or {}).get("code")) or "requires_input"
        changed = verification.fail(session["id"], reason, now)
        return ("age_not_verified" if changed else "already_recorded"), \
            ([verification] if changed else [])
