"""The eight council systems, drawn from one synthetic population.

Why: one entry point that builds every system's records (with the mess of real systems
and the planted canaries) and the linkage truth, so the writers only write. Each system
lives in its own module: housing, revenues, social_care, education (with NCMP),
community (CRM and community safety) and libraries.

Every table is complete (a count per resident must count every resident) except the council
tax accounts, a quarter of dwellings: the only indicator built on them is a share (accounts in
arrears), which a random sample of dwellings leaves unbiased. The fractions are in
SAMPLE_FRACTIONS and in MANIFEST.json.
"""
from __future__ import annotations

import pandas as pd

from . import canaries
from .community import CRM_FRACTION, build_community_safety, build_crm
from .context import Context
from .education import EDUCATION_FRACTION, NCMP_FRACTION, build_education, build_ncmp
from .housing import REPAIRS_FRACTION, build_housing
from .libraries import LIBRARY_FRACTION, build_libraries
from .revenues import CT_ACCOUNTS_FRACTION, build_revenues
from .social_care import build_adults, build_children
from .truth import combine

SAMPLE_FRACTIONS = {
    "repairs": REPAIRS_FRACTION,
    "council_tax_accounts": CT_ACCOUNTS_FRACTION,
    "crm_cases": CRM_FRACTION,
    "libraries_members": LIBRARY_FRACTION,
    "education_pupils": EDUCATION_FRACTION,
    "ncmp_measurements": NCMP_FRACTION,
}


def build_tables(ctx: Context) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """All tables (with internal columns prefixed '_'), and the truth."""
    tables: dict[str, pd.DataFrame] = {}
    truth: list[pd.DataFrame] = []
    housing, t = build_housing(ctx)
    tables.update(housing)
    truth.append(t)
    revenues, t = build_revenues(ctx)
    tables.update(revenues)
    truth.append(t)
    for name, fn in (("social_care_children", build_children), ("social_care_adults", build_adults),
                     ("education_pupils", build_education), ("ncmp_measurements", build_ncmp),
                     ("crm_cases", build_crm), ("community_safety_incidents", build_community_safety),
                     ("libraries_activity", build_libraries)):
        frame, t = fn(ctx)
        tables[name] = frame
        truth.append(t)
    truth.append(canaries.plant(tables, ctx))
    return tables, combine(truth)
