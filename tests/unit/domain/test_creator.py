"""Creator onboarding and review, as pure domain rules."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from domain.aggregates.creator import (
    Creator,
    InvalidOnboardingDataError,
    OnboardingIncompleteError,
    UnderageError,
)
from domain.errors import InvalidTransitionError
from domain.review import MissingReasonError

NOW = datetime(2026, 6, 15, tzinfo=UTC)
REQUIRED = {"age_18_plus": 1, "platform_rules": 2}


def ready() -> Creator:
    creator = Creator(user_id="u1", display_name="Luna", at=NOW)
    creator.choose_account_type("individual", NOW)
    creator.provide_identity("Ada  Lovelace", date(1990, 1, 1), "gb", NOW)
    creator.link_stripe_account("acct_1", NOW)
    for kind, version in REQUIRED.items():
        creator.note_declaration(kind, version, uuid4(), NOW)
    return creator


def test_the_next_step_follows_the_spec_order() -> None:
    creator = Creator(user_id="u1", display_name="Luna", at=NOW)
    assert creator.progress(REQUIRED).next_step == "account_type"
    creator.provide_identity("Ada Lovelace", date(1990, 1, 1), "GB", NOW)  # steps in any order
    progress = creator.progress(REQUIRED)
    assert progress.next_step == "account_type"
    assert progress.missing == ("account_type", "stripe_connect", "declaration:age_18_plus",
                                "declaration:platform_rules")


def test_eighteenth_birthday_is_the_first_day_allowed() -> None:
    creator = Creator(user_id="u1", display_name="Luna", at=NOW)
    with pytest.raises(UnderageError):
        creator.provide_identity("Young Person", date(2008, 6, 16), "GB", NOW)
    creator.provide_identity("Young Person", date(2008, 6, 15), "GB", NOW)
    assert creator.legal_name == "Young Person"


@pytest.mark.parametrize("name, country", [("A", "GB"), ("Ada Lovelace", "GBR"), ("Ada", "1X")])
def test_bad_identity_is_refused(name: str, country: str) -> None:
    with pytest.raises(InvalidOnboardingDataError):
        Creator(user_id="u1", display_name="L", at=NOW).provide_identity(
            name, date(1990, 1, 1), country, NOW)


def test_submit_needs_every_step_and_current_declaration_versions() -> None:
    creator = ready()
    with pytest.raises(OnboardingIncompleteError, match="declaration:platform_rules"):
        creator.submit({**REQUIRED, "platform_rules": 3}, NOW)
    creator.submit(REQUIRED, NOW)
    assert creator.status == "submitted" and not creator.can_receive_money
    with pytest.raises(InvalidTransitionError):
        creator.choose_account_type("business", NOW)  # closed while under review


def test_rejection_reopens_onboarding_and_approval_enables_money() -> None:
    creator = ready()
    creator.submit(REQUIRED, NOW)
    with pytest.raises(MissingReasonError):
        creator.reject("admin", "  ", NOW)
    creator.reject("admin", "blurry ID", NOW)
    creator.choose_account_type("business", NOW)
    creator.submit(REQUIRED, NOW)
    creator.approve("admin", "ok", NOW)
    assert creator.can_receive_money
    creator.suspend("report", "admin", NOW)
    assert not creator.can_receive_money
    creator.reinstate("admin", NOW)
    assert creator.can_receive_money


def test_only_submitted_creators_are_reviewed() -> None:
    creator = ready()
    with pytest.raises(InvalidTransitionError):
        creator.approve("admin", "ok", NOW)


def test_new_bank_details_mend_a_banks_refusal_and_nothing_else() -> None:
    creator = ready()
    assert creator.bank_details_changed(NOW) is False  # no problem: nothing recorded
    creator.flag_payout_problem("p1", "bank_refused: account_closed", NOW)
    assert creator.bank_details_changed(NOW) is True and creator.payout_problem is None
    assert creator.bank_details_changed(NOW) is False  # once
    creator.flag_payout_problem("p2", "transfer_reversal_refused: insufficient funds", NOW)
    assert creator.bank_details_changed(NOW) is False  # Stripe kept the money: a person looks
    assert creator.payout_problem["payout_id"] == "p2"
