"""The eventsourcing library's stores, configured from one database URL and made append-only."""
