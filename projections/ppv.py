"""Pay-per-view offers as creators and fans browse them; unlocks are read from the spends model."""

from collections.abc import Iterable
from typing import Any

from domain.aggregates.ppv_offer import PpvOffer
from projections.fold import KEYED, Fold, State, Table, on

OFFERS = Table("rm_ppv_offers", KEYED, ("offer_id",), (
    "offer_id", "creator_id", "persona_id", "title", "price_tokens", "withdrawn", "created_at"),
    {"withdrawn": 0})


class PpvOffersProjection(Fold):
    name = "ppv_offers"
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_ppv_offers (
            offer_id TEXT PRIMARY KEY,
            creator_id TEXT NOT NULL,
            persona_id TEXT NOT NULL,
            title TEXT NOT NULL,
            price_tokens BIGINT NOT NULL,
            withdrawn INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_ppv_offers_creator ON rm_ppv_offers (creator_id)",
        "CREATE INDEX IF NOT EXISTS rm_ppv_offers_persona ON rm_ppv_offers (persona_id)",
    )

    schema = (OFFERS,)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls is PpvOffer.Withdrawn:
            yield OFFERS, str(event.originator_id)

    @on(PpvOffer.Created)
    def _created(self, event: Any, position: int, s: State) -> None:
        s[OFFERS].put(OFFERS.new(
            offer_id=str(event.originator_id), creator_id=event.creator_id,
            persona_id=event.persona_id, title=event.title, price_tokens=event.price_tokens,
            created_at=event.at.isoformat()))

    @on(PpvOffer.Withdrawn)
    def _withdrawn(self, event: Any, position: int, s: State) -> None:
        s[OFFERS].update(str(event.originator_id), withdrawn=1)


class PpvQueries:
    _COLUMNS = ("o.offer_id, o.creator_id, o.persona_id, o.title, o.price_tokens, o.withdrawn, "
                "o.created_at")

    def __init__(self, db: Any) -> None:
        self._db = db

    def creator_offers(self, creator_id: str) -> list[dict[str, Any]]:
        """Each offer with how many unlocks stand and the tokens they brought the creator."""
        return self._db.query(  # type: ignore[no-any-return]
            f"SELECT {self._COLUMNS}, COUNT(s.spend_id) AS unlocks, "
            "CAST(COALESCE(SUM(s.creator_tokens - s.reversed_creator_tokens), 0) AS BIGINT) "
            "AS creator_tokens "
            "FROM rm_ppv_offers o LEFT JOIN rm_spends s ON s.kind = 'unlock' "
            "AND s.target_id = o.offer_id AND s.reversed_source_tokens = 0 "
            "WHERE o.creator_id = %s GROUP BY o.offer_id, o.creator_id, o.persona_id, o.title, "
            "o.price_tokens, o.withdrawn, o.created_at ORDER BY o.created_at DESC",
            (creator_id,))

    def on_sale(self, persona_id: str) -> list[dict[str, Any]]:
        """A persona's offers on sale."""
        return self._db.query(  # type: ignore[no-any-return]
            f"SELECT {self._COLUMNS} FROM rm_ppv_offers o WHERE o.persona_id = %s "
            "AND o.withdrawn = 0 ORDER BY o.created_at DESC", (persona_id,))

    def unlocks(self, fan_id: str) -> list[dict[str, Any]]:
        """The fan's unlocks; one whose tokens a refund or dispute took back says so."""
        rows = self._db.query(
            "SELECT s.target_id AS offer_id, s.aggregate_id AS unlock_id, s.amount_tokens, "
            "s.reversed_source_tokens, s.reversal_reason, s.spent_at, o.title, o.persona_id "
            "FROM rm_spends s LEFT JOIN rm_ppv_offers o ON o.offer_id = s.target_id "
            "WHERE s.fan_id = %s AND s.kind = 'unlock' ORDER BY s.spent_at DESC", (fan_id,))
        return [{**r, "entitled": r["reversed_source_tokens"] == 0} for r in rows]
