"""The deployment's borough, comparators and index years (catalogue/areas.yml).

Why: the same platform serves any London borough; everything borough-specific is read
from this one small file rather than written into code or SQL. `SPI_BOROUGH=<E09 code>`
chooses another borough without editing it: the borough's name comes from the bundled
London borough boundaries and its comparators are the boroughs that share a boundary with
it (the file's `comparators` belong to the file's borough); years, weighting and the rest
stay as the file says.

`SPI_BOROUGH=E12000007` (London's code) deploys the whole of London instead: every London
borough's LSOAs and wards are reporting areas, the 33 boroughs are the borough level, there
are no comparators, and the index weights estimated there are the common London weights
every borough deployment scores with (social_progress.index.london_weights).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from social_progress.catalogue.models import Owner


#: London's GSS code (region E12000007): deploying it builds the London-wide layer
LONDON_CODE = "E12000007"
LONDON_NAME = "London"


class Borough(BaseModel):
    code: str
    name: str

    @field_validator("code")
    @classmethod
    def _gss(cls, v: str) -> str:
        if not (re.fullmatch(r"E09\d{6}", v) or v == LONDON_CODE):
            raise ValueError(f"{v!r} is not a London borough GSS code (E09 + 6 digits) or London ({LONDON_CODE})")
        return v


class IndexAudit(BaseModel):
    """The audit of the index (social_progress.index.audit): what every component must
    meet on the pooled data its weights are estimated on, and what a breach does: `block`
    fails the index's blocking check `index_audit` (no release), `warn` reports it."""
    mode: str = Field(default="block", pattern="^(block|warn)$")
    min_indicators: int = Field(default=3, ge=1, le=100)
    # Cronbach's alpha; alpha_justified where an indicator's YAML gives the component an audit_justification
    alpha: float = Field(default=0.7, ge=0, le=1)
    alpha_justified: float = Field(default=0.6, ge=0, le=1)
    kmo: float = Field(default=0.5, ge=0, le=1)
    # no two indicators of a component correlated above this (absolute value): redundant
    max_correlation: float = Field(default=0.9, gt=0, le=1)
    # the sensitivity analysis over the method's choices (index.audit.SCENARIOS)
    scenarios: bool = True


class IndexYears(BaseModel):
    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)
    max_carry_forward_years: int = Field(default=4, ge=0, le=20)
    # equal: the same weight for each indicator of a component; pca: principal-component weights.
    # london: the common weights of catalogue/london_weights.yml (estimated by the London-wide run).
    weighting: str = Field(default="pca", pattern="^(equal|pca|london)$")
    # A year is scored when at least this share of index indicators has real data on or
    # before it; the rest are imputed (flagged) by the engine.
    min_indicator_coverage: float = Field(default=0.75, gt=0, le=1)
    # A component (area, year) is scored when at most this share of its indicators is
    # imputed (held from the area's own other years or by regression) rather than observed.
    max_missing_component_share: float = Field(default=0.5, ge=0, le=1)
    # The scores principal-component weights are estimated on: observed (pairwise-complete
    # correlations of observed values) or imputed (after imputation: every pair of indicators
    # has a correlation, even two snapshot sources of different years).
    pca_data: str = Field(default="observed", pattern="^(observed|imputed)$")
    # Monte Carlo runs of the sensitivity analysis (rank intervals); 0 turns it off.
    sensitivity_runs: int = Field(default=200, ge=0, le=5000)
    # the audit: coherence of each component, effective weights, sensitivity to the method
    audit: IndexAudit = Field(default_factory=IndexAudit)


class Disclosure(BaseModel):
    """Statistical disclosure control of indicators built from personal data."""
    # counts below this are suppressed (with complementary cells, so none can be recovered)
    threshold: int = Field(default=5, ge=1, le=100)
    # round published counts of personal indicators to this base (e.g. 5); None: no rounding
    rounding_base: int | None = Field(default=None, ge=2, le=100)


class AreaConfig(BaseModel):
    borough: Borough
    comparators: list[str] = []
    index: IndexYears
    index_owner: Owner
    # the people behind the steward roles that catalogue/sources.yml names (`steward: housing`):
    # they fetch each source and are alerted when it fails (social_progress.catalogue.stewards)
    stewards: dict[str, Owner] = {}
    disclosure: Disclosure = Disclosure()
    # the boroughs whose areas are reported: the borough itself, or all 33 for London
    members: list[str] = []

    @field_validator("stewards")
    @classmethod
    def _roles(cls, v: dict[str, Owner]) -> dict[str, Owner]:
        bad = [role for role in v if not re.fullmatch(r"[a-z][a-z0-9_]*", role)]
        if bad:
            raise ValueError(f"steward role(s) {bad} are not keys (lower case letters, digits, _)")
        return v

    @property
    def boroughs(self) -> list[str]:
        return list(self.members) or [self.borough.code]

    @property
    def is_london(self) -> bool:
        return self.borough.code == LONDON_CODE


