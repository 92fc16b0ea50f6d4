"""The derived marts a release is built from: one pure pandas function per table.

Why: progress ratings, similar wards, strengths and weaknesses, targets, comparisons with
London and indicator confidence intervals used to be computed inside the publish step,
invisible in the asset graph. Each is now a table in the warehouse's `marts` schema, made
by one function here from the warehouse tables it names, so that it can be an asset of its
own (with its inputs as dependencies and a check on its key), and publishing only formats
and writes files from them (`social_progress.publish.build`).

Every mart comes out finished, exactly as the release file holds it: columns in order, rows
sorted, floats rounded, integer columns as Int64 (`MartSpec.tidy`, applied again when a
mart is read back, which restores dtypes a DuckDB round trip changes).

`DERIVED_MARTS` is the registry, in dependency order (strengths_weaknesses reads
similar_areas). Each `MartSpec` names its table, what it holds, the warehouse tables it
reads (`inputs`; `optional_inputs` may be absent), its key (unique, never null) and its
`compute(tables, context)`. The usual round trip:

    with connect(db, read_only=True) as con:
        tables = read_inputs(con, spec)
    frame = spec.compute(tables, MartContext(borough, targets_path))
    problems = check_mart(spec, frame)
    write_mart(db, spec, frame)

`write_derived_marts(db, borough, targets_path)` does it for every mart.

A mart whose optional input is missing is written empty, with a status saying why
(`frame.attrs["status"]` = {"available": bool, "note": str}, kept as the table's comment
in DuckDB and read back by `read_mart`); the release turns it into the `sections` entry of
metadata.json and the explorer's "unavailable" message, word for word as before.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from social_progress.publish import benchmark, similar, targets as targets_mod, trend, uncertainty
from social_progress.publish.tables import tidy

SCHEMA = "marts"
LONDON = "E12000007"
Tables = dict[str, "pd.DataFrame | None"]


class MartError(RuntimeError):
    """A mart's required input is missing, or a mart table cannot be read back as written."""


@dataclass(frozen=True)
class MartContext:
    """What a mart needs besides warehouse tables: the borough ({"code", "name"}) and the
    targets file (catalogue/targets.yml; None for no targets)."""
    borough: dict
    targets_path: Path | None = None


@dataclass(frozen=True)
class MartSpec:
    name: str                                   # table marts.<name>
    description: str
    inputs: tuple[str, ...]                     # "schema.table" it reads; must exist
    key: tuple[str, ...]                        # unique and never null
    columns: tuple[str, ...]                    # the table's columns, in order
    compute: Callable[[Tables, MartContext], pd.DataFrame]
    release_file: str                           # the release file that holds it (CSV; Parquet beside it)
    optional_inputs: tuple[str, ...] = ()       # read when present, None when absent
    read_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # inputs read in part
    files: tuple[str, ...] = ()                 # catalogue files it reads (outside the warehouse)
    order: tuple[str, ...] = ()                 # row order
    round_to: dict[str, int] = field(default_factory=dict)
    ints: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return f"{SCHEMA}.{self.name}"

    @property
    def deps(self) -> tuple[str, ...]:
        """Every warehouse table it reads, required or optional."""
        return self.inputs + self.optional_inputs

    def tidy(self, frame: pd.DataFrame) -> pd.DataFrame:
        return tidy(frame[list(self.columns)], list(self.order), dict(self.round_to), ints=self.ints)


def _finish(spec_name: str, frame: pd.DataFrame, available: bool = True, note: str = "") -> pd.DataFrame:
    out = DERIVED_MARTS[spec_name].tidy(frame)
    out.attrs["status"] = {"available": bool(available), "note": note}
    return out


def _empty(spec_name: str, note: str) -> pd.DataFrame:
    spec = DERIVED_MARTS[spec_name]
    out = pd.DataFrame({c: pd.Series([], dtype="object") for c in spec.columns})
    out.attrs["status"] = {"available": False, "note": note}
    return out


def status_of(frame: pd.DataFrame) -> dict:
    return dict(frame.attrs.get("status") or {"available": True, "note": ""})


# ------------------------------------------------------------------------------ the marts

INTERVAL_COLUMNS = ("indicator_id", "area_code", "area_level", "boundary", "year", "numerator", "denominator", "value",
                    "ci_lower", "ci_upper", "ci_method", "unit", "period", "quality_flag")


