"""Intimate mode: gated configuration; what it says comes from the model provider at run time."""
