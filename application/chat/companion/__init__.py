"""Companion (SFW) mode."""