def indicator_intervals(values: pd.DataFrame, metadata: pd.DataFrame) -> pd.DataFrame:
    """marts.indicator_intervals: every indicator value with its 95% confidence interval
    (indicator_values.csv)."""
    return _finish("indicator_intervals", uncertainty.indicator_intervals(values, metadata))


def progress_ratings(scores: pd.DataFrame, values: pd.DataFrame, metadata: pd.DataFrame,
                     index_uncertainty: pd.DataFrame | None, years: list[int]) -> pd.DataFrame:
    """marts.progress_ratings: change between every pair of index years for every area and
    measure, rated beyond its uncertainty (progress.csv).

    The intervals are computed here from the values at full precision (the same function as
    marts.indicator_intervals, whose stored copy is rounded), so no rating rests on a
    rounded bound."""
    intervals = uncertainty.indicator_intervals(values, metadata)
    progress = uncertainty.progress_table(scores, intervals, metadata, index_uncertainty, years)
    return _finish("progress_ratings", progress)


def income_context(metadata: pd.DataFrame, values: pd.DataFrame, lsoa_income: pd.DataFrame | None,
                   lookup: pd.DataFrame | None) -> tuple[pd.DataFrame | None, str]:
    """Ward income deprivation: a context indicator if the marts carry one, else IoD 2019."""
    context = metadata[(~metadata["in_index"].astype(bool)) & metadata["indicator_id"].str.startswith("income_deprivation")]
    if len(context):
        ind = sorted(context["indicator_id"])[0]
        v = values[(values["indicator_id"] == ind) & values["boundary"].isin(["ward19", "ward22"])]
        v = v[v["year"] == v["year"].max()]
        df = pd.DataFrame({"boundary": v["boundary"], "area_code": v["area_code"], "income_deprived": v["numerator"],
                           "population": v["denominator"], "income_deprivation": v["value"]})
        return df.reset_index(drop=True), f"context indicator {ind} ({int(v['year'].max())})"
    if lsoa_income is None or lookup is None or lsoa_income.empty:
        return None, "unavailable: no income deprivation data (raw.imd2019_indicators) in the warehouse"
    inc = lsoa_income.dropna()
    inc = inc[inc["lsoa11_code"].isin(lookup["lsoa11_code"])]
    return similar.ward_income_deprivation(inc, lookup), "IoD 2019 income domain numerator / ONS mid-2019 population"


def lsoa_income_2019(imd_indicators: pd.DataFrame | None, population: pd.DataFrame | None) -> pd.DataFrame | None:
    """lsoa11_code, income_deprived (IoD 2019 income domain numerator), population (mid-2019)."""
    if imd_indicators is None or population is None:
        return None
    i = pd.DataFrame({"lsoa11_code": imd_indicators["lsoa11_code"],
                      "income_deprived": pd.to_numeric(imd_indicators["income_domain_numerator"], errors="coerce")
                      .astype("float64")})
    p = population[population["year"] == 2019]
    p = pd.DataFrame({"lsoa11_code": p["lsoa11_code"], "population": p["population"].astype("float64")})
    return i.merge(p, on="lsoa11_code", how="inner")


def similar_areas(metadata: pd.DataFrame, values: pd.DataFrame, areas: pd.DataFrame, scored_boundaries: set[str],
                  lsoa_income: pd.DataFrame | None, lookup: pd.DataFrame | None) -> pd.DataFrame:
    """marts.similar_areas: each ward's 5 peers in income deprivation (similar_wards.csv).

    Empty, with the reason as its status note, when there is no income deprivation data;
    otherwise the note names the measure used."""
    income, note = income_context(metadata, values, lsoa_income, lookup)
    if income is None:
        return _empty("similar_areas", note)
    a = areas[areas["boundary"].isin(scored_boundaries)]
    names = a.set_index(["boundary", "area_code"])["area_name"].to_dict()
    return _finish("similar_areas", similar.similar_wards(income, names), note=note)


