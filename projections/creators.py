"""Creators as the admin queue sees them: status, KYC, Stripe and declaration progress."""

import json
from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.creator import Creator
from projections.base import Projection
from projections.db import Tx


class CreatorsProjection(Projection):
    name = "creators"
    version = 2
    tables = ("rm_creators",)
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

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: Creator.Started, tx: Tx, position: int) -> None:
        at = event.at.isoformat()
        tx.execute("INSERT INTO rm_creators (creator_id, stream_id, display_name, status, "
                   "started_at, updated_at) VALUES (%s, %s, %s, 'onboarding', %s, %s)",
                   (event.user_id, str(event.originator_id), event.display_name, at, at))

    @process.register
    def _(self, event: Creator.AccountTypeChosen, tx: Tx, position: int) -> None:
        self._set(tx, event, "account_type = %s", (event.account_type,))

    @process.register
    def _(self, event: Creator.IdentityProvided, tx: Tx, position: int) -> None:
        self._set(tx, event, "legal_name = %s, date_of_birth = %s, country = %s",
                  (event.legal_name, event.date_of_birth, event.country))

    @process.register
    def _(self, event: Creator.StripeAccountLinked, tx: Tx, position: int) -> None:
        self._set(tx, event, "stripe_account_id = %s", (event.account_id,))

    @process.register
    def _(self, event: Creator.StripeStatusRecorded, tx: Tx, position: int) -> None:
        self._set(tx, event, "charges_enabled = %s, payouts_enabled = %s, requirements_due = %s",
                  (int(event.charges_enabled), int(event.payouts_enabled),
                   json.dumps(event.requirements_due)))

    @process.register
    def _(self, event: Creator.DeclarationNoted, tx: Tx, position: int) -> None:
        row = tx.one("SELECT declarations FROM rm_creators WHERE stream_id = %s",
                     (str(event.originator_id),))
        signed = json.loads(row["declarations"]) if row else {}
        signed[event.kind] = event.version
        self._set(tx, event, "declarations = %s", (json.dumps(signed, sort_keys=True),))

    @process.register
    def _(self, event: Creator.Submitted, tx: Tx, position: int) -> None:
        self._set(tx, event, "status = 'submitted', submitted_at = %s", (event.at.isoformat(),))

    @process.register
    def _(self, event: Creator.Approved, tx: Tx, position: int) -> None:
        self._set(tx, event, "status = 'approved', review_reason = %s", (event.reason,))

    @process.register
    def _(self, event: Creator.Rejected, tx: Tx, position: int) -> None:
        self._set(tx, event, "status = 'rejected', review_reason = %s", (event.reason,))

    @process.register
    def _(self, event: Creator.Suspended, tx: Tx, position: int) -> None:
        self._set(tx, event, "suspended = 1", ())

    @process.register
    def _(self, event: Creator.Reinstated, tx: Tx, position: int) -> None:
        self._set(tx, event, "suspended = 0", ())

    @process.register
    def _(self, event: Creator.PayoutProblemFlagged, tx: Tx, position: int) -> None:
        self._set(tx, event, "payout_problem = %s", (json.dumps(
            {"payout_id": event.payout_id, "reason": event.reason, "at": event.at.isoformat()}),))

    @process.register
    def _(self, event: Creator.PayoutProblemCleared, tx: Tx, position: int) -> None:
        self._set(tx, event, "payout_problem = NULL", ())

    @staticmethod
    def _set(tx: Tx, event: Any, assignments: str, params: tuple[Any, ...]) -> None:
        tx.execute(f"UPDATE rm_creators SET {assignments}, updated_at = %s WHERE stream_id = %s",
                   (*params, event.at.isoformat(), str(event.originator_id)))
