"""The three stacked indicator marts: values, comparators and exclusions.

Why here, not in dbt: dbt cannot `ref` models it discovers from its own graph, so a dbt
model cannot list "every indicator" without a second list to keep in sync. The platform
reads the indicator models from the dbt manifest and stacks their tables (and the
`<model>__comparators` / `<model>__exclusions` companions the indicators' post-hook
writes) in one place, as Dagster assets that depend on every indicator model, so all three
are in the lineage and rebuilt whenever an indicator is.
"""
from __future__ import annotations

VALUE_COLUMNS = ["indicator_id", "area_code", "area_level", "boundary", "year", "numerator", "denominator", "value",
                 "unit", "period", "quality_flag"]
COMPARATOR_COLUMNS = ["indicator_id", "area_code", "year", "numerator", "denominator", "value", "unit", "period"]
EXCLUSION_COLUMNS = ["indicator_id", "area_code", "area_level", "boundary", "year", "numerator", "denominator", "unit",
                     "period", "quality_flag"]
COMPARATOR_AREAS = 'intermediate."int_comparator_areas"'


# marts.<name>: what it holds
MARTS = {
    "indicator_values": "Every indicator's values at every level and year, stacked.",
    "indicator_comparators": "Every indicator (whose source covers London) for each comparator borough and London, "
                             "from the same London-wide source rows and the same sums as the borough's own values.",
    "indicator_exclusions": "Every source row an indicator dropped (missing_code, missing_year, wrong_vintage_code, "
                            "duplicate_area_year) and every reported area whose value is withheld or rests on part "
                            "of its sources (zero_denominator, incomplete_sources), or that a source does not cover "
                            "(not_covered, a London-wide run).",
}


def _rel(schema: str, table: str) -> str:
    return f'{schema}."{table}"'


def stack_sql(mart: str, indicators: list[str], schema: str = "indicators") -> str:
    """The SQL that builds marts.<mart> from the indicator tables `indicators` (model names)."""
    names = sorted(indicators)
    if not names:
        raise ValueError("no indicator models: the dbt manifest lists none tagged `indicator` with meta.indicator")
    if mart == "indicator_values":
        cols = ", ".join(VALUE_COLUMNS)
        union = " UNION ALL ".join(f"SELECT {cols} FROM {_rel(schema, n)}" for n in names)
        return f"{union} ORDER BY indicator_id, area_level, boundary, area_code, year"
    if mart == "indicator_comparators":
        cols = ", ".join(COMPARATOR_COLUMNS)
        union = " UNION ALL ".join(f"SELECT {cols} FROM {_rel(schema, n + '__comparators')}" for n in names)
        return (f"WITH stacked AS ({union}) "
                f"SELECT s.indicator_id, s.area_code AS comparator_code, c.comparator_name, c.comparator_type, "
                f"s.year, s.numerator, s.denominator, s.value, s.unit, s.period "
                f"FROM stacked s JOIN {COMPARATOR_AREAS} c ON c.comparator_code = s.area_code "
                f"ORDER BY s.indicator_id, comparator_code, s.year")
    if mart == "indicator_exclusions":
        cols = ", ".join(EXCLUSION_COLUMNS)
        parts = [f"SELECT {cols} FROM {_rel(schema, n + suffix)} WHERE quality_flag IS NOT NULL"
                 for suffix in ("__exclusions", "") for n in names]
        return f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY indicator_id, area_level, boundary, area_code, year, quality_flag"
    raise ValueError(f"unknown stacked mart {mart!r}; expected one of {', '.join(MARTS)}")


def missing_tables(con, indicators: list[str], mart: str, schema: str = "indicators") -> list[str]:
    """Indicator tables a stack needs that the warehouse does not have (named, for the error)."""
    suffixes = {"indicator_values": ("",), "indicator_comparators": ("__comparators",),
                "indicator_exclusions": ("__exclusions", "")}[mart]
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                                      [schema]).fetchall()}
    return [f"{schema}.{n}{s}" for n in sorted(indicators) for s in suffixes if f"{n}{s}" not in have]


def build_stacked_mart(con, mart: str, indicators: list[str]) -> list[tuple[str, int]]:
    """Replace marts.<mart> in one statement; return (indicator_id, rows) counts."""
    missing = missing_tables(con, indicators, mart)
    if missing:
        raise RuntimeError(f"marts.{mart}: {len(missing)} indicator table(s) are not in the warehouse, e.g. "
                           f"{', '.join(missing[:5])}; build the dbt models first")
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    # a warehouse from before these marts were assets has them as dbt views
    is_view = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
                          "AND table_name = ? AND table_type = 'VIEW'", [mart]).fetchone()[0]
    if is_view:
        con.execute(f'DROP VIEW marts."{mart}"')
    con.execute(f'CREATE OR REPLACE TABLE marts."{mart}" AS {stack_sql(mart, indicators)}')
    return con.execute(f'SELECT indicator_id, count(*) FROM marts."{mart}" GROUP BY 1 ORDER BY 1').fetchall()


EXCLUSION_FLAGS = ("missing_code", "missing_year", "wrong_vintage_code", "duplicate_area_year", "zero_denominator",
                   "incomplete_sources", "not_covered")
