"""A creator's journey: onboarding, review, and standing (who may publish and receive money).

Onboarding steps may be revisited in any order until submission; a rejection reopens them. Only an
approved creator who is not suspended can receive money. Suspension never touches money already
held: those earnings stay in their own streams.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import DomainError, InvalidTransitionError
from domain.onboarding import ACCOUNT_TYPES, MINIMUM_AGE_YEARS, Progress, age_on, progress
from domain.review import check_decision

ONBOARDING = "onboarding"
SUBMITTED = "submitted"
APPROVED = "approved"
REJECTED = "rejected"
# How a payout problem a bank's refusal caused begins: new bank details at Stripe mend it.
BANK_REFUSED = "bank_refused: "


class UnderageError(DomainError):
    code = "underage"


class OnboardingIncompleteError(DomainError):
    code = "onboarding_incomplete"


class InvalidOnboardingDataError(DomainError):
    code = "invalid_onboarding_data"


class Creator(Aggregate):
    @staticmethod
    def create_id(user_id: str, **_: object) -> UUID:
        return ids.creator_id(user_id)

    class Started(Aggregate.Created):
        user_id: str
        display_name: str
        at: datetime
        started_by: str | None = None

    @event(Started)
    def __init__(self, user_id: str, display_name: str, at: datetime,
                 started_by: str | None = None) -> None:
        self.user_id = user_id
        self.display_name = display_name
        self.status = ONBOARDING
        self.suspended = False
        self.account_type: str | None = None
        self.legal_name: str | None = None
        self.date_of_birth: date | None = None
        self.country: str | None = None
        self.stripe_account_id: str | None = None
        self.stripe: dict[str, Any] = {"charges_enabled": False, "payouts_enabled": False,
                                       "requirements_due": []}
        self.declarations: dict[str, int] = {}  # kind -> version signed
        self.review_reason: str | None = None
        # Set when their bank kept refusing a payout (the transfer was taken back): no payout is
        # sent to the same bank until support has looked and cleared it.
        self.payout_problem: dict[str, str] | None = None

    @classmethod
    def register_vetted(cls, user_id: str, display_name: str, actor: str,
                        at: datetime) -> "Creator":
        """Staff registration of an already-vetted creator (migration, development)."""
        creator = cls(user_id=user_id, display_name=display_name, at=at, started_by=actor)
        creator._approved(actor=actor, reason="registered by staff", at=at)
        return creator

    @property
    def can_receive_money(self) -> bool:
        return self.status == APPROVED and not self.suspended

    def progress(self, required_declarations: dict[str, int]) -> Progress:
        unsigned = tuple(kind for kind, version in required_declarations.items()
                         if self.declarations.get(kind) != version)
        return progress(account_type=self.account_type,
                        identity_done=self.legal_name is not None,
                        stripe_account_id=self.stripe_account_id,
                        unsigned_declarations=unsigned,
                        submitted=self.status in (SUBMITTED, APPROVED))

    # -- onboarding -------------------------------------------------------------------------

    def choose_account_type(self, account_type: str, at: datetime) -> None:
        self._check_editable()
        if account_type not in ACCOUNT_TYPES:
            raise InvalidOnboardingDataError(f"account_type must be one of {', '.join(ACCOUNT_TYPES)}")
        if account_type != self.account_type:
            self._account_type_chosen(account_type=account_type, at=at)

    def provide_identity(self, legal_name: str, date_of_birth: date, country: str,
                         at: datetime) -> None:
        self._check_editable()
        legal_name = " ".join(legal_name.split())
        if not 2 <= len(legal_name) <= 200:
            raise InvalidOnboardingDataError("legal_name must be 2 to 200 characters")
        if len(country) != 2 or not country.isalpha():
            raise InvalidOnboardingDataError("country must be a two-letter ISO 3166 code")
        if age_on(date_of_birth, at.date()) < MINIMUM_AGE_YEARS:
            raise UnderageError(f"creators must be at least {MINIMUM_AGE_YEARS} years old")
        self._identity_provided(legal_name=legal_name, date_of_birth=date_of_birth.isoformat(),
                                country=country.upper(), at=at)

    def link_stripe_account(self, account_id: str, at: datetime) -> None:
        if self.stripe_account_id != account_id:
            self._stripe_account_linked(account_id=account_id, at=at)

    def record_stripe_status(self, charges_enabled: bool, payouts_enabled: bool,
                             requirements_due: list[str], at: datetime) -> bool:
        due = sorted(requirements_due)
        if self.stripe == {"charges_enabled": charges_enabled, "payouts_enabled": payouts_enabled,
                           "requirements_due": due}:
            return False
        self._stripe_status_recorded(charges_enabled=charges_enabled,
                                     payouts_enabled=payouts_enabled, requirements_due=due, at=at)
        return True

    def note_declaration(self, kind: str, version: int, declaration_id: UUID, at: datetime) -> None:
        self._check_editable()
        if self.declarations.get(kind) != version:
            self._declaration_noted(kind=kind, version=version, declaration_id=declaration_id,
                                    at=at)

    def submit(self, required_declarations: dict[str, int], at: datetime) -> None:
        self._check_editable()
        missing = self.progress(required_declarations).missing
        if missing:
            raise OnboardingIncompleteError(f"still missing: {', '.join(missing)}")
        self._submitted(at=at)

    # -- review and standing ----------------------------------------------------------------

    def approve(self, actor: str, reason: str, at: datetime) -> None:
        check_decision(self.status, "creator", "approved")
        self._approved(actor=actor, reason=reason, at=at)

    def reject(self, actor: str, reason: str, at: datetime) -> None:
        check_decision(self.status, "creator", "rejected", reason)
        self._rejected(actor=actor, reason=reason, at=at)

    def suspend(self, reason: str, actor: str, at: datetime, source: str = "admin") -> None:
        if not self.suspended:
            self._suspended(reason=reason, actor=actor, source=source, at=at)

    def reinstate(self, actor: str, at: datetime) -> None:
        if self.suspended:
            self._reinstated(actor=actor, at=at)

    def _check_editable(self) -> None:
        if self.status not in (ONBOARDING, REJECTED):
            raise InvalidTransitionError(f"onboarding is closed while {self.status}")

    # -- events -----------------------------------------------------------------------------

    class AccountTypeChosen(Aggregate.Event):
        account_type: str
        at: datetime

    @event(AccountTypeChosen)
    def _account_type_chosen(self, account_type: str, at: datetime) -> None:
        self.account_type = account_type

    class IdentityProvided(Aggregate.Event):
        legal_name: str
        date_of_birth: str
        country: str
        at: datetime

    @event(IdentityProvided)
    def _identity_provided(self, legal_name: str, date_of_birth: str, country: str,
                           at: datetime) -> None:
        self.legal_name, self.country = legal_name, country
        self.date_of_birth = date.fromisoformat(date_of_birth)

    class StripeAccountLinked(Aggregate.Event):
        account_id: str
        at: datetime

    @event(StripeAccountLinked)
    def _stripe_account_linked(self, account_id: str, at: datetime) -> None:
        self.stripe_account_id = account_id

    class StripeStatusRecorded(Aggregate.Event):
        charges_enabled: bool
        payouts_enabled: bool
        requirements_due: list[str]
        at: datetime

    @event(StripeStatusRecorded)
    def _stripe_status_recorded(self, charges_enabled: bool, payouts_enabled: bool,
                                requirements_due: list[str], at: datetime) -> None:
        self.stripe = {"charges_enabled": charges_enabled, "payouts_enabled": payouts_enabled,
                       "requirements_due": requirements_due}

    class DeclarationNoted(Aggregate.Event):
        kind: str
        version: int
        declaration_id: UUID
        at: datetime

    @event(DeclarationNoted)
    def _declaration_noted(self, kind: str, version: int, declaration_id: UUID,
                           at: datetime) -> None:
        self.declarations[kind] = version

    class Submitted(Aggregate.Event):
        at: datetime

    @event(Submitted)
    def _submitted(self, at: datetime) -> None:
        self.status = SUBMITTED

    class Approved(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Approved)
    def _approved(self, actor: str, reason: str, at: datetime) -> None:
        self.status = APPROVED
        self.review_reason = reason

    class Rejected(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Rejected)
    def _rejected(self, actor: str, reason: str, at: datetime) -> None:
        self.status = REJECTED
        self.review_reason = reason

    class Suspended(Aggregate.Event):
        reason: str
        actor: str
        source: str
        at: datetime

    @event(Suspended)
    def _suspended(self, reason: str, actor: str, source: str, at: datetime) -> None:
        self.suspended = True

    class Reinstated(Aggregate.Event):
        actor: str
        at: datetime

    @event(Reinstated)
    def _reinstated(self, actor: str, at: datetime) -> None:
        self.suspended = False

    def flag_payout_problem(self, payout_id: str, reason: str, at: datetime) -> bool:
        if self.payout_problem is not None and self.payout_problem["payout_id"] == payout_id:
            return False
        self._payout_problem_flagged(payout_id=payout_id, reason=reason, at=at)
        return True

    def clear_payout_problem(self, actor: str, reason: str, at: datetime) -> None:
        if self.payout_problem is None:
            raise InvalidTransitionError("no payout problem to clear")
        self._payout_problem_cleared(actor=actor, reason=reason, at=at)

    def bank_details_changed(self, at: datetime) -> bool:
        """Stripe reports new bank details: a bank's refusal is mended (the next run pays the new
        account); a problem of another kind (a transfer Stripe would not take back) still needs
        a person, so it stays."""
        if self.payout_problem is None or \
                not self.payout_problem["reason"].startswith(BANK_REFUSED):
            return False
        self._payout_problem_cleared(actor="stripe", reason="bank details updated at Stripe",
                                     at=at)
        return True

    class PayoutProblemFlagged(Aggregate.Event):
        payout_id: str
        reason: str  # Stripe's failure code, or too many failed attempts
        at: datetime

    @event(PayoutProblemFlagged)
    def _payout_problem_flagged(self, payout_id: str, reason: str, at: datetime) -> None:
        self.payout_problem = {"payout_id": payout_id, "reason": reason, "at": at.isoformat()}

    class PayoutProblemCleared(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(PayoutProblemCleared)
    def _payout_problem_cleared(self, actor: str, reason: str, at: datetime) -> None:
        self.payout_problem = None
