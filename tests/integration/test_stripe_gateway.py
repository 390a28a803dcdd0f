"""The real Stripe SDK against a fake Stripe HTTP server on loopback."""

import json

import pytest

from adapters.stripe.gateway import StripeGateway
from adapters.stripe.webhooks import sign
from application.onboarding import RequestContext
from application.ports import PaymentProviderError, WebhookSignatureError
from domain import ids
from domain.catalogue import find_pack
from tests.fakes.servers import FakeStripe
from tests.helpers import session_completed, stripe_event

SECRET = "whsec_test_secret"


@pytest.fixture
def stripe_api():
    fake = FakeStripe()
    with fake.running() as base:
        yield fake, base


def test_checkout_session_is_created_with_metadata_and_idempotency_key(stripe_api) -> None:
    fake, base = stripe_api
    gateway = StripeGateway("sk_test_fake", SECRET, api_base=base)
    pack = find_pack("pack_1200")
    first = gateway.create_checkout_session(pack=pack, fan_id="fan-1", success_url="http://x/s",
                                            cancel_url="http://x/c", idempotency_key="fan-1:k")
    again = gateway.create_checkout_session(pack=pack, fan_id="fan-1", success_url="http://x/s",
                                            cancel_url="http://x/c", idempotency_key="fan-1:k")
    assert first == again and first.url.startswith("https://")
    stored = fake.sessions[first.id]
    assert stored["amount_total"] == 999
    assert stored["metadata"] == {"lyra_kind": "token_pack", "fan_id": "fan-1",
                                  "pack_sku": "pack_1200"}
    assert fake.requests[0][2]["Idempotency-Key"] == "fan-1:k"
    info = gateway.find_checkout_session(stored["payment_intent"])
    assert info is not None and info.id == first.id and info.metadata["fan_id"] == "fan-1"
    assert gateway.find_checkout_session("pi_unknown") is None


def test_a_rejected_key_is_a_provider_error(stripe_api) -> None:
    _, base = stripe_api
    gateway = StripeGateway("sk_test_wrong", SECRET, api_base=base)
    with pytest.raises(PaymentProviderError):
        gateway.create_checkout_session(pack=find_pack("pack_500"), fan_id="f",
                                        success_url="http://x", cancel_url="http://x",
                                        idempotency_key="k")


def test_webhook_signatures_are_verified() -> None:
    gateway = StripeGateway("sk_test_fake", SECRET)
    payload = json.dumps(session_completed("cs_1", "fan-1", "pack_500", 499, "pi_1"))
    assert gateway.parse_webhook(payload.encode(), sign(payload, SECRET))["type"] == (
        "checkout.session.completed")
    for header in ("", "t=1,v1=deadbeef", sign(payload, "whsec_other"),
                   sign(payload, SECRET, timestamp=1)):
        with pytest.raises(WebhookSignatureError):
            gateway.parse_webhook(payload.encode(), header)
    with pytest.raises(WebhookSignatureError):
        gateway.parse_webhook(payload.replace("499", "1").encode(), sign(payload, SECRET))


def test_connect_express_account_and_onboarding_link(stripe_api) -> None:
    fake, base = stripe_api
    gateway = StripeGateway("sk_test_fake", SECRET, api_base=base)
    account_id = gateway.create_connect_account(creator_user_id="creator-1", country="GB",
                                                business_type="individual",
                                                idempotency_key="connect:creator-1")
    again = gateway.create_connect_account(creator_user_id="creator-1", country="GB",
                                           business_type="individual",
                                           idempotency_key="connect:creator-1")
    assert account_id == again and fake.accounts[account_id]["type"] == "express"
    assert fake.accounts[account_id]["metadata"] == {"lyra_creator_id": "creator-1"}
    url = gateway.create_onboarding_link(account_id=account_id, refresh_url="http://x/r",
                                         return_url="http://x/ok")
    assert url == f"https://connect.example/setup/{account_id}"


def test_account_updated_webhook_records_kyc_status(make_core, stripe_api) -> None:
    _, base = stripe_api
    core = make_core(gateway=StripeGateway("sk_test_fake", SECRET, api_base=base))
    core.onboarding.update("creator-1", context=RequestContext("127.0.0.1", "t"),
                           display_name="Luna", account_type="individual")
    linked = core.onboarding.start_stripe_connect("creator-1")
    account = {"id": linked["account_id"], "object": "account", "charges_enabled": True,
               "payouts_enabled": False, "requirements": {"currently_due": ["external_account"]},
               "metadata": {"lyra_creator_id": "creator-1"}}
    event = stripe_event("account.updated", account)
    assert core.stripe_events.handle(event) == "stripe_status_recorded"
    assert core.stripe_events.handle(event) == "duplicate"
    assert core.stripe_events.handle(stripe_event("account.updated", account)) == "unchanged"
    stranger = {**account, "id": "acct_other"}
    assert core.stripe_events.handle(stripe_event("account.updated", stranger)) == "unmatched"
    creator = core.ledger.repository.get(ids.creator_id("creator-1"))
    assert creator.stripe == {"charges_enabled": True, "payouts_enabled": False,
                              "requirements_due": ["external_account"]}


def test_new_bank_details_reported_by_stripe_mend_a_refused_payout(make_core, stripe_api
                                                                   ) -> None:
    """account.updated whose previous_attributes name the external accounts: the creator gave
    Stripe a new bank account, so a payout problem their old bank caused is cleared."""
    _, base = stripe_api
    core = make_core(gateway=StripeGateway("sk_test_fake", SECRET, api_base=base))
    core.onboarding.update("creator-1", context=RequestContext("127.0.0.1", "t"),
                           display_name="Luna", account_type="individual")
    linked = core.onboarding.start_stripe_connect("creator-1")
    creator = core.ledger.repository.get(ids.creator_id("creator-1"))
    creator.flag_payout_problem("p1", "bank_refused: account_closed", core.clock())
    core.ledger.save(creator)
    account = {"id": linked["account_id"], "object": "account", "charges_enabled": True,
               "payouts_enabled": True, "requirements": {"currently_due": []},
               "metadata": {"lyra_creator_id": "creator-1"}}
    capabilities = stripe_event("account.updated", account)
    assert core.stripe_events.handle(capabilities) == "stripe_status_recorded"
    assert core.ledger.repository.get(creator.id).payout_problem is not None  # not the bank
    bank = stripe_event("account.updated", account)
    bank["data"]["previous_attributes"] = {"external_accounts": {"data": []}}
    assert core.stripe_events.handle(bank) == "bank_problem_cleared"
    cleared = core.ledger.repository.get(creator.id)
    assert cleared.payout_problem is None
    assert core.stripe_events.handle(bank) == "duplicate"
