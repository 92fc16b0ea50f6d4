"""SYNTHETIC council record systems for Barking and Dagenham (E09000002), 2015-2023.

Why: no council's real records about people can be published, yet the platform must be
built and tested on records shaped like them: several systems holding the same people
under different references, with typos, stale and missing postcodes, changed date
formats, and a geography of need that matches the borough's. This package generates such
records deterministically from a seed: levels calibrated to published borough figures
(`CALIBRATION`), shape across LSOAs from the real IoD 2019, a synthetic gazetteer on real
Code-Point Open postcodes, a synthetic population that moves, ages and is born, planted
canary identities (`CANARY_STRINGS`) to prove nothing personal leaks, and the linkage
truth kept apart. Everything written says it is synthetic (MANIFEST.json, the JSON
payload, workbook properties).

    build_council_systems(out_dir, seed=20150401) -> BuildSummary
    python -m social_progress.synthetic <out_dir> [--seed N] [--housing-url URL] [--revenues-url URL]
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .areas import BOROUGH, load_areas
from .calibration import ASSUMPTIONS, CALIBRATION, as_rows
from .canaries import CANARIES, CANARY_STRINGS
from .context import Context
from .gazetteer import build_gazetteer, outside_addresses
from .people import simulate_population
from .schemas import FILE_COLUMNS, HOUSING_TABLES, REVENUES_TABLES, SQL_TABLES, TRUTH_REF_COLUMNS
from .streams import day, stream, to_date
from .systems import SAMPLE_FRACTIONS, build_tables
from .truth import TRUTH_DIR, TRUTH_FILE, write_truth
from .writers import sqlite_url, write_csv, write_json, write_sql, write_xlsx

__all__ = ["build_council_systems", "BuildSummary", "CALIBRATION", "ASSUMPTIONS", "CANARIES",
           "CANARY_STRINGS", "SAMPLE_FRACTIONS"]

DEFAULT_SEED = 20150401
HOUSING_DB = "housing.sqlite"
REVENUES_DB = "revenues.sqlite"


@dataclass
class BuildSummary:
    out_dir: Path
    seed: int
    first_year: int
    last_year: int
    rows: dict[str, int] = field(default_factory=dict)      # table or file -> rows
    files: dict[str, int] = field(default_factory=dict)     # file -> bytes
    seconds: float = 0.0
    housing_url: str = ""
    revenues_url: str = ""
    population: dict[int, int] = field(default_factory=dict)  # synthetic residents on 30 June

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())

    def __str__(self) -> str:
        lines = [f"SYNTHETIC council systems for {BOROUGH}, {self.first_year}-{self.last_year}, seed {self.seed}",
                 f"written to {self.out_dir} in {self.seconds:.1f} s ({self.total_bytes / 1e6:.1f} MB)"]
        lines += [f"  {k:<32} {v:>9,} rows" for k, v in self.rows.items()]
        return "\n".join(lines)


def build_council_systems(out_dir: str | Path, *, seed: int = DEFAULT_SEED, first_year: int = 2015,
                          last_year: int = 2023, housing_url: str | None = None,
                          revenues_url: str | None = None, data_dir: str | Path | None = None) -> BuildSummary:
    """Generate every synthetic system into `out_dir` (same seed -> identical files)."""
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    areas = load_areas(Path(data_dir) if data_dir else None)
    gaz = build_gazetteer(areas, stream(seed, "gazetteer"))
    pop = simulate_population(areas, gaz, stream(seed, "people"), first_year, last_year)
    ctx = Context(seed, first_year, last_year, areas, gaz, pop, outside_addresses(areas, stream(seed, "outside")))
    population = {y: len(pop.at(day(y, 6, 30))) for y in range(first_year, last_year + 1)}
    tables, truth = build_tables(ctx)
    stamp = dt.datetime.combine(to_date(ctx.as_of), dt.time(6, 0))
    summary = BuildSummary(out, seed, first_year, last_year, population=population)

    # databases
    h_url = housing_url or sqlite_url(out / HOUSING_DB)
    r_url = revenues_url or sqlite_url(out / REVENUES_DB)
    for url, names in ((h_url, HOUSING_TABLES), (r_url, REVENUES_TABLES)):
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
        frames = {n: _sorted(tables[n], SQL_TABLES[n][0].name) for n in names}
        summary.rows.update(write_sql(url, frames))
    summary.housing_url, summary.revenues_url = _safe_url(h_url), _safe_url(r_url)

    # workbooks
    title = "SYNTHETIC {} - generated test data, not real people"
    books = (("social_care_children.xlsx", "episodes", "social_care_children", ["child_ref", "_start"], {}),
             ("social_care_adults.xlsx", "clients", "social_care_adults", ["client_ref", "_start"], {}),
             ("education_pupils.xlsx", "pupils", "education_pupils", ["upn", "academic_year"],
              {"date_of_birth": "date", "academic_year": "int", "sessions_possible": "int",
               "sessions_missed": "int", "fixed_term_exclusions": "int", "permanent_exclusion": "int",
               "ehc_plan": "int"}))
    for fname, sheet, name, key, kinds in books:
        f = _sorted(tables[name], key)
        summary.rows[name] = write_xlsx(out / fname, sheet, f, FILE_COLUMNS[name], kinds,
                                        title.format(name.replace("_", " ")), stamp)

    # CSV exports
    for name in ("crm_cases", "community_safety_incidents", "ncmp_measurements"):
        key = FILE_COLUMNS[name][0]
        summary.rows[name] = write_csv(out / f"{name}.csv", _sorted(tables[name], key), FILE_COLUMNS[name])
    llpg = gaz.llpg()
    summary.rows["llpg_addresses"] = write_csv(out / "llpg_addresses.csv", llpg, list(llpg.columns))

    # library API payloads
    flat = _sorted(tables["libraries_activity"], ["member_id", "year"])
    members, activity = _library_payloads(flat, stamp)
    write_json(out / "libraries_members.json", members)
    write_json(out / "libraries_activity.json", activity)
    summary.rows["libraries_members"] = len(members["members"])
    summary.rows["libraries_activity"] = len(activity)

    write_truth(out, truth)
    summary.rows["_truth/record_persons"] = len(truth)
    _write_manifest(out, summary, ctx, stamp)
    for p in sorted(out.rglob("*")):
        if p.is_file():
            summary.files[str(p.relative_to(out))] = p.stat().st_size
    summary.seconds = time.perf_counter() - t0
    return summary


def _sorted(frame: pd.DataFrame, key) -> pd.DataFrame:
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def _safe_url(url: str) -> str:
    """A URL without its password (for summaries)."""
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # pragma: no cover - defensive
        return url.split("://")[0] + "://..."


def _library_payloads(flat: pd.DataFrame, stamp: dt.datetime) -> tuple[dict, list]:
    cols = FILE_COLUMNS["libraries_activity"]
    person_cols = ["member_id", "first_name", "surname", "date_of_birth", "address_line", "postcode", "uprn",
                   "joined_date"]
    records = []
    for row in flat[list(cols)].itertuples(index=False, name=None):
        r = dict(zip(cols, row))
        for k in ("first_name", "surname", "date_of_birth", "address_line", "postcode", "uprn", "joined_date"):
            if isinstance(r[k], float):
                r[k] = None
        r["year"], r["visits"], r["loans"], r["active"] = int(r["year"]), int(r["visits"]), int(r["loans"]), bool(r["active"])
        records.append(r)
    members: list[dict] = []
    for r in records:
        if not members or members[-1]["member_id"] != r["member_id"]:
            m = {k: r[k] for k in person_cols}
            m["activity"] = []
            members.append(m)
        members[-1]["activity"].append({k: r[k] for k in ("year", "visits", "loans", "active")})
    from .libraries import LIBRARY_FRACTION
    payload = {"generated": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "synthetic": True,
               "note": "SYNTHETIC library members generated for testing; every person is invented.",
               "borough": BOROUGH, "sample_fraction": LIBRARY_FRACTION, "members": members}
    return payload, records


def _write_manifest(out: Path, summary: BuildSummary, ctx: Context, stamp: dt.datetime) -> None:
    databases = {}
    for system, db_file, names, where in (("housing", HOUSING_DB, HOUSING_TABLES, summary.housing_url),
                                          ("revenues", REVENUES_DB, REVENUES_TABLES, summary.revenues_url)):
        databases[system] = {"tables": {n: summary.rows[n] for n in names}}
        if where.startswith("sqlite"):
            databases[system]["file"] = db_file
        else:
            databases[system]["database"] = where.split("://")[0]
    files = {
        "social_care_children.xlsx": {"format": "xlsx", "sheet": "episodes", "rows": summary.rows["social_care_children"]},
        "social_care_adults.xlsx": {"format": "xlsx", "sheet": "clients", "rows": summary.rows["social_care_adults"]},
        "education_pupils.xlsx": {"format": "xlsx", "sheet": "pupils", "rows": summary.rows["education_pupils"]},
        "crm_cases.csv": {"format": "csv", "rows": summary.rows["crm_cases"]},
        "community_safety_incidents.csv": {"format": "csv", "rows": summary.rows["community_safety_incidents"]},
        "ncmp_measurements.csv": {"format": "csv", "rows": summary.rows["ncmp_measurements"]},
        "libraries_members.json": {"format": "json", "rows": summary.rows["libraries_members"]},
        "libraries_activity.json": {"format": "json", "rows": summary.rows["libraries_activity"]},
        "llpg_addresses.csv": {"format": "csv", "rows": summary.rows["llpg_addresses"], "personal_data": False},
        f"{TRUTH_DIR}/{TRUTH_FILE}": {"format": "csv", "rows": summary.rows["_truth/record_persons"],
                                     "use": "record-linkage evaluation only; never read as data"},
    }
    for system, d in databases.items():
        if "file" in d:
            files[d["file"]] = {"format": "sqlite", "tables": d["tables"]}
    manifest = {
        "synthetic": True,
        "note": "SYNTHETIC council record systems: every person, address line and record is invented. "
                "Postcodes and their coordinates are real (Code-Point Open); the shape of need across LSOAs "
                "follows the real IoD 2019.",
        "generator": "social_progress.synthetic",
        "borough": BOROUGH,
        "seed": summary.seed,
        "years": [summary.first_year, summary.last_year],
        "extract_date": stamp.date().isoformat(),
        "population_30_june": {str(y): n for y, n in summary.population.items()},
        "files": dict(sorted(files.items())),
        "databases": databases,
        "sample_fractions": SAMPLE_FRACTIONS,
        "truth_ref_columns": TRUTH_REF_COLUMNS,
        "calibration": as_rows(),
        "assumptions": ASSUMPTIONS,
        "canaries": f"{len(CANARIES)} planted canary identities (social_progress.synthetic.CANARY_STRINGS); "
                    "they must never appear in any output of the platform",
    }
    write_json(out / "MANIFEST.json", manifest)
