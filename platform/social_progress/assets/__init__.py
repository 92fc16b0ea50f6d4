"""Dagster assets wrapping the platform's plain-Python stages."""
