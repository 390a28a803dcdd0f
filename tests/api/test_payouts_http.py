"""From tips and a subscription to a paid payout, on the simulator, through the API; then a
chargeback after the payout, recovered from the next one."""

import re

import httpx

from tests.api.test_creator_lifecycle_http import onboard
from tests.api.test_personas_http import published, with_
from tests.api.test_subscriptions_http import earnings, subscribe
from tests.api.test_tips_http import funded_fan

CREATOR = "creator-9"


def approved_creator(api) -> tuple[httpx.Client, httpx.Client]:
    creator = onboard(api, CREATOR)
    admin = api.as_user("adm-1", "admin")
    assert admin.post(f"/api/admin/creators/{CREATOR}/approve",
                      json={"reason": "ok"}).status_code == 200
    return creator, admin


def run(api, key: str) -> dict:
    response = api.as_user("fin-1", "finance").post("/api/finance/payouts/run",
                                                    json={"run_key": key})
    assert response.status_code == 200, response.text
    return response.json()


def test_tips_and_a_subscription_become_a_paid_payout_and_a_chargeback_is_recovered(api) -> None:
    creator, admin = approved_creator(api)
    persona_id = published(api, (creator, admin))
    fan, session_id = funded_fan(api, "fan-1", "pack_5500")
    assert fan.post("/api/tips", json={"creator_id": CREATOR,
                                       "amount_tokens": 5_000}).status_code == 201
    subscribe(api, api.as_user("fan-2", "fan"), persona_id)
    # Held for 14 days: nothing to pay yet.
    assert run(api, "w1")["carried"] == {}
    api.clock.advance(days=15)

    first = run(api, "w2")
    assert first["payouts"] == {CREATOR: "bank_payout_requested"}
    # 3,500 tokens → 1,400p, plus 799p of the subscription.
    assert first["amount_minor"] == 1_400 + 799
    assert run(api, "w2")["payouts"] == {CREATOR: "bank_payout_requested"}  # a rerun: the same
    payouts = creator.get("/api/creator/payouts", params={"min_position": api.head()}).json()
    [payout] = payouts["payouts"]
    assert (payout["tokens_converted"], payout["tokens_carried"], payout["minor_taken"]) == (
        3_500, 0, 799)
    earnings = creator.get("/api/creator/earnings").json()
    assert (earnings["in_payout_tokens"], earnings["in_payout_minor"]) == (3_500, 799)
    paid = httpx.post(f"{api.base}/simulator/payouts/{payout['payout_id']}/paid").json()
    assert paid["response"]["outcome"] == "payout_paid"
    earnings = creator.get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert (earnings["paid_tokens"], earnings["paid_minor"], earnings["available_tokens"]) == (
        3_500, 799, 0)

    # The fan's pack is charged back after the payout: the creator owes the 3,500 tokens.
    httpx.post(f"{api.base}/simulator/checkout/{session_id}/dispute")
    earnings = creator.get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert earnings["negative_adjustment_tokens"] == 3_500
    estimate = creator.get("/api/creator/payouts").json()["next"]
    assert estimate["would_pay"] is False
    # Finance sees which payout the chargeback touches and how its recovery stands.
    finance = api.as_user("fin-1", "finance")
    rebuilt = finance.get("/api/finance/payouts/rebuild", params={
        "since": "2026-01-01T00:00:00+00:00", "until": "2026-02-01T00:00:00+00:00",
        "min_position": api.head()}).json()
    [touched] = rebuilt["payouts"]
    assert (touched["paid_minor"], touched["would_pay_today_minor"],
            touched["difference_minor"]) == (2_199, 799, 1_400)
    [why] = touched["differences"]
    assert (why["unit"], why["clawed_back"], why["source"]["reason"]) == ("tokens", 3_500,
                                                                           "dispute")
    assert why["recovery"] == {"owed": 3_500, "being_netted": 0, "recovered": 0}
    as_csv = finance.get("/api/finance/payouts/rebuild", params={
        "since": "2026-01-01T00:00:00+00:00", "until": "2026-02-01T00:00:00+00:00",
        "format": "csv"}).text.splitlines()
    assert len(as_csv) == 2 and as_csv[1].endswith(",dispute,3500,0,0")
    # New earnings: another fan tips; the next payout nets the debt first.
    other, _ = funded_fan(api, "fan-3", "pack_5500")
    assert other.post("/api/tips", json={"creator_id": CREATOR,
                                         "amount_tokens": 5_500}).status_code == 201
    api.clock.advance(days=15)
    second = run(api, "w4")
    # 3,850 earned - 3,500 owed = 350 tokens = 140p: below the £20 minimum, so all carries.
    assert second["carried"] == {CREATOR: "below_minimum"}
    # Why is in the ledger, for the creator and their statements months later.
    assert run(api, "w4")["carried"] == {CREATOR: "below_minimum"}  # a rerun records it once
    [carried] = creator.get("/api/creator/payouts", params={"min_position": api.head()}
                            ).json()["carried"]
    assert (carried["run_key"], carried["reason"], carried["available_tokens"],
            carried["owed_tokens"], carried["would_pay_minor"]) == ("w4", "below_minimum",
                                                                    3_850, 3_500, 140)
    rows = creator.get(f"/api/creator/statements/{api.clock():%Y-%m}").json()["rows"]
    assert [(r["kind"], r["status"]) for r in rows if r["kind"] == "carried"] == [
        ("carried", "below_minimum")]
    balance = api.as_user("fin-1", "finance").get("/api/finance/trial-balance").json()
    assert balance["balanced"], balance["imbalances"]
    assert balance["earnings_tokens"]["negative_adjustments"] == 3_500
    # Stripe's books and the ledger agree: 3 charges, 1 dispute, 1 transfer.
    month = {"since": "2026-01-01T00:00:00+00:00", "until": "2026-03-01T00:00:00+00:00",
             "min_position": api.head()}
    books = finance.get("/api/finance/reconciliation", params=month).json()
    assert books["reconciled"] is True and books["matched"] == 5, books
    # A charge Stripe booked that the ledger never heard of (its webhook was lost) shows up.
    api.core.simulator.book_balance_transaction("charge", 499, {
        "id": "ch_lost", "object": "charge", "payment_intent": "pi_lost"})
    books = finance.get("/api/finance/reconciliation", params=month).json()
    assert books["reconciled"] is False
    assert [(m["type"], m["key"]) for m in books["missing_in_ledger"]] == [("charge", "pi_lost")]


