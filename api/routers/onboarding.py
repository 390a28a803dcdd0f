"""A creator's own onboarding: the five steps, the declarations to sign, and Stripe Connect."""

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, wait_for_position
from api.params import Position
from application.declarations import current, required_versions
from application.onboarding import Identity, RequestContext, Signature
from domain.onboarding import progress

router = APIRouter(tags=["onboarding"])


class IdentityIn(BaseModel):
    legal_name: str = Field(min_length=2, max_length=200)
    date_of_birth: date
    country: str = Field(min_length=2, max_length=2)


class SignatureIn(BaseModel):
    kind: str = Field(max_length=64)
    version: int
    text_sha256: str = Field(min_length=64, max_length=64)


class OnboardingUpdate(BaseModel):
    display_name: str | None = Field(default=None, max_length=80)
    account_type: Literal["individual", "business"] | None = None
    identity: IdentityIn | None = None
    declarations: list[SignatureIn] = Field(default_factory=list, max_length=10)
    submit: bool = False


def onboarding_view(row: dict[str, Any] | None, user_id: str) -> dict[str, Any]:
    if row is None:
        return {"creator_id": user_id, "status": "not_started", "next_step": "account_type",
                "completed": [], "missing": ["display_name", "account_type", "identity",
                                             "stripe_connect", "declarations"]}
    required = required_versions()
    unsigned = tuple(k for k, v in required.items() if row["declarations"].get(k) != v)
    steps = progress(account_type=row["account_type"], identity_done=bool(row["legal_name"]),
                     stripe_account_id=row["stripe_account_id"], unsigned_declarations=unsigned,
                     submitted=row["status"] in ("submitted", "approved"))
    return {
        "creator_id": user_id, "display_name": row["display_name"], "status": row["status"],
        "suspended": row["suspended"], "next_step": steps.next_step,
        "completed": list(steps.completed), "missing": list(steps.missing),
        "account_type": row["account_type"],
        "identity": {"legal_name": row["legal_name"], "date_of_birth": row["date_of_birth"],
                     "country": row["country"]} if row["legal_name"] else None,
        "stripe": {"account_id": row["stripe_account_id"],
                   "charges_enabled": row["charges_enabled"],
                   "payouts_enabled": row["payouts_enabled"],
                   "requirements_due": row["requirements_due"]},
        "declarations": [{"kind": k, "version": v, "signed": k not in unsigned}
                         for k, v in required.items()],
        "review_reason": row["review_reason"],
    }


@router.get("/api/creator/onboarding")
def get_onboarding(core: CoreDep, user: CurrentUser, min_position: Position | None = None) -> dict[str, Any]:
    """Where the signed-in user's creator onboarding stands, the next step and what is missing."""
    wait_for_position(core, min_position)
    return onboarding_view(core.admin_queries.creator(user.user_id), user.user_id)


@router.put("/api/creator/onboarding")
def update_onboarding(body: OnboardingUpdate, request: Request, core: CoreDep,
                      user: CurrentUser) -> dict[str, Any]:
    """Record any of the steps (all or nothing); `submit: true` sends it for review."""
    context = RequestContext(ip=request.client.host if request.client else "",
                             user_agent=request.headers.get("user-agent", ""))
    identity = Identity(**body.identity.model_dump()) if body.identity else None
    core.onboarding.update(
        user.user_id, context=context, display_name=body.display_name,
        account_type=body.account_type, identity=identity,
        signatures=[Signature(**s.model_dump()) for s in body.declarations], submit=body.submit)
    wait_for_position(core, core.ledger.last_saved_position())
    return onboarding_view(core.admin_queries.creator(user.user_id), user.user_id)


@router.get("/api/creator/declarations")
def list_declarations() -> dict[str, Any]:
    """The current text of each declaration; sign by sending back its kind, version and sha256."""
    return {"declarations": [{"kind": t.kind, "version": t.version, "sha256": t.sha256,
                              "text": t.text} for t in current().values()]}


@router.post("/api/creator/stripe-connect")
def stripe_connect(core: CoreDep, user: CurrentUser) -> dict[str, str]:
    """Create (once) the creator's Stripe Express account and return a fresh onboarding link."""
    return core.onboarding.start_stripe_connect(user.user_id)
