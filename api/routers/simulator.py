"""The local payment simulator's pages: only mounted when no Stripe key is configured."""

import html
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from adapters.stripe.simulator import LocalPaymentSimulator
from api.deps import CoreDep
from api.errors import ApiError
from api.params import INT64_MAX

router = APIRouter(tags=["simulator"], prefix="/simulator")


def _simulator(core: CoreDep, session_id: str) -> LocalPaymentSimulator:
    """The simulator, once it is known to hold this checkout session."""
    if core.simulator is None or core.simulator.session(session_id) is None:
        raise ApiError(404, "not_found", f"no simulated checkout session {session_id}")
    return core.simulator


@router.get("/checkout/{session_id}", response_class=HTMLResponse)
def checkout_page(session_id: str, core: CoreDep) -> str:
    """A stand-in for Stripe's hosted checkout page."""
    session = _simulator(core, session_id).session(session_id)
    assert session is not None
    amount = f"£{session.amount_total_minor // 100}.{session.amount_total_minor % 100:02d}"
    every = " a month" if session.mode == "subscription" else ""
    name = html.escape(session.product_name)
    return (f"<html><body><h1>LYRA test checkout</h1><p>{name}: {amount}{every}</p>"
            f"<form method='post' action='/simulator/checkout/{session_id}/pay?then=return'>"
            "<button>Pay</button></form></body></html>")


@router.post("/checkout/{session_id}/pay", response_model=None)
def pay(session_id: str, core: CoreDep,
        then: Literal["report", "return"] = "report") -> dict[str, Any] | RedirectResponse:
    """Pay the session: the simulator sends a signed checkout.session.completed to our webhook.
    From the hosted page (`then=return`) the payer goes back to the success URL, as on Stripe."""
    simulator = _simulator(core, session_id)
    report = simulator.pay(session_id)
    session = simulator.session(session_id)
    if then == "return" and session is not None and session.success_url:
        return RedirectResponse(session.success_url, status_code=303)
    return report


@router.post("/checkout/{session_id}/refund")
def refund(session_id: str, core: CoreDep,
           amount_minor: Annotated[int | None, Query(gt=0, le=INT64_MAX)] = None) -> dict[str, Any]:
    """Refund all or part of the payment: sends a signed charge.refunded."""
    return _simulator(core, session_id).refund(session_id, amount_minor)


@router.post("/checkout/{session_id}/dispute")
def dispute(session_id: str, core: CoreDep) -> dict[str, Any]:
    """Open a chargeback: sends a signed charge.dispute.created."""
    return _simulator(core, session_id).dispute(session_id)


@router.post("/checkout/{session_id}/dispute/close")
def close_dispute(session_id: str, core: CoreDep, outcome: Literal["won", "lost"],
                  fee_minor: Annotated[int, Query(ge=0, le=100_000)] = 2_000) -> dict[str, Any]:
    """The bank decides the chargeback: sends a signed charge.dispute.closed, won or lost."""
    return _simulator(core, session_id).close_dispute(session_id, outcome == "won", fee_minor)


def _billing(core: CoreDep, subscription_id: str) -> LocalPaymentSimulator:
    if core.simulator is None or core.simulator.subscription(subscription_id) is None:
        raise ApiError(404, "not_found", f"no simulated subscription {subscription_id}")
    return core.simulator


@router.get("/subscriptions/{subscription_id}")
def subscription(subscription_id: str, core: CoreDep) -> dict[str, Any]:
    """The simulated Stripe subscription and its invoices (ids to refund or dispute)."""
    found = _billing(core, subscription_id).subscription(subscription_id)
    assert found is not None
    return {"id": found.id, "status": found.status, "price_minor": found.price_minor,
            "cancel_at_period_end": found.cancel_at_period_end,
            "current_period_end": found.period_end, "invoices": found.invoices}


@router.post("/subscriptions/{subscription_id}/renew")
def renew(subscription_id: str, core: CoreDep,
          outcome: Literal["paid", "failed"] = "paid") -> dict[str, Any]:
    """Bill the next period: sends invoice.paid, or invoice.payment_failed and a past-due update
    (a subscription set to cancel ends instead)."""
    return _billing(core, subscription_id).renew(subscription_id, paid=outcome == "paid")


@router.post("/subscriptions/{subscription_id}/retry")
def retry(subscription_id: str, core: CoreDep) -> dict[str, Any]:
    """The fan's card works again: the past-due period is paid (invoice.paid)."""
    return _billing(core, subscription_id).retry_payment(subscription_id)


@router.post("/subscriptions/{subscription_id}/end")
def end(subscription_id: str, core: CoreDep) -> dict[str, Any]:
    """End the subscription now: sends customer.subscription.deleted."""
    return _billing(core, subscription_id).end(subscription_id)


@router.post("/invoices/{invoice_id}/refund")
def refund_invoice(invoice_id: str, core: CoreDep,
                   amount_minor: Annotated[int | None, Query(gt=0, le=INT64_MAX)] = None
                   ) -> dict[str, Any]:
    """Refund all or part of an invoice's charge: sends a signed charge.refunded."""
    return _invoiced(core, invoice_id).refund(invoice_id, amount_minor)


