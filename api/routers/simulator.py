"""The local payment simulator's pages: only mounted when no Stripe key is configured."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

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
    return (f"<html><body><h1>LYRA test checkout</h1><p>{session.metadata['pack_sku']}: "
            f"{amount}</p><form method='post' action='/simulator/checkout/{session_id}/pay'>"
            "<button>Pay</button></form></body></html>")


@router.post("/checkout/{session_id}/pay")
def pay(session_id: str, core: CoreDep) -> dict[str, Any]:
    """Pay the session: the simulator sends a signed checkout.session.completed to our webhook."""
    return _simulator(core, session_id).pay(session_id)


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


@router.post("/connect/{account_id}/complete")
def complete_connect(account_id: str, core: CoreDep,
                     requirements_due: Annotated[list[str] | None, Query()] = None
                     ) -> dict[str, Any]:
    """Finish Stripe's KYC for a Connect account: sends a signed account.updated."""
    if core.simulator is None or not core.simulator.has_account(account_id):
        raise ApiError(404, "not_found", f"no simulated Connect account {account_id}")
    return core.simulator.complete_connect(account_id, requirements_due)
