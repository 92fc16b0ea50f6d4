"""Long indicator table -> dense (area, year, indicator) array, with input checks.

The engine works on one float array shaped area x year x indicator so every step is a
vectorised numpy operation. Areas are sorted by (area_level, area_code) and years
ascending, so outputs come out in a deterministic order. Every rejection names the
indicator and the problem (IndexInputError). ``row_selection`` picks the rows (area level,
years) a step is estimated on, so weights and imputation regressions can use different ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import IndexInputError
from .framework import Framework
from .transforms import DOMAIN_TEXT, bound, domain_problem

REQUIRED_COLUMNS = ("area_code", "area_level", "year", "indicator_id", "value")


@dataclass
class Panel:
    raw: np.ndarray            # (area, year, indicator) raw values, NaN = missing
    present: np.ndarray        # (area, year) bool: the input has at least one row for it
    area_codes: np.ndarray     # (area,) str, sorted within level
    area_levels: np.ndarray    # (area,) str
    levels: list[str]          # sorted distinct levels
    level_bounds: list[tuple[int, int]]  # area-axis slice of each level
    years: np.ndarray          # (year,) int64 ascending
    indicator_ids: list[str]


def _sorted_codes(col: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes into lexically sorted uniques, uniques as str). Categorical columns use their
    codes directly (no hashing of millions of strings)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = np.asarray(col.cat.codes)
        uniques = col.cat.categories
    else:
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
    if (codes < 0).any():
        raise IndexInputError(f"column {what!r} has missing values")
    u = np.asarray([str(x) for x in uniques], dtype=object)
    order = np.argsort(u, kind="stable")
    rank = np.empty(len(u), dtype=np.int64)
    rank[order] = np.arange(len(u))
    if len(set(u)) != len(u):
        raise IndexInputError(f"column {what!r}: distinct values with the same text {sorted(u)[:5]}")
    small = np.int32 if len(u) < 2**31 else np.int64
    return rank.astype(small)[codes], u[order]


def _numeric_values(values: pd.DataFrame, ind_codes: np.ndarray, ids: list[str]) -> np.ndarray:
    col = values["value"]
    if pd.api.types.is_bool_dtype(col.dtype):
        raise IndexInputError("column 'value' is boolean; indicator values must be numbers")
    if pd.api.types.is_numeric_dtype(col.dtype):
        out = col.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        coerced = pd.to_numeric(col, errors="coerce")
        bad = coerced.isna().to_numpy() & col.notna().to_numpy()
        bad &= ~col.astype(str).str.strip().str.lower().isin(["", "nan", "na", "none", "null"]).to_numpy()
        if bad.any():
            raise IndexInputError(_per_indicator(bad, ind_codes, ids, "non-numeric values", col.to_numpy()))
        out = coerced.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(out)
    if inf.any():
        raise IndexInputError(_per_indicator(inf, ind_codes, ids, "infinite values", out))
    return out


def _per_indicator(bad: np.ndarray, ind_codes: np.ndarray, ids: list[str], problem: str, shown) -> str:
    rows = np.nonzero(bad)[0]
    first = rows[0]
    per = np.bincount(ind_codes[rows], minlength=len(ids))
    names = [f"{ids[i]!r} ({per[i]})" for i in np.nonzero(per)[0]]
    return (f"indicator {ids[ind_codes[first]]!r}: {problem} (e.g. {shown[first]!r}); "
            f"indicators affected (rows): {', '.join(names)}")


def build_panel(values: pd.DataFrame, framework: Framework) -> Panel:
    if not isinstance(values, pd.DataFrame):
        raise IndexInputError(f"values must be a pandas DataFrame, got {type(values).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in values.columns]
    if missing:
        raise IndexInputError(f"values is missing column(s) {missing}; needs {list(REQUIRED_COLUMNS)}")
    ids = framework.indicator_ids
    n_ind = len(ids)
    if len(values) == 0:
        raise IndexInputError("values is empty")

    ind_col = values["indicator_id"]
    if isinstance(ind_col.dtype, pd.CategoricalDtype):
        cat_map = pd.Categorical(np.asarray(ind_col.cat.categories, dtype=object), categories=ids).codes
        raw_codes = np.asarray(ind_col.cat.codes)
        ind_codes = np.where(raw_codes < 0, -1, cat_map[raw_codes]).astype(np.int32)
    else:
        ind_codes = np.asarray(pd.Categorical(ind_col, categories=ids).codes, dtype=np.int32)
    if (ind_codes < 0).any():
        unknown = pd.unique(ind_col[ind_codes < 0].astype(str))[:5]
        raise IndexInputError(f"indicator(s) {list(unknown)} are not in the framework")

    val = _numeric_values(values, ind_codes, ids)

    year_col = values["year"]
    if not pd.api.types.is_numeric_dtype(year_col.dtype) or pd.api.types.is_bool_dtype(year_col.dtype):
        raise IndexInputError("column 'year' must hold whole numbers")
    if pd.api.types.is_integer_dtype(year_col.dtype) and not year_col.hasnans:
        y = year_col.to_numpy()
    else:
        yf = year_col.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isnan(yf).any():
            raise IndexInputError("column 'year' has missing values")
        if (yf != np.round(yf)).any():
            raise IndexInputError("column 'year' must hold whole numbers")
        y = yf.astype(np.int64)
    ymin, ymax = int(y.min()), int(y.max())
    if ymax - ymin > 100_000:
        raise IndexInputError(f"column 'year' spans {ymin}..{ymax}; not a year")
    y_off = (y - ymin).astype(np.int32)
    seen = np.zeros(ymax - ymin + 1, dtype=bool)
    seen[y_off] = True
    years = (np.nonzero(seen)[0] + ymin).astype(np.int64)
    yi = (np.cumsum(seen) - 1).astype(np.int32)[y_off]
    del y_off

    lvl, levels = _sorted_codes(values["area_level"], "area_level")
    code, codes_u = _sorted_codes(values["area_code"], "area_code")
    n_codes = len(codes_u)
    seen_a = np.zeros(len(levels) * n_codes, dtype=bool)
    key = lvl.astype(np.int64) * n_codes + code
    del lvl, code
    seen_a[key] = True
    area_keys = np.nonzero(seen_a)[0]
    ai = (np.cumsum(seen_a) - 1)[key]
    del key
    area_levels = levels[area_keys // n_codes]
    area_codes = codes_u[area_keys % n_codes]
    n_area, n_year = len(area_keys), len(years)

    n_cells = n_area * n_year * n_ind
    flat = ai * (n_year * n_ind)
    del ai
    flat += yi * n_ind
    flat += ind_codes
    del yi
    marks = np.zeros(n_cells, dtype=bool)
    marks[flat] = True
    if int(np.count_nonzero(marks)) != len(flat):
        counts = np.bincount(flat, minlength=n_cells)
        d = int(np.argmax(counts > 1))
        a, rest = divmod(d, n_year * n_ind)
        yy, ii = divmod(rest, n_ind)
        raise IndexInputError(f"indicator {ids[ii]!r}: duplicated rows for area {area_codes[a]!r} "
                              f"({area_levels[a]}) year {int(years[yy])}")
    present = marks.reshape(n_area * n_year, n_ind).any(axis=1)
    del marks
    raw = np.full(n_cells, np.nan)
    raw[flat] = val
    raw = raw.reshape(n_area, n_year, n_ind)
    del flat

    n_obs = (~np.isnan(raw)).sum(axis=(0, 1))
    del val
    for i in np.nonzero(n_obs == 0)[0]:
        raise IndexInputError(f"indicator {ids[i]!r}: entirely missing (no non-missing value in the input)")
    for i, spec in enumerate(framework.indicators):
        if spec.transform in DOMAIN_TEXT:
            bad = domain_problem(spec.transform, bound(raw[:, :, i], spec.floor, spec.ceiling))
            if bad.any():
                a, yy = np.argwhere(bad)[0]
                bounded = ", after floor/ceiling" if spec.floor is not None or spec.ceiling is not None else ""
                raise IndexInputError(
                    f"indicator {spec.id!r}: {int(bad.sum())} value(s) outside the domain of transform "
                    f"{spec.transform!r} ({DOMAIN_TEXT[spec.transform]}{bounded}), e.g. {raw[a, yy, i]!r} for area "
                    f"{area_codes[a]!r} year {int(years[yy])}")

    bounds = []
    lv_of_area = area_keys // len(codes_u)
    for li in range(len(levels)):
        idx = np.nonzero(lv_of_area == li)[0]
        if len(idx):
            bounds.append((int(idx[0]), int(idx[-1]) + 1))
    used_levels = [str(levels[li]) for li in range(len(levels)) if (lv_of_area == li).any()]
    return Panel(raw, present.reshape(n_area, n_year), area_codes.astype(object), area_levels.astype(object),
                 used_levels, bounds, years, ids)


def row_selection(panel: Panel, level: str | None, years: tuple[int, ...] | None, level_name: str,
                  years_name: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(area mask, year mask) of the rows a step is estimated on (None = all areas / all
    years). Weights and imputation regressions each pick theirs (IndexOptions); an
    unknown level or year is an IndexInputError naming it and the option."""
    area = year = None
    if level is not None:
        area = panel.area_levels == level
        if not area.any():
            raise IndexInputError(f"{level_name} {level!r}: no areas of that level in the input "
                                  f"(levels present: {panel.levels})")
        area = None if area.all() else area
    if years is not None:
        have = [int(y) for y in panel.years]
        for y in years:
            if y not in have:
                raise IndexInputError(f"{years_name}: year {y} is not in the input (years present: {have})")
        year = np.isin(panel.years, years)
        year = None if year.all() else year
    return area, year
