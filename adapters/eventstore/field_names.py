"""The names of event fields, each stored as its position in this list rather than spelled out.

MessagePack keeps a map's keys as text in every stored event: `source_amount_tokens`, 21 bytes
of every tip's hold. An event's top-level field names are written as their index here (one byte
for the first 128), and read back by it; a name not listed is written as text, as before.

APPEND ONLY. A stored event's fields are named by position: reordering, removing or renaming an
entry would give stored events other fields. `tests/unit/adapters/test_field_names.py` checks the
list's prefix against its digest and that every event field of today's classes is listed.
"""

FIELD_NAMES: tuple[str, ...] = (
    "class_version", "timestamp", "originator_topic", "fan_id", "persona_id", "message_id", "text",
    "paid_by", "price_tokens", "charge_id", "at", "replaced", "checks", "tip_ids", "reason",
    "notes", "session_id", "opened_by", "term", "category", "actor", "creator_id", "enabled",
    "default_mode", "config", "reporter_id", "target_kind", "target_id", "creator_user_id",
    "resolution", "note", "user_id", "display_name", "started_by", "account_type", "legal_name",
    "date_of_birth", "country", "account_id", "charges_enabled", "payouts_enabled",
    "requirements_due", "kind", "version", "declaration_id", "source", "payout_id", "text_sha256",
    "signed_by", "signed_at", "ip", "user_agent", "source_kind", "source_id", "amount_tokens",
    "source_amount_tokens", "earned_at", "release_at", "amount_minor", "source_amount_minor",
    "from_clawback_tokens", "source_tokens", "from_clawback_minor", "source_minor",
    "from_recovered_tokens", "from_recovered_minor", "forgiven_in_payouts", "credit_tokens",
    "credit_minor", "payout_ref", "clawback_tokens", "clawback_minor", "change_tokens",
    "forgiven_tokens", "forgiven_minor", "was_settled", "taken_back_tokens", "taken_back_minor",
    "overpaid_tokens", "overpaid_minor", "credit_overpaid_tokens", "credit_overpaid_minor",
    "forgiven_dropped_tokens", "forgiven_dropped_minor", "payment_intent_id", "change",
    "stripe_invoice_id", "placed_event_ids", "sha256", "content_type", "size_bytes", "tier",
    "title", "period_start", "included", "thread_id", "creator_bps", "creator_tokens",
    "platform_tokens", "lots_used", "run_key", "lines", "tokens_taken", "tokens_netted",
    "tokens_converted", "tokens_carried", "minor_from_tokens", "minor_taken", "minor_netted",
    "currency", "tokens_netted_with_minor", "minor_for_tokens_debt", "tokens_change",
    "minor_netted_with_tokens", "transfer_id", "bank_payout_id", "permanent", "available_tokens",
    "available_minor", "owed_tokens", "owed_minor", "would_pay_minor", "minimum_minor", "profile",
    "likeness", "caption", "item_ids", "strike_id", "severity", "evidence_ref", "event_id",
    "event_type", "object_id", "outcome", "received_at", "price_minor", "included_messages",
    "checkout_session_id", "stripe_subscription_id", "period_end", "cancel_at", "as_of",
    "subscription_id", "creator_minor", "platform_minor", "refunded_minor_total", "dispute_id",
    "fee_minor", "slug", "label", "chat_mode", "sent_at", "pack_sku", "tokens",
    "reversal_target_tokens", "offer_id", "idempotency_key", "purchase_id", "settled_debt_tokens",
    "ref_id", "from_lot_tokens", "resourced", "reversed_spends", "freed", "reinstated_spends",
    "returned", "purchase_ids", "covered", "debt_added_tokens", "clawed", "sequence", "tree_size",
    "root_hash", "chain_head_hash", "key_id", "signature", "renditions",
    "processing", "duration_s", "opinion", "findings", "rules", "sampled", "side", "why",
)
FIELD_CODES = {name: code for code, name in enumerate(FIELD_NAMES)}
