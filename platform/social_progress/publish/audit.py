"""The release's `audit/` folder: the index audit as tables, plots and a README.

Nothing is computed here beyond formatting: the statistics, correlations, effective
weights and scenario ranks are the warehouse's `marts.index_audit_*` tables
(social_progress.index.audit, written by the index asset). This module writes them as
CSV, draws three plots (PNG and SVG) and writes `audit/README.md` describing each file.

Deterministic bytes: tables are sorted and rounded (publish.tables); plots are drawn with
matplotlib's Agg renderer on a Figure of their own (no pyplot, no global state), with the
bundled DejaVu Sans font (nothing is downloaded), a fixed `svg.hashsalt`, no date or
software version in the SVG or PNG metadata. Text from the data (component names,
justifications, failure messages) goes into the README inside fenced blocks, so no
Markdown renderer reads it as HTML; matplotlib escapes what it writes into SVG.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from social_progress.publish.tables import csv_bytes, tidy

PREFIX = "audit/"
TABLES = {  # warehouse table -> release file
    "index_audit_components": "component_statistics.csv",
    "index_audit_correlations": "correlations.csv",
    "index_audit_weights": "effective_weights.csv",
    "index_audit_sensitivity": "sensitivity_ranks.csv",
    "index_audit_sensitivity_summary": "sensitivity_summary.csv",
}
PLOTS = ("correlations", "effective_weights", "rank_intervals")

FILES = {
    "audit/README.md": "The audit of the index: what each file of audit/ holds, the thresholds and the result.",
    "audit/component_statistics.csv": "Each component's coherence on the pooled data its weights are estimated on: "
                                      "Cronbach's alpha, KMO, variance explained, loadings, correlations and the "
                                      "audit's failures.",
    "audit/correlations.csv": "Correlations of every pair of indicators (within and across components) and of "
                              "components (within and across dimensions).",
    "audit/effective_weights.csv": "Each indicator's nominal weight and effective weight (its share of the variance "
                                   "of its component and of the index).",
    "audit/sensitivity_ranks.csv": "Each area's index rank per year under each alternative choice of the method.",
    "audit/sensitivity_summary.csv": "Each area's rank interval over the method's choices beside its Monte Carlo "
                                     "5-95% interval.",
    "audit/correlations.png": "Heatmaps of the correlations within each component, and between components.",
    "audit/correlations.svg": "audit/correlations.png as SVG.",
    "audit/effective_weights.png": "Nominal against effective weight of each indicator in the index.",
    "audit/effective_weights.svg": "audit/effective_weights.png as SVG.",
    "audit/rank_intervals.png": "Each area's published rank in the release year, with its range over the method's "
                                "choices and its Monte Carlo 5-95% interval.",
    "audit/rank_intervals.svg": "audit/rank_intervals.png as SVG.",
}

COLUMNS = {
    "n_rows": "Pooled rows (area-years of the weight level) with at least one of the component's indicators.",
    "basis": "The scores the statistics are computed on: observed (imputed values left out) or imputed (as the "
             "weights, index.pca_data).",
    "min_loading": "Smallest loading of the component's indicators on its first principal component.",
    "min_loading_indicator": "The indicator with the smallest loading.",
    "weighting": "Weighting used for the component (pca, london, equal, or equal after a fallback and why).",
    "fallback": "True when the component fell back to equal weights (a negative loading, or weights not estimable).",
    "max_abs_correlation": "Largest absolute correlation between two indicators of the component.",
    "max_correlation_a": "First indicator of the most correlated pair.",
    "max_correlation_b": "Second indicator of the most correlated pair.",
    "justification": "The written justification for a lower alpha threshold (audit_justification in an indicator's "
                     "YAML); blank if none.",
    "alpha_threshold": "The alpha the component must reach (lower with a justification).",
    "failures": "The audit's failures for the component, each naming the statistic; blank when it passes.",
    "passed": "True when the component meets every threshold of the audit.",
    "mode": "block (a failure stops the release) or warn (a failure is reported).",
    "level": "indicator (a pair of indicators) or component (a pair of components).",
    "a": "First indicator (or component) of the pair.",
    "b": "Second indicator (or component) of the pair.",
    "group_a": "Component of the first indicator (dimension of the first component).",
    "group_b": "Component of the second indicator (dimension of the second component).",
    "within": "True when both are in the same component (dimension).",
    "correlation": "Pearson correlation over the pooled rows where both are present (blank: never observed together).",
    "n": "Rows where both are present.",
    "effective_weight": "The indicator's share of the variance of its component score: w_i Cov(s_i, C) / Var(C).",
    "index_weight": "The indicator's nominal weight in the index: its weight / components in the dimension / "
                    "dimensions.",
    "index_effective_weight": "The indicator's share of the variance of the index: c_i Cov(s_i, I) / Var(I); the "
                              "shares sum to 1.",
    "scenario": "The method's choice changed (published: the method as published).",
    "rank_min": "Best (lowest) rank over the scenarios.",
    "rank_median": "Median rank over the scenarios.",
    "rank_max": "Worst (highest) rank over the scenarios.",
    "max_rank_shift": "Largest difference between a scenario's rank and the published rank.",
    "max_score_shift": "Largest difference between a scenario's index score and the published score (anchoring "
                       "to the borough moves every sub-area of a boundary by one amount a year: scores, not ranks).",
    "n_scenarios": "Scenarios in which the area is ranked.",
    "mc_rank_p05": "5th percentile of the rank over the Monte Carlo runs (uncertainty.csv).",
    "mc_rank_p95": "95th percentile of the rank over the Monte Carlo runs (uncertainty.csv).",
}

#: rendering settings: bundled font, fixed SVG ids, no dates
RC = {"svg.hashsalt": "social-progress-audit", "svg.fonttype": "path", "font.family": "DejaVu Sans",
      "font.size": 8, "axes.titlesize": 9, "figure.dpi": 100, "savefig.dpi": 100}
PNG_METADATA = {"Software": None}
SVG_METADATA = {"Date": None, "Creator": None}


@dataclass
class AuditTables:
    """The warehouse's audit tables (social_progress.index.audit.audit_tables)."""
    components: pd.DataFrame
    correlations: pd.DataFrame
    weights: pd.DataFrame
    sensitivity: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None

    @property
    def failures(self) -> list[str]:
        from social_progress.index.audit import audit_messages

        return audit_messages(self.components)

    @property
    def mode(self) -> str:
        c = self.components
        return str(c["mode"].iloc[0]) if "mode" in c.columns and len(c) else "block"

    @property
    def scenarios(self) -> list[str]:
        s = self.sensitivity
        return [] if s is None or s.empty else sorted(s["scenario"].astype(str).unique())