@router.post("/invoices/{invoice_id}/dispute")
def dispute_invoice(invoice_id: str, core: CoreDep) -> dict[str, Any]:
    return _invoiced(core, invoice_id).dispute(invoice_id)


@router.post("/invoices/{invoice_id}/dispute/close")
def close_invoice_dispute(invoice_id: str, core: CoreDep, outcome: Literal["won", "lost"],
                          fee_minor: Annotated[int, Query(ge=0, le=100_000)] = 2_000
                          ) -> dict[str, Any]:
    return _invoiced(core, invoice_id).close_dispute(invoice_id, outcome == "won", fee_minor)


def _invoiced(core: CoreDep, invoice_id: str) -> LocalPaymentSimulator:
    if core.simulator is None or core.simulator.invoice(invoice_id) is None:
        raise ApiError(404, "not_found", f"no simulated invoice {invoice_id}")
    return core.simulator


@router.post("/payouts/{payout_id}/{outcome}")
def settle_payout(payout_id: str, outcome: Literal["paid", "failed", "reverse-transfer"],
                  core: CoreDep,
                  failure_code: Annotated[str, Query(pattern=r"^[a-z_]{1,40}$")] =
                  "could_not_process") -> dict[str, Any]:
    """The bank answers a creator's payout (payout.paid, or payout.failed with Stripe's
    failure code: `could_not_process` may pass next time, `account_closed` never will), or the
    platform reverses its transfer (transfer.reversed)."""
    if core.simulator is None or core.simulator.transfer_for(payout_id) is None:
        raise ApiError(404, "not_found", f"no simulated transfer for payout {payout_id}")
    if outcome == "reverse-transfer":
        return core.simulator.reverse_transfer(payout_id)
    return core.simulator.settle_bank_payout(payout_id, paid=outcome == "paid",
                                             failure_code=failure_code)


@router.get("/connect/{account_id}", response_class=HTMLResponse)
def connect_page(account_id: str) -> str:
    """A stand-in for Stripe's hosted Connect onboarding."""
    account = html.escape(account_id)
    return ("<html><body><h1>LYRA test Connect onboarding</h1>"
            f"<form method='post' action='/simulator/connect/{account}/complete?then=return'>"
            "<button>Complete onboarding</button></form>"
            f"<form method='post' action='/simulator/connect/{account}/bank-details?then=return'>"
            "<button>Update bank details</button></form></body></html>")


@router.post("/connect/{account_id}/complete", response_model=None)
def complete_connect(account_id: str, core: CoreDep,
                     requirements_due: Annotated[list[str] | None, Query()] = None,
                     then: Literal["report", "return"] = "report"
                     ) -> dict[str, Any] | RedirectResponse:
    """Finish Stripe's KYC for a Connect account: sends a signed account.updated. From the
    hosted page (`then=return`) the creator goes back to their onboarding, as on Stripe."""
    if core.simulator is None or not core.simulator.has_account(account_id):
        raise ApiError(404, "not_found", f"no simulated Connect account {account_id}")
    report = core.simulator.complete_connect(account_id, requirements_due)
    if then == "return":
        return RedirectResponse("/creator/onboarding?stripe=return", status_code=303)
    return report


@router.post("/connect/{account_id}/bank-details", response_model=None)
def update_bank_details(account_id: str, core: CoreDep,
                        then: Literal["report", "return"] = "report"
                        ) -> dict[str, Any] | RedirectResponse:
    """The creator gives Stripe a new bank account: sends a signed account.updated naming the
    external accounts as changed (which mends a payout their old bank refused)."""
    if core.simulator is None or not core.simulator.has_account(account_id):
        raise ApiError(404, "not_found", f"no simulated Connect account {account_id}")
    report = core.simulator.update_bank_details(account_id)
    if then == "return":
        return RedirectResponse("/creator/onboarding?stripe=return", status_code=303)
    return report


@router.get("/identity/{session_id}", response_class=HTMLResponse)
def identity_page(session_id: str) -> str:
    """A stand-in for Stripe Identity's hosted verification."""
    sid = html.escape(session_id)
    return ("<html><body><h1>LYRA test age verification</h1>"
            f"<form method='post' action='/simulator/identity/{sid}/verify?outcome=verified'>"
            "<button>Verify (18+)</button></form>"
            f"<form method='post' action='/simulator/identity/{sid}/verify?outcome=failed'>"
            "<button>Fail</button></form></body></html>")


@router.post("/identity/{session_id}/verify")
def decide_identity(session_id: str, core: CoreDep,
                    outcome: Literal["verified", "failed"] = "verified") -> dict[str, Any]:
    """Decide the verification: sends a signed identity.verification_session webhook."""
    if core.simulator is None:
        raise ApiError(404, "not_found", "the simulator is not running")
    try:
        return core.simulator.decide_verification(session_id, outcome == "verified")
    except KeyError:
        raise ApiError(404, "not_found", f"no simulated verification {session_id}") from None
