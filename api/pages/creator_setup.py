"""A creator's setup pages: the five-step onboarding wizard (what is done, what is missing) and
the persona wizard, whose blocked-term and validation errors show on the field they concern."""

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from api.deps import CoreDep
from api.pages.render import after_command, flash, page
from api.pages.session import Form, SignedIn
from api.routers.onboarding import onboarding_view
from application.declarations import current
from application.onboarding import Identity, RequestContext, Signature
from domain.errors import DomainError

router = APIRouter(include_in_schema=False)
FIELDS = ("name", "stated_age", "traits", "interests", "backstory", "style", "subscription_price",
          "included_messages", "extra_message_tokens", "modes", "primary_category", "tags")


def _onboarding(core: CoreDep, user_id: str) -> dict[str, Any]:
    core.projections.wait_for(core.ledger.max_position(), timeout_s=5)
    return onboarding_view(core.admin_queries.creator(user_id), user_id)


@router.get("/creator/onboarding")
def onboarding(request: Request, core: CoreDep, user: SignedIn) -> Response:
    return page(request, "onboarding.html", state=_onboarding(core, user.user_id),
                texts=list(current().values()))


@router.post("/creator/onboarding")
def onboarding_step(request: Request, core: CoreDep, user: SignedIn, form: Form) -> Response:
    """One step of the wizard: the same all-or-nothing update as PUT /api/creator/onboarding."""
    context = RequestContext(ip=request.client.host if request.client else "",
                             user_agent=request.headers.get("user-agent", ""))
    try:
        identity = None
        if form.get("legal_name"):
            identity = Identity(legal_name=str(form["legal_name"]),
                                date_of_birth=date.fromisoformat(str(form.get("date_of_birth"))),
                                country=str(form.get("country", "")).upper())
        signatures = [Signature(kind=t.kind, version=t.version, text_sha256=t.sha256)
                      for t in current().values() if form.get(f"sign_{t.kind}")]
        core.onboarding.update(
            user.user_id, context=context,
            display_name=str(form.get("display_name") or "") or None,
            account_type=str(form.get("account_type") or "") or None,
            identity=identity, signatures=signatures, submit=form.get("submit") == "1")
        flash(request, "Saved.")
    except (DomainError, ValueError) as error:
        flash(request, str(error), "bad")
    return RedirectResponse("/creator/onboarding", status_code=303)


@router.post("/creator/onboarding/stripe")
def stripe_connect(request: Request, core: CoreDep, user: SignedIn, form: Form) -> Response:
    try:
        started = core.onboarding.start_stripe_connect(user.user_id)
    except DomainError as error:
        flash(request, str(error), "bad")
        return RedirectResponse("/creator/onboarding", status_code=303)
    return RedirectResponse(started["onboarding_url"], status_code=303)


def _profile(form: dict[str, Any]) -> dict[str, Any]:
    """The wizard's fields as the profile the persona rules check (they refuse bad values)."""
    def listed(name: str) -> list[str]:
        return [v.strip() for v in str(form.get(name, "")).split(",") if v.strip()]

    def whole(name: str, default: int = 0) -> Any:
        raw = str(form.get(name, "")).strip()
        return int(raw) if raw.lstrip("-").isdigit() else (raw or default)

    price = str(form.get("subscription_price", "")).strip()
    try:
        price_minor: Any = round(float(price) * 100)
    except ValueError:
        price_minor = price
    return {"name": str(form.get("name", "")), "stated_age": whole("stated_age"),
            "visuals": [],
            "persona": {"traits": listed("traits"), "interests": listed("interests"),
                        "backstory": str(form.get("backstory", "")),
                        "style": str(form.get("style", ""))},
            "monetization": {"subscription_price_minor": price_minor,
                             "included_messages": whole("included_messages"),
                             "extra_message_tokens": whole("extra_message_tokens", 100)},
            "chat_modes": [m for m in ("companion", "intimate") if form.get(f"mode_{m}")],
            "primary_category": str(form.get("primary_category", "")),
            "tags": [k.removeprefix("tag_") for k in form if k.startswith("tag_")]}


def _field_errors(error: DomainError) -> dict[str, str]:
    """Each blocked term on the field it was found in; other refusals on the form."""
    errors: dict[str, str] = {}
    for hit in getattr(error, "details", None) or []:
        if isinstance(hit, dict) and "field" in hit:
            field = str(hit["field"]).split(".")[-1]
            errors[field] = f"not allowed here: “{hit.get('term', '')}”"
    if errors:
        return errors
    # Other refusals name their field first ("persona.traits: …", "stated_age must …").
    named = str(error).split(" ", 1)[0].rstrip(":").split(".")[-1]
    named = {"subscription_price_minor": "subscription_price", "chat_modes": "modes"}.get(
        named, named)
    return {named if named in FIELDS else "form": str(error)}


@router.get("/creator/personas")
def personas(request: Request, core: CoreDep, user: SignedIn) -> Response:
    core.projections.wait_for(core.ledger.max_position(), timeout_s=5)
    return page(request, "personas.html", personas=core.persona_queries.of_creator(user.user_id),
                limit=core.personas.limit)


@router.get("/creator/personas/new")
def new_persona(request: Request, core: CoreDep, user: SignedIn) -> Response:
    return page(request, "persona_form.html", values={}, errors={},
                vocabulary=core.persona_queries.tags())


@router.post("/creator/personas/new")
def create_persona(request: Request, core: CoreDep, user: SignedIn, form: Form) -> Response:
    try:
        core.personas.create(user.user_id, _profile(form))
    except DomainError as error:
        return page(request, "persona_form.html", status_code=422, values=form,
                    errors=_field_errors(error), vocabulary=core.persona_queries.tags())
    flash(request, "Draft saved: submit it for review when it is ready.")
    return RedirectResponse("/creator/personas", status_code=303)


@router.post("/creator/personas/{persona_id}/pictures")
def persona_pictures(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
                     form: Form) -> Response:
    """The avatar and/or cover in one change (so one review), as the JSON API's upload."""
    def upload() -> None:
        sources = {role: file.file for role in ("avatar", "cover")
                   if isinstance(file := form.get(role), UploadFile) and file.filename}
        if not sources:
            raise ValueError("choose an avatar or a cover picture to upload")
        core.persona_images.upload(user.user_id, persona_id, sources)

    return after_command(request, "/creator/personas", upload,
                         "Pictures saved: they show once the persona is approved.")


@router.post("/creator/personas/{persona_id}/{action}")
def persona_action(request: Request, persona_id: UUID, action: str, core: CoreDep,
                   user: SignedIn, form: Form) -> Response:
    try:
        if action == "submit":
            core.personas.submit(user.user_id, persona_id)
        elif action in ("publish", "unpublish"):
            core.personas.publish(user.user_id, persona_id, action == "publish")
        else:
            raise ValueError(f"no action {action}")
        flash(request, f"{action.capitalize()}ed." if action != "submit" else "Sent for review.")
    except (DomainError, ValueError) as error:
        flash(request, str(error), "bad")
    return RedirectResponse("/creator/personas", status_code=303)