def strengths_weaknesses(scores: pd.DataFrame, peers: pd.DataFrame, peers_status: dict | None = None) -> pd.DataFrame:
    """marts.strengths_weaknesses: each ward's indicator and component scores against its
    peers' mean (strengths_weaknesses.csv); empty when marts.similar_areas is."""
    peers_status = peers_status or {"available": True, "note": ""}
    if not peers_status.get("available", True):
        return _empty("strengths_weaknesses", peers_status.get("note", ""))
    return _finish("strengths_weaknesses", similar.strengths_weaknesses(scores, peers), note=peers_status.get("note", ""))


def target_status(targets: list | Path | str | None, borough_values: pd.DataFrame, metadata: pd.DataFrame,
                  year: int, borough: str | None = None, comparators: pd.DataFrame | None = None) -> pd.DataFrame:
    """marts.target_status: every target of catalogue/targets.yml (adopted or illustrative)
    with the borough's current value, trend, projection and status (targets.csv).
    `targets`: parsed targets or the YAML path (whose targets count only for the borough it
    names; an indicator the indicator catalogue, marts.indicator_metadata, lacks is refused
    with targets_file.TargetsError). `comparators`: marts.indicator_comparators, London's and
    the other boroughs' values for the relative targets (None: not in the warehouse)."""
    note = "no targets in catalogue/targets.yml"
    if targets is None:
        targets = []
    elif isinstance(targets, (str, Path)):
        owner = targets_mod.targets_borough(Path(targets))
        targets = targets_mod.load_targets(Path(targets), known=set(metadata["indicator_id"]), borough=borough)
        if owner and borough and owner != borough:
            note = f"catalogue/targets.yml holds the targets of {owner}, not of this borough ({borough})"
    status = targets_mod.target_status(targets, borough_values, metadata, year, london=comparators, borough=borough)
    return _finish("target_status", status, available=bool(targets), note="" if targets else note)


COMPARISON_COLUMNS = ("indicator_id", "comparator_code", "comparator_name", "role", "year", "numerator", "denominator",
                      "value", "ci_lower", "ci_upper", "ci_method", "unit", "period", "compared_with_london")
NO_COMPARATORS = ("marts.indicator_comparators is not in the warehouse: no London or neighbour comparison in this "
                  "release")
EMPTY_COMPARATORS = "marts.indicator_comparators has no rows: no London or neighbour comparison in this release"


def comparisons(comparators: pd.DataFrame | None, values: pd.DataFrame, metadata: pd.DataFrame,
                borough: dict) -> pd.DataFrame:
    """marts.comparisons: the borough's indicators next to London and its neighbours, each
    with a 95% interval and better / similar / worse than London (comparators.csv).

    Empty and unavailable when marts.indicator_comparators is missing; unavailable (holding
    only the borough's own rows, if any) when it has no London or neighbour rows."""
    if comparators is None:
        return _empty("comparisons", NO_COMPARATORS)
    c = comparators.copy()
    if "comparator_type" in c:   # the other London boroughs are there to rank the borough (targets), not shown
        c = c[c["comparator_type"] != "london_borough"]
    own = values[(values["area_level"] == "borough")].copy()
    own = pd.DataFrame({"indicator_id": own["indicator_id"], "comparator_code": own["area_code"],
                        "comparator_name": borough["name"], "year": own["year"], "numerator": own["numerator"],
                        "denominator": own["denominator"], "value": own["value"], "unit": own["unit"], "period": own["period"]})
    c = c[c["comparator_code"] != borough["code"]]
    allrows = pd.concat([own[own["indicator_id"].isin(c["indicator_id"])], c[own.columns]], ignore_index=True)
    # intervals over these rows alone (their own per-1,000 scale), as the comparison has always used
    with_ci = uncertainty.indicator_intervals(allrows.rename(columns={"comparator_code": "area_code"}), metadata).rename(
        columns={"area_code": "comparator_code"})
    with_ci["role"] = ["borough" if x == borough["code"] else "london" if x == LONDON else "neighbour"
                       for x in with_ci["comparator_code"]]
    london = with_ci[with_ci["role"] == "london"].set_index(["indicator_id", "year"])
    direction = metadata.set_index("indicator_id")["direction"].to_dict()
    verdicts = []
    for r in with_ci.itertuples():
        key = (r.indicator_id, r.year)
        if r.role == "london" or key not in london.index:
            verdicts.append("" if r.role == "london" else "not compared")
            continue
        lo = london.loc[key]
        lo = lo.iloc[0] if isinstance(lo, pd.DataFrame) else lo
        # the area's 95% interval against London's value, as every benchmark (publish.benchmark)
        verdicts.append(benchmark.compare(r.value, r.ci_lower, r.ci_upper, lo["value"],
                                          direction.get(r.indicator_id) or "higher_is_better"))
    with_ci["compared_with_london"] = verdicts
    if not (with_ci["role"] != "borough").any():
        return _finish("comparisons", with_ci, available=False, note=EMPTY_COMPARATORS)
    return _finish("comparisons", with_ci)


