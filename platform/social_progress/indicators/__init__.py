"""Indicator helpers that work on the dbt project's indicator models (goalposts)."""
