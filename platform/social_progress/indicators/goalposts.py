"""Suggest an indicator's worst and best values (goalposts) from the warehouse, and write
them into the indicator's YAML.

Why here: the goalposts are the London LSOA 1st and 99th percentiles of the raw value in
the source's latest year (unless the YAML names a policy value). Reading them needs every
London source area, which the indicator tables do not keep: the model, compiled with
`--vars '{goalpost_rows: true}'`, adds them (area_level `london_lsoa11` / `london_lsoa21`).
The compiled SQL runs read-only against the warehouse, so nothing is built or changed;
dbt compiles against a throwaway DuckDB file of the same name into a temporary target, so
the project's own manifest is untouched.

`social-progress goalposts <indicator> [--write]` (goalposts_command) prints the suggestion
and, with --write, puts worst, best and worst_best_basis into
`dbt_project/models/indicators/<component>/<indicator>.yml`.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
from pathlib import Path

import duckdb
import yaml

from social_progress.borough import LONDON_CODE

BASIS_SUFFIX = "raw scale; suggested by social-progress goalposts"


class GoalpostError(RuntimeError):
    """The indicator cannot be compiled or has no London source rows to read."""


# --- the per-indicator YAML, dumped one deterministic way ---------------------------------

class _Dumper(yaml.SafeDumper):
    """Block style, except short lists of scalars (sources, value_range) in flow style."""


def _represent_list(dumper: yaml.SafeDumper, data: list):
    flow = all(not isinstance(v, (dict, list)) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def dump_indicator_yaml(doc: dict, header: str = "") -> str:
    """The text of an indicator's YAML file: `header` (comment lines) then `doc`."""
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False)
    return header + body