class AreaConfigError(ValueError):
    pass


BOROUGH_VAR = "SPI_BOROUGH"
#: the London borough boundaries (LAD 2022) in the bundle: names and neighbours
LONDON_BOROUGHS_FILE = Path("geography") / "london_lad22_gen20.geojson"


def area_config(settings, env: Mapping[str, str] | None = None) -> AreaConfig:
    """The deployment's configuration: catalogue/areas.yml, with SPI_BOROUGH applied."""
    env = os.environ if env is None else env
    cfg = load_area_config(settings.areas_path)
    code = (env.get(BOROUGH_VAR) or "").strip().upper()
    if not code or code == cfg.borough.code:
        return cfg
    boroughs = london_boroughs(Path(settings.data_dir) / LONDON_BOROUGHS_FILE)
    if code == LONDON_CODE:
        return cfg.model_copy(update={"borough": Borough(code=code, name=LONDON_NAME), "comparators": [],
                                      "members": sorted(boroughs)})
    if code not in boroughs:
        known = ", ".join(f"{c} {n}" for c, (n, _) in sorted(boroughs.items()))
        raise AreaConfigError(f"{BOROUGH_VAR}={code} is not a London borough in {LONDON_BOROUGHS_FILE}; one of: {known} "
                              f"(or {LONDON_CODE} for the whole of London)")
    name, neighbours = boroughs[code]
    return cfg.model_copy(update={"borough": Borough(code=code, name=name), "comparators": list(neighbours)})


def coverage_gaps(sources, cfg: AreaConfig) -> dict[str, list[str]]:
    """{source id: the deployment's boroughs it does not cover} for the sources that cover
    the deployment as a whole (a London-wide run: the Met's crime files lack the City). A
    source that does not cover the deployment at all leaves its framework instead."""
    gaps = {s.id: [b for b in cfg.boroughs if not s.covers(b)] for s in sources if s.covers(cfg.borough.code)}
    return {k: v for k, v in gaps.items() if v}


def area_config_version(settings) -> str:
    """A short hash of the effective configuration: part of the code version of every asset
    that depends on the borough, so choosing another borough makes them stale. The stewards
    are left out: who is alerted about a source does not change any data."""
    return hashlib.sha256(area_config(settings).model_dump_json(exclude={"stewards"}).encode()).hexdigest()[:16]


@lru_cache(maxsize=4)
def london_boroughs(path: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """code -> (name, codes of the boroughs sharing a boundary), from the borough polygons.

    Two boroughs are neighbours when their generalised boundaries come within 50 m (the
    polygons are generalised to 20 m, so shared edges do not meet exactly)."""
    from shapely.geometry import shape
    from shapely.strtree import STRtree

    try:
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    except FileNotFoundError:
        raise AreaConfigError(f"{path}: file not found (the London borough boundaries)") from None
    codes = [f["properties"]["LAD22CD"] for f in features]
    names = [f["properties"]["LAD22NM"] for f in features]
    shapes = [shape(f["geometry"]) for f in features]
    tree = STRtree(shapes)
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for i, geom in enumerate(shapes):
        near = tree.query(geom, predicate="dwithin", distance=_metres(geom, 50.0))
        out[codes[i]] = (names[i], tuple(sorted(codes[j] for j in near if j != i)))
    return out


def _metres(geom, metres: float) -> float:
    """`metres` in the geometry's units (the bundle's borough file is in lon/lat degrees)."""
    minx, miny, maxx, maxy = geom.bounds
    return metres if max(abs(minx), abs(maxx)) > 1000 else metres / 111_000.0


def load_area_config(path: Path) -> AreaConfig:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AreaConfigError(f"{path}: file not found") from None
    try:
        cfg = AreaConfig.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise AreaConfigError(f"{path}: field '{field}': {first['msg']}") from None
    if cfg.index.first_year > cfg.index.last_year:
        raise AreaConfigError(f"{path}: field 'index.first_year' is after 'index.last_year'")
    return cfg
