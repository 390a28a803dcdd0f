"""What a chat thread records, whatever its mode: each message the fan sent with what it cost,
each reply as delivered (and whether a check replaced it), each failure, and what the persona
remembers. Kept immutably in its events, so a dispute can be checked against what was said; its
state holds only the latest messages (`WINDOW_MESSAGES`), what a turn needs.

Each mode has its own thread aggregate (and so its own streams) built on this base; the modes'
packages never import each other.
"""

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError

# What a thread keeps in its state: its latest messages (and any still waiting for a reply), and
# the tips its replies thanked lately. Older ones stay in its events, the record, but a turn
# needs only these, so reading a thread (from its snapshot) costs the same however long it is.
WINDOW_MESSAGES = 200
WINDOW_TIPS = 500

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"


class DuplicateMessageError(DomainError):
    code = "duplicate_message"


class ChatThread(Aggregate):
    mode = ""

    class Started(Aggregate.Created):
        fan_id: str
        persona_id: str

    @event(Started)
    def __init__(self, fan_id: str, persona_id: str) -> None:
        self.fan_id = fan_id
        self.persona_id = persona_id
        # Plain JSON-shaped state (no shared references, no sets), so that a snapshot of it
        # restores the same thread: messages are found by their index in the window. Changing
        # this shape needs `class_version` and an upcast (the library's rule for snapshots), or
        # the stored snapshots dropped: they are derived, the events rebuild them.
        self.messages: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.memory: dict[str, Any] = {}
        self.acknowledged_tips: dict[str, bool] = {}

    def message(self, message_id: str) -> dict[str, Any] | None:
        at = self.index.get(message_id)
        return None if at is None else self.messages[at]

    def send(self, message_id: str, text: str, paid_by: str, price_tokens: int,
             charge_id: str | None, at: datetime) -> None:
        """paid_by: "included" (a subscriber's allowance) or "tokens" (charge_id)."""
        if message_id in self.index:
            raise DuplicateMessageError("this message was already sent")
        self._sent(message_id=message_id, text=text, paid_by=paid_by, price_tokens=price_tokens,
                   charge_id=charge_id, at=at)

    def deliver(self, message_id: str, text: str, replaced: bool, checks: list[str],
                tip_ids: list[str], at: datetime) -> None:
        self._delivered(message_id=message_id, text=text, replaced=replaced, checks=checks,
                        tip_ids=tip_ids, at=at)

    def fail(self, message_id: str, reason: str, at: datetime) -> None:
        self._failed(message_id=message_id, reason=reason, at=at)

    def flag(self, message_id: str, side: str, outcome: str, findings: list[dict[str, Any]],
             sampled: bool, at: datetime) -> None:
        """What a safety check found in the fan's message or in the reply (side), short of
        blocking it, or the model's refusal of the message: for the moderation queue when
        sampled. Kept in the events only: a turn needs none of it."""
        self._flagged(message_id=message_id, side=side, outcome=outcome, findings=findings,
                      sampled=sampled, fan_id=self.fan_id, persona_id=self.persona_id, at=at)

    class SafetyFlagged(Aggregate.Event):
        message_id: str
        side: str  # message or reply
        outcome: str  # review, or refused (the model's gate)
        findings: list[dict[str, Any]]
        sampled: bool
        fan_id: str
        persona_id: str
        at: datetime

    @event(SafetyFlagged)
    def _flagged(self, message_id: str, side: str, outcome: str, findings: list[dict[str, Any]],
                 sampled: bool, fan_id: str, persona_id: str, at: datetime) -> None:
        pass

    def remember(self, notes: dict[str, Any], at: datetime) -> None:
        changed = {k: v for k, v in notes.items() if self.memory.get(k) != v}
        if changed:
            self._noted(notes=changed, at=at)

    def history(self, limit: int) -> list[dict[str, Any]]:
        """The last exchanges that were answered, oldest first: what the model is shown."""
        done = [m for m in self.messages if m["status"] == DELIVERED]
        return done[-limit:]

    class MessageSent(Aggregate.Event):
        message_id: str
        text: str
        paid_by: str
        price_tokens: int
        charge_id: str | None
        at: datetime

    @event(MessageSent)
    def _sent(self, message_id: str, text: str, paid_by: str, price_tokens: int,
              charge_id: str | None, at: datetime) -> None:
        entry = {"message_id": message_id, "text": text, "paid_by": paid_by,
                 "price_tokens": price_tokens, "charge_id": charge_id, "sent_at": at,
                 "status": PENDING, "reply": None, "replaced": False, "tip_ids": []}
        self.index[message_id] = len(self.messages)
        self.messages.append(entry)
        if len(self.messages) > WINDOW_MESSAGES:
            self._keep_the_window()

    def _keep_the_window(self) -> None:
        """Drop the oldest answered (or failed) messages beyond the window; never one still
        waiting for its reply."""
        excess = len(self.messages) - WINDOW_MESSAGES
        kept = []
        for entry in self.messages:
            if excess > 0 and entry["status"] != PENDING:
                excess -= 1
                continue
            kept.append(entry)
        self.messages = kept
        self.index = {entry["message_id"]: at for at, entry in enumerate(kept)}

    class ReplyDelivered(Aggregate.Event):
        message_id: str
        text: str
        replaced: bool
        checks: list[str]
        tip_ids: list[str]
        at: datetime

    @event(ReplyDelivered)
    def _delivered(self, message_id: str, text: str, replaced: bool, checks: list[str],
                   tip_ids: list[str], at: datetime) -> None:
        self.messages[self.index[message_id]].update(
            status=DELIVERED, reply=text, replaced=replaced, tip_ids=list(tip_ids), replied_at=at)
        self.acknowledged_tips.update(dict.fromkeys(tip_ids, True))
        for old in list(self.acknowledged_tips)[:max(0, len(self.acknowledged_tips) - WINDOW_TIPS)]:
            del self.acknowledged_tips[old]

    class ReplyFailed(Aggregate.Event):
        message_id: str
        reason: str
        at: datetime

    @event(ReplyFailed)
    def _failed(self, message_id: str, reason: str, at: datetime) -> None:
        self.messages[self.index[message_id]].update(status=FAILED, failure=reason)

    class MemoryNoted(Aggregate.Event):
        notes: dict[str, Any]
        at: datetime

    @event(MemoryNoted)
    def _noted(self, notes: dict[str, Any], at: datetime) -> None:
        self.memory.update(notes)
