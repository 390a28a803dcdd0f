"""The five onboarding steps and what each still needs; pure, so the API and the aggregate agree."""

from dataclasses import dataclass
from datetime import date

ACCOUNT_TYPES = ("individual", "business")
STEPS = ("account_type", "identity", "stripe_connect", "declarations", "submit")
MINIMUM_AGE_YEARS = 18


def age_on(date_of_birth: date, today: date) -> int:
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


@dataclass(frozen=True)
class Progress:
    completed: tuple[str, ...]
    next_step: str | None
    missing: tuple[str, ...]


def progress(*, account_type: str | None, identity_done: bool, stripe_account_id: str | None,
             unsigned_declarations: tuple[str, ...], submitted: bool) -> Progress:
    done = {
        "account_type": account_type is not None,
        "identity": identity_done,
        "stripe_connect": stripe_account_id is not None,
        "declarations": not unsigned_declarations,
        "submit": submitted,
    }
    missing = [step for step in STEPS[:-1] if not done[step]]
    details = [f"declaration:{kind}" for kind in unsigned_declarations]
    next_step = next((step for step in STEPS if not done[step]), None)
    return Progress(completed=tuple(s for s in STEPS if done[s]), next_step=next_step,
                    missing=tuple(m for m in missing if m != "declarations") + tuple(details))
