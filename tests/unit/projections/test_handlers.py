"""Which read models see an event: a fold by the handler of the nearest class it names."""

from domain.aggregates.message_charge import MessageCharge
from domain.aggregates.tip import Tip
from projections.catalog import all_projections


class SomethingNew:
    """An event type no projection registered."""


def handling(event: type) -> set[str]:
    return {fold.name for fold in all_projections() if fold.handler(event) is not None}


def test_only_the_audit_log_sees_an_event_no_one_registered() -> None:
    assert handling(SomethingNew) == {"audit"}  # the audit log records every event


def test_registered_handlers_are_found_for_subclasses_too() -> None:
    for event in (Tip.Sent, MessageCharge.Charged, MessageCharge.Reversed):
        assert {"spends", "audit"} <= handling(event), event
