"""Two months of a small marketplace, played through the HTTP API as its people would click it,
with the simulator playing Stripe and the bank. Nothing is written behind the ledger's back: every
event comes from a command a request made, so the demo ledger passes every check a real one does.

The clock is moved forward between scenes (`Travel`), so holds fall due, subscriptions renew and
a payout is paid inside the two months; the last scene ends at the present moment."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from application import demo_cast as cast
from demo.art import Colour, picture

DAYS = 62  # how far back the story starts


class Travel:
    """A clock that runs `offset` behind the wall clock and only moves forward."""

    def __init__(self, behind: timedelta) -> None:
        self._offset = -behind
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def to_day(self, day: float) -> None:
        """To `day` days after the story's start (never back)."""
        with self._lock:
            self._offset = max(self._offset, timedelta(days=day - DAYS))

    def to_now(self) -> None:
        with self._lock:
            self._offset = timedelta(0)


@dataclass(frozen=True)
class PersonaPlan:
    creator: str
    name: str
    category: str
    modes: tuple[str, ...]
    tags: tuple[str, ...]
    traits: tuple[str, ...]
    interests: tuple[str, ...]
    backstory: str
    style: str
    price_minor: int
    colours: tuple[Colour, Colour]
    posts: tuple[str, str, str]  # public, subscribers and pay-per-view titles
    ppv_tokens: int = 300


PERSONAS = (
    PersonaPlan(cast.CREATOR.user_id, "Luna Vale", "science", ("companion", "intimate"),
                ("intellectual", "night-owl"), ("warm", "witty"), ("astronomy", "tea"),
                "Grew up by the sea and now maps the night sky from a hill cottage.",
                "gentle and curious", 999, ((40, 50, 110), (210, 140, 190)),
                ("Harbour at dawn", "Star chart notes", "Meteor night")),
    PersonaPlan(cast.CREATOR.user_id, "Juniper Reed", "books", ("companion",),
                ("bookworm", "caring"), ("thoughtful", "calm"), ("novels", "poetry", "rain"),
                "Runs a tiny second-hand bookshop and reads aloud on Sunday evenings.",
                "soft-spoken and warm", 799, ((120, 80, 50), (240, 210, 160)),
                ("Shelf of the week", "Margin notes", "A chapter read aloud")),
    PersonaPlan(cast.CREATOR.user_id, "Kai Rivers", "fitness", ("companion", "intimate"),
                ("sporty", "confident"), ("upbeat", "steady"), ("trail running", "climbing"),
                "A coach who swapped city gyms for mountain trails and sunrise runs.",
                "encouraging and direct", 1299, ((20, 120, 110), (250, 200, 90)),
                ("Ridge run", "Weekly plan", "Summit sunrise")),
    PersonaPlan(cast.SECOND_CREATOR.user_id, "Nova Sterling", "music", ("companion",),
                ("musician", "creative"), ("playful", "bright"), ("synths", "vinyl"),
                "Writes late-night synth songs and trades records with friends.",
                "playful and quick", 899, ((90, 30, 120), (60, 200, 220)),
                ("Studio corner", "Demo sketches", "Live set")),
    PersonaPlan(cast.SECOND_CREATOR.user_id, "Rowan Ember", "cooking", ("companion", "intimate"),
                ("foodie", "romantic"), ("generous", "warm"), ("bread", "spices", "markets"),
                "Cooks for a crowd every Friday and knows every stall at the market.",
                "warm and teasing", 999, ((150, 50, 30), (250, 180, 80)),
                ("Market haul", "Friday menu", "Bread at midnight")),
    PersonaPlan(cast.SECOND_CREATOR.user_id, "Pip Marlowe", "gaming", ("companion",),
                ("gamer", "witty"), ("competitive", "funny"), ("strategy games", "puzzles"),
                "Streams puzzle games and keeps a notebook of every speedrun route.",
                "quick and cheeky", 699, ((30, 40, 60), (120, 220, 120)),
                ("Route map", "Patch notes", "Finals replay")),
)
WAITING = PersonaPlan(cast.NEW_CREATOR.user_id, "Sol Harbor", "travel", ("companion",),
                      ("adventurous", "outdoorsy"), ("easygoing", "curious"),
                      ("sailing", "islands"),
                      "Sails between islands and keeps a logbook of every harbour.",
                      "relaxed and friendly", 899, ((20, 90, 150), (240, 220, 170)),
                      ("Logbook", "Charts", "Crossing"))


