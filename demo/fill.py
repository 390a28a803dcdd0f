"""Filling an empty development ledger with the demo marketplace, once.

The story is played against the app served on a loopback port of its own, with a clock that
starts two months back: the simulator delivers its webhooks there as Stripe would, and every
event comes from a request. A ledger that holds anything but the shipped lists is left alone."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from api.auth import mint_token
from api.main import create_app
from api.serving import free_port, serve_in_thread
from application import demo_cast
from application.bootstrap import Core, build_core
from application.settings import Settings
from demo.story import DAYS, Story, Travel
from domain import ids
from domain.aggregates.blocked_term_list import BlockedTermList
from domain.aggregates.tag_vocabulary import TagVocabulary


class DemoRefusedError(Exception):
    """The demo would write where it must not: production, or a real payment provider."""


@dataclass(frozen=True)
class Filled:
    filled: bool  # written now
    present: bool  # the ledger holds the demo's people (now or from an earlier start)
    events: int


def untouched(core: Core) -> bool:
    """Nothing in the ledger but the lists every start seeds (tags and blocked terms)."""
    seeded = {str(TagVocabulary.create_id()), str(BlockedTermList.create_id())}
    position = 0
    while page := core.ledger.read_after(position, 256):  # the lists come first, and end
        if any(str(event.originator_id) not in seeded for _, event in page):
            return False
        position = page[-1][0]
    return True


def fill(settings: Settings, say: Callable[[str], None] = lambda line: None) -> Filled:
    if settings.environment == "production":
        raise DemoRefusedError("the demo marketplace is for development only")
    if settings.stripe_secret_key:
        raise DemoRefusedError("the demo pays through the local simulator: unset "
                               "STRIPE_SECRET_KEY")
    port = free_port()
    seeding = settings.model_copy(update={
        "public_url": f"http://127.0.0.1:{port}", "run_projections": True,
        "projections_followed_elsewhere": False, "checkpoint_interval_minutes": 0,
        "rate_limits_enabled": False})  # two months of clicks in seconds: the script is ours
    clock = Travel(timedelta(days=DAYS))
    core = build_core(seeding, clock=clock)
    try:
        if not untouched(core):
            present = core.ledger.get_or_none(ids.creator_id(demo_cast.CREATOR.user_id))
            return Filled(False, present is not None, core.ledger.max_position())
        simulator = core.simulator
        assert simulator is not None  # no Stripe key: the simulator plays Stripe

        def subscription_of(session_id: str) -> str | None:
            session = simulator.session(session_id)
            return session.subscription_id if session else None

        def settle() -> None:
            core.projections.wait_for(core.ledger.max_position())

        say("filling the demo marketplace: two months of history, about twenty seconds...")
        with serve_in_thread(create_app(core), port) as base:
            Story(base, clock, lambda user, roles: mint_token(settings, user, roles),
                  settle, subscription_of).play()
        return Filled(True, True, core.ledger.max_position())
    finally:
        core.close()
