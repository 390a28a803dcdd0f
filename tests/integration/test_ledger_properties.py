"""Money invariants over random histories run through the whole application on PostgreSQL."""

import contextlib
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.tipping import SendTip
from domain import ids
from domain.catalogue import find_pack
from domain.errors import DomainError
from tests.helpers import charge_refunded, fund, stripe_event
from tests.integration.test_projections import snapshot

FANS = ("a", "b", "c")
CREATORS = ("x", "y")
steps = st.lists(st.one_of(
    st.tuples(st.just("buy"), st.sampled_from(FANS), st.sampled_from(["pack_500", "pack_1200"])),
    st.tuples(st.just("tip"), st.sampled_from(FANS), st.sampled_from(CREATORS),
              st.integers(1, 900)),
    st.tuples(st.just("refund"), st.integers(0, 9), st.integers(1, 100)),
    st.tuples(st.just("dispute"), st.integers(0, 9)),
    st.tuples(st.just("advance"), st.integers(1, 10)),
), min_size=1, max_size=25)
runs = itertools.count()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps)
def test_random_histories_keep_every_money_invariant(core, clock, history) -> None:
    run = next(runs)
    fan = {f: f"fan-{run}-{f}" for f in FANS}
    creator = {c: f"creator-{run}-{c}" for c in CREATORS}
    for name in creator.values():
        core.creators.register(name, name, "admin")
    purchases: list[tuple[str, str]] = []
    tips = []
    for step in history:
        if step[0] == "buy":
            purchases.append((fund(core, fan[step[1]], step[2]), step[2]))
        elif step[0] == "tip":
            with contextlib.suppress(DomainError):
                tips.append(core.tipping.send(SendTip(fan_id=fan[step[1]],
                                                      creator_id=creator[step[2]],
                                                      amount_tokens=step[3])))
        elif step[0] in ("refund", "dispute") and purchases:
            pi, sku = purchases[step[1] % len(purchases)]
            price = find_pack(sku).price_minor  # type: ignore[union-attr]
            if step[0] == "refund":
                event = charge_refunded(pi, price, price * step[2] // 100)
            else:
                event = stripe_event("charge.dispute.created",
                                     {"id": f"dp_{pi}", "amount": price, "payment_intent": pi})
            core.stripe_events.handle(event)
        elif step[0] == "advance":
            clock.advance(days=step[1])
            core.projections.catch_up()
            core.holds.release_due()

    for sent in tips:
        assert sent.creator_tokens + sent.platform_tokens == sent.amount_tokens
        assert min(sent.creator_tokens, sent.platform_tokens) >= 0
    for name in fan.values():
        wallet = core.ledger.get_or_none(ids.wallet_id(name))
        if wallet is not None:
            assert wallet.credited_tokens == (wallet.balance_tokens + wallet.spent_tokens
                                              - wallet.spends_reversed_tokens
                                              + wallet.reversed_tokens)
    core.projections.catch_up()
    for name in creator.values():
        earned = sum(t.creator_tokens for t in tips if t.tip_id and
                     core.ledger.repository.get(t.tip_id).creator_id == name)
        row = core.queries.earnings(name)
        parts = (row["held_tokens"] + row["available_tokens"] + row["paid_tokens"]
                 + row["reversed_tokens"])
        assert parts == earned
    for name in fan.values():
        wallet = core.ledger.get_or_none(ids.wallet_id(name))
        if wallet is not None:
            assert core.queries.wallet(name)["balance_tokens"] == wallet.balance_tokens
    live = snapshot(core)
    core.projections.rebuild()
    assert snapshot(core) == live