def benchmarks(values: pd.DataFrame, metadata: pd.DataFrame, comparators: pd.DataFrame | None,
               borough: dict) -> pd.DataFrame:
    """marts.benchmarks: every LSOA's and ward's indicator value against the borough's, the
    borough's against London's: better / similar / worse by its 95% interval
    (publish.benchmark; benchmarks.csv). Intervals at full precision, as progress_ratings."""
    intervals = uncertainty.indicator_intervals(values, metadata)
    return _finish("benchmarks", benchmark.benchmark_table(intervals, metadata, borough, comparators))


def trends(values: pd.DataFrame, metadata: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """marts.trends: the recent trend (last five data years) of every area's measures,
    increasing / decreasing significantly or not (publish.trend; trends.csv)."""
    intervals = uncertainty.indicator_intervals(values, metadata)
    return _finish("trends", trend.trend_table(intervals, scores, metadata))


# ------------------------------------------------------------------------------ the registry

def _years(tables: Tables) -> list[int]:
    return [int(y) for y in sorted(tables["marts.index_years"]["year"])]


def _compute_intervals(t: Tables, ctx: MartContext) -> pd.DataFrame:
    return indicator_intervals(t["marts.indicator_values"], t["marts.indicator_metadata"])


def _compute_progress(t: Tables, ctx: MartContext) -> pd.DataFrame:
    return progress_ratings(t["marts.index_scores"], t["marts.indicator_values"], t["marts.indicator_metadata"],
                            t.get("marts.index_uncertainty"), _years(t))


def _compute_similar(t: Tables, ctx: MartContext) -> pd.DataFrame:
    return similar_areas(t["marts.indicator_metadata"], t["marts.indicator_values"], t["geography.areas"],
                         set(t["marts.index_scores"]["boundary"]),
                         lsoa_income_2019(t.get("raw.imd2019_indicators"), t.get("intermediate.int_lsoa11_population")),
                         t.get("geography.lsoa11_lookup"))


def _compute_strengths(t: Tables, ctx: MartContext) -> pd.DataFrame:
    peers = t["marts.similar_areas"]
    return strengths_weaknesses(t["marts.index_scores"], peers, status_of(peers))


def _compute_targets(t: Tables, ctx: MartContext) -> pd.DataFrame:
    values = t["marts.indicator_values"]
    return target_status(ctx.targets_path, values[values["area_level"] == "borough"], t["marts.indicator_metadata"],
                         max(_years(t)), borough=(ctx.borough or {}).get("code"),
                         comparators=t.get("marts.indicator_comparators"))


def _compute_comparisons(t: Tables, ctx: MartContext) -> pd.DataFrame:
    return comparisons(t.get("marts.indicator_comparators"), t["marts.indicator_values"], t["marts.indicator_metadata"],
                       ctx.borough)


def _compute_benchmarks(t: Tables, ctx: MartContext) -> pd.DataFrame:
    return benchmarks(t["marts.indicator_values"], t["marts.indicator_metadata"], t.get("marts.indicator_comparators"),
                      ctx.borough)


def _compute_trends(t: Tables, ctx: MartContext) -> pd.DataFrame:
    return trends(t["marts.indicator_values"], t["marts.indicator_metadata"], t["marts.index_scores"])


_PROGRESS_FLOATS = ["value_base", "value", "value_change", "score_change", "ci_lower_base", "ci_upper_base", "ci_lower",
                    "ci_upper", "rank_p05_base", "rank_p95_base", "rank_p05", "rank_p95"]

DERIVED_MARTS: dict[str, MartSpec] = {s.name: s for s in [
    MartSpec(
        name="indicator_intervals",
        description="Every indicator's value, numerator and denominator for every area and data year, with a 95% "
                    "confidence interval (Byar for counts per population, Wilson for proportions, none otherwise).",
        inputs=("marts.indicator_values", "marts.indicator_metadata"),
        key=("indicator_id", "boundary", "area_code", "year"), columns=INTERVAL_COLUMNS,
        compute=_compute_intervals, release_file="indicator_values.csv",
        order=("indicator_id", "boundary", "area_code", "year"),
        round_to={"numerator": 6, "denominator": 6, "value": 8, "ci_lower": 8, "ci_upper": 8}, ints=("year",)),
    MartSpec(
        name="progress_ratings",
        description="Change between every pair of index years for every area and measure, rated better / worse only "
                    "beyond its uncertainty (95% intervals for indicators, 90% rank intervals for the index).",
        inputs=("marts.index_scores", "marts.indicator_values", "marts.indicator_metadata", "marts.index_years"),
        optional_inputs=("marts.index_uncertainty",),
        key=("boundary", "area_code", "base_year", "year", "measure_type", "measure"),
        columns=("boundary", "area_code", "area_level", "base_year", "year", "measure_type", "measure", "value_base",
                 "value", "value_change", "score_change", "ci_lower_base", "ci_upper_base", "ci_lower", "ci_upper",
                 "rank_p05_base", "rank_p95_base", "rank_p05", "rank_p95", "rating", "reason"),
        compute=_compute_progress, release_file="progress.csv",
        order=("boundary", "area_code", "base_year", "year", "measure_type", "measure"),
        round_to={c: 6 for c in _PROGRESS_FLOATS}, ints=("base_year", "year")),
    MartSpec(
        name="similar_areas",
        description="Each ward's 5 peers: the wards nearest to it in income deprivation (a context indicator "
                    "income_deprivation*, else IoD 2019 income domain numerator over the mid-2019 population).",
        inputs=("marts.indicator_metadata", "marts.indicator_values", "geography.areas", "marts.index_scores"),
        optional_inputs=("raw.imd2019_indicators", "intermediate.int_lsoa11_population", "geography.lsoa11_lookup"),
        read_columns={"marts.index_scores": ("boundary",),
                      "raw.imd2019_indicators": ("lsoa11_code", "income_domain_numerator"),
                      "intermediate.int_lsoa11_population": ("lsoa11_code", "year", "population"),
                      "geography.lsoa11_lookup": ("lsoa11_code", "ward19_code", "ward22_code")},
        key=("boundary", "area_code", "peer_rank"),
        columns=("boundary", "area_code", "area_name", "income_deprivation", "peer_rank", "peer_code", "peer_name",
                 "peer_income_deprivation", "gap"),
        compute=_compute_similar, release_file="similar_wards.csv",
        order=("boundary", "area_code", "peer_rank"),
        round_to={"income_deprivation": 6, "peer_income_deprivation": 6, "gap": 6}),
    MartSpec(
        name="strengths_weaknesses",
        description="Each ward's indicator and component scores against its peers' mean: a relative strength "
                    "(weakness) when above (below) by more than the larger of 5 points and the peers' SD.",
        inputs=("marts.index_scores", "marts.similar_areas"),
        read_columns={"marts.index_scores": ("boundary", "area_code", "year", "measure_type", "measure", "score")},
        key=("boundary", "area_code", "year", "measure_type", "measure"),
        columns=("boundary", "area_code", "year", "measure_type", "measure", "score", "peer_mean", "peer_sd", "n_peers",
                 "difference", "threshold", "assessment"),
        compute=_compute_strengths, release_file="strengths_weaknesses.csv",
        order=("boundary", "area_code", "year", "measure_type", "measure"),
        round_to={"score": 4, "peer_mean": 4, "peer_sd": 4, "difference": 4, "threshold": 4}, ints=("year", "n_peers")),
    MartSpec(
        name="target_status",
        description="The borough's targets (catalogue/targets.yml), each adopted or illustrative: absolute, gap to "
                    "London or rank among London boroughs; current value, trend over the last five data years, "
                    "projection to the target year, and on track / off track / not evaluated / no data.",
        inputs=("marts.indicator_values", "marts.indicator_metadata", "marts.index_years"),
        optional_inputs=("marts.indicator_comparators",),
        read_columns={"marts.indicator_values": ("indicator_id", "area_level", "year", "value"),
                      "marts.indicator_comparators": ("indicator_id", "comparator_code", "year", "value")},
        files=("catalogue/targets.yml",),
        key=("indicator_id", "kind", "target_year", "target"), columns=tuple(targets_mod.TARGET_COLUMNS),
        compute=_compute_targets, release_file="targets.csv",
        order=("indicator_id", "kind", "target_year"),
        round_to={"target": 6, "baseline_value": 6, "current_value": 6, "reference_value": 6, "current_gap": 6,
                  "target_gap": 6, "trend_per_year": 6, "projected_value": 6},
        ints=("target_year", "baseline_year", "current_year", "boroughs_compared", "current_rank")),
    MartSpec(
        name="comparisons",
        description="The borough's indicators next to London and its neighbours (marts.indicator_comparators), with "
                    "95% intervals and better / similar / worse than London: the borough's interval against "
                    "London's value (publish.benchmark).",
        inputs=("marts.indicator_values", "marts.indicator_metadata"),
        optional_inputs=("marts.indicator_comparators",),
        key=("indicator_id", "year", "comparator_code"), columns=COMPARISON_COLUMNS,
        compute=_compute_comparisons, release_file="comparators.csv",
        order=("indicator_id", "year", "role", "comparator_code"),
        round_to={"value": 6, "ci_lower": 6, "ci_upper": 6}, ints=("year",)),
    MartSpec(
        name="benchmarks",
        description="Every LSOA's and ward's indicator value against the borough's, and the borough's against "
                    "London's: better / similar / worse (higher / lower with no direction) when its 95% confidence "
                    "interval excludes / includes the benchmark's value; not compared, with the reason, otherwise.",
        inputs=("marts.indicator_values", "marts.indicator_metadata"),
        optional_inputs=("marts.indicator_comparators",),
        read_columns={"marts.indicator_comparators": ("indicator_id", "comparator_code", "year", "value")},
        key=("indicator_id", "boundary", "area_code", "year"), columns=tuple(benchmark.BENCHMARK_COLUMNS),
        compute=_compute_benchmarks, release_file="benchmarks.csv",
        order=("indicator_id", "boundary", "area_code", "year"),
        round_to={"value": 8, "ci_lower": 8, "ci_upper": 8, "benchmark_value": 8}, ints=("year",)),
    MartSpec(
        name="trends",
        description="The recent trend of every area's indicators (last five data years) and scores (last five index "
                    "years): increasing / decreasing significantly (chi-squared test for trend for proportions, else "
                    "a least-squares slope's 95% interval), no significant trend, or not enough data (< 3 points).",
        inputs=("marts.indicator_values", "marts.indicator_metadata", "marts.index_scores"),
        read_columns={"marts.index_scores": ("boundary", "area_code", "year", "measure_type", "measure", "score")},
        key=("boundary", "area_code", "year", "measure_type", "measure"), columns=tuple(trend.TREND_COLUMNS),
        compute=_compute_trends, release_file="trends.csv",
        order=("boundary", "area_code", "year", "measure_type", "measure"),
        round_to={"slope": 8, "slope_ci_lower": 8, "slope_ci_upper": 8, "chi_squared": 6},
        ints=("year", "n_points", "first_year", "last_year")),
]}


# ------------------------------------------------------------------------------ reading, checking, writing

def table_exists(con, qualified: str) -> bool:
    schema, table = qualified.split(".", 1)
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                            [schema, table]).fetchone()[0])


