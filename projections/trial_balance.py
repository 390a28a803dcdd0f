"""The trial balance: every token and every penny in exactly one place, checked from the read models.

The wallets, spends, earnings, purchases and subscriptions read models are projected from different
streams (Wallet; Tip, Unlock and MessageCharge; EarningsHold; TokenPurchase; SubscriptionInvoice),
so agreeing totals are
evidence that the streams agree with each other. Each identity of the money rules is checked in
total and row by row; a row that breaks one is listed with the streams behind it. All of it is
read in one snapshot, in which the runner's one-transaction batches put every read model at the
same position.

Cost: a handful of aggregate queries over the read models, in the database; no event is replayed.
"""

from dataclasses import dataclass, field
from typing import Any

from projections.db import ReadModelDb, Tx

SOURCES = ("wallets", "spends", "earnings", "purchases", "subscriptions", "payouts")
LISTED = 100  # imbalances listed per check; the count is always exact


@dataclass
class Imbalance:
    check: str
    message: str
    streams: list[str]
    expected: int
    actual: int


@dataclass
class TrialBalance:
    position: int
    aligned: bool  # every source read model at the same position
    tokens: dict[str, int]
    earnings_tokens: dict[str, int]
    earnings_minor: dict[str, int]
    pence: dict[str, int]
    checks: dict[str, bool]
    # Negative adjustments payouts recovered (paid or in flight), by the unit each arose in and
    # the unit that paid it; each payout's amount is checked row by row (payout_amount).
    recoveries: dict[str, int] = field(default_factory=dict)
    imbalances: list[Imbalance] = field(default_factory=list)
    imbalance_count: int = 0

    @property
    def balanced(self) -> bool:
        return self.aligned and self.imbalance_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {"balanced": self.balanced, "position": self.position, "aligned": self.aligned,
                "tokens": self.tokens, "earnings_tokens": self.earnings_tokens,
                "earnings_minor": self.earnings_minor,
                "pence": self.pence, "recoveries": self.recoveries, "checks": self.checks,
                "imbalance_count": self.imbalance_count,
                "imbalances": [vars(i) for i in self.imbalances]}


def _one(tx: Tx, statement: str) -> dict[str, int]:
    row = tx.one(statement) or {}
    return {k: int(v or 0) for k, v in row.items()}


_HOLD_COLUMNS = tuple(f"{state}_{unit}" for unit in ("tokens", "minor")
                      for state in ("held", "available", "in_payout", "paid", "reversed",
                                    "clawback", "clawback_in_payout", "clawback_recovered",
                                    "credit", "overpaid", "forgiven_in_payout"))

