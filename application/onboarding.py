"""Creator self-service onboarding: the five steps, declarations and Stripe Connect."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.declarations import current, required_versions
from application.ports import PaymentGateway
from domain import ids
from domain.aggregates.creator import Creator, InvalidOnboardingDataError
from domain.aggregates.declaration import Declaration
from domain.errors import DomainError


class DeclarationMismatchError(DomainError):
    code = "declaration_mismatch"


class NotOnboardingError(DomainError):
    code = "onboarding_not_started"


@dataclass(frozen=True)
class Identity:
    legal_name: str
    date_of_birth: date
    country: str


@dataclass(frozen=True)
class Signature:
    kind: str
    version: int
    text_sha256: str


@dataclass(frozen=True)
class RequestContext:
    ip: str
    user_agent: str


class CreatorOnboarding:
    def __init__(self, ledger: Ledger, gateway: PaymentGateway, clock: Clock,
                 public_url: str) -> None:
        self._ledger = ledger
        self._gateway = gateway
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    def get(self, user_id: str) -> Creator | None:
        return self._ledger.get_or_none(ids.creator_id(user_id))

    def update(self, user_id: str, *, context: RequestContext, display_name: str | None = None,
               account_type: str | None = None, identity: Identity | None = None,
               signatures: list[Signature] | None = None, submit: bool = False) -> Creator:
        """Apply whatever steps the request carries, all or nothing, in one save."""
        now = self._clock()
        creator = self.get(user_id)
        if creator is None:
            name = (display_name or "").strip()
            if not 1 <= len(name) <= 80:
                raise InvalidOnboardingDataError("display_name (1 to 80 characters) is needed to start")
            creator = Creator(user_id=user_id, display_name=name, at=now)
        touched: list[Any] = [creator]
        if account_type is not None:
            creator.choose_account_type(account_type, now)
        if identity is not None:
            creator.provide_identity(identity.legal_name, identity.date_of_birth,
                                     identity.country, now)
        for signature in signatures or []:
            touched.extend(self._sign(creator, signature, context))
        if submit:
            creator.submit(required_versions(), now)
        try:
            self._ledger.save(*touched)
        except IntegrityError:
            raise DomainError("the onboarding changed at the same time; reload and retry") from None
        return creator

    def _sign(self, creator: Creator, signature: Signature, context: RequestContext) -> list[Any]:
        text = current().get(signature.kind)
        if text is None:
            raise DeclarationMismatchError(f"no declaration {signature.kind!r} to sign")
        if signature.version != text.version or signature.text_sha256 != text.sha256:
            raise DeclarationMismatchError(
                f"{signature.kind} v{signature.version} is not the current text "
                f"(v{text.version}, sha256 {text.sha256})")
        declaration_id = Declaration.create_id(creator.user_id, text.kind, text.version)
        if self._ledger.get_or_none(declaration_id) is not None:
            return []  # this exact version is already signed: signatures are never re-made
        now = self._clock()
        declaration = Declaration(creator_user_id=creator.user_id, kind=text.kind,
                                  version=text.version, text_sha256=text.sha256,
                                  signed_by=creator.user_id, signed_at=now,
                                  ip=context.ip[:64], user_agent=context.user_agent[:400])
        creator.note_declaration(text.kind, text.version, declaration.id, now)
        return [declaration]

    def start_stripe_connect(self, user_id: str) -> dict[str, str]:
        creator = self.get(user_id)
        if creator is None:
            raise NotOnboardingError("start onboarding first (PUT /api/creator/onboarding)")
        business_type = {"business": "company", "individual": "individual"}.get(
            creator.account_type or "")
        account_id = creator.stripe_account_id or self._gateway.create_connect_account(
            creator_user_id=user_id, country=creator.country, business_type=business_type,
            idempotency_key=f"connect:{user_id}")
        if creator.stripe_account_id is None:
            creator.link_stripe_account(account_id, self._clock())
            self._ledger.save(creator)
        url = self._gateway.create_onboarding_link(
            account_id=account_id,
            refresh_url=f"{self._public_url}/creator/onboarding?stripe=refresh",
            return_url=f"{self._public_url}/creator/onboarding?stripe=return")
        return {"account_id": account_id, "onboarding_url": url}

    def plan_stripe_event(self, event: dict[str, Any]) -> tuple[str, list[Any]] | None:
        if event["type"] != "account.updated":
            return None
        account = event.get("data", {}).get("object", {}) or {}
        user_id = (account.get("metadata") or {}).get("lyra_creator_id")
        creator = self.get(user_id) if user_id else None
        if creator is None or creator.stripe_account_id not in (None, account.get("id")):
            return "unmatched", []
        now = self._clock()
        creator.link_stripe_account(account["id"], now)
        due = list((account.get("requirements") or {}).get("currently_due") or [])
        changed = creator.record_stripe_status(bool(account.get("charges_enabled")),
                                               bool(account.get("payouts_enabled")), due, now)
        # Stripe names what changed: new bank details mend a payout the old bank refused
        changed_before = event.get("data", {}).get("previous_attributes") or {}
        if "external_accounts" in changed_before and creator.bank_details_changed(now):
            return "bank_problem_cleared", [creator]
        return ("stripe_status_recorded" if changed else "unchanged"), [creator]