def read_audit(con) -> AuditTables | None:
    """The audit tables from an open warehouse connection, or None when the index that
    wrote the warehouse had no audit."""
    def exists(name: str) -> bool:
        return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
                                "AND table_name = ?", [name]).fetchone()[0])

    if not all(exists(n) for n in ("index_audit_components", "index_audit_correlations", "index_audit_weights")):
        return None
    q = lambda name: con.execute(f"SELECT * FROM marts.{name}").df() if exists(name) else None  # noqa: E731
    return AuditTables(components=q("index_audit_components"), correlations=q("index_audit_correlations"),
                       weights=q("index_audit_weights"), sensitivity=q("index_audit_sensitivity"),
                       summary=q("index_audit_sensitivity_summary"))


def section(audit: AuditTables | None) -> dict:
    """The release's metadata section on the audit."""
    if audit is None:
        return {"available": False, "note": "marts.index_audit_components is not in the warehouse: no audit"}
    failures = audit.failures
    return {"available": True, "readme": "audit/README.md", "mode": audit.mode, "passed": not failures,
            "failures": failures, "components": int(len(audit.components)), "scenarios": audit.scenarios}


def gate(audit: AuditTables) -> dict:
    """The audit's check as metadata.json lists its gates."""
    failures = audit.failures
    return {"check": "marts/index_scores:index_audit", "blocking": audit.mode == "block",
            "status": "passed" if not failures else f"failed ({len(failures)} findings, reported: mode warn)"}


# ------------------------------------------------------------------------------- tables

