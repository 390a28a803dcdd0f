"""The admin-managed list adopts what a newer release ships, except what an admin removed."""

from datetime import UTC, datetime

from domain.aggregates.blocked_term_list import BlockedTermList

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_new_shipped_terms_are_adopted_but_an_admins_removal_stands() -> None:
    terms = BlockedTermList(opened_by="seed")
    terms.add("moonbeam", "violence", "seed", AT)
    terms.add("stardust", "violence", "seed", AT)
    terms.remove("stardust", "adm-1", AT)
    shipped = [("moonbeam", "violence"), ("stardust", "violence"), ("comet", "youth")]
    assert terms.adopt(shipped, "seed", AT) is True
    assert terms.terms == {"moonbeam": "violence", "comet": "youth"}
    assert terms.adopt(shipped, "seed", AT) is False  # nothing new the second time
