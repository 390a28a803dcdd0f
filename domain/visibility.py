"""Who may see a library item: the visibility tiers of the spec, as one pure rule.

A public preview is for anyone; a subscribers item for active subscribers of its persona; a PPV
item for fans who unlocked an offer that includes it; everything for its owner and for staff. A
taken-down item is kept in the ledger (its record is the audit trail) and served to no one.
"""

from dataclasses import dataclass

PUBLIC = "public"
SUBSCRIBERS = "subscribers"
PPV = "ppv"
TIERS = (PUBLIC, SUBSCRIBERS, PPV)


@dataclass(frozen=True)
class Viewer:
    is_owner: bool = False
    is_staff: bool = False
    subscribed: bool = False  # an active subscription to the item's persona, now
    unlocked: bool = False  # an entitled unlock of an offer that includes the item


def may_view(tier: str, taken_down: bool, viewer: Viewer) -> bool:
    if taken_down:
        return False
    if viewer.is_staff or viewer.is_owner or tier == PUBLIC:
        return True
    if tier == SUBSCRIBERS:
        return viewer.subscribed
    return tier == PPV and viewer.unlocked
