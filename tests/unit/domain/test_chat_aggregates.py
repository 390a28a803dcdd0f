"""Chat settings, the included-message allowance, age verification, and a paid message's tokens
given back to the lots that paid for it."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.aggregates.age_verification import AgeVerification
from domain.aggregates.chat_settings import (
    ChatSettings,
    IntimateNotApprovedError,
    InvalidChatModesError,
)
from domain.aggregates.message_allowance import AllowanceUsedUpError, MessageAllowance
from domain.aggregates.wallet import Wallet

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_intimate_mode_only_where_review_approved_it_and_a_default_among_the_enabled() -> None:
    settings = ChatSettings.open("p1", "c1")
    with pytest.raises(IntimateNotApprovedError):
        settings.set_modes(["companion", "intimate"], "companion", ["companion"], "c1", AT)
    with pytest.raises(InvalidChatModesError):
        settings.set_modes(["companion"], "intimate", ["companion", "intimate"], "c1", AT)
    settings.set_modes(["intimate", "companion"], "intimate", ["companion", "intimate"], "c1", AT)
    assert (settings.enabled, settings.default_mode) == (["companion", "intimate"], "intimate")
    settings.set_modes(["companion"], None, ["companion", "intimate"], "c1", AT)
    assert settings.default_mode == "companion"


def test_an_allowance_is_used_once_per_message_and_given_back_on_failure() -> None:
    allowance = MessageAllowance.open("f", "p", "2026-01-01", 2)
    allowance.use("m1", AT)
    allowance.use("m1", AT)  # the same message retried
    allowance.use("m2", AT)
    with pytest.raises(AllowanceUsedUpError):
        allowance.use("m3", AT)
    allowance.give_back("m2", AT)
    allowance.use("m3", AT)
    assert allowance.remaining == 0 and allowance.used == ["m1", "m3"]


def test_age_is_verified_only_in_a_session_the_fan_started() -> None:
    verification = AgeVerification.open("fan-1")
    assert not verification.verify("vs_other", AT)
    verification.start("vs_1", AT)
    assert verification.fail("vs_1", "document_unverified_other", AT)
    assert verification.status == "requires_input"
    verification.start("vs_2", AT)
    assert verification.verify("vs_2", AT) and verification.status == "verified"
    assert not verification.verify("vs_2", AT)  # recorded once


@given(st.lists(st.integers(1, 400), min_size=1, max_size=4), st.integers(1, 600),
       st.integers(0, 1_000))
def test_a_spend_given_back_returns_exactly_what_still_stands(packs: list[int], spend: int,
                                                             reversed_tokens: int) -> None:
    wallet = Wallet(fan_id="f")
    for n, tokens in enumerate(packs):
        wallet.credit(f"p{n}", tokens, AT)
    if spend > wallet.balance_tokens:
        return
    wallet.spend(spend, "message:m1", AT)
    # The first pack is refunded in part before the message fails: what it reversed is gone.
    take = min(reversed_tokens, packs[0])
    plan = wallet.reverse_purchase("p0", take, "refund", AT) if take else None
    reversed_of_spend = plan.reversed_spend_tokens if plan else 0
    before = wallet.balance_tokens
    returned = wallet.return_spend("message:m1", "no_reply", AT)
    assert returned == spend - reversed_of_spend
    assert wallet.balance_tokens == before + returned
    assert wallet.return_spend("message:m1", "no_reply", AT) == 0  # never twice
    assert wallet.credited_tokens == wallet.balance_tokens + wallet.spent_tokens - \
        wallet.spends_reversed_tokens + wallet.reversed_tokens
