"""The DataFrames a source suite's batches run on, built from a raw table.

  rows       the raw table as landed (every column text), plus `_row` (row number)
  typed      the same rows with the suite's declared `types` parsed (unparsable -> null)
  coverage   one row per expected (area, period): `present` is true when the data has it
  freshness  one row: the latest period in the data, its end date, `age_days` on the
             reference date and the bound the catalogue's cadence allows

Freshness reference date: env SPI_AS_OF (YYYY-MM-DD), else the suite's `freshness.as_of`,
else today (UTC). The bound is one cadence interval plus the publication lag
(`freshness.lag_days`, default one cadence interval): a yearly source whose latest year
is 2021 is fresh until 2023-12-31.
"""
from __future__ import annotations

import calendar
import os
import re
from datetime import date, datetime, timezone

import pandas as pd

from social_progress.quality.suites import Suite

ROW = "_row"
CADENCE_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}
NUMBER = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def as_of(suite: Suite | None = None) -> date:
    value = os.environ.get("SPI_AS_OF") or (suite.freshness.get("as_of") if suite else None)
    if value:
        return date.fromisoformat(str(value))
    return datetime.now(timezone.utc).date()


def rows_frame(raw: pd.DataFrame) -> pd.DataFrame:
    # pandas 3 copies on write: a shallow copy never changes `raw`, and shares its columns
    # (a deep copy doubled the memory of a check on a large input)
    frame = raw.reset_index(drop=True).copy(deep=False)
    frame.columns = [str(c) for c in frame.columns]
    frame[ROW] = range(len(frame))
    return frame


def typed_frame(rows: pd.DataFrame, types: dict) -> pd.DataFrame:
    frame = rows.copy(deep=False)  # copy on write: parsed columns are new, the others are shared
    for col, kind in types.items():
        if col not in frame.columns:
            continue
        if kind in ("number", "integer"):
            # anything that is not a plain number ("12a", "1,234", "n/a") becomes null here; the
            # `rows` batch reports it as a format failure
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
        elif kind == "date":
            frame[col] = pd.to_datetime(frame[col], format="%Y-%m-%d", errors="coerce")
        else:
            frame[col] = frame[col].astype("string").str.strip()
    return frame


def row_periods(rows: pd.DataFrame, spec: dict) -> pd.Series | None:
    """The period of each row (text: '2019', '2023-01', '2020-06-16'), or None if not per row."""
    if "column" in spec:
        col = spec["column"]
        if col not in rows.columns:
            return pd.Series([None] * len(rows), index=rows.index, dtype="object")
        text = rows[col].astype("string").str.strip()
        if spec.get("format") == "date":
            parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
            return parsed.dt.strftime("%Y-%m-%d").astype("object").where(parsed.notna(), None)
        if spec.get("format") == "month":
            return text.where(text.str.match(r"^\d{4}-\d{2}$", na=False), None).astype("object")
        return text.where(text.str.match(r"^\d{4}$", na=False), None).astype("object")
    if "source_file" in spec:
        pattern = re.compile(spec["source_file"])
        return rows["_source_file"].map(lambda s: (m.group(1) if (m := pattern.search(str(s))) else None))
    return None


def column_periods(rows: pd.DataFrame, spec: dict) -> dict[str, list[str]]:
    """Wide tables: period -> the columns holding it (e.g. '2019' -> ['2019'] or ['total_kWh_2019'])."""
    out: dict[str, list[str]] = {}
    if "columns" in spec:
        for c in spec["columns"]:
            if str(c) in rows.columns:
                out.setdefault(str(c), []).append(str(c))
    elif "column_pattern" in spec:
        pattern = re.compile(spec["column_pattern"])
        for c in rows.columns:
            if m := pattern.fullmatch(str(c)):
                out.setdefault(m.group(1), []).append(str(c))
    return out


def data_periods(rows: pd.DataFrame, spec: dict) -> list[str]:
    per_row = row_periods(rows, spec)
    if per_row is not None:
        return sorted(p for p in per_row.dropna().unique())
    present = []
    for period, cols in column_periods(rows, spec).items():
        if any(rows[c].notna().any() and rows[c].astype("string").str.strip().ne("").any() for c in cols):
            present.append(period)
    return sorted(present)


