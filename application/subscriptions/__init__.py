"""Monthly subscriptions to personas, paid by card through Stripe Billing."""