def audit_frames(audit: AuditTables) -> dict[str, pd.DataFrame]:
    """The CSV tables of audit/, sorted and rounded (release file name -> frame)."""
    r6 = lambda cols: {c: 6 for c in cols}  # noqa: E731
    out = {
        "audit/component_statistics.csv": tidy(audit.components, ["dimension", "component"],
                                               r6(["cronbach_alpha", "kmo", "variance_explained", "min_loading",
                                                   "max_abs_correlation", "alpha_threshold"]), ints=("n_indicators", "n_rows")),
        "audit/correlations.csv": tidy(audit.correlations, ["level", "a", "b"], r6(["correlation"]), ints=("n",)),
        "audit/effective_weights.csv": tidy(audit.weights, ["dimension", "component", "indicator_id"],
                                            r6(["weight", "effective_weight", "index_weight", "index_effective_weight"])),
    }
    if audit.sensitivity is not None and not audit.sensitivity.empty:
        out["audit/sensitivity_ranks.csv"] = tidy(audit.sensitivity, ["scenario", "boundary", "area_code", "year"],
                                                  {"score": 4}, ints=("year", "rank"))
    if audit.summary is not None and not audit.summary.empty:
        out["audit/sensitivity_summary.csv"] = tidy(
            audit.summary, ["boundary", "area_code", "year"],
            {"rank_median": 2, "max_score_shift": 4, "mc_rank_p05": 4, "mc_rank_p95": 4},
            ints=("year", "rank", "rank_min", "rank_max", "max_rank_shift", "n_scenarios"))
    for name, frame in out.items():          # text columns as plain text (no NA spelled <NA>)
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype).startswith("str"):
                frame[col] = frame[col].astype(object).where(frame[col].notna(), "")
    return out


# -------------------------------------------------------------------------------- plots