def a_payout_sent_to_the_bank(api) -> tuple[httpx.Client, str]:
    """Two fans tip 5,500 each (2 × 3,850 tokens = 3,080p: above the minimum); a run 15 days
    later transfers it and asks the bank. The creator and the payout's id."""
    creator, _ = approved_creator(api)
    for fan_id in ("fan-1", "fan-2"):
        fan, _ = funded_fan(api, fan_id, "pack_5500")
        fan.post("/api/tips", json={"creator_id": CREATOR, "amount_tokens": 5_500})
    api.clock.advance(days=15)
    assert run(api, "w2")["payouts"] == {CREATOR: "bank_payout_requested"}
    payout_id = creator.get("/api/creator/payouts", params={"min_position": api.head()}
                            ).json()["payouts"][0]["payout_id"]
    return creator, payout_id


def test_a_failed_bank_payout_is_asked_again_never_transferred_twice(api) -> None:
    creator, payout_id = a_payout_sent_to_the_bank(api)
    failed = httpx.post(f"{api.base}/simulator/payouts/{payout_id}/failed").json()
    assert failed["response"]["outcome"] == "payout_failed"
    late = httpx.post(f"{api.base}/simulator/payouts/{payout_id}/paid").json()
    assert late["response"]["outcome"] == "no_change"  # that attempt failed; it stands
    # The money waits on the Connect account: still in payout, never available to pay again.
    earnings = creator.get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert (earnings["available_tokens"], earnings["in_payout_tokens"]) == (0, 7_700)
    assert run(api, "w2")["payouts"] == {CREATOR: "bank_payout_requested"}  # asks the bank again
    assert len(api.core.simulator.transfers()) == 1
    paid = httpx.post(f"{api.base}/simulator/payouts/{payout_id}/paid").json()
    assert paid["response"]["outcome"] == "payout_paid"
    # The transfer reversed after all: the earnings are available again.
    reversed_ = httpx.post(f"{api.base}/simulator/payouts/{payout_id}/reverse-transfer").json()
    assert reversed_["response"]["outcome"] == "transfer_reversed"
    earnings = creator.get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert (earnings["available_tokens"], earnings["paid_tokens"]) == (7_700, 0)
    assert run(api, "w3")["payouts"] == {CREATOR: "bank_payout_requested"}
    month = creator.get("/api/creator/statements/2026-01",
                        params={"min_position": api.head()}).json()["rows"]
    assert [(r["kind"], r["unit"], r["amount"], r["status"]) for r in month] == [
        ("earning", "tokens", 3_850, "available"), ("earning", "tokens", 3_850, "available"),
        ("payout", "minor", 3_080, "reversed"), ("payout", "minor", 3_080, "bank_payout_requested")]
    csv_text = creator.get("/api/creator/statements/2026-01", params={"format": "csv"})
    assert csv_text.headers["content-type"].startswith("text/csv")
    assert csv_text.text.splitlines()[0] == "date,kind,source,reference,unit,amount,reversed," \
        "clawed_back,status" and len(csv_text.text.splitlines()) == 5
    assert creator.get("/api/creator/statements/2026-13").status_code == 422
    # Staff download anyone's, whatever characters the creator id holds (found by the fuzz test).
    staff = api.as_user("fin-1", "finance").get("/api/creator/statements/2026-01", params={
        "format": "csv", "creator_id": "créatrice-\U000f5d01"})
    assert staff.status_code == 200
    assert staff.headers["content-disposition"] == (
        'attachment; filename="statement-cr_atrice-_-2026-01.csv"; '
        "filename*=UTF-8''statement-cr%C3%A9atrice-%F3%B5%B4%81-2026-01.csv")


