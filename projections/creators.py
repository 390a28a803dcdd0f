"""Creators as the admin queue sees them: status, KYC, Stripe and declaration progress."""

import json
from collections.abc import Iterable
from typing import Any

from domain.aggregates.creator import Creator
from projections.fold import KEYED, Fold, State, Table, on

CREATORS = Table("rm_creators", KEYED, ("stream_id",), (
    "creator_id", "stream_id", "display_name", "status", "suspended", "account_type",
    "legal_name", "date_of_birth", "country", "stripe_account_id", "charges_enabled",
    "payouts_enabled", "requirements_due", "declarations", "review_reason", "payout_problem",
    "started_at", "submitted_at", "updated_at"), {
        "suspended": 0, "charges_enabled": 0, "payouts_enabled": 0, "requirements_due": "[]",
        "declarations": "{}"})


class CreatorsProjection(Fold):
    name = "creators"
    version = 2
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_creators (
            creator_id TEXT PRIMARY KEY,
            stream_id TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            status TEXT NOT NULL,
            suspended INTEGER NOT NULL DEFAULT 0,
            account_type TEXT,
            legal_name TEXT,
            date_of_birth TEXT,
            country TEXT,
            stripe_account_id TEXT,
            charges_enabled INTEGER NOT NULL DEFAULT 0,
            payouts_enabled INTEGER NOT NULL DEFAULT 0,
            requirements_due TEXT NOT NULL DEFAULT '[]',
            declarations TEXT NOT NULL DEFAULT '{}',
            review_reason TEXT,
            payout_problem TEXT,
            started_at TEXT NOT NULL,
            submitted_at TEXT,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_creators_status ON rm_creators (status, submitted_at)",
    )

    schema = (CREATORS,)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls is not Creator.Started:
            yield CREATORS, str(event.originator_id)

    @on(Creator.Started)
    def _started(self, event: Any, position: int, s: State) -> None:
        at = event.at.isoformat()
        s[CREATORS].put(CREATORS.new(
            creator_id=event.user_id, stream_id=str(event.originator_id),
            display_name=event.display_name, status="onboarding", started_at=at, updated_at=at))

    @on(Creator.AccountTypeChosen)
    def _account_type(self, event: Any, position: int, s: State) -> None:
        _set(s, event, account_type=event.account_type)

    @on(Creator.IdentityProvided)
    def _identity(self, event: Any, position: int, s: State) -> None:
        _set(s, event, legal_name=event.legal_name, date_of_birth=event.date_of_birth,
             country=event.country)

    @on(Creator.StripeAccountLinked)
    def _stripe_account(self, event: Any, position: int, s: State) -> None:
        _set(s, event, stripe_account_id=event.account_id)

    @on(Creator.StripeStatusRecorded)
    def _stripe_status(self, event: Any, position: int, s: State) -> None:
        _set(s, event, charges_enabled=int(event.charges_enabled),
             payouts_enabled=int(event.payouts_enabled),
             requirements_due=json.dumps(event.requirements_due))

    @on(Creator.DeclarationNoted)
    def _declaration(self, event: Any, position: int, s: State) -> None:
        row = s[CREATORS].get(str(event.originator_id))
        signed = json.loads(row["declarations"]) if row else {}
        signed[event.kind] = event.version
        _set(s, event, declarations=json.dumps(signed, sort_keys=True))

    @on(Creator.Submitted)
    def _submitted(self, event: Any, position: int, s: State) -> None:
        _set(s, event, status="submitted", submitted_at=event.at.isoformat())

    @on(Creator.Approved)
    def _approved(self, event: Any, position: int, s: State) -> None:
        _set(s, event, status="approved", review_reason=event.reason)

    @on(Creator.Rejected)
    def _rejected(self, event: Any, position: int, s: State) -> None:
        _set(s, event, status="rejected", review_reason=event.reason)

    @on(Creator.Suspended)
    def _suspended(self, event: Any, position: int, s: State) -> None:
        _set(s, event, suspended=1)

    @on(Creator.Reinstated)
    def _reinstated(self, event: Any, position: int, s: State) -> None:
        _set(s, event, suspended=0)

    @on(Creator.PayoutProblemFlagged)
    def _payout_problem(self, event: Any, position: int, s: State) -> None:
        _set(s, event, payout_problem=json.dumps(
            {"payout_id": event.payout_id, "reason": event.reason, "at": event.at.isoformat()}))

    @on(Creator.PayoutProblemCleared)
    def _payout_problem_cleared(self, event: Any, position: int, s: State) -> None:
        _set(s, event, payout_problem=None)


def _set(s: State, event: Any, **values: Any) -> None:
    s[CREATORS].update(str(event.originator_id), **values, updated_at=event.at.isoformat())
