"""Tips through the application on PostgreSQL: atomic, never overspent, idempotent."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from application.errors import IdempotencyConflictError
from application.spending.commands import Spend, send_tip
from domain import ids
from domain.errors import (
    CreatorCannotReceiveError,
    DomainError,
    InsufficientFundsError,
    InvalidAmountError,
    SelfTipError,
    UnknownCreatorError,
)
from tests.helpers import fund


def tip(fan: str = "fan-1", creator: str = "creator-1", amount: int = 250, **kw: object) -> Spend:
    return send_tip(idempotency_key=kw.pop("key", None), fan_id=fan,  # type: ignore[arg-type]
                    creator_id=creator, amount_tokens=amount, **kw)


def test_a_tip_saves_debit_tip_and_hold_together(core) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-1", "pack_500")
    sent = core.spending.send(tip(amount=250, thread_id="thread-9", chat_mode="companion"))
    assert (sent.creator_tokens, sent.platform_tokens, sent.new_balance_tokens) == (175, 75, 250)
    stored_tip = core.ledger.repository.get(sent.spend_id)
    hold = core.ledger.repository.get(ids.hold_id("tip", sent.spend_id))
    wallet = core.ledger.repository.get(ids.wallet_id("fan-1"))
    assert stored_tip.creator_bps == 7_000 and stored_tip.thread_id == "thread-9"
    assert hold.amount_tokens == 175 and hold.release_at == hold.earned_at + core.fees.hold_period
    assert wallet.balance_tokens == 250
    assert stored_tip.lots_used == [[next(iter(wallet.lots)), 250]]


@pytest.mark.parametrize("command, error", [
    (tip(amount=0), InvalidAmountError),
    (tip(amount=-5), InvalidAmountError),
    (tip(amount=10**9), InvalidAmountError),
    (tip(creator="nobody"), UnknownCreatorError),
    (tip(creator="fan-1"), SelfTipError),
    (tip(amount=501), InsufficientFundsError),
    (tip(fan="fan-without-wallet"), InsufficientFundsError),
    (tip(chat_mode="shouting"), InvalidAmountError),
])
def test_refused_tips_write_nothing(core, command: Spend, error: type) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-1", "pack_500")
    head = core.ledger.max_position()
    with pytest.raises(error):
        core.spending.send(command)
    assert core.ledger.max_position() == head


def test_suspended_creator_receives_nothing_and_held_money_stays(core) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-1", "pack_500")
    first = core.spending.send(tip(amount=100))
    core.moderation.suspend("admin-1", "creator-1", "under review")
    with pytest.raises(CreatorCannotReceiveError):
        core.spending.send(tip(amount=100))
    assert core.ledger.repository.get(ids.hold_id("tip", first.spend_id)).held_tokens == 70
    core.moderation.reinstate("admin-1", "creator-1")
    core.spending.send(tip(amount=100))


def test_same_idempotency_key_is_one_tip_and_different_input_is_refused(core) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-1", "pack_500")
    first = core.spending.send(tip(amount=200, key="k-1"))
    again = core.spending.send(tip(amount=200, key="k-1"))
    assert again.spend_id == first.spend_id and again.replayed
    assert core.ledger.repository.get(ids.wallet_id("fan-1")).balance_tokens == 300
    with pytest.raises(IdempotencyConflictError):
        core.spending.send(tip(amount=201, key="k-1"))


@pytest.mark.parametrize("window_ms", [0, 3])
def test_concurrent_tips_from_one_wallet_never_overspend(make_core, window_ms: float) -> None:
    writers = [make_core(group_commit_window_ms=window_ms) for _ in range(3)]
    core = writers[0]
    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-1", "pack_1200")  # 1,200 tokens; 60 tips of 100 are asked for
    barrier = threading.Barrier(12)

    def attempt(i: int) -> str:
        writer = writers[i % len(writers)]
        if i < 12:
            barrier.wait()
        try:
            writer.spending.send(tip(amount=100))
            return "sent"
        except InsufficientFundsError:
            return "refused"
        except DomainError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(attempt, range(60)))
    wallet = core.ledger.repository.get(ids.wallet_id("fan-1"))
    assert results.count("sent") == 12
    assert set(results) <= {"sent", "refused"}
    assert wallet.balance_tokens == 0 and wallet.spent_tokens == 1_200


def test_group_commit_gives_each_caller_its_own_outcome(make_core) -> None:
    core = make_core(group_commit_window_ms=20)
    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-rich", "pack_5500")
    commands = [tip(fan="fan-rich", amount=100), tip(fan="fan-poor", amount=100),
                tip(fan="fan-rich", creator="nobody"), tip(fan="fan-rich", amount=300)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(core.spending.send, c) for c in commands]
    outcomes = [f.exception() or f.result() for f in futures]
    assert outcomes[0].amount_tokens == 100
    assert isinstance(outcomes[1], InsufficientFundsError)
    assert isinstance(outcomes[2], UnknownCreatorError)
    assert outcomes[3].amount_tokens == 300
    assert core.ledger.repository.get(ids.wallet_id("fan-rich")).balance_tokens == 5_100