def _split_header(text: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and (lines[n].startswith("#") or not lines[n].strip()):
        n += 1
    return "".join(lines[:n]), "".join(lines[n:])


def indicator_yaml_path(project_dir: Path, indicator_id: str) -> Path:
    found = sorted((Path(project_dir) / "models" / "indicators").glob(f"*/{indicator_id}.yml"))
    if not found:
        raise GoalpostError(f"no YAML for indicator {indicator_id!r}: expected "
                            f"models/indicators/<component>/{indicator_id}.yml in {project_dir}")
    return found[0]


# --- reading the warehouse ------------------------------------------------------------------

def _round(x: float, digits: int = 3) -> float:
    """x to `digits` significant figures (the precision the YAML goalposts are written in)."""
    if x == 0 or not math.isfinite(x):
        return float(x)
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


def compile_goalpost_sql(indicator_id: str, project_dir: Path, duckdb_path: Path, dbt_executable: str,
                         vars: dict) -> tuple[str, dict]:
    """The indicator model's SQL compiled with goalpost_rows, and its meta.indicator."""
    project_dir = Path(project_dir)
    with tempfile.TemporaryDirectory(prefix="goalposts_") as tmp:
        tmp = Path(tmp)
        # dbt connects while compiling: give it an empty file of the warehouse's name, so the
        # compiled SQL names the warehouse's catalog and the warehouse itself is never opened
        env = {**os.environ, "SPI_DUCKDB_PATH": str(tmp / Path(duckdb_path).name),
               "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        proc = subprocess.run(
            [dbt_executable, "compile", "--quiet", "--select", indicator_id,
             "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
             "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs"),
             "--vars", json.dumps({**vars, "goalpost_rows": True})],
            env=env, capture_output=True, text=True, timeout=600)
        manifest_file = tmp / "target" / "manifest.json"
        if proc.returncode != 0 or not manifest_file.exists():
            raise GoalpostError(f"dbt compile of {indicator_id} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        manifest = json.loads(manifest_file.read_text())
    node = next((n for n in manifest["nodes"].values()
                 if n["resource_type"] == "model" and n["name"] == indicator_id), None)
    if node is None or not node.get("compiled_code"):
        raise GoalpostError(f"{indicator_id} is not a model of {project_dir}")
    meta = node.get("config", {}).get("meta", {}).get("indicator")
    if not meta:
        raise GoalpostError(f"{indicator_id} has no meta.indicator in its YAML: not an indicator model")
    return node["compiled_code"], meta


def suggest_goalposts(indicator_id: str, project_dir: Path, duckdb_path: Path, dbt_executable: str,
                      vars: dict, year: int | None = None) -> dict:
    """Suggested worst and best for an indicator: the 1st and 99th percentiles (continuous)
    of the raw value over the London source areas of its latest source year (or `year`),
    worst at the bad end given meta direction. Returns indicator_id, direction, year,
    boundary, n_areas, p01, p99, worst, best (3 significant figures), current worst/best
    and worst_best_basis."""
    sql, meta = compile_goalpost_sql(indicator_id, project_dir, duckdb_path, dbt_executable, vars)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        rows = con.execute(
            f"select area_level, area_code, year, value from ({sql}\n) where area_level like 'london_%' "
            f"and value is not null").fetchall()
    if not rows:
        raise GoalpostError(f"{indicator_id}: no London source rows with a value (is the warehouse built?)")
    years = sorted({r[2] for r in rows if r[2] is not None})
    if year is None:
        year = years[-1]
    elif year not in years:
        raise GoalpostError(f"{indicator_id}: no source rows in {year}; years with rows: {years}")
    values = [r[3] for r in rows if r[2] == year]
    boundaries = sorted({r[0].removeprefix("london_") for r in rows if r[2] == year})
    with duckdb.connect() as con:
        p01, p99 = con.execute("select quantile_cont(v, 0.01), quantile_cont(v, 0.99) from unnest(?) t(v)",
                               [values]).fetchone()
    direction = meta.get("direction")
    if direction not in ("higher_is_better", "lower_is_better"):
        raise GoalpostError(f"{indicator_id}: meta.indicator.direction must be higher_is_better or "
                            f"lower_is_better, got {direction!r}")
    low, high = _round(p01), _round(p99)
    worst, best = (high, low) if direction == "lower_is_better" else (low, high)
    # a model cut to the deployed borough has only its own areas, unless the deployment is
    # London itself (the London-wide run: SPI_BOROUGH=E12000007), where they are all London's
    london = meta.get("comparators", True) is not False or vars.get("borough_code") == LONDON_CODE
    where = "London" if london else "borough"
    areas = " and ".join(b.upper() + "s" for b in boundaries)
    end = "worst = 99th" if direction == "lower_is_better" else "worst = 1st"
    basis = (f"{where[0].upper() + where[1:]} LSOA 1st and 99th percentiles ({end}), {year}, "
             f"{len(values)} {where} {areas}; {BASIS_SUFFIX}")
    return {"indicator_id": indicator_id, "direction": direction, "year": year, "boundary": ",".join(boundaries),
            "n_areas": len(values), "p01": p01, "p99": p99, "worst": worst, "best": best,
            "current_worst": meta.get("worst"), "current_best": meta.get("best"),
            "current_basis": meta.get("worst_best_basis"), "worst_best_basis": basis}


# --- writing the YAML -----------------------------------------------------------------------

def write_goalposts(yml_path: Path, indicator_id: str, suggestion: dict) -> None:
    """Put suggestion's worst, best and worst_best_basis into the indicator's YAML; the rest
    of the file (and a leading comment block) is kept, the file regenerated one fixed way."""
    yml_path = Path(yml_path)
    header, body = _split_header(yml_path.read_text())
    doc = yaml.safe_load(body)
    model = next((m for m in doc.get("models", []) if m.get("name") == indicator_id), None)
    if model is None:
        raise GoalpostError(f"{yml_path} has no model {indicator_id!r}")
    ind = model.setdefault("config", {}).setdefault("meta", {}).setdefault("indicator", {})
    for key in ("worst", "best", "worst_best_basis"):
        ind[key] = suggestion[key]
    yml_path.write_text(dump_indicator_yaml(doc, header))


# --- the command ----------------------------------------------------------------------------

def format_suggestion(s: dict) -> str:
    def fmt(v):
        return "-" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v))
    rows = [("indicator", s["indicator_id"]), ("direction", s["direction"]),
            ("year", s["year"]), ("source areas", f"{s['n_areas']} ({s['boundary']})"),
            ("1st percentile", s["p01"]), ("99th percentile", s["p99"])]
    out = [f"{k:<16} {fmt(v)}" for k, v in rows]
    out += ["", f"{'':<16} {'suggested':>12} {'current':>12}",
            f"{'worst':<16} {fmt(s['worst']):>12} {fmt(s['current_worst']):>12}",
            f"{'best':<16} {fmt(s['best']):>12} {fmt(s['current_best']):>12}",
            "", f"basis (suggested) {s['worst_best_basis']}", f"basis (current)   {fmt(s['current_basis'])}"]
    if s["current_basis"] and "percentile" not in str(s["current_basis"]).lower():
        out.append("note: the current goalposts are a policy choice, not percentiles; --write replaces them")
    return "\n".join(out)


def goalposts_command(indicator_id: str, write: bool, settings, year: int | None = None) -> int:
    """`social-progress goalposts <indicator> [--write]`: print the suggestion; with write,
    store it in the indicator's YAML. Returns the exit code."""
    from social_progress.dbt_project import dbt_executable, dbt_vars

    try:
        yml = indicator_yaml_path(settings.dbt_project_dir, indicator_id)
        if not Path(settings.duckdb_path).exists():
            raise GoalpostError(f"{settings.duckdb_path} does not exist: build the warehouse first (make run)")
        s = suggest_goalposts(indicator_id, settings.dbt_project_dir, settings.duckdb_path, dbt_executable(),
                              dbt_vars(settings), year=year)
    except GoalpostError as e:
        print(f"goalposts: {e}")
        return 1
    print(format_suggestion(s))
    if write:
        write_goalposts(yml, indicator_id, s)
        print(f"\nwrote worst, best and worst_best_basis to {yml}")
    else:
        print(f"\n(not written: add --write to store them in {yml})")
    return 0