def test_who_may_be_paid_and_who_may_run_payouts(api, studio) -> None:
    creator, _ = studio  # registered by an admin: no Connect account
    fan, _ = funded_fan(api, "fan-1", "pack_5500")
    fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 5_500})
    api.clock.advance(days=15)
    head = api.head()
    report = run(api, "w2")
    assert report["carried"] == {"creator-1": "no_connect_account"}
    # Released, and why the creator was not paid recorded; no money moved.
    assert api.head() == head + report["released_holds"] + 1
    [carried] = api.as_user("fin-1", "finance").get(
        "/api/creator/payouts", params={"creator_id": "creator-1", "min_position": api.head()}
    ).json()["carried"]
    assert (carried["reason"], carried["available_tokens"]) == ("no_connect_account", 3_850)
    for client in (creator, fan):
        assert client.post("/api/finance/payouts/run").status_code == 403
        assert client.get("/api/finance/payouts").status_code == 403
    assert fan.get("/api/creator/payouts", params={"creator_id": "creator-1"}).status_code == 403


def test_bad_periods_are_refused(api) -> None:
    finance = api.as_user("fin-1", "finance")
    head = api.head()
    for path in ("/api/finance/payouts/rebuild", "/api/finance/reconciliation"):
        for since, until in (("2026-01-01T00:00:00", "2026-02-01T00:00:00"),  # no time zone
                             ("2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"),  # backwards
                             ("0001-01-01T00:00:00Z", "2026-01-01T00:00:00Z")):  # out of range
            response = finance.get(path, params={"since": since, "until": until})
            assert (response.status_code, response.json()["error"]["code"]) == (
                422, "invalid_request"), (path, since)
    creator = api.as_user("creator-1", "creator")
    for month in ("0000-01", "2026-13", "9999-12"):
        assert creator.get(f"/api/creator/statements/{month}").status_code == 422
    assert api.head() == head


