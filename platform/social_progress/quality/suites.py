"""Expectation suites as reviewable YAML files, loaded into checked objects.

Why YAML rather than GX's own JSON: a data engineer reads and reviews a suite like code,
each expectation with its severity and the reason it exists. The file is turned into
real Great Expectations expectations by `social_progress.quality.validate`.

A suite file:

    suite: crime                    # name (Data Docs, alerts, quality.check_results)
    asset: raw/crime                # the Dagster asset it checks
    owner: catalogue                # who is alerted: 'catalogue' (the source's steward: its role in
                                    # sources.yml, the person in areas.yml `stewards:`), 'index_owner'
                                    # (catalogue/areas.yml) or an email address
    source: crime                   # source suites: the catalogue id
    key: [LSOA11CD, _source_file]   # columns that identify a row (alerts, quarantine)
    personal_columns: []            # never copied into an alert or the quarantine
    types: {"2019": number}         # declared types; the `typed` batch holds these parsed
    period: {column: year}          # where a row's period is (freshness, coverage)
    coverage: {...}                 # completeness by area and period (the `coverage` batch)
    freshness: {lag_days: 365}      # the `freshness` batch: latest period against the cadence
    batches:
      rows:                         # one DataFrame per batch, built by quality.frames
        expectations:
          - type: expect_column_values_to_not_be_null
            kwargs: {column: LSOA11CD}       # or `columns: [a, b]`: one expectation per column
            severity: error                  # error blocks; warning is reported
            row_level: true                  # failing rows go to quality.quarantine
            why: Every row is keyed by an LSOA.

Values may be GX suite parameters, `{$PARAMETER: lsoa11_borough}`, filled at run time
(the code lists of the declared vintage and borough, the freshness bound).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

SEVERITIES = ("error", "warning")
OWNERS = ("catalogue", "index_owner")  # or an email address: that person is alerted
TYPES = ("number", "integer", "date", "text")
PERIOD_KINDS = ("column", "columns", "source_file", "column_pattern", "none")
_TOP = {"suite", "asset", "owner", "source", "key", "personal_columns", "types", "period", "coverage", "freshness",
        "batches", "description"}


class SuiteError(ValueError):
    pass


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict
    severity: str = "error"
    why: str = ""
    row_level: bool = False

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    @property
    def rule(self) -> str:
        """Short name of the rule, as in the quarantine table and alerts."""
        col = self.column or self.kwargs.get("column_list") or self.kwargs.get("column_set") or ""
        if isinstance(col, (list, tuple)):
            col = ",".join(map(str, col))
        if isinstance(col, dict):
            col = ""
        return f"{self.type}({col})"

    def to_gx(self, **meta):
        cls_name = "".join(part.capitalize() for part in self.type.split("_"))
        import great_expectations as gx  # imported when a suite is used, not when definitions load

        cls = getattr(gx.expectations, cls_name, None)
        if cls is None:
            raise SuiteError(f"unknown expectation type {self.type!r}")
        return cls(**ascii_patterns(self.kwargs), meta={"severity": self.severity, "why": self.why,
                                                         "row_level": self.row_level, **meta})


def ascii_digits(pattern: str) -> str:
    """``pattern`` with ``\\d`` read as 0-9: in Python's `re` it also matches full-width and
    Arabic-Indic digits, so `^E01\\d{6}$` would pass 'E0100０１２３' that no register holds (and
    that the postcode normaliser refuses). ``\\D`` becomes its complement; escaped
    backslashes and character classes are respected. (GX wraps the pattern, so the inline
    ASCII flag `(?a)`, which must come first, cannot be used.)"""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "d":
                out.append("0-9" if in_class else "[0-9]")
            elif nxt == "D" and not in_class:
                out.append("[^0-9]")
            else:
                out.append(c + nxt)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class and out and out[-1] not in ("[", "[^"):
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


def ascii_patterns(kwargs: dict) -> dict:
    """The expectation's regex arguments with ``\\d`` meaning ASCII digits (`ascii_digits`)."""
    out = dict(kwargs)
    for key in ("regex", "regex_list"):
        value = out.get(key)
        if isinstance(value, str):
            out[key] = ascii_digits(value)
        elif isinstance(value, list):
            out[key] = [ascii_digits(v) if isinstance(v, str) else v for v in value]
    return out