# Each row check: a name, what it means, and a query returning the offending rows as
# (streams, expected, actual). Every query is plain SQL both engines run.
ROW_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("wallet_tokens",
     "a wallet's tokens in == balance + spent - spends reversed + reversed with their purchase",
     "SELECT wallet_id AS s1, NULL AS s2, purchased_tokens AS expected, "
     "balance_tokens + spent_tokens - spends_reversed_tokens + reversed_tokens AS actual "
     "FROM rm_wallet_balances WHERE purchased_tokens <> "
     "balance_tokens + spent_tokens - spends_reversed_tokens + reversed_tokens "
     "OR balance_tokens < 0"),
    ("wallet_spends",
     "a wallet's standing spends == the standing amounts of that fan's spends",
     "SELECT w.wallet_id AS s1, NULL AS s2, w.spent_tokens - w.spends_reversed_tokens AS expected,"
     " COALESCE(s.standing, 0) AS actual FROM rm_wallet_balances w LEFT JOIN "
     "(SELECT fan_id, SUM(amount_tokens - reversed_source_tokens) AS standing FROM rm_spends "
     "GROUP BY fan_id) s ON s.fan_id = w.fan_id "
     "WHERE w.spent_tokens - w.spends_reversed_tokens <> COALESCE(s.standing, 0)"),
    ("wallet_purchases",
     "a wallet's credits and reversals == its completed purchases' tokens and reversals",
     "SELECT w.wallet_id AS s1, NULL AS s2, COALESCE(p.credited, 0) - COALESCE(p.reversed, 0) "
     "AS expected, w.purchased_tokens - w.reversed_tokens AS actual FROM rm_wallet_balances w "
     "LEFT JOIN (SELECT fan_id, SUM(tokens) AS credited, SUM(reversed_tokens) AS reversed "
     "FROM rm_token_purchases WHERE status = 'completed' GROUP BY fan_id) p "
     "ON p.fan_id = w.fan_id WHERE w.purchased_tokens <> COALESCE(p.credited, 0) "
     "OR w.reversed_tokens <> COALESCE(p.reversed, 0)"),
    ("spend_split",
     "creator + platform == amount, both non-negative, and so for what was reversed",
     "SELECT spend_id AS s1, NULL AS s2, amount_tokens AS expected, "
     "creator_tokens + platform_tokens AS actual FROM rm_spends "
     "WHERE creator_tokens + platform_tokens <> amount_tokens OR creator_tokens < 0 "
     "OR platform_tokens < 0 OR reversed_creator_tokens + reversed_platform_tokens "
     "<> reversed_source_tokens OR reversed_source_tokens > amount_tokens "
     "OR reversed_creator_tokens > creator_tokens OR reversed_platform_tokens > platform_tokens"),
    ("spend_earning",
     "a spend's creator share == its hold, and its reversed share == the hold's reversals",
     "SELECT s.spend_id AS s1, h.hold_id AS s2, s.creator_tokens - s.reversed_creator_tokens "
     "AS expected, COALESCE(h.amount_tokens - h.reversed_tokens - h.clawback_tokens - "
     "h.clawback_in_payout_tokens - h.clawback_recovered_tokens + h.overpaid_tokens, 0) "
     "AS actual FROM rm_spends s LEFT JOIN rm_earnings_holds h ON h.hold_id = s.hold_id "
     "WHERE h.hold_id IS NULL OR h.amount_tokens <> s.creator_tokens "
     "OR h.reversed_tokens + h.clawback_tokens + h.clawback_in_payout_tokens + "
     "h.clawback_recovered_tokens - h.overpaid_tokens <> s.reversed_creator_tokens"),
    ("hold_source",
     "every earning comes from a spend (tokens) or a paid invoice (pence) that stands",
     "SELECT h.hold_id AS s1, NULL AS s2, h.amount_tokens + h.amount_minor AS expected, "
     "0 AS actual FROM rm_earnings_holds h LEFT JOIN rm_spends s ON s.hold_id = h.hold_id "
     "LEFT JOIN rm_subscription_invoices i ON i.invoice_id = h.source_id "
     "WHERE (h.unit = 'tokens' AND s.spend_id IS NULL) "
     "OR (h.unit = 'minor' AND i.invoice_id IS NULL)"),
    ("invoice_split",
     "an invoice's creator + platform == its amount, and it stands reversed by its refunds "
     "(all of it while disputed or lost)",
     "SELECT invoice_id AS s1, NULL AS s2, CASE WHEN dispute_status IN ('open', 'lost') "
     "THEN amount_minor ELSE refunded_minor END AS expected, reversed_minor AS actual "
     "FROM rm_subscription_invoices WHERE creator_minor + platform_minor <> amount_minor "
     "OR creator_minor < 0 OR platform_minor < 0 OR reversed_creator_minor > creator_minor "
     "OR reversed_minor - reversed_creator_minor > platform_minor OR reversed_minor <> "
     "CASE WHEN dispute_status IN ('open', 'lost') THEN amount_minor ELSE refunded_minor END"),
    ("invoice_earning",
     "an invoice's creator share == its hold, and its reversed share == the hold's reversals",
     "SELECT i.invoice_id AS s1, h.hold_id AS s2, i.creator_minor - i.reversed_creator_minor "
     "AS expected, COALESCE(h.amount_minor - h.reversed_minor - h.clawback_minor - "
     "h.clawback_in_payout_minor - h.clawback_recovered_minor + h.overpaid_minor, 0) AS actual "
     "FROM rm_subscription_invoices i LEFT JOIN rm_earnings_holds h "
     "ON h.source_id = i.invoice_id AND h.unit = 'minor' WHERE h.hold_id IS NULL "
     "OR h.amount_minor <> i.creator_minor OR h.reversed_minor + h.clawback_minor + "
     "h.clawback_in_payout_minor + h.clawback_recovered_minor - h.overpaid_minor "
     "<> i.reversed_creator_minor"),
    ("hold_states",
     "an earning's tokens (or pence), with any credit its payouts gave it, are each in one of "
     "held, available, in payout, paid, reversed; what is clawed back never exceeds what left",
     "SELECT hold_id AS s1, NULL AS s2, amount_tokens + credit_tokens + amount_minor + "
     "credit_minor AS expected, "
     "held_tokens + available_tokens + in_payout_tokens + paid_tokens + reversed_tokens + "
     "held_minor + available_minor + in_payout_minor + paid_minor + reversed_minor AS actual "
     "FROM rm_earnings_holds WHERE amount_tokens + credit_tokens <> held_tokens + "
     "available_tokens + in_payout_tokens + paid_tokens + reversed_tokens OR amount_minor + "
     "credit_minor <> held_minor + available_minor + in_payout_minor + paid_minor + "
     "reversed_minor OR credit_tokens < 0 OR credit_minor < 0 OR overpaid_tokens < 0 "
     "OR overpaid_minor < 0 OR forgiven_in_payout_tokens < 0 OR forgiven_in_payout_minor < 0 "
     "OR held_tokens < 0 OR available_tokens < 0 OR in_payout_tokens < 0 OR paid_tokens < 0 "
     "OR reversed_tokens < 0 OR clawback_tokens < 0 OR clawback_in_payout_tokens < 0 "
     "OR clawback_recovered_tokens < 0 OR held_minor < 0 OR available_minor < 0 "
     "OR in_payout_minor < 0 OR paid_minor < 0 OR reversed_minor < 0 OR clawback_minor < 0 "
     "OR clawback_in_payout_minor < 0 OR clawback_recovered_minor < 0 "
     "OR clawback_tokens + clawback_in_payout_tokens + clawback_recovered_tokens - "
     "overpaid_tokens > amount_tokens - reversed_tokens OR clawback_minor + "
     "clawback_in_payout_minor + clawback_recovered_minor - overpaid_minor > "
     "amount_minor - reversed_minor "
     "OR (unit = 'tokens' AND amount_minor <> 0) OR (unit = 'minor' AND amount_tokens <> 0)"),
    ("payout_amount",
     "a payout pays its converted tokens (5 = 2p) plus the pence it took, less what it netted "
     "in pence and what pence recovered of a token debt (5 tokens = 2p, change given back)",
     "SELECT payout_id AS s1, NULL AS s2, minor_from_tokens + minor_taken - minor_netted - "
     "minor_for_tokens_debt AS expected, amount_minor AS actual FROM rm_payouts WHERE "
     "amount_minor <> minor_from_tokens + minor_taken - minor_netted - minor_for_tokens_debt "
     "OR tokens_converted <> tokens_taken - tokens_netted + tokens_netted_with_minor "
     "OR minor_for_tokens_debt * 5 <> (tokens_netted_with_minor + tokens_change) * 2 "
     "OR tokens_change < 0 OR tokens_change > 4 OR tokens_netted_with_minor > tokens_netted "
     "OR minor_netted_with_tokens > minor_netted OR minor_netted_with_tokens > "
     "minor_from_tokens OR tokens_converted % 5 <> 0 "
     "OR minor_from_tokens * 5 <> tokens_converted * 2 OR tokens_carried < 0 "
     "OR tokens_carried > 4 OR amount_minor < 0"),
    ("creator_totals",
     "a creator's earnings totals == the sum of their holds, in each unit and state",
     "SELECT c.creator_id AS s1, NULL AS s2, 0 AS expected, 1 AS actual "
     "FROM rm_creator_earnings c LEFT JOIN (SELECT creator_id, " +
     ", ".join(f"SUM({column}) AS {column}" for column in _HOLD_COLUMNS) +
     " FROM rm_earnings_holds GROUP BY creator_id) h ON h.creator_id = c.creator_id WHERE " +
     " OR ".join(f"COALESCE(h.{column}, 0) <> c.{column}" for column in _HOLD_COLUMNS)),
)