CHECKS = {
    "indicator_comparators": "One row per indicator, comparator and year; every comparator is a known area "
                             "(int_comparator_areas); denominators are not negative.",
    "indicator_exclusions": "Every row names its indicator and a known reason (missing_code, missing_year, "
                            "wrong_vintage_code, duplicate_area_year, zero_denominator, incomplete_sources, "
                            "not_covered).",
}


def check_stacked_mart(con, mart: str) -> list[str]:
    """Problems with a stacked comparator or exclusion mart (empty: none)."""
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    problems = []
    if mart == "indicator_comparators":
        dup = q('SELECT count(*) FROM (SELECT 1 FROM marts."indicator_comparators" '
                'GROUP BY indicator_id, comparator_code, year HAVING count(*) > 1)')
        if dup:
            problems.append(f"{dup} (indicator, comparator, year) keys appear more than once")
        unknown = q(f'SELECT count(*) FROM marts."indicator_comparators" m WHERE m.comparator_code NOT IN '
                    f'(SELECT comparator_code FROM {COMPARATOR_AREAS}) OR m.comparator_code IS NULL')
        if unknown:
            problems.append(f"{unknown} rows with an unknown comparator")
        negative = q('SELECT count(*) FROM marts."indicator_comparators" WHERE denominator < 0')
        if negative:
            problems.append(f"{negative} rows with a negative denominator")
    elif mart == "indicator_exclusions":
        flags = ", ".join(f"'{f}'" for f in EXCLUSION_FLAGS)
        bad = q(f'SELECT count(*) FROM marts."indicator_exclusions" WHERE indicator_id IS NULL '
                f'OR quality_flag IS NULL OR quality_flag NOT IN ({flags})')
        if bad:
            problems.append(f"{bad} rows without an indicator or with an unknown reason")
    return problems


# ----------------------------------------------------------------------------- disclosure control

DISCLOSURE_REPORT = "disclosure_report"


def protect_personal_values(con, personal: list[str], borough: str, *, threshold: int = 5,
                            rounding_base: int | None = None) -> dict:
    """Statistical disclosure control of marts.indicator_values, in place, for the
    indicators built from personal data (`personal`).

    Why here: marts.indicator_values is what the index scores and every release file and
    the explorer read, so a cell suppressed here is missing everywhere downstream (an index
    score computed from a hidden count would give the count back: scores are a linear
    function of the value). The unprotected counts stay in the indicator tables of the
    warehouse, which is never published. Groups: every LSOA 2011 within its pre-2022 ward,
    and every LSOA (both vintages) and ward (both sets) within the borough. Years are not
    grouped: no multi-year total of a personal indicator is published.
    """
    import pandas as pd

    from social_progress.disclosure import DisclosurePolicy, apply_disclosure_control, groups_from_lookup

    if not personal:
        return {"indicators": 0}
    ids = ", ".join(f"'{i}'" for i in sorted(personal))
    cells = con.execute(f'SELECT * FROM marts."indicator_values" WHERE indicator_id IN ({ids})').df()
    meta = con.execute(f'SELECT indicator_id, multiplier FROM marts."indicator_metadata" WHERE indicator_id IN ({ids})').df() \
        if _has_table(con, "marts", "indicator_metadata") else pd.DataFrame(columns=["indicator_id", "multiplier"])
    cells = cells.merge(meta, on="indicator_id", how="left")
    cells["multiplier"] = pd.to_numeric(cells["multiplier"], errors="coerce").fillna(1.0)
    # denominators that count people from the same records (pupils, tenancies, measured
    # children) are personal too; residents (population estimates) are public
    personal_denominators = set(con.execute(
        f"SELECT DISTINCT indicator_id FROM marts.\"indicator_metadata\" WHERE indicator_id IN ({ids}) "
        "AND NOT contains(lower(coalesce(unit, '')), 'resident')").df()["indicator_id"]) \
        if _has_table(con, "marts", "indicator_metadata") else set(personal)
    lookup = con.execute('SELECT lsoa11_code, ward19_code FROM geography."lsoa11_lookup"').df()
    codes = {b: con.execute("SELECT DISTINCT area_code FROM marts.\"indicator_values\" WHERE boundary = ?",
                            [b]).df()["area_code"].tolist() for b in ("lsoa21", "ward22")}
    groups = groups_from_lookup(lookup, borough_code=borough, codes_by_boundary=codes)
    policy = DisclosurePolicy(threshold=threshold, rounding_base=rounding_base)
    protected, report = apply_disclosure_control(cells, groups, policy, personal_denominators=frozenset(personal_denominators))
    out = protected[VALUE_COLUMNS].copy()
    con.register("_protected", out)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(f'DELETE FROM marts."indicator_values" WHERE indicator_id IN ({ids})')
        con.execute(f'INSERT INTO marts."indicator_values" ({", ".join(VALUE_COLUMNS)}) '
                    f'SELECT {", ".join(VALUE_COLUMNS)} FROM _protected')
        summary = report.as_metadata()
        con.execute(f'CREATE OR REPLACE TABLE marts."{DISCLOSURE_REPORT}" AS SELECT ? AS policy, ? AS report',
                    [f"threshold={threshold}, rounding_base={rounding_base}",
                     __import__("json").dumps(summary, sort_keys=True, default=str)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_protected")
    return summary


def _has_table(con, schema: str, name: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                       [schema, name]).fetchone()[0] > 0
