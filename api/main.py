"""The FastAPI application factory."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from adapters import heap
from adapters.limits.stores import limit_store
from api import errors
from api.auth import TokenVerifier
from api.limits.middleware import Admission
from api.limits.policy import budgets_from
from api.pages import auth as page_auth
from api.pages import chat as page_chat
from api.pages import creator as page_creator
from api.pages import creator_content as page_creator_content
from api.pages import creator_setup as page_creator_setup
from api.pages import fan as page_fan
from api.pages import finance as page_finance
from api.pages import moderation as page_moderation
from api.pages import staff as page_staff
from api.pages.render import HERE as PAGES
from api.pages.session import SignInRequired
from api.routers import (
    admin,
    admin_creators,
    admin_models,
    admin_reports,
    admin_wallets,
    audit,
    chat_settings,
    checkpoints,
    creator,
    creator_models,
    finance,
    intimate_chat,
    media,
    models,
    onboarding,
    ops,
    payouts,
    ppv,
    rate_limits,
    reports,
    sfw_chat,
    simulator,
    subscriptions,
    tips,
    tokens,
    wallet,
    webhooks,
)
from api.security_headers import SecurityHeaders
from api.text_guard import RefuseNul
from application.bootstrap import Core, build_core, media_link_origin
from application.settings import Settings, get_settings

log = logging.getLogger(__name__)
REPLAY_CLAIM_SECONDS = 600  # a replay's "one at a time" ends with it, or after this at most
SESSION_COOKIE = {False: "lyra_session", True: "__Host-lyra_session"}  # by "in production"


def create_app(core: Core | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or (core.settings if core else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = core is None
        app.state.core = core or build_core(settings)
        app.state.verifier = TokenVerifier(settings)
        app.state.core.personas.vocabulary()  # seed the admin-managed lists on first start
        app.state.core.personas.blocked_terms()
        if settings.run_projections:
            app.state.core.projections.catch_up()
            app.state.core.projections.start()
            app.state.core.video_worker.pending()  # videos a crash left half-prepared
        if settings.settle_heap:
            heap.settle()
        signing = asyncio.create_task(_checkpoint_every(
            app.state.core, settings.checkpoint_interval_minutes)) \
            if settings.checkpoint_interval_minutes else None
        try:
            yield
        finally:
            if signing:
                signing.cancel()
            await app.state.limit_store.close()
            if owned:
                app.state.core.close()

    app = FastAPI(title="LYRA ledger core", version="0.1.0", lifespan=lifespan)
    errors.install(app)
    app.add_middleware(RefuseNul)
    app.state.limit_store = limit_store(settings.rate_limit_storage)
    app.add_middleware(Admission, store=app.state.limit_store, budgets=budgets_from(settings),
                       max_in_flight=settings.max_in_flight,
                       turn_ttl_s=settings.chat_reply_deadline_seconds + 5,
                       replay_ttl_s=REPLAY_CLAIM_SECONDS,
                       refusal_delay_s=settings.rate_limit_refusal_delay_ms / 1000,
                       per_user_in_flight=settings.rate_limit_in_flight_per_user)
    for module in (wallet, tokens, tips, webhooks, creator, onboarding, models, creator_models,
                   reports, admin, admin_creators, admin_reports, admin_models, admin_wallets,
                   audit, finance, ops, ppv, subscriptions, media, payouts, chat_settings, sfw_chat,
                   intimate_chat, checkpoints, rate_limits):
        app.include_router(module.router)
    if not settings.stripe_secret_key:
        app.include_router(simulator.router)
    install_pages(app, settings)
    app.add_middleware(SecurityHeaders, production=settings.environment == "production",
                       media_origin=media_link_origin(settings))
    return app


async def _checkpoint_every(core: Core, minutes: int) -> None:
    """A signed checkpoint every interval (several hosts doing it: one is recorded, and nothing
    new since the last one takes none)."""
    while True:
        await asyncio.sleep(minutes * 60)
        try:
            await run_in_threadpool(core.checkpoints.take)
        except Exception:  # noqa: BLE001 - the next interval tries again; the API serves on
            log.exception("could not take a checkpoint")


def install_pages(app: FastAPI, settings: Settings) -> None:
    """The web pages: cookie sessions (signed with the JWT secret; in production Secure and
    `__Host-` prefixed, so no subdomain can set or read it), vendored static files, and a
    redirect to sign in where a page needs a user."""
    production = settings.environment == "production"
    app.add_middleware(SessionMiddleware, secret_key=settings.jwt_secret,
                       session_cookie=SESSION_COOKIE[production], same_site="lax",
                       https_only=production)
    app.mount("/static", StaticFiles(directory=PAGES / "static"), name="static")
    for module in (page_auth, page_fan, page_chat, page_creator, page_creator_setup,
                   page_creator_content, page_staff, page_moderation, page_finance):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    async def sign_in_first(_: Request, error: SignInRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={error.next_url}", status_code=303)
