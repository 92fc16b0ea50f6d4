"""Expectation suites as reviewable YAML files, loaded into checked objects.

Why YAML rather than GX's own JSON: a data engineer reads and reviews a suite like code,
each expectation with its severity and the reason it exists. The file is turned into
real Great Expectations expectations by `social_progress.quality.validate`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import great_expectations as gx
import yaml

SEVERITIES = ("error", "warning")


class SuiteError(ValueError):
    pass


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict
    severity: str = "error"
    why: str = ""

    def to_gx(self):
        cls_name = "".join(part.capitalize() for part in self.type.split("_"))
        cls = getattr(gx.expectations, cls_name, None)
        if cls is None:
            raise SuiteError(f"unknown expectation type {self.type!r}")
        return cls(**self.kwargs, meta={"severity": self.severity, "why": self.why})


@dataclass(frozen=True)
class Suite:
    name: str
    asset: str
    owner: str
    batches: dict[str, list[ExpectationSpec]] = field(default_factory=dict)
    path: Path | None = None


def load_suite(path: Path) -> Suite:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SuiteError(f"{path}: suite file not found") from None
    for key in ("suite", "asset", "owner", "batches"):
        if key not in (raw or {}):
            raise SuiteError(f"{path}: missing field '{key}'")
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
            spec = ExpectationSpec(type=e["type"], kwargs=dict(e.get("kwargs", {})), severity=severity, why=e.get("why", ""))
            try:
                spec.to_gx()
            except Exception as exc:  # a typo in a kwarg is caught at load, not mid-run
                raise SuiteError(f"{where} ({e['type']}): {exc}") from None
            specs.append(spec)
        batches[batch] = specs
    return Suite(name=raw["suite"], asset=raw["asset"], owner=raw["owner"], batches=batches, path=path)
