"""Pure ledger rules: no I/O, no frameworks, only the standard library and eventsourcing.domain."""
