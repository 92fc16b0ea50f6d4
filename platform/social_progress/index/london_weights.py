"""Common London weights: principal-component weights estimated once, on London's LSOAs.

Why: weights estimated on one borough's 110 LSOAs differ from borough to borough (33
deployments, 33 weight sets, scores on 33 scales), and a measure the IoD publishes per
district (homelessness) does not vary within a borough at all. The London-wide run
(`social-progress london`) estimates the weights on every London LSOA 2011 and year and
writes them to `catalogue/london_weights.yml`, a reviewable file like the goalposts; a
deployment with `index.weighting: london` scores every component with those weights, so a
ward in Newham and a ward in Barking and Dagenham are on one scale.

A component the file does not fully cover (an indicator with no London-wide data, e.g. a
borough-only extract, or added since the weights were estimated) is weighted equally
within it, and the diagnostics say which indicators lacked a London weight. Weights of a
component's indicators present in the deployment are renormalised to sum to 1 (an
indicator a borough's sources do not cover leaves its framework).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from .errors import FrameworkError
from .framework import Framework

WEIGHTS_FILE = Path("catalogue") / "london_weights.yml"


@dataclass
class CommonWeights:
    weights: dict[str, float]                 # indicator_id -> weight within its component
    components: dict[str, str]                # indicator_id -> component it was estimated in
    basis: dict = field(default_factory=dict)  # where and when they were estimated


def load_common_weights(path: Path) -> CommonWeights:
    """The weights file, checked: every weight a number >= 0, each component summing to 1."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise FrameworkError(f"{path}: file not found; run `social-progress london --write-weights` "
                             "(the London-wide run estimates the common weights)") from None
    weights, components = {}, {}
    for comp, entry in (raw.get("components") or {}).items():
        ws = (entry or {}).get("weights") or {}
        for ind, w in ws.items():
            if not isinstance(w, (int, float)) or w < 0:
                raise FrameworkError(f"{path}: component {comp!r}, indicator {ind!r}: weight must be a number >= 0")
            weights[str(ind)], components[str(ind)] = float(w), str(comp)
        total = sum(float(w) for w in ws.values())
        if ws and abs(total - 1.0) > 1e-3:
            raise FrameworkError(f"{path}: component {comp!r}: weights sum to {total:.4f}, not 1")
    if not weights:
        raise FrameworkError(f"{path}: no weights")
    return CommonWeights(weights, components, raw.get("basis") or {})


def with_common_weights(framework: Framework, common: CommonWeights,
                        borough_estimated: frozenset[str] = frozenset()) -> tuple[Framework, dict[str, list[str]]]:
    """The framework weighted `fixed` with the common weights where they cover a component,
    `equal` where they do not; returns it and {component: indicators without a London weight}.

    A component holding an indicator of `borough_estimated` (the council's own indicators,
    which exist for this borough only, so London has no weight for them) is weighted `pca`:
    principal components estimated on this borough's own LSOAs and years."""
    missing: dict[str, list[str]] = {}
    specs = []
    for s in framework.indicators:
        w = common.weights.get(s.id)
        if w is None or common.components.get(s.id) != s.component:
            missing.setdefault(s.component, []).append(s.id)
        specs.append(replace(s, weight=w))
    own = {s.component for s in framework.indicators if s.id in borough_estimated}
    weighting = {c: ("pca" if c in own else "equal" if c in missing else "fixed") for c in framework.components}
    # a component whose common weights are all zero for the indicators present cannot be fixed
    for c in framework.components:
        if weighting[c] == "fixed" and sum(common.weights[s.id] for s in framework.indicators_of(c)) <= 0:
            weighting[c] = "equal"
            missing.setdefault(c, [])
    return Framework(specs, weighting=framework.weighting, component_weighting=weighting,
                     goalpost_scale=framework.goalpost_scale), missing


def weights_document(weights: pd.DataFrame, diagnostics: pd.DataFrame, basis: dict) -> dict:
    """The YAML document of the weights a London-wide run estimated (marts.index_weights)."""
    method = dict(zip(diagnostics["component"].astype(str), diagnostics["weighting"].astype(str)))
    doc = {"basis": basis, "components": {}}
    for comp, grp in weights.groupby(weights["component"].astype(str), sort=True):
        doc["components"][comp] = {
            "method": method.get(comp, "pca"),
            "weights": {str(r.indicator_id): round(float(r.weight), 6) for r in grp.itertuples()},
        }
    return doc


def write_common_weights(path: Path, doc: dict) -> None:
    """Write the weights file atomically, with a header saying where it comes from."""
    path = Path(path)
    header = ("# Common London weights of each indicator within its component, estimated by the\n"
              "# London-wide run on every London LSOA 2011 and year (social-progress london --write-weights).\n"
              "# Every deployment with index.weighting: london scores with them. Do not edit by hand.\n")
    tmp = path.with_suffix(".yml.tmp")
    tmp.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    tmp.replace(path)


def estimated_basis(db: Path, pca_data: str, dated: bool = True) -> dict:
    """Where the London-wide run in warehouse `db` estimated its weights: areas, years,
    method (and, when `dated`, the day)."""
    from social_progress.warehouse import read_table

    years = read_table(db, "SELECT year FROM marts.index_years")["year"].tolist()
    n = read_table(db, "SELECT count(*) AS n FROM geography.areas WHERE boundary = 'lsoa11'")["n"][0]
    basis = {"areas": f"{int(n)} London LSOA 2011", "years": f"{min(years)}-{max(years)}",
             "method": "first principal component of the correlations of the indicator scores ("
                       + ("after imputation" if pca_data == "imputed" else "observed values")
                       + "), pooled over LSOAs and years (equal weights where a loading is negative)"}
    if dated:
        import time
        basis["estimated"] = time.strftime("%Y-%m-%d")
    return basis


def write_weights_from_warehouse(db: Path, path: Path, pca_data: str) -> tuple[int, dict]:
    """Write the weights a London-wide run estimated (marts.index_weights) to `path`;
    returns (number of indicators, basis)."""
    from social_progress.warehouse import read_table

    weights = read_table(db, "SELECT * FROM marts.index_weights")
    diagnostics = read_table(db, "SELECT * FROM marts.index_diagnostics")
    basis = estimated_basis(db, pca_data)
    write_common_weights(path, weights_document(weights, diagnostics, basis))
    return len(weights), basis
