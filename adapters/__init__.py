"""Adapters: storage, Stripe and the LLM, each behind a small interface the application owns."""
