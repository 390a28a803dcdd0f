"""The FastAPI application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.auth import TokenVerifier
from api.routers import (
    admin,
    admin_creators,
    admin_models,
    admin_reports,
    admin_wallets,
    audit,
    chat_settings,
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
    reports,
    sfw_chat,
    simulator,
    subscriptions,
    tips,
    tokens,
    wallet,
    webhooks,
)
from api.text_guard import RefuseNul
from application.bootstrap import Core, build_core
from application.settings import Settings, get_settings


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
        try:
            yield
        finally:
            if owned:
                app.state.core.close()

    app = FastAPI(title="LYRA ledger core", version="0.1.0", lifespan=lifespan)
    errors.install(app)
    app.add_middleware(RefuseNul)
    for module in (wallet, tokens, tips, webhooks, creator, onboarding, models, creator_models,
                   reports, admin, admin_creators, admin_reports, admin_models, admin_wallets,
                   audit, finance, ops, ppv, subscriptions, media, payouts, chat_settings, sfw_chat,
                   intimate_chat):
        app.include_router(module.router)
    if not settings.stripe_secret_key:
        app.include_router(simulator.router)
    return app
