"""Stripe behind the PaymentGateway port: the real SDK, or a local simulator when no key is set."""
