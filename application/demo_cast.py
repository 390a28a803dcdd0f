"""Who the demo marketplace (`lyra serve --demo`) is made of: `demo/` gives each of them a
history through the API, and the development sign-in page offers each in one click."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    name: str
    roles: tuple[str, ...]
    shows: str  # what signing in as them shows, in a few words


FAN = DemoUser("demo-fan", "Sam", ("fan",),
               "a wallet with two months of tips, unlocks, a subscription and a chat")
CREATOR = DemoUser("demo-creator", "Mara Quill", ("creator",),
                   "three personas and two months of earnings: tips, unlocks, subscriptions, "
                   "a refund and a paid payout")
SECOND_CREATOR = DemoUser("demo-creator-2", "Theo Lark", ("creator",),
                          "three more personas and their first earnings")
NEW_CREATOR = DemoUser("demo-creator-3", "Ivy North", ("creator",),
                       "a first persona waiting for review")
ADMIN = DemoUser("demo-admin", "Admin", ("admin",),
                 "a review queue with one persona and one report waiting")
FINANCE = DemoUser("demo-finance", "Finance", ("finance", "auditor"),
                   "payouts, the trial balance and reconciliation")

CAST = (FAN, CREATOR, SECOND_CREATOR, NEW_CREATOR, ADMIN, FINANCE)
OTHER_FANS = tuple(f"demo-fan-{n}" for n in range(2, 7))  # the crowd that tips; no sign-in offered