def test_a_chargeback_won_while_a_payout_nets_it_is_paid_back_to_the_creator(api) -> None:
    creator, admin = approved_creator(api)
    persona_id = published(api, (creator, admin))
    fan, session_id = funded_fan(api, "fan-1", "pack_5500")
    assert fan.post("/api/tips", json={"creator_id": CREATOR,
                                       "amount_tokens": 5_000}).status_code == 201
    subscribe(api, api.as_user("fan-9", "fan"), persona_id)  # 1,400p + 799p: above £20
    api.clock.advance(days=15)
    assert run(api, "w1")["amount_minor"] == 2_199
    [payout] = creator.get("/api/creator/payouts", params={"min_position": api.head()}).json()[
        "payouts"]
    httpx.post(f"{api.base}/simulator/payouts/{payout['payout_id']}/paid")
    httpx.post(f"{api.base}/simulator/checkout/{session_id}/dispute")  # 3,500 tokens owed
    for n in range(3):
        other, _ = funded_fan(api, f"fan-{n + 2}", "pack_5500")
        assert other.post("/api/tips", json={"creator_id": CREATOR,
                                             "amount_tokens": 5_500}).status_code == 201
    api.clock.advance(days=15)
    second = run(api, "w3")
    # 11,550 earned - 3,500 owed = 8,050 tokens = 3,220p.
    assert second["amount_minor"] == 3_220
    # The bank decides for the platform while that payout is on its way.
    httpx.post(f"{api.base}/simulator/checkout/{session_id}/dispute/close",
               params={"outcome": "won"})
    earnings = creator.get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert (earnings["negative_adjustment_tokens"], earnings["available_tokens"]) == (0, 0)
    in_flight = [p for p in creator.get("/api/creator/payouts").json()["payouts"]
                 if p["status"] != "paid"]
    httpx.post(f"{api.base}/simulator/payouts/{in_flight[0]['payout_id']}/paid")
    # That payout was 3,500 tokens smaller for a debt that no longer stands: owed back.
    earnings = creator.get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert (earnings["available_tokens"], earnings["paid_tokens"]) == (3_500, 3_500 + 8_050)
    balance = api.as_user("fin-1", "finance").get("/api/finance/trial-balance",
                                                  params={"min_position": api.head()}).json()
    assert balance["balanced"], balance["imbalances"]


def test_a_token_debt_is_netted_from_subscription_pence(api) -> None:
    """The issue's scenario: a creator paid for tips owes 1,225 tokens after a refund, then
    earns only subscriptions: the next payout pays 3,117 - 490 = 2,627p and nothing is owed."""
    creator, admin = approved_creator(api)
    persona_id = published(api, (creator, admin),
                           with_(**{"monetization.subscription_price_minor": 1_299}))
    fan, _ = funded_fan(api, "fan-1", "pack_5500")
    _, second_pack = funded_fan(api, "fan-1", "pack_2600")
    for amount in (2_500, 2_500, 2_250):  # 7,250 of 8,100 tokens: 5,075 to the creator
        assert fan.post("/api/tips", json={"creator_id": CREATOR,
                                           "amount_tokens": amount}).status_code == 201
    api.clock.advance(days=15)
    first = run(api, "w1")
    assert first["amount_minor"] == 2_030
    [paid] = creator.get("/api/creator/payouts", params={"min_position": api.head()}
                         ).json()["payouts"]
    httpx.post(f"{api.base}/simulator/payouts/{paid['payout_id']}/paid")
    # The second pack is refunded: 850 unspent tokens, then 1,750 tipped: 1,225 owed.
    httpx.post(f"{api.base}/simulator/checkout/{second_pack}/refund")
    assert earnings(api, creator)["negative_adjustment_tokens"] == 1_225
    for fan_id in ("fan-2", "fan-3", "fan-4"):
        subscribe(api, api.as_user(fan_id, "fan"), persona_id)
    assert earnings(api, creator)["held_minor"] == 3 * 1_039
    api.clock.advance(days=15)

    estimate = creator.get("/api/creator/payouts").json()["next"]
    assert (estimate["would_pay"], estimate["amount_minor"], estimate["minor_for_tokens_debt"]) \
        == (True, 2_627, 490)
    second = run(api, "w3")
    assert (second["payouts"], second["amount_minor"]) == ({CREATOR: "bank_payout_requested"},
                                                           2_627)
    payout = creator.get("/api/creator/payouts", params={"min_position": api.head()}
                         ).json()["payouts"][0]
    assert (payout["minor_taken"], payout["tokens_netted"], payout["tokens_netted_with_minor"],
            payout["minor_for_tokens_debt"], payout["tokens_change"]) == (3_117, 1_225, 1_225,
                                                                         490, 0)
    httpx.post(f"{api.base}/simulator/payouts/{payout['payout_id']}/paid")
    after = earnings(api, creator)
    assert (after["negative_adjustment_tokens"], after["paid_minor"]) == (0, 3_117)
    finance = api.as_user("fin-1", "finance")
    balance = finance.get("/api/finance/trial-balance").json()
    assert balance["balanced"], balance["imbalances"]
    # Which unit each recovery came from: the trial balance, the rebuild and the statement.
    assert (balance["recoveries"]["token_debt_from_pence_tokens"],
            balance["recoveries"]["token_debt_from_pence_minor"]) == (1_225, 490)
    rebuilt = finance.get("/api/finance/payouts/rebuild", params={
        "since": "2026-01-01T00:00:00+00:00", "until": "2026-03-01T00:00:00+00:00",
        "creator_id": CREATOR}).json()
    second_payout = next(p for p in rebuilt["payouts"] if p["payout_id"] == payout["payout_id"])
    assert second_payout["recoveries"]["token_debt_from_pence_minor"] == 490
    assert second_payout["would_pay_today_minor"] == 2_627
    rows = creator.get(f"/api/creator/statements/{api.clock():%Y-%m}").json()["rows"]
    assert ("recovery", "token_debt_from_pence", "minor", 490) in [
        (r["kind"], r["source"], r["unit"], r["amount"]) for r in rows]