def _render(draw, figsize: tuple[float, float]) -> dict[str, bytes]:
    """PNG and SVG bytes of the figure `draw(fig)` makes, rendered deterministically."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = {}
    with matplotlib.rc_context(RC):
        for fmt, meta in (("png", PNG_METADATA), ("svg", SVG_METADATA)):
            fig = Figure(figsize=figsize, layout="constrained")
            FigureCanvasAgg(fig)
            draw(fig)
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, metadata=meta)
            out[fmt] = buf.getvalue()
    return out


def _matrix(pairs: pd.DataFrame, names: list[str]) -> np.ndarray:
    pos = {n: i for i, n in enumerate(names)}
    m = np.full((len(names), len(names)), np.nan)
    np.fill_diagonal(m, 1.0)
    for a, b, r in zip(pairs["a"], pairs["b"], pd.to_numeric(pairs["correlation"], errors="coerce")):
        if a in pos and b in pos:
            m[pos[a], pos[b]] = m[pos[b], pos[a]] = r
    return m


def _heatmap(ax, m: np.ndarray, names: list[str], title: str, annotate: bool):
    im = ax.imshow(np.ma.masked_invalid(m), vmin=-1, vmax=1, cmap="RdBu_r")
    ax.set_title(title)
    ax.set_xticks(range(len(names)), labels=names, rotation=90, fontsize=5)
    ax.set_yticks(range(len(names)), labels=names, fontsize=5)
    if annotate:
        for i in range(len(names)):
            for j in range(len(names)):
                if i != j and np.isfinite(m[i, j]):
                    ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center", fontsize=5,
                            color="white" if abs(m[i, j]) > 0.6 else "black")
    return im


def correlation_plot(audit: AuditTables) -> dict[str, bytes]:
    """One heatmap per component (its indicators) and one of the components."""
    comps = audit.components.sort_values(["dimension", "component"], kind="mergesort")
    corr = audit.correlations
    ind = corr[corr["level"] == "indicator"]
    w = audit.weights.sort_values(["dimension", "component", "indicator_id"], kind="mergesort")
    panels = []
    for c in comps["component"].astype(str):
        names = w.loc[w["component"].astype(str) == c, "indicator_id"].astype(str).tolist()
        panels.append((c, names, _matrix(ind[(ind["group_a"] == c) & (ind["group_b"] == c)], names)))
    comp_names = comps["component"].astype(str).tolist()
    panels.append(("Components (correlation of their scores)", comp_names,
                   _matrix(corr[corr["level"] == "component"], comp_names)))
    ncol = min(4, len(panels))
    nrow = math.ceil(len(panels) / ncol)

    def draw(fig):
        axes = fig.subplots(nrow, ncol, squeeze=False)
        im = None
        for ax, (title, names, m) in zip(axes.flat, panels):
            im = _heatmap(ax, m, names, title, annotate=len(names) <= 8)
        for ax in list(axes.flat)[len(panels):]:
            ax.set_axis_off()
        if im is not None:
            fig.colorbar(im, ax=axes, shrink=0.5, label="correlation")
        fig.suptitle("Correlations within each component (pooled data the weights are estimated on)")

    return _render(draw, (4.2 * ncol, 4.0 * nrow))


def weights_plot(audit: AuditTables) -> dict[str, bytes]:
    """Nominal against effective weight of every indicator in the index, by component."""
    w = audit.weights.sort_values(["dimension", "component", "indicator_id"], kind="mergesort").reset_index(drop=True)
    labels = [f"{c} | {i}" for c, i in zip(w["component"].astype(str), w["indicator_id"].astype(str))]
    y = np.arange(len(w))[::-1]

    def draw(fig):
        ax = fig.add_subplot()
        ax.barh(y + 0.2, pd.to_numeric(w["index_weight"], errors="coerce").fillna(0), height=0.4, label="nominal weight",
                color="#9e9e9e")
        ax.barh(y - 0.2, pd.to_numeric(w["index_effective_weight"], errors="coerce").fillna(0), height=0.4,
                label="effective weight (share of the index's variance)", color="#1f5fa8")
        ax.set_yticks(y, labels=labels, fontsize=6)
        ax.set_ylim(-0.8, len(w) - 0.2)
        ax.axvline(0, color="black", linewidth=0.5)
        ax.set_xlabel("weight in the index")
        fig.legend(loc="outside lower center", ncols=2)
        ax.set_title("Nominal and effective weights of each indicator in the index")

    return _render(draw, (8.5, 1.8 + 0.16 * len(w)))


def rank_plot(audit: AuditTables, year: int | None = None) -> dict[str, bytes] | None:
    """Each area's published rank in ``year`` (the latest in the summary by default), its
    range over the scenarios and its Monte Carlo 5-95% interval, one panel per boundary."""
    s = audit.summary
    if s is None or s.empty:
        return None
    s = s[s["boundary"].astype(str) != "lad"]
    if s.empty:
        return None
    year = int(s["year"].max()) if year is None else year
    s = s[s["year"] == year]
    boundaries = sorted(s["boundary"].astype(str).unique())

    def draw(fig):
        axes = fig.subplots(len(boundaries), 1, squeeze=False)[:, 0]
        for ax, b in zip(axes, boundaries):
            g = s[s["boundary"].astype(str) == b].sort_values(["rank", "area_code"], kind="mergesort")
            x = np.arange(len(g))
            rank = pd.to_numeric(g["rank"], errors="coerce").to_numpy(dtype=float)
            lo, hi = (pd.to_numeric(g[c], errors="coerce").to_numpy(dtype=float) for c in ("rank_min", "rank_max"))
            ax.vlines(x, lo, hi, color="#9e9e9e", linewidth=3, label="range over the method's choices")
            p05, p95 = (pd.to_numeric(g[c], errors="coerce").to_numpy(dtype=float) for c in ("mc_rank_p05", "mc_rank_p95"))
            if np.isfinite(p05).any():
                ax.vlines(x + 0.25, p05, p95, color="#1f5fa8", linewidth=1, label="Monte Carlo 5-95%")
            ax.plot(x, rank, "o", color="black", markersize=2.5, label="published rank")
            ax.set_xlim(-0.7, len(g) - 0.3)
            worst = np.nanmax(np.concatenate([rank, hi, p95, [1.0]]))
            ax.set_ylim(worst + 0.5, 0.5)                       # rank 1 at the top
            ax.set_ylabel("rank (1 = best)")
            ax.set_title(f"{b}: {len(g)} areas, {year}")
            if len(g) <= 40:
                ax.set_xticks(x, labels=g["area_name"].astype(str) if "area_name" in g else g["area_code"],
                              rotation=90, fontsize=5)
            else:
                ax.set_xticks([])
                ax.set_xlabel("areas, from the best published rank to the worst")
            ax.legend(loc="lower left", fontsize=6)
        fig.suptitle("Rank intervals: how much each rank owes to the method's choices")

    return _render(draw, (10.0, 3.2 * len(boundaries) + 0.8))


# ------------------------------------------------------------------------------- readme

def _fenced(lines: list[str]) -> str:
    body = "\n".join(line.replace("`", "'") for line in lines) or "(none)"
    return f"```text\n{body}\n```"


def readme(audit: AuditTables, files: list[str], *, borough_name: str, year: int) -> bytes:
    """audit/README.md: what the audit checks, its result, and every file of audit/."""
    failures = audit.failures
    c = audit.components
    justified = c[c["justification"].fillna("").astype(str) != ""] if "justification" in c.columns else c.iloc[:0]
    result = ("Every component meets every threshold." if not failures else
              f"{len(failures)} finding(s). Mode `{audit.mode}`: "
              + ("a release is published only when the audit passes." if audit.mode == "block"
                 else "reported, not blocking publication."))
    lines = [
        "# The audit of the index",
        "",
        _fenced([f"{borough_name}, release {year}"]),
        "",
        "Composite-indicator practice (the JRC's COINr audit, the OECD/JRC Handbook on Constructing Composite "
        "Indicators) asks of every index: is each component one coherent thing, what does each indicator really "
        "weigh, and how much do the ranks owe to the method's choices? The tables and plots here answer that for "
        "this release. They are computed by `social_progress.index.audit` when the index is computed, on the "
        "pooled rows the weights are estimated on (every LSOA 2011 and index year).",
        "",
        "## Result",
        "",
        result,
        "",
        _fenced(failures) if failures else "",
        "",
        "The audit requires of each component (by default; `catalogue/areas.yml` `index.audit` sets the "
        "thresholds): at least 3 indicators; Cronbach's alpha of at least 0.7 (0.6 where an indicator's YAML gives "
        "the component a written `audit_justification`); KMO of at least 0.5; every indicator loading positively "
        "on the first principal component (so no component falls back to equal weights); no two indicators "
        "correlated above 0.9 in absolute value (redundant). `component_statistics.csv` gives each statistic and "
        "the alpha each component must reach (`alpha_threshold`); `mode` says whether a failure blocks the release.",
        "",
    ]
    if len(justified):
        lines += ["Written justifications:", "",
                  _fenced([f"{r.component}: {r.justification}" for r in justified.itertuples()]), ""]
    lines += [
        "## Effective weights",
        "",
        "Under the arithmetic aggregation the index is a weighted sum of the indicator scores, I = sum of c_i s_i, "
        "where c_i (`index_weight`) is the indicator's weight within its component divided by the number of "
        "components in its dimension and by the number of dimensions. The effective weight of an indicator is its "
        "share of the variance of the index, e_i = c_i Cov(s_i, I) / Var(I); the shares sum to 1. An indicator "
        "correlated with the others weighs more than its nominal weight, an isolated one less, and one running "
        "against the rest can weigh less than nothing. `effective_weight` is the same share within the "
        "component. Covariances are those of the imputed scores the index is computed from.",
        "",
        "## Sensitivity to the method",
        "",
        "The index is recomputed with one choice of the method changed at a time; `sensitivity_ranks.csv` has each "
        "area's rank in each scenario, `sensitivity_summary.csv` the range beside the Monte Carlo 5-95% interval "
        "(runs drawing weights, aggregation and imputation at random: `uncertainty.csv`). \"anchored to borough\" "
        "sets every LSOA's and ward's score to its own plus the borough's index minus the population-weighted mean "
        "of the borough's areas of that boundary: within one borough it moves every area of a boundary by the same "
        "amount in a year, so no rank changes and `max_score_shift` says how far the scores move. Scenarios:",
        "",
        _fenced(audit.scenarios or ["(not run: index.audit.scenarios is off)"]),
        "",
        "## Files",
        "",
        "| file | what it holds |",
        "|---|---|",
    ]
    for name in sorted(files):
        lines.append(f"| [{name[len(PREFIX):]}]({name[len(PREFIX):]}) | {FILES.get(name, '')} |")
    lines += ["", "Every column of the CSV files is described in the release's `data_dictionary.csv`.", ""]
    return "\n".join(lines).encode("utf-8")


# --------------------------------------------------------------------------------- files

def audit_files(audit: AuditTables, *, borough_name: str, year: int) -> tuple[dict[str, bytes], dict[str, pd.DataFrame]]:
    """(audit/ files as bytes, the CSV frames by file name for the data dictionary)."""
    frames = audit_frames(audit)
    files = {name: csv_bytes(frame) for name, frame in frames.items()}
    for stem, plot in (("correlations", correlation_plot(audit)), ("effective_weights", weights_plot(audit)),
                       ("rank_intervals", rank_plot(audit))):
        if plot is not None:
            files[f"{PREFIX}{stem}.png"] = plot["png"]
            files[f"{PREFIX}{stem}.svg"] = plot["svg"]
    files[f"{PREFIX}README.md"] = readme(audit, [*files, f"{PREFIX}README.md"], borough_name=borough_name, year=year)
    return dict(sorted(files.items())), frames
