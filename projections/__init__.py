"""Read models projected from the ledger's notification log; each resumable and rebuildable."""
