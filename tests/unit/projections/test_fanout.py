"""The fan-out skips a projection only where its handler for the type is empty."""

from projections.audit import AuditProjection
from projections.catalog import all_projections
from projections.fanout import Fanout


class SomethingNew:
    """An event type no projection registered."""


def test_a_default_handler_with_a_body_still_sees_every_event() -> None:
    handled = [p.name for p, _ in Fanout(all_projections()).handlers(SomethingNew)]
    assert handled == [AuditProjection.name]  # the audit log records every event


def test_registered_handlers_are_found_for_subclasses_too() -> None:
    from domain.aggregates.message_charge import MessageCharge
    from domain.aggregates.tip import Tip

    fanout = Fanout(all_projections())
    for event in (Tip.Sent, MessageCharge.Charged, MessageCharge.Reversed):
        names = {p.name for p, _ in fanout.handlers(event)}
        assert {"spends", "audit"} <= names, (event, names)
