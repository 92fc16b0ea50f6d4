"""IndexResult: the arrays the method produced, and the published tables built from them.

Tables are built on first access (and cached) so a caller that only needs the index does
not pay for the 20-million-row indicator table. Rows are sorted by (area_level,
area_code, year, ...) and built without randomness, so identical inputs give identical
tables. Large tables use categorical string columns to keep memory in check.

Missing scores are never silent: ``exclusions`` says, for every component, dimension and
index score that is missing, why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .impute import METHOD_LABELS
from .ranking import change_from_previous, rank_within_levels

INDEX_NAME = "Social Progress Index"
REASONS = {1: "too much missing data", 2: "missing indicator could not be imputed"}


@dataclass
class IndexResult:
    panel: Any
    framework: Any
    options: Any
    raw: np.ndarray
    indicator: np.ndarray        # (area, year, indicator) published indicator scores
    imputed: np.ndarray          # (area, year, indicator) bool
    method: np.ndarray           # (area, year, indicator) int8 imputation method code
    component: np.ndarray        # (area, year, component)
    component_reason: np.ndarray
    dimension: np.ndarray        # (area, year, dimension)
    index: np.ndarray            # (area, year)
    area_ok: np.ndarray
    weight_list: list
    diagnostic_rows: list
    filled: Any = field(repr=False, default=None)

    def __repr__(self) -> str:
        p = self.panel
        return (f"IndexResult(areas={len(p.area_codes)}, levels={p.levels}, years={[int(y) for y in p.years]}, "
                f"indicators={len(p.indicator_ids)}, components={len(self.framework.components)})")

    # ---- helpers -------------------------------------------------------------------------
    @cached_property
    def _rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(area index, year index) of the published area-years, in output order."""
        a, y = np.nonzero(self.panel.present)
        return a, y

    @cached_property
    def _all_rows(self) -> bool:
        return bool(self.panel.present.all())

    def _take(self, arr: np.ndarray) -> np.ndarray:
        """arr[a, y] over the published area-years, as (rows, ...); a view when all are published."""
        if self._all_rows:
            return arr.reshape((-1,) + arr.shape[2:])
        a, y = self._rows
        return arr[a, y]

    @cached_property
    def _area_cats(self) -> tuple[pd.Categorical, pd.Categorical]:
        codes, inv = np.unique(self.panel.area_codes.astype(str), return_inverse=True)
        levels = np.asarray(self.panel.levels, dtype=object)
        lvl_inv = np.searchsorted(levels, self.panel.area_levels)
        inv = inv.astype(np.int32 if len(codes) < 2**31 else np.int64)
        lvl_inv = lvl_inv.astype(np.int32)
        return (codes.astype(object), inv), (levels, lvl_inv)

    def _id_columns(self, repeat: int) -> dict[str, Any]:
        a, y = self._rows
        (codes, inv), (levels, lvl_inv) = self._area_cats
        return {
            "area_code": pd.Categorical.from_codes(np.repeat(inv[a], repeat), categories=pd.Index(codes, dtype=object)),
            "area_level": pd.Categorical.from_codes(np.repeat(lvl_inv[a], repeat), categories=pd.Index(levels, dtype=object)),
            "year": np.repeat(self.panel.years[y], repeat),
        }

    @cached_property
    def _comp_dims(self) -> list[str]:
        return [self.framework.dimension_of(c) for c in self.framework.components]

    # ---- published tables ----------------------------------------------------------------
    @cached_property
    def indicator_scores(self) -> pd.DataFrame:
        """area_code, area_level, year, indicator_id, dimension, component, value (raw; NaN if
        imputed), score, imputed, imputation_method."""
        a, y = self._rows
        fw = self.framework
        n_i = len(fw.indicators)
        n = len(a)
        ind_codes = np.tile(np.arange(n_i, dtype=np.int16 if n_i < 2**15 else np.int32), n)
        comps = fw.components
        comp_of = np.array([comps.index(s.component) for s in fw.indicators])
        dims = fw.dimensions
        dim_of = np.array([dims.index(s.dimension) for s in fw.indicators])
        labels = [METHOD_LABELS[k] for k in sorted(METHOD_LABELS) if METHOD_LABELS[k]]
        m = self._take(self.method).ravel() - np.int8(1)         # -1 = observed -> NaN category
        out = pd.DataFrame(self._id_columns(n_i) | {
            "indicator_id": pd.Categorical.from_codes(ind_codes, categories=pd.Index(fw.indicator_ids, dtype=object)),
            "dimension": pd.Categorical.from_codes(dim_of[ind_codes], categories=pd.Index(dims, dtype=object)),
            "component": pd.Categorical.from_codes(comp_of[ind_codes], categories=pd.Index(comps, dtype=object)),
            "value": self._take(self.raw).ravel(),
            "score": self._take(self.indicator).ravel(),
            "imputed": self._take(self.imputed).ravel(),
            "imputation_method": pd.Categorical.from_codes(m, categories=pd.Index(labels, dtype=object)),
        }, copy=False)
        return out

    @cached_property
    def component_scores(self) -> pd.DataFrame:
        """area_code, area_level, year, dimension, component, score."""
        fw = self.framework
        a, _ = self._rows
        k = len(fw.components)
        codes = np.tile(np.arange(k), len(a))
        dim_of = np.array([fw.dimensions.index(d) for d in self._comp_dims])
        return pd.DataFrame(self._id_columns(k) | {
            "dimension": pd.Categorical.from_codes(dim_of[codes], categories=pd.Index(fw.dimensions, dtype=object)),
            "component": pd.Categorical.from_codes(codes, categories=pd.Index(fw.components, dtype=object)),
            "score": self._take(self.component).ravel()}, copy=False)

    @cached_property
    def dimension_scores(self) -> pd.DataFrame:
        """area_code, area_level, year, dimension, score."""
        fw = self.framework
        a, _ = self._rows
        k = len(fw.dimensions)
        return pd.DataFrame(self._id_columns(k) | {
            "dimension": pd.Categorical.from_codes(np.tile(np.arange(k), len(a)),
                                                   categories=pd.Index(fw.dimensions, dtype=object)),
            "score": self._take(self.dimension).ravel()}, copy=False)

    @cached_property
    def index_scores(self) -> pd.DataFrame:
        """area_code, area_level, year, score."""
        return pd.DataFrame(self._id_columns(1) | {"score": self._take(self.index)}, copy=False)

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Everything in one long table with rank (within level and year), change from the
        area's previous available year and the share of imputed indicator values underneath."""
        fw = self.framework
        a, _ = self._rows
        present = self.panel.present
        imp = self.imputed.astype(np.float64)
        imp[~present] = np.nan
        cols_of = [[i for i, s in enumerate(fw.indicators) if s.component == c] for c in fw.components]
        dcols = [[i for i, s in enumerate(fw.indicators) if s.dimension == d] for d in fw.dimensions]
        names = [INDEX_NAME, *fw.dimensions, *fw.components, *fw.indicator_ids]
        n_m = len(names)
        out = {k: np.empty((len(a), n_m)) for k in ("score", "rank", "change", "imputed_share")}
        m0 = 0
        for part in ("index", "dimension", "component", "indicator"):
            if part == "index":
                sc, share = self.index[:, :, None], imp.mean(axis=2)[:, :, None]
            elif part == "dimension":
                sc, share = self.dimension, np.stack([imp[:, :, c].mean(axis=2) for c in dcols], axis=2)
            elif part == "component":
                sc, share = self.component, np.stack([imp[:, :, c].mean(axis=2) for c in cols_of], axis=2)
            else:
                sc, share = self.indicator, imp
            sl = slice(m0, m0 + sc.shape[2])
            if not self._all_rows:
                sc = np.where(present[:, :, None], sc, np.nan)
            out["score"][:, sl] = self._take(sc)
            out["rank"][:, sl] = self._take(rank_within_levels(sc, self.panel.level_bounds))
            out["change"][:, sl] = self._take(change_from_previous(sc))
            out["imputed_share"][:, sl] = self._take(share)
            m0 += sc.shape[2]
            del sc, share
        del imp
        types = (["index"] + ["dimension"] * len(fw.dimensions) + ["component"] * len(fw.components)
                 + ["indicator"] * len(fw.indicators))
        mcode = np.tile(np.arange(n_m, dtype=np.int16 if n_m < 2**15 else np.int32), len(a))
        tcats = ["index", "dimension", "component", "indicator"]
        tcode = np.array([tcats.index(t) for t in types], dtype=np.int8)
        return pd.DataFrame(self._id_columns(n_m) | {
            "measure_type": pd.Categorical.from_codes(tcode[mcode], categories=pd.Index(tcats, dtype=object)),
            "measure": pd.Categorical.from_codes(mcode, categories=pd.Index(names, dtype=object)),
        } | {k: v.ravel() for k, v in out.items()}, copy=False)

    @cached_property
    def weights(self) -> pd.DataFrame:
        rows = []
        for c, cw in zip(self.framework.components, self.weight_list):
            for s, w, ld in zip(self.framework.indicators_of(c), cw.weights, cw.loadings):
                rows.append({"component": c, "indicator_id": s.id, "weight": float(w), "method": cw.method,
                             "loading": float(ld)})
        return pd.DataFrame(rows, columns=["component", "indicator_id", "weight", "method", "loading"])

    @cached_property
    def diagnostics(self) -> pd.DataFrame:
        return pd.DataFrame(self.diagnostic_rows, columns=["component", "n_indicators", "cronbach_alpha", "kmo",
                                                           "variance_explained", "warnings"])

    @cached_property
    def exclusions(self) -> pd.DataFrame:
        """Why each missing component / dimension / index score is missing (extra to the contract)."""
        fw = self.framework
        present = self.panel.present
        recs = []
        (codes, _), _ = self._area_cats
        ac, al, yrs = self.panel.area_codes, self.panel.area_levels, self.panel.years
        a_i, y_i, k_i = np.nonzero(np.isnan(self.component) & present[:, :, None])
        area_bad = ~self.area_ok
        for a, y, k in zip(a_i, y_i, k_i):
            r = "too much missing data for the area" if area_bad[a, y] else REASONS.get(
                int(self.component_reason[a, y, k]), "missing")
            recs.append((al[a], ac[a], int(yrs[y]), "component", fw.components[k], r))
        a_i, y_i, d_i = np.nonzero(np.isnan(self.dimension) & present[:, :, None])
        for a, y, d in zip(a_i, y_i, d_i):
            recs.append((al[a], ac[a], int(yrs[y]), "dimension", fw.dimensions[d], "a component has no score"))
        a_i, y_i = np.nonzero(np.isnan(self.index) & present)
        for a, y in zip(a_i, y_i):
            recs.append((al[a], ac[a], int(yrs[y]), "index", INDEX_NAME, "a dimension has no score"))
        out = pd.DataFrame(recs, columns=["area_level", "area_code", "year", "measure_type", "measure", "reason"])
        return out.sort_values(["area_level", "area_code", "year", "measure_type", "measure"],
                               kind="stable").reset_index(drop=True)
