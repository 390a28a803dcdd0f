"""Which read models see an event: a fold by its handlers (the nearest class they name), the
rest by the fan-out, which skips a projection only where its handler for the type is empty."""

from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.tip import Tip
from projections.catalog import all_projections
from projections.fanout import Fanout
from projections.fold import Fold


class SomethingNew:
    """An event type no projection registered."""


def handling(event: type) -> set[str]:
    projections = all_projections()
    folds = {p.name for p in projections if isinstance(p, Fold) and p.handler(event)}
    others = Fanout([p for p in projections if not isinstance(p, Fold)]).handlers(event)
    return folds | {p.name for p, _ in others}


def test_only_the_audit_log_sees_an_event_no_one_registered() -> None:
    assert handling(SomethingNew) == {"audit"}  # the audit log records every event


def test_registered_handlers_are_found_for_subclasses_too() -> None:
    for event in (Tip.Sent, MessageCharge.Charged, MessageCharge.Reversed):
        assert {"spends", "audit"} <= handling(event), event