_EARNINGS_TOTALS = (
    "SELECT SUM(amount_{unit}) AS earned, SUM(credit_{unit}) AS credit, "
    "SUM(forgiven_in_payout_{unit}) AS forgiven_in_payout, "
    "SUM(overpaid_{unit}) AS overpaid, SUM(held_{unit}) AS held, SUM(available_{unit}) "
    "AS available, SUM(in_payout_{unit}) AS in_payout, SUM(paid_{unit}) AS paid, "
    "SUM(reversed_{unit}) AS reversed, SUM(clawback_{unit}) AS clawback, "
    "SUM(clawback_in_payout_{unit}) AS clawback_in_payout, SUM(clawback_recovered_{unit}) "
    "AS clawback_recovered FROM rm_earnings_holds")


def _earnings(holds: dict[str, int]) -> dict[str, int]:
    return {"earned": holds["earned"], "credit": holds["credit"], "overpaid": holds["overpaid"],
            "negative_adjustments_forgiven_in_payout": holds["forgiven_in_payout"],
            "held": holds["held"], "available": holds["available"],
            "in_payout": holds["in_payout"], "paid": holds["paid"], "reversed": holds["reversed"],
            "negative_adjustments": holds["clawback"],
            "negative_adjustments_in_payout": holds["clawback_in_payout"],
            "negative_adjustments_recovered": holds["clawback_recovered"]}


