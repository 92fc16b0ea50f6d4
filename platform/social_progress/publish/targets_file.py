"""catalogue/targets.yml: the borough's targets, validated before anything is reported.

Why a schema: a target printed next to the Borough Manifesto's name is a claim about what the
council has decided. Each entry must say whether it was adopted (`status: adopted`, with the
document or decision it comes from) or is an illustration (`status: illustrative`, with who
drafted it and that it is not adopted), so a release can never present a draft as policy.
Errors name the file, the entry (its position and indicator) and the rule broken.

Three kinds of target:
- `absolute`: reach `target` (in the indicator's own unit) by `target_year`;
- `london_gap`: close `close_gap_share` of the gap to London's value of the indicator,
  as it was in `baseline_year`, by `target_year`;
- `london_rank`: be ranked `rank` or better among the 33 London boroughs by `target_year`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from social_progress.validation import describe_error, validate_entries

LONDON_BOROUGHS = 33
KINDS = ("absolute", "london_gap", "london_rank")
# the fields each kind needs; a field of another kind is refused rather than ignored
KIND_FIELDS = {"absolute": ("target",), "london_gap": ("close_gap_share", "baseline_year"), "london_rank": ("rank",)}


class TargetsError(ValueError):
    """targets.yml cannot be used; the message names the file, the entry and the rule."""


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(min_length=1)
    kind: Literal["absolute", "london_gap", "london_rank"] = "absolute"
    status: Literal["adopted", "illustrative"]
    source: str = Field(min_length=1)
    target_year: int = Field(ge=2000, le=2100)
    target: float | None = None
    close_gap_share: float | None = Field(default=None, gt=0, le=1)
    baseline_year: int | None = Field(default=None, ge=2000, le=2100)
    rank: int | None = Field(default=None, ge=1, le=LONDON_BOROUGHS)
    note: str = ""

    @field_validator("source")
    @classmethod
    def _source_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must name the document or decision the target comes from")
        return v.strip()

    @model_validator(mode="after")
    def _kind_fields(self) -> "Target":
        for kind, fields in KIND_FIELDS.items():
            for f in fields:
                given = getattr(self, f) is not None
                if kind == self.kind and not given:
                    raise ValueError(f"kind {self.kind} needs {f!r}")
                if kind != self.kind and given:
                    raise ValueError(f"{f!r} belongs to kind {kind}, not {self.kind}")
        if self.kind == "london_gap" and self.baseline_year >= self.target_year:
            raise ValueError(f"baseline_year {self.baseline_year} must come before target_year {self.target_year}")
        # an illustrative target must say so in its source, so no copy of the row (a CSV
        # opened alone) reads as an adopted one
        says_not_adopted = "not adopted" in self.source.lower()
        if self.status == "illustrative" and not says_not_adopted:
            raise ValueError("an illustrative target's source must say who drafted it and that it is 'not adopted'")
        if self.status == "adopted" and says_not_adopted:
            raise ValueError("status is adopted but the source says 'not adopted'")
        return self


class TargetsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    borough: str | None = Field(default=None, pattern=r"^E09\d{6}$")
    targets: list[dict] = Field(default_factory=list)


def _entry_name(entry, index: int) -> str:
    """"target 3 (crime_rate)": by position (1-based) and indicator, as an editor counts."""
    return f"target {index + 1} ({entry.get('indicator', '?')})" if isinstance(entry, dict) else f"target {index + 1}"


def _document(path: Path) -> TargetsFile:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TargetsError(f"{path.name}: not valid YAML: {exc}") from exc
    if doc is None:
        return TargetsFile()
    if not isinstance(doc, dict):
        raise TargetsError(f"{path.name}: expected a mapping with a 'targets' list at the top")
    try:
        return TargetsFile.model_validate(doc)
    except ValidationError as exc:
        raise TargetsError("\n".join(f"{path.name}: {describe_error(e)}" for e in exc.errors())) from exc


def targets_borough(path: Path) -> str | None:
    """The borough whose targets the file holds (its `borough:` code), None when it names none."""
    path = Path(path)
    return _document(path).borough if path.exists() else None


def parse_targets(entries: list, label: str = "targets.yml", known: set[str] | None = None) -> list[Target]:
    """Validate each entry; every problem of every entry in one TargetsError."""
    problems, out, seen = [], [], {}
    for index, name, t, invalid in validate_entries(entries, Target, _entry_name):
        i = index + 1
        if t is None:
            problems.extend(f"{label}: {name}: {what}" for what in invalid)
            continue
        if known is not None and t.indicator not in known:
            problems.append(f"{label}: {name}: unknown indicator {t.indicator!r} (not in the indicator catalogue, "
                            f"marts.indicator_metadata)")
            continue
        key = (t.indicator, t.kind, t.target_year)
        if key in seen:
            problems.append(f"{label}: {name}: same indicator, kind and target_year as target {seen[key]}")
            continue
        seen[key] = i
        out.append(t)
    if problems:
        raise TargetsError("\n".join(problems))
    return out


def load_targets(path: Path, known: set[str] | None = None, borough: str | None = None) -> list[Target]:
    """The validated targets in `path` (none when the file is absent); none when the file's
    `borough:` is not `borough` (a borough's targets are never reported for another).
    `known`: the indicator ids of the indicator catalogue; any other id is an error."""
    path = Path(path)
    if not path.exists():
        return []
    doc = _document(path)
    if borough is not None and doc.borough and doc.borough != borough:
        return []
    return parse_targets(doc.targets, path.name, known)
