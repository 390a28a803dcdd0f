"""A subscription's whole life through HTTP, with the local simulator playing Stripe Billing:
subscribe, renew, fail, recover, cancel at period end, end, refund and dispute an invoice, and
subscribe again. Every paid invoice earns the creator 80% in pence, held 14 days."""

from datetime import timedelta

import httpx

from tests.api.test_personas_http import published

PRICE_MINOR = 999
CREATOR_MINOR = 799  # floor(999 * 0.8); the platform keeps 200


def subscribe(api, fan: httpx.Client, persona_id: str) -> str:
    """Subscribe and pay the checkout; returns the simulated Stripe subscription id."""
    started = fan.post(f"/api/models/{persona_id}/subscribe")
    assert started.status_code == 201, started.text
    session_id = started.json()["checkout_session_id"]
    paid = httpx.post(f"{api.base}/simulator/checkout/{session_id}/pay")
    assert paid.status_code == 200 and paid.json()["response"]["outcome"] == "subscribed"
    subscription = api.core.simulator.session(session_id).subscription_id
    assert subscription is not None
    return subscription


def sim(api, path: str, **params) -> dict:
    response = httpx.post(f"{api.base}/simulator{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def access(api, fan: httpx.Client, persona_id: str) -> dict:
    return fan.get(f"/api/models/{persona_id}/subscription").json()


def earnings(api, creator: httpx.Client) -> dict:
    return creator.get("/api/creator/earnings", params={"min_position": api.head()}).json()


def test_a_subscription_lives_its_whole_life(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    fan = api.as_user("fan-1", "fan")
    assert access(api, fan, persona_id)["subscribed"] is False
    sub_id = subscribe(api, fan, persona_id)

    now = access(api, fan, persona_id)
    assert (now["subscribed"], now["status"], now["included_messages"]) == (True, "active", 100)
    money = earnings(api, creator)
    assert (money["held_minor"], money["held_tokens"]) == (CREATOR_MINOR, 0)
    assert money["by_source"]["subscription"]["held_minor"] == CREATOR_MINOR

    # Two renewals: each invoice earns once.
    sim(api, f"/subscriptions/{sub_id}/renew")
    sim(api, f"/subscriptions/{sub_id}/renew")
    assert earnings(api, creator)["held_minor"] == 3 * CREATOR_MINOR

    # A failed renewal: past due, access for the grace period, then none.
    failed = sim(api, f"/subscriptions/{sub_id}/renew", outcome="failed")
    assert failed["response"]["outcome"] == "past_due"
    assert (access(api, fan, persona_id)["status"], access(api, fan, persona_id)["subscribed"]) \
        == ("past_due", True)
    api.clock.advance(seconds=(api.core.subscriptions.grace + timedelta(minutes=1)).total_seconds())
    assert access(api, fan, persona_id)["subscribed"] is False
    # The card works again: the period is paid and access is back.
    sim(api, f"/subscriptions/{sub_id}/retry")
    assert access(api, fan, persona_id)["subscribed"] is True
    assert earnings(api, creator)["held_minor"] == 4 * CREATOR_MINOR

    # Cancel at the period's end: access stays; taken back; cancelled again; then it ends.
    cancelled = fan.post(f"/api/models/{persona_id}/subscription/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "canceling"
    assert access(api, fan, persona_id)["subscribed"] is True
    assert fan.post(f"/api/models/{persona_id}/subscription/resume").json()["status"] == "active"
    assert fan.post(f"/api/models/{persona_id}/subscription/cancel").json()["status"] == "canceling"
    ended = sim(api, f"/subscriptions/{sub_id}/renew")  # the period ends: Stripe deletes it
    assert ended["response"]["outcome"] == "ended"
    assert access(api, fan, persona_id)["subscribed"] is False
    mine = fan.get("/api/subscriptions", params={"min_position": api.head()}).json()
    assert [(s["status"], s["access"]) for s in mine["subscriptions"]] == [("ended", False)]

    # Refund one invoice: that period's earning is reversed, nothing else.
    invoices = httpx.get(f"{api.base}/simulator/subscriptions/{sub_id}").json()["invoices"]
    assert len(invoices) == 5  # 4 paid, 1 failed
    refunded = sim(api, f"/invoices/{invoices[0]}/refund")
    assert refunded["response"]["outcome"] == "invoice_refunded"
    money = earnings(api, creator)
    assert (money["held_minor"], money["reversed_minor"]) == (3 * CREATOR_MINOR, CREATOR_MINOR)
    listed = creator.get("/api/creator/subscribers", params={"min_position": api.head()}).json()
    assert [(s["fan_id"], s["invoices_paid"], s["creator_minor"])
            for s in listed["subscribers"]] == [("fan-1", 4, 3 * CREATOR_MINOR)]
    assert listed["counts"] == {"ended": 1}
    stats = creator.get("/api/creator/stats").json()
    assert stats["subscribers"] == {"live": 0, "by_status": {"ended": 1}}
    assert stats["revenue_by_source"]["subscription"] == {"earned_tokens": 0,
                                                          "earned_minor": 3 * CREATOR_MINOR}
    assert stats["earnings"]["held_minor"] == 3 * CREATOR_MINOR

    # A dispute of another takes it back too; won, it comes back.
    sim(api, f"/invoices/{invoices[1]}/dispute")
    assert earnings(api, creator)["reversed_minor"] == 2 * CREATOR_MINOR
    sim(api, f"/invoices/{invoices[1]}/dispute/close", outcome="won")
    assert earnings(api, creator)["reversed_minor"] == CREATOR_MINOR

    # Subscribing again after the end starts a new term.
    subscribe(api, fan, persona_id)
    assert access(api, fan, persona_id)["subscribed"] is True
    assert earnings(api, creator)["held_minor"] == 4 * CREATOR_MINOR
    balance = api.as_user("fin-1", "finance").get("/api/finance/trial-balance").json()
    assert balance["balanced"] is True, balance["imbalances"]


def test_refusals_write_nothing(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    fan = api.as_user("fan-1", "fan")
    subscribe(api, fan, persona_id)
    head = api.head()
    cases = [
        (fan.post(f"/api/models/{persona_id}/subscribe"), 409, "already_subscribed"),
        (creator.post(f"/api/models/{persona_id}/subscribe"), 422, "own_persona"),
        (fan.post("/api/models/00000000-0000-0000-0000-000000000001/subscribe"), 404,
         "unknown_persona"),
        (api.as_user("fan-2", "fan").post(f"/api/models/{persona_id}/subscription/cancel"), 409,
         "not_subscribed"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert api.head() == head


def test_two_checkouts_paid_for_one_term_give_one_subscription_and_a_flag(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    fan = api.as_user("fan-1", "fan")
    first = fan.post(f"/api/models/{persona_id}/subscribe", headers={"Idempotency-Key": "a"})
    again = fan.post(f"/api/models/{persona_id}/subscribe", headers={"Idempotency-Key": "a"})
    assert first.json()["checkout_session_id"] == again.json()["checkout_session_id"]
    second = fan.post(f"/api/models/{persona_id}/subscribe", headers={"Idempotency-Key": "b"})
    assert second.status_code == 201
    # The fan left the first checkout open, paid the second, then the first too.
    assert sim(api, f"/checkout/{second.json()['checkout_session_id']}/pay")[
        "response"]["outcome"] == "subscribed"
    assert sim(api, f"/checkout/{first.json()['checkout_session_id']}/pay")[
        "response"]["outcome"] == "orphan_subscription"
    assert access(api, fan, persona_id)["subscribed"] is True
    flags = api.as_user("fin-1", "finance").get(
        "/api/finance/flags", params={"min_position": api.head()}).json()["flags"]
    assert sorted(f["outcome"] for f in flags) == ["orphan_invoice_paid", "orphan_subscription"]
    # Both invoices were paid, so both earn; finance refunds the orphan's.
    assert earnings(api, creator)["held_minor"] == 2 * CREATOR_MINOR


def test_an_unpublished_persona_cannot_be_subscribed_to(api, studio) -> None:
    creator, _ = studio
    persona_id = published(api, studio)
    creator.post(f"/api/creator/models/{persona_id}/unpublish")
    head = api.head()
    refused = api.as_user("fan-2", "fan").post(f"/api/models/{persona_id}/subscribe")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "unknown_persona"
    assert api.head() == head