def _positions(tx: Tx) -> dict[str, int]:
    rows = tx.query("SELECT name, position FROM rm_projection_positions")
    found = {str(r["name"]): int(r["position"]) for r in rows}
    return {name: found.get(name, 0) for name in SOURCES}


def trial_balance(db: ReadModelDb) -> TrialBalance:
    with db.snapshot() as tx:
        positions = _positions(tx)
        wallets = _one(tx, "SELECT SUM(purchased_tokens) AS credited, SUM(reversed_tokens) AS "
                           "reversed_with_purchases, SUM(balance_tokens) AS wallet_balances, "
                           "SUM(spent_tokens) AS spent, SUM(spends_reversed_tokens) AS "
                           "spends_reversed, SUM(debt_tokens) AS legacy_debt "
                           "FROM rm_wallet_balances")
        spends = _one(tx, "SELECT SUM(amount_tokens) AS amount, SUM(creator_tokens - "
                          "reversed_creator_tokens) AS creator, SUM(platform_tokens - "
                          "reversed_platform_tokens) AS platform, SUM(reversed_source_tokens) "
                          "AS reversed FROM rm_spends")
        holds, holds_minor = (_one(tx, _EARNINGS_TOTALS.format(unit=unit))
                              for unit in ("tokens", "minor"))
        invoices = _one(tx, "SELECT SUM(amount_minor) AS received, SUM(reversed_minor) AS "
                            "reversed, SUM(creator_minor - reversed_creator_minor) AS creator, "
                            "SUM(platform_minor - reversed_minor + reversed_creator_minor) AS "
                            "platform, SUM(refunded_minor) AS refunded, SUM(dispute_fee_minor) "
                            "AS dispute_fees FROM rm_subscription_invoices")
        cash = _one(tx, "SELECT SUM(dispute_fee_minor) AS dispute_fees, "
                        "SUM(CASE WHEN status = 'completed' THEN price_minor ELSE 0 END) "
                        "AS received, SUM(CASE WHEN status = 'completed' THEN refunded_minor "
                        "ELSE 0 END) AS refunded, SUM(CASE WHEN status = 'completed' AND "
                        "disputed = 1 THEN price_minor - refunded_minor ELSE 0 END) AS disputed "
                        "FROM rm_token_purchases")
        recoveries = _one(
            tx, "SELECT SUM(tokens_netted - tokens_netted_with_minor) AS token_debt_from_tokens, "
                "SUM(tokens_netted_with_minor) AS token_debt_from_pence_tokens, "
                "SUM(minor_for_tokens_debt) AS token_debt_from_pence_minor, "
                "SUM(tokens_change) AS token_change, "
                "SUM(minor_netted - minor_netted_with_tokens) AS pence_debt_from_pence, "
                "SUM(minor_netted_with_tokens) AS pence_debt_from_tokens_minor FROM rm_payouts "
                "WHERE status NOT IN ('failed', 'reversed')")
        open_payouts = _one(
            tx, "SELECT SUM(tokens_taken) AS taken_tokens, SUM(tokens_netted) AS netted_tokens, "
                "SUM(minor_taken) AS taken_minor, SUM(minor_netted) AS netted_minor FROM "
                "rm_payouts WHERE status IN ('created', 'transfer_submitted', "
                "'bank_payout_requested', 'bank_payout_failed')")
        imbalances: list[Imbalance] = []
        count = 0
        checks: dict[str, bool] = {}
        for name, meaning, statement in ROW_CHECKS:
            rows = tx.query(statement)
            checks[name] = not rows
            count += len(rows)
            imbalances += [Imbalance(name, meaning, [str(r["s1"])] + ([str(r["s2"])] if r["s2"]
                                                                      else []),
                                     int(r["expected"] or 0), int(r["actual"] or 0))
                           for r in rows[:LISTED]]
    tokens = {
        "credited": wallets["credited"],
        "reversed_with_purchases": wallets["reversed_with_purchases"],
        "wallet_balances": wallets["wallet_balances"],
        "standing_creator_shares": spends["creator"],
        "standing_platform_shares": spends["platform"],
        "spent": wallets["spent"],
        "spends_reversed": wallets["spends_reversed"],
        "legacy_debt": wallets["legacy_debt"],
    }
    placed = tokens["wallet_balances"] + tokens["standing_creator_shares"] + \
        tokens["standing_platform_shares"]
    in_ledger = tokens["credited"] - tokens["reversed_with_purchases"]
    checks["tokens_in_one_place"] = in_ledger == placed
    if not checks["tokens_in_one_place"]:
        count += 1
        imbalances.append(Imbalance(
            "tokens_in_one_place", "credited - reversed == wallets + standing creator and "
            "platform shares", ["ledger"], in_ledger, placed))
    earnings = _earnings(holds)
    earnings_minor = _earnings(holds_minor)
    for unit, figures, standing_creator in (("tokens", earnings, spends["creator"]),
                                            ("minor", earnings_minor, invoices["creator"])):
        states = sum(figures[k] for k in ("held", "available", "in_payout", "paid", "reversed"))
        standing = figures["earned"] - figures["reversed"] - figures["negative_adjustments"] - \
            figures["negative_adjustments_in_payout"] - figures["negative_adjustments_recovered"] \
            + figures["overpaid"]
        for name, expected, actual in (
                (f"earnings_in_one_state_{unit}", figures["earned"] + figures["credit"], states),
                (f"creator_shares_match_earnings_{unit}", standing_creator, standing)):
            checks[name] = expected == actual
            if not checks[name]:
                count += 1
                imbalances.append(Imbalance(name, "ledger-wide earnings identity", ["ledger"],
                                            expected, actual))
    # What open payouts took and netted is exactly what the holds have in payout (a netting a
    # won dispute forgave meanwhile still counts: the payout sent less for it).
    for unit, figures in (("tokens", earnings), ("minor", earnings_minor)):
        taken, netted = open_payouts[f"taken_{unit}"], open_payouts[f"netted_{unit}"]
        held_netting = figures["negative_adjustments_in_payout"] + \
            figures["negative_adjustments_forgiven_in_payout"]
        for name, expected, actual in ((f"payouts_match_holds_{unit}", taken,
                                        figures["in_payout"]),
                                       (f"payouts_netting_match_holds_{unit}", netted,
                                        held_netting)):
            checks[name] = expected == actual
            if not checks[name]:
                count += 1
                imbalances.append(Imbalance(name, "open payouts' takings and nettings == "
                                            "holds in payout", ["payouts", "earnings"],
                                            expected, actual))
    subscriptions_net = invoices["received"] - invoices["reversed"]
    checks["subscription_pence_in_one_place"] = (
        subscriptions_net == invoices["creator"] + invoices["platform"])
    if not checks["subscription_pence_in_one_place"]:
        count += 1
        imbalances.append(Imbalance(
            "subscription_pence_in_one_place", "invoices paid - reversed == standing creator "
            "and platform shares", ["ledger"], subscriptions_net,
            invoices["creator"] + invoices["platform"]))
    # Pence: pack cash is reported for finance to tie to Stripe (packs become tokens, counted
    # above); subscription cash is split into creator and platform pence and checked.
    pence = {"packs_received": cash["received"], "packs_refunded": cash["refunded"],
             "packs_disputed": cash["disputed"],
             "packs_net": cash["received"] - cash["refunded"] - cash["disputed"],
             "subscriptions_received": invoices["received"],
             "subscriptions_reversed": invoices["reversed"],
             "subscriptions_net": subscriptions_net,
             "standing_creator_minor": invoices["creator"],
             "standing_platform_minor": invoices["platform"],
             "dispute_fees": cash["dispute_fees"] + invoices["dispute_fees"]}
    aligned = len(set(positions.values())) == 1
    return TrialBalance(position=min(positions.values()), aligned=aligned, tokens=tokens,
                        earnings_tokens=earnings, earnings_minor=earnings_minor, pence=pence,
                        checks=checks, recoveries=recoveries,
                        imbalances=imbalances, imbalance_count=count)