def read_inputs(con, spec: MartSpec, tables: Tables | None = None) -> Tables:
    """spec's input tables from an open DuckDB connection ({"schema.table": frame}); an
    optional input that is absent is None; a required one that is absent raises MartError.
    `tables` (e.g. marts computed in this process but not written) are used instead of reading."""
    out: Tables = {}
    for name in spec.deps:
        if tables is not None and name in tables:
            out[name] = tables[name]
            continue
        if not table_exists(con, name):
            if name in spec.optional_inputs:
                out[name] = None
                continue
            raise MartError(f"{spec.table} needs {name}, which is not in the warehouse")
        if name.startswith(f"{SCHEMA}.") and name.split(".", 1)[1] in DERIVED_MARTS:
            out[name] = read_mart(con, name.split(".", 1)[1])
            continue
        schema, table = name.split(".", 1)
        cols = spec.read_columns.get(name)
        select = ", ".join(f'"{c}"' for c in cols) if cols else "*"
        out[name] = con.execute(f'SELECT {select} FROM "{schema}"."{table}"').df()
    return out


def check_mart(spec: MartSpec, frame: pd.DataFrame) -> list[str]:
    """Problems with a mart table: missing columns, null or duplicate keys (empty list: none)."""
    problems = []
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        problems.append(f"{spec.table}: missing columns {missing}")
    key = [c for c in spec.key if c in frame.columns]
    if len(key) < len(spec.key):
        return problems + [f"{spec.table}: key columns {sorted(set(spec.key) - set(key))} missing"]
    for c in key:
        n = int(frame[c].isna().sum())
        if n:
            problems.append(f"{spec.table}: {n} rows with no {c}")
    dup = frame.duplicated(key, keep=False)
    if dup.any():
        example = frame.loc[dup, key].head(3).to_dict(orient="records")
        problems.append(f"{spec.table}: {int(dup.sum())} rows share a key ({', '.join(key)}), e.g. {example}")
    return problems


