"""The audit log across every stream: who did what to whom, and when.

One row per ledger event, in ledger order: the index a search filters on. Its stream and what
each action recorded are the event itself, read by position when entries are shown
(`application/audit_log`), not copied here: a copy of every event was a third of the bytes a tip
added to the database.
Rows are append-only in the database (UPDATE and DELETE are refused by triggers); the log can
still be dropped and rebuilt, because its source of truth is the event store, which is
append-only too.
"""

from collections.abc import Callable, Iterable
from typing import Any

from adapters.eventstore.typed_events import event_class
from domain.aggregates.content_report import ContentReport
from domain.aggregates.creator import Creator
from domain.aggregates.declaration import Declaration
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.ppv_offer import PpvOffer
from domain.aggregates.strike_record import StrikeRecord
from domain.aggregates.stripe_event import StripeEventReceipt
from domain.aggregates.tip import Tip
from domain.aggregates.token_purchase import TokenPurchase
from domain.aggregates.unlock import Unlock
from domain.aggregates.wallet import Wallet
from projections.fold import KEYED, LOG, Fold, State, Table, on

_EXPLICIT_ACTOR = ("actor", "signed_by", "reporter_id", "started_by", "opened_by")


def _actor_fields(kind: type) -> tuple[str, ...]:
    """The fields naming an actor that events of this type can have (a typed structure lists
    its fields; any other object may have any)."""
    found = _ACTOR_FIELDS.get(kind)
    if found is None:
        fields = getattr(kind, "__struct_fields__", _EXPLICIT_ACTOR)
        found = _ACTOR_FIELDS[kind] = tuple(a for a in _EXPLICIT_ACTOR if a in fields)
    return found


_ACTOR_FIELDS: dict[type, tuple[str, ...]] = {}


Subjects = Callable[[Any], tuple[str | None, str | None]]
# (creator, owner) of a stream, from the event that creates it.
_CREATES: dict[type, Subjects] = {
    Creator.Started: lambda e: (e.user_id, e.user_id),
    Declaration.Signed: lambda e: (e.creator_user_id, e.creator_user_id),
    StrikeRecord.Opened: lambda e: (e.creator_user_id, None),
    ContentReport.Filed: lambda e: (e.creator_user_id, e.reporter_id),
    Tip.Sent: lambda e: (e.creator_id, e.fan_id),
    Unlock.Purchased: lambda e: (e.creator_id, e.fan_id),
    MessageCharge.Charged: lambda e: (e.creator_id, e.fan_id),
    PpvOffer.Created: lambda e: (e.creator_id, e.creator_id),
    EarningsHold.Held: lambda e: (e.creator_id, None),
    Wallet.Opened: lambda e: (None, e.fan_id),
    TokenPurchase.Started: lambda e: (None, e.fan_id),
    StripeEventReceipt.Recorded: lambda e: (None, "stripe"),
}
LOG_ROWS = Table("rm_audit_log", LOG, ("position",),
                 ("position", "at", "actor", "action", "creator_id"))
STREAMS = Table("rm_audit_streams", KEYED, ("stream_id",), ("stream_id", "creator_id", "owner_id"))


class AuditProjection(Fold):
    name = "audit"
    splits = True
    rebuild_weight = 3
    version = 2
    reader_indexes = ("rm_audit_creator", "rm_audit_actor", "rm_audit_action")
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_audit_log (
            position BIGINT PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            creator_id TEXT)""",
        "CREATE INDEX IF NOT EXISTS rm_audit_creator ON rm_audit_log (creator_id, position)",
        "CREATE INDEX IF NOT EXISTS rm_audit_actor ON rm_audit_log (actor, position)",
        "CREATE INDEX IF NOT EXISTS rm_audit_action ON rm_audit_log (action, position)",
        """CREATE TABLE IF NOT EXISTS rm_audit_streams (
            stream_id TEXT PRIMARY KEY, creator_id TEXT, owner_id TEXT)""",
    )
    guards = {
        "postgres": (
            "CREATE OR REPLACE FUNCTION rm_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$",
            "CREATE OR REPLACE TRIGGER rm_audit_log_append_only BEFORE UPDATE OR DELETE "
            "ON rm_audit_log FOR EACH ROW EXECUTE FUNCTION rm_refuse_change()",
        ),
        "sqlite": (
            "CREATE TRIGGER IF NOT EXISTS rm_audit_no_update BEFORE UPDATE ON rm_audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END",
            "CREATE TRIGGER IF NOT EXISTS rm_audit_no_delete BEFORE DELETE ON rm_audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END",
        ),
    }

    schema = (LOG_ROWS, STREAMS)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls not in _CREATES:
            yield STREAMS, str(event.originator_id)

    @on(object)
    def _recorded(self, event: Any, position: int, s: State) -> None:
        """Every event: its row, with the subjects its stream's first event named."""
        cls = event_class(event)
        stream_id = str(event.originator_id)
        subjects = _CREATES.get(cls)
        if subjects is not None:
            creator_id, owner_id = subjects(event)
            s[STREAMS].put({"stream_id": stream_id, "creator_id": creator_id,
                            "owner_id": owner_id})
        else:
            row = s[STREAMS].get(stream_id)
            creator_id, owner_id = (row["creator_id"], row["owner_id"]) if row else (None, None)
        actor = next((str(getattr(event, a)) for a in _actor_fields(type(event))
                      if getattr(event, a, None)), owner_id or "system")
        s[LOG_ROWS].append({"position": position, "at": event.timestamp.isoformat(),
                            "actor": actor, "action": cls.__qualname__, "creator_id": creator_id})
