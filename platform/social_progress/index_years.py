"""Moved to `social_progress.index.years`; this re-export keeps old imports working
until every caller imports from the index package."""
from social_progress.index.years import KEY, carry_forward, supported_years

__all__ = ["KEY", "carry_forward", "supported_years"]
