"""What an outside auditor takes away: signed checkpoints of the whole ledger, and one creator's
history with proofs against them (docs/audit-pack.md)."""
