"""Paying creators what they earned, through Stripe Connect."""