@dataclass(frozen=True)
class Suite:
    name: str
    asset: str
    owner: str
    batches: dict[str, list[ExpectationSpec]] = field(default_factory=dict)
    path: Path | None = None
    source: str | None = None
    key: tuple[str, ...] = ()
    personal_columns: tuple[str, ...] = ()
    types: dict = field(default_factory=dict)
    period: dict = field(default_factory=dict)
    coverage: dict = field(default_factory=dict)
    freshness: dict = field(default_factory=dict)

    @property
    def n_expectations(self) -> int:
        return sum(len(v) for v in self.batches.values())


def load_suite(path: Path) -> Suite:
    """Load and check a suite file (cached while the file is unchanged)."""
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise SuiteError(f"{path}: suite file not found") from None
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _load(path_s: str, _mtime: int, _size: int) -> Suite:
    path = Path(path_s)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SuiteError(f"{path}: suite file not found") from None
    except yaml.YAMLError as exc:
        raise SuiteError(f"{path}: not valid YAML: {exc}") from None
    for key in ("suite", "asset", "owner", "batches"):
        if key not in (raw or {}):
            raise SuiteError(f"{path}: missing field '{key}'")
    unknown = set(raw) - _TOP
    if unknown:
        raise SuiteError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
    if raw["owner"] == "catalogue" and not raw.get("source"):
        raise SuiteError(f"{path}: owner 'catalogue' needs field 'source' (the catalogue id)")
    types = {str(k): v for k, v in (raw.get("types") or {}).items()}
    for col, t in types.items():
        if t not in TYPES:
            raise SuiteError(f"{path}: field 'types.{col}': {t!r} is not one of {', '.join(TYPES)}")
    period = dict(raw.get("period") or {"none": True})
    kinds = [k for k in period if k in PERIOD_KINDS]
    if len(kinds) != 1:
        raise SuiteError(f"{path}: field 'period' needs exactly one of {', '.join(PERIOD_KINDS)}")
    batches: dict[str, list[ExpectationSpec]] = {}
    for batch, body in raw["batches"].items():
        specs = []
        for i, e in enumerate((body or {}).get("expectations", [])):
            where = f"{path}: batch '{batch}' expectation {i + 1}"
            if "type" not in e:
                raise SuiteError(f"{where}: missing field 'type'")
            severity = e.get("severity", "error")
            if severity not in SEVERITIES:
                raise SuiteError(f"{where}: field 'severity': {severity!r} is not one of {', '.join(SEVERITIES)}")
            extra = set(e) - {"type", "kwargs", "severity", "why", "row_level", "columns"}
            if extra:
                raise SuiteError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
            kwargs = dict(e.get("kwargs") or {})
            columns = [str(c) for c in e.get("columns", [])] or [None]
            for col in columns:
                kw = dict(kwargs, column=col) if col is not None else kwargs
                spec = ExpectationSpec(type=e["type"], kwargs=kw, severity=severity, why=e.get("why", ""),
                                       row_level=bool(e.get("row_level", False)))
                try:
                    spec.to_gx()
                except Exception as exc:  # a typo in a kwarg is caught at load, not mid-run
                    raise SuiteError(f"{where} ({e['type']}): {exc}") from None
                specs.append(spec)
        batches[str(batch)] = specs
    return Suite(name=raw["suite"], asset=raw["asset"], owner=raw["owner"], batches=batches, path=path,
                 source=raw.get("source"), key=tuple(map(str, raw.get("key") or ())),
                 personal_columns=tuple(map(str, raw.get("personal_columns") or ())), types=types, period=period,
                 coverage=dict(raw.get("coverage") or {}), freshness=dict(raw.get("freshness") or {}))


def suites_dir(project_root: Path) -> Path:
    return Path(project_root) / "expectations"


def source_suite_path(project_root: Path, source_id: str) -> Path:
    return suites_dir(project_root) / "sources" / f"{source_id}.yml"
