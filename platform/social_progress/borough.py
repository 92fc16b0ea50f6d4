"""The deployment's borough, comparators and index years (catalogue/areas.yml).

Why: the same platform serves any London borough; everything borough-specific is read
from this one small file rather than written into code or SQL.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from social_progress.catalogue.models import Owner


class Borough(BaseModel):
    code: str
    name: str

    @field_validator("code")
    @classmethod
    def _gss(cls, v: str) -> str:
        if not re.fullmatch(r"E09\d{6}", v):
            raise ValueError(f"{v!r} is not a London borough GSS code (E09 + 6 digits)")
        return v


class IndexYears(BaseModel):
    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)
    max_carry_forward_years: int = Field(default=4, ge=0, le=20)
    # equal: the same weight for each indicator of a component; pca: principal-component weights.
    weighting: str = Field(default="pca", pattern="^(equal|pca)$")
    # A year is scored when at least this share of index indicators has real data on or
    # before it; the rest are imputed (flagged) by the engine.
    min_indicator_coverage: float = Field(default=0.75, gt=0, le=1)
    # Monte Carlo runs of the sensitivity analysis (rank intervals); 0 turns it off.
    sensitivity_runs: int = Field(default=200, ge=0, le=5000)


class AreaConfig(BaseModel):
    borough: Borough
    comparators: list[str] = []
    index: IndexYears
    index_owner: Owner


class AreaConfigError(ValueError):
    pass


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
