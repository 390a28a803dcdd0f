"""Auditor and finance tools: replay the ledger as of any moment."""