def period_end(period: str) -> date | None:
    if re.fullmatch(r"\d{4}", period):
        return date(int(period), 12, 31)
    if re.fullmatch(r"\d{4}-\d{2}", period):
        y, m = int(period[:4]), int(period[5:])
        return date(y, m, calendar.monthrange(y, m)[1])
    try:
        return date.fromisoformat(period[:10])
    except ValueError:
        return None


def expected_periods(found: list[str], spec) -> list[str]:
    """`from_data`: every year from the first to the last found (so a gap shows); or a list."""
    if spec in (None, "none"):
        return []
    if isinstance(spec, list):
        return [str(p) for p in spec]
    years = sorted(int(p) for p in found if re.fullmatch(r"\d{4}", p))
    if spec == "from_data" and years:
        return [str(y) for y in range(years[0], years[-1] + 1)]
    return sorted(found)


def coverage_frame(rows: pd.DataFrame, suite: Suite, codes: dict[str, list[str]]) -> pd.DataFrame:
    cov = suite.coverage
    area_col = cov.get("area_column")
    areas = list(codes.get(cov.get("areas", ""), [])) if area_col else []
    found = data_periods(rows, suite.period)
    periods = expected_periods(found, cov.get("periods", "none"))
    by = cov.get("by", ["area", "period"] if areas and periods else (["area"] if areas else ["period"]))
    per_row = row_periods(rows, suite.period)
    have: set = set()
    if area_col in rows.columns and pd.api.types.is_string_dtype(rows[area_col].dtype) and rows[area_col].dtype != object:
        area_values = pd.Series(rows[area_col].str.strip().to_numpy(dtype=object), index=rows.index)  # vectorised
    elif area_col in rows.columns:
        area_values = pd.Series(rows[area_col].to_numpy(dtype=object), index=rows.index).map(
            lambda v: v.strip() if isinstance(v, str) else v)
    else:
        area_values = pd.Series([None] * len(rows), index=rows.index, dtype=object)
    if per_row is not None:
        have = set(zip(area_values.to_numpy(), per_row.to_numpy(dtype=object)))
    else:
        cols = column_periods(rows, suite.period)
        if cols:
            for period, pc in cols.items():
                mask = pd.Series(False, index=rows.index)
                for c in pc:
                    mask |= rows[c].notna()
                have |= {(a, period) for a in set(area_values[mask].to_numpy())}
        else:
            have = {(a, None) for a in set(area_values.to_numpy())}
    have_areas = {a for a, _ in have}
    have_periods = {p for _, p in have}
    if by == ["period"] or not areas:
        return pd.DataFrame({"period": periods or ["(none)"], "present": [p in have_periods for p in (periods or ["(none)"])]})
    if by == ["area"] or not periods:
        return pd.DataFrame({"area_code": areas, "present": [a in have_areas for a in areas]})
    recs = [(a, p, (a, p) in have) for p in periods for a in areas]
    return pd.DataFrame(recs, columns=["area_code", "period", "present"])


def freshness_frame(rows: pd.DataFrame, suite: Suite, cadence: str) -> tuple[pd.DataFrame, int]:
    """One row describing how old the newest period is, and the bound (days) the cadence allows."""
    interval = CADENCE_DAYS.get(cadence)
    lag = int(suite.freshness.get("lag_days", interval or 0))
    max_age = (interval or 0) + lag if interval else 10 ** 6  # irregular / once: never stale
    periods = data_periods(rows, suite.period)
    ends = [e for e in (period_end(p) for p in periods) if e]
    ref = as_of(suite)
    latest = max(ends) if ends else None
    frame = pd.DataFrame([{
        "latest_period": periods[-1] if periods else None,
        "period_end": latest.isoformat() if latest else None,
        "as_of": ref.isoformat(),
        "cadence": cadence,
        "age_days": (ref - latest).days if latest else None,
        "max_age_days": max_age,
    }])
    return frame, max_age