def write_mart(db_path: Path, spec: MartSpec, frame: pd.DataFrame) -> int:
    """Write a computed mart as marts.<name>, its status (frame.attrs["status"]) as the table comment."""
    from social_progress.warehouse import connect, replace_table

    n = replace_table(Path(db_path), SCHEMA, spec.name, frame[list(spec.columns)])
    comment = json.dumps(status_of(frame), sort_keys=True).replace("'", "''")
    with connect(Path(db_path)) as con:
        con.execute(f"COMMENT ON TABLE \"{SCHEMA}\".\"{spec.name}\" IS '{comment}'")
    return n


def mart_is_current(con, name: str) -> bool:
    """Whether marts.<name> has the columns the code writes today (a mart written by older
    code, e.g. before a column was added, is computed again rather than read)."""
    cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                                      "AND table_name = ? ORDER BY ordinal_position", [SCHEMA, name]).fetchall()]
    return cols == list(DERIVED_MARTS[name].columns)


def read_mart(con, name: str) -> pd.DataFrame:
    """marts.<name> as written by write_mart: tidied again (dtypes restored), with its status in attrs."""
    spec = DERIVED_MARTS[name]
    row = con.execute("SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                      [SCHEMA, name]).fetchone()
    if row is None:
        raise MartError(f"{spec.table} is not in the warehouse")
    try:
        status = json.loads(row[0])
        assert isinstance(status, dict) and "available" in status
    except (TypeError, ValueError, AssertionError):
        raise MartError(f"{spec.table} has no status comment: write it with social_progress.publish.marts.write_mart")
    frame = con.execute(f'SELECT * FROM "{SCHEMA}"."{name}"').df()
    frame = spec.tidy(frame) if len(frame) else frame[list(spec.columns)]
    frame.attrs["status"] = status
    return frame


def compute_derived_marts(con, context: MartContext) -> dict[str, pd.DataFrame]:
    """Every derived mart computed in memory from the warehouse behind `con` (nothing written)."""
    done: dict[str, pd.DataFrame] = {}
    for spec in DERIVED_MARTS.values():
        tables = read_inputs(con, spec, {f"{SCHEMA}.{n}": f for n, f in done.items()})
        done[spec.name] = spec.compute(tables, context)
    return done


def write_derived_marts(db_path: Path, borough: dict, targets_path: Path | None) -> dict[str, int]:
    """Compute every derived mart from the warehouse and write it to the marts schema, in
    dependency order; returns rows per mart. Raises MartError if a mart fails its check."""
    from social_progress.warehouse import connect

    context = MartContext(borough=dict(borough), targets_path=Path(targets_path) if targets_path else None)
    written: dict[str, int] = {}
    for spec in DERIVED_MARTS.values():
        with connect(Path(db_path), read_only=True) as con:
            tables = read_inputs(con, spec)
        frame = spec.compute(tables, context)
        problems = check_mart(spec, frame)
        if problems:
            raise MartError("; ".join(problems))
        written[spec.name] = write_mart(db_path, spec, frame)
    return written