def signed_in_page(api, user_id: str, role: str, path: str) -> str:
    """A page as the signed-in user sees it (the development sign-in, with its CSRF token)."""
    with httpx.Client(base_url=api.base) as browser:
        token = re.search(r'name="csrf" value="([^"]+)"', browser.get("/login").text).group(1)
        browser.post("/login", data={"user_id": user_id, f"role_{role}": "on", "csrf": token})
        response = browser.get(path)
        assert response.status_code == 200, response.text
        return response.text


def _fail_bank(api, payout_id: str, code: str) -> None:
    failed = httpx.post(f"{api.base}/simulator/payouts/{payout_id}/failed",
                        params={"failure_code": code}).json()
    assert failed["response"]["outcome"] == "payout_failed"


def test_a_bank_that_keeps_refusing_gets_its_transfer_taken_back(api) -> None:
    """Three failed attempts (the default): the next run reverses the transfer, the earnings are
    available again, the creator is flagged and not paid until support clears it."""
    creator, payout_id = a_payout_sent_to_the_bank(api)
    for week in ("w3", "w4"):  # a bank that may pass next time is asked again by later runs
        _fail_bank(api, payout_id, "could_not_process")
        assert run(api, week)["retried"] == {payout_id: "bank_payout_requested"}
    _fail_bank(api, payout_id, "could_not_process")
    assert run(api, "w5")["retried"] == {payout_id: "reversed"}
    [transfer] = api.core.simulator.transfers()
    assert transfer.reversed  # taken back, once
    mine = creator.get("/api/creator/payouts", params={"min_position": api.head()}).json()
    assert mine["payouts"][0]["status"] == "reversed"
    assert mine["bank_problem"]["payout_id"] == payout_id
    assert mine["bank_problem"]["reason"].startswith("bank_refused: could_not_process")
    assert (earnings(api, creator)["available_tokens"], earnings(api, creator)["in_payout_tokens"]
            ) == (7_700, 0)
    # No payout goes to that bank until support clears it; why is in the ledger, and on the
    # creator's page.
    assert run(api, "w6")["carried"] == {CREATOR: "bank_needs_support"}
    api.core.projections.catch_up()
    page = signed_in_page(api, CREATOR, "creator", "/creator")
    assert "Your bank refused a payout" in page and "support will contact you" in page
    finance = api.as_user("fin-1", "finance")
    assert [c["creator_id"] for c in finance.get("/api/finance/payout-problems", params={
        "min_position": api.head()}).json()["creators"]] == [CREATOR]
    refused = finance.post(f"/api/finance/payout-problems/{CREATOR}/clear", json={"reason": ""})
    assert refused.status_code == 422
    assert creator.post(f"/api/finance/payout-problems/{CREATOR}/clear",
                        json={"reason": "new bank details"}).status_code == 403
    assert finance.post(f"/api/finance/payout-problems/{CREATOR}/clear",
                        json={"reason": "new bank details confirmed"}).status_code == 200
    again = finance.post(f"/api/finance/payout-problems/{CREATOR}/clear",
                         json={"reason": "twice"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    assert run(api, "w7")["payouts"] == {CREATOR: "bank_payout_requested"}
    assert run(api, "w7")["amount_minor"] == 3_080
    balance = finance.get("/api/finance/trial-balance", params={"min_position": api.head()}
                          ).json()
    assert balance["balanced"], balance["imbalances"]


def test_a_permanent_bank_failure_is_not_asked_again(api) -> None:
    creator, payout_id = a_payout_sent_to_the_bank(api)
    _fail_bank(api, payout_id, "account_closed")
    assert run(api, "w3")["retried"] == {payout_id: "reversed"}
    assert run(api, "w3")["retried"] == {}  # done once
    problem = creator.get("/api/creator/payouts", params={"min_position": api.head()}
                          ).json()["bank_problem"]
    assert problem["reason"] == "bank_refused: account_closed"
    # Stripe's books: the transfer out, and the reversal that brought it back, both matched.
    finance = api.as_user("fin-1", "finance")
    year = {"since": "2026-01-01T00:00:00+00:00", "until": "2027-01-01T00:00:00+00:00",
            "min_position": api.head()}
    books = finance.get("/api/finance/reconciliation", params=year).json()
    assert books["reconciled"] is True, books
    [transfer] = api.core.simulator.transfers()
    # A reversal Stripe booked that the ledger never recorded shows up; so does one the ledger
    # recorded and Stripe did not book.
    api.core.simulator.book_balance_transaction("transfer_refund", 500, {
        "id": "trr_lost", "object": "transfer_reversal", "transfer": "tr_unknown", "amount": 500})
    books = finance.get("/api/finance/reconciliation", params=year).json()
    assert [(m["type"], m["key"]) for m in books["missing_in_ledger"]] == [
        ("transfer_reversal", "tr_unknown")]
    assert books["missing_at_stripe"] == [] and books["amount_mismatches"] == []
    assert transfer.reversed


def test_new_bank_details_at_stripe_mend_a_refused_payout(api) -> None:
    """The bank closed the account: the transfer is taken back and the creator flagged. They
    give Stripe a new bank account, Stripe says so (account.updated naming the external
    accounts), and the next run pays them, with no one from finance involved; once only."""
    creator, payout_id = a_payout_sent_to_the_bank(api)
    _fail_bank(api, payout_id, "account_closed")
    assert run(api, "w3")["retried"] == {payout_id: "reversed"}
    assert run(api, "w4")["carried"] == {CREATOR: "bank_needs_support"}
    account_id = creator.post("/api/creator/stripe-connect").json()["account_id"]
    mended = httpx.post(f"{api.base}/simulator/connect/{account_id}/bank-details").json()
    assert mended["response"]["outcome"] == "bank_problem_cleared"
    again = httpx.post(f"{api.base}/simulator/connect/{account_id}/bank-details").json()
    assert again["response"]["outcome"] == "unchanged"  # nothing left to mend
    mine = creator.get("/api/creator/payouts", params={"min_position": api.head()}).json()
    assert mine["bank_problem"] is None
    assert run(api, "w5")["payouts"] == {CREATOR: "bank_payout_requested"}
    assert run(api, "w5")["amount_minor"] == 3_080  # what was taken back, paid once
    finance = api.as_user("fin-1", "finance")
    assert finance.get("/api/finance/payout-problems", params={"min_position": api.head()}
                       ).json()["creators"] == []
    balance = finance.get("/api/finance/trial-balance", params={"min_position": api.head()}
                          ).json()
    assert balance["balanced"], balance["imbalances"]
    stranger = httpx.post(f"{api.base}/simulator/connect/acct_sim_nobody/bank-details")
    assert stranger.status_code == 404