@dataclass
class Story:
    """Plays the scenes against `base` (a served app whose clock is `clock`); `settle` waits
    until the read models have every event written so far."""

    base: str
    clock: Travel
    token_for: Callable[[str, list[str]], str]
    settle: Callable[[], None]
    subscription_of: Callable[[str], str | None]  # a paid checkout's Stripe subscription
    clients: dict[str, httpx.Client] = field(default_factory=dict)
    personas: dict[str, str] = field(default_factory=dict)  # name -> id
    offers: dict[str, str] = field(default_factory=dict)  # persona name -> offer id
    subscriptions: list[str] = field(default_factory=list)
    sessions: dict[str, list[str]] = field(default_factory=dict)  # fan -> paid checkouts
    _keys: int = 0

    def play(self) -> None:
        self.clock.to_day(0)
        for creator in (cast.CREATOR, cast.SECOND_CREATOR, cast.NEW_CREATOR):
            self._onboard(creator)
        for plan in PERSONAS:
            self._publish(plan)
        self._early_weeks()
        self._refund_and_first_payout()
        self._later_weeks()
        self._this_week()
        self.clock.to_now()
        self.settle()
        for client in self.clients.values():
            client.close()

    # -- people ----------------------------------------------------------------------------

    def _as(self, user: str, *roles: str) -> httpx.Client:
        if user not in self.clients:
            self.clients[user] = httpx.Client(
                base_url=self.base, timeout=60,
                headers={"Authorization": f"Bearer {self.token_for(user, list(roles))}"})
        return self.clients[user]

    def _call(self, user: str, role: str, method: str, path: str, **kwargs: Any) -> Any:
        client = self._as(user, *{
            "finance": ("finance", "auditor")}.get(role, (role,)))
        response = client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"demo: {method} {path} as {user}: {response.status_code} "
                               f"{response.text[:300]}")
        return response.json() if response.content else None

    def _chat(self, fan: str, persona_id: str, text: str) -> None:
        """One companion turn, within the subscription's included messages."""
        streamed = self._as(fan, "fan").post(
            f"/api/sfw-chat/{persona_id}", headers={"Accept": "text/event-stream"},
            json={"message": text, "expected_cost_tokens": 0})
        if not streamed.is_success or "event: done" not in streamed.text:
            raise RuntimeError(f"demo: a chat turn failed: {streamed.status_code} "
                               f"{streamed.text[-300:]}")

    def _simulate(self, path: str) -> Any:
        response = httpx.post(f"{self.base}/simulator{path}", timeout=60)
        if response.status_code >= 400:
            raise RuntimeError(f"demo: simulator {path}: {response.status_code} {response.text}")
        return response.json()

    def _key(self, what: str) -> dict[str, str]:
        self._keys += 1
        return {"Idempotency-Key": f"demo-{what}-{self._keys}"}

    # -- scenes ----------------------------------------------------------------------------

    def _onboard(self, creator: cast.DemoUser) -> None:
        """The five onboarding steps, Stripe's KYC in the simulator, then an admin's approval."""
        me = creator.user_id
        self._call(me, "creator", "PUT", "/api/creator/onboarding",
                   json={"display_name": creator.name, "account_type": "individual"})
        self._call(me, "creator", "PUT", "/api/creator/onboarding", json={"identity": {
            "legal_name": creator.name, "date_of_birth": "1990-02-03", "country": "gb"}})
        account = self._call(me, "creator", "POST", "/api/creator/stripe-connect")["account_id"]
        self._simulate(f"/connect/{account}/complete")
        texts = self._call(me, "creator", "GET", "/api/creator/declarations")["declarations"]
        self._call(me, "creator", "PUT", "/api/creator/onboarding", json={
            "declarations": [{"kind": t["kind"], "version": t["version"],
                              "text_sha256": t["sha256"]} for t in texts], "submit": True})
        self._call(cast.ADMIN.user_id, "admin", "POST",
                   f"/api/admin/creators/{me}/approve", json={"reason": "demo onboarding"})

    def _create(self, plan: PersonaPlan) -> str:
        profile = {
            "name": plan.name, "stated_age": 29, "visuals": [],
            "persona": {"traits": list(plan.traits), "interests": list(plan.interests),
                        "backstory": plan.backstory, "style": plan.style},
            "monetization": {"subscription_price_minor": plan.price_minor,
                             "included_messages": 20, "extra_message_tokens": 100},
            "chat_modes": list(plan.modes), "primary_category": plan.category,
            "tags": list(plan.tags)}
        persona_id = str(self._call(plan.creator, "creator", "POST", "/api/creator/models",
                                    json=profile)["id"])
        top, bottom = plan.colours
        self._call(plan.creator, "creator", "POST", f"/api/creator/models/{persona_id}/images",
                   files={"avatar": ("avatar.png", picture(plan.name + "/a", (480, 480), top,
                                                           bottom)),
                          "cover": ("cover.png", picture(plan.name + "/c", (1500, 500), top,
                                                         bottom, shapes=12))})
        self._call(plan.creator, "creator", "POST", f"/api/creator/models/{persona_id}/submit")
        self.personas[plan.name] = persona_id
        return persona_id

    def _publish(self, plan: PersonaPlan) -> None:
        persona_id = self._create(plan)
        self._call(cast.ADMIN.user_id, "admin", "POST",
                   f"/api/admin/models/{persona_id}/approve", json={"reason": "welcome"})
        self._call(plan.creator, "creator", "POST", f"/api/creator/models/{persona_id}/publish")
        top, bottom = plan.colours
        items = []
        for n, (tier, title) in enumerate(zip(("public", "subscribers", "ppv"), plan.posts,
                                              strict=True)):
            art = picture(f"{plan.name}/{title}", (960, 640), bottom if n % 2 else top,
                          top if n % 2 else bottom, shapes=9)
            items.append(self._call(plan.creator, "creator", "POST", "/api/creator/media",
                                    files={"file": (f"{tier}.png", art)},
                                    data={"persona_id": persona_id, "tier": tier,
                                          "title": title})["item_id"])
        self._call(plan.creator, "creator", "POST", "/api/creator/posts", json={
            "persona_id": persona_id, "caption": f"New this week: {plan.posts[0].lower()}",
            "item_ids": items})
        self.offers[plan.name] = self._call(plan.creator, "creator", "POST", "/api/creator/ppv",
                                            json={"persona_id": persona_id,
                                                  "title": plan.posts[2],
                                                  "price_tokens": plan.ppv_tokens,
                                                  "item_ids": [items[2]]})["offer_id"]

    def _buy(self, fan: str, pack_sku: str) -> str:
        session = self._call(fan, "fan", "POST", "/api/tokens/checkout",
                             json={"pack_sku": pack_sku}, headers=self._key("pack"))
        self._simulate(f"/checkout/{session['checkout_session_id']}/pay")
        self.sessions.setdefault(fan, []).append(session["checkout_session_id"])
        return str(session["checkout_session_id"])

    def _tip(self, fan: str, creator: str, amount_tokens: int) -> None:
        self._call(fan, "fan", "POST", "/api/tips", headers=self._key("tip"),
                   json={"creator_id": creator, "amount_tokens": amount_tokens})

    def _unlock(self, fan: str, persona: str) -> None:
        plan = next(p for p in PERSONAS if p.name == persona)
        self._call(fan, "fan", "POST", f"/api/ppv/{self.offers[persona]}/purchase",
                   json={"price_tokens": plan.ppv_tokens}, headers=self._key("unlock"))

    def _subscribe(self, fan: str, persona: str) -> None:
        started = self._call(fan, "fan", "POST",
                             f"/api/models/{self.personas[persona]}/subscribe",
                             headers=self._key("subscribe"))
        self._simulate(f"/checkout/{started['checkout_session_id']}/pay")
        subscription = self.subscription_of(started["checkout_session_id"])
        if subscription is None:
            raise RuntimeError(f"demo: {fan}'s subscription to {persona} did not start")
        self.subscriptions.append(subscription)

    def _early_weeks(self) -> None:
        """Fans arrive, buy packs, tip, unlock and subscribe over the first four weeks."""
        fan, crowd = cast.FAN.user_id, cast.OTHER_FANS
        mara, theo = cast.CREATOR.user_id, cast.SECOND_CREATOR.user_id
        self.clock.to_day(1)
        self._buy(fan, "pack_2600")
        self._subscribe(fan, "Luna Vale")
        self._tip(fan, mara, 500)
        for n, other in enumerate(crowd):
            self.clock.to_day(2 + n)
            self._buy(other, "pack_5500")
            self._tip(other, mara, 300 + 150 * n)
            self._unlock(other, PERSONAS[n % 3].name)
            if n % 2 == 0:
                self._subscribe(other, PERSONAS[n % 3].name)
            self._tip(other, theo, 250 + 100 * n)
        self.clock.to_day(9)
        self._unlock(fan, "Luna Vale")
        self._subscribe(crowd[1], "Nova Sterling")
        for day, amount in ((12, 400), (17, 600), (23, 350)):
            self.clock.to_day(day)
            for n, other in enumerate(crowd):
                self._tip(other, mara if n % 2 else theo, amount + 50 * n)

    def _refund_and_first_payout(self) -> None:
        """A fan's pack is refunded after they tipped (the tip comes back out of the creator's
        earnings); the first payout run pays what is due and the bank pays it out."""
        refunded = cast.OTHER_FANS[4]
        self.clock.to_day(26)
        self._simulate(f"/checkout/{self.sessions[refunded][0]}/refund")
        self.clock.to_day(31)
        for subscription in self.subscriptions:
            self._simulate(f"/subscriptions/{subscription}/renew")
        self.settle()
        run = self._call(cast.FINANCE.user_id, "finance", "POST", "/api/finance/payouts/run")
        self.clock.to_day(33)
        for creator, outcome in run["payouts"].items():
            if outcome != "bank_payout_requested":
                continue
            self.settle()
            payouts = self._call(creator, "creator", "GET", "/api/creator/payouts")["payouts"]
            for payout in payouts:
                if payout["status"] == "bank_payout_requested":
                    self._simulate(f"/payouts/{payout['payout_id']}/paid")

    def _later_weeks(self) -> None:
        fan, crowd = cast.FAN.user_id, cast.OTHER_FANS
        mara, theo = cast.CREATOR.user_id, cast.SECOND_CREATOR.user_id
        self.clock.to_day(36)
        self._buy(fan, "pack_1200")
        self._tip(fan, theo, 250)
        self._unlock(fan, "Rowan Ember")
        for day, amount in ((38, 300), (44, 500), (50, 450), (55, 700)):
            self.clock.to_day(day)
            for n, other in enumerate(crowd[:4]):
                if day == 44:
                    self._buy(other, "pack_2600")
                self._tip(other, theo if n % 2 else mara, amount + 25 * n)
        self.clock.to_day(47)
        for n, other in enumerate(crowd[:4]):
            self._unlock(other, PERSONAS[3 + n % 3].name)
        self.clock.to_day(58)
        self.settle()
        self._call(cast.ADMIN.user_id, "admin", "POST", "/api/admin/holds/release")

    def _this_week(self) -> None:
        """Sam verifies their age and chats; subscriptions renew; a new persona waits for
        review; a report comes in."""
        fan = cast.FAN.user_id
        self.clock.to_day(DAYS - 2)
        started = self._call(fan, "fan", "POST", "/api/age-verification")
        httpx.post(f"{self.base}/simulator/identity/{started['session_id']}/verify",
                   params={"outcome": "verified"}, timeout=60)
        luna = self.personas["Luna Vale"]
        for text in ("Hi Luna! I'm Sam. Which stars are out tonight?",
                     "I got a small telescope last week. Where should I start?",
                     "Thank you! I'll try the Pleiades first."):
            self._chat(fan, luna, text)
        self._tip(fan, cast.CREATOR.user_id, 250)
        self.clock.to_day(DAYS - 1)
        for subscription in self.subscriptions:  # the third month begins
            self._simulate(f"/subscriptions/{subscription}/renew")
        self._create(WAITING)
        self._call(cast.OTHER_FANS[0], "fan", "POST", "/api/reports", json={
            "target_kind": "persona", "target_id": self.personas["Pip Marlowe"],
            "creator_id": cast.SECOND_CREATOR.user_id, "category": "spam",
            "text": "The same shop link came up in every reply this week."})
