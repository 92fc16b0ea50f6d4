"""The framework definition: dimensions -> components -> indicators, with goalposts.

Dimensions and components are whatever the specs say (nothing is hard-coded), in the
order they first appear. Validation happens here, once, so the engine can trust the
framework; every error names the indicator (or component) and the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .errors import FrameworkError
from .transforms import PARAM_TRANSFORMS, TRANSFORMS, apply_transform

DIRECTIONS = ("higher_is_better", "lower_is_better")
WEIGHTINGS = ("equal", "pca", "fixed")
GOALPOST_SCALES = ("raw", "transformed")
_FIELDS = ("id", "name", "dimension", "component", "direction", "worst", "best",
           "transform", "transform_param", "weight", "floor", "ceiling")


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator. ``worst``/``best`` are the dystopia/utopia goalposts (see transforms.py
    for their scale); ``weight`` is only used when its component is weighted ``fixed``.
    ``floor``/``ceiling`` (raw units, optional) hold the value within bounds before the
    transform (transforms.bound); the ``cap`` transform remains a ceiling of its own."""

    id: str
    name: str
    dimension: str
    component: str
    direction: str
    worst: float
    best: float
    transform: str = "none"
    transform_param: float | None = None
    weight: float | None = None
    floor: float | None = None
    ceiling: float | None = None


def _num(value: Any, ind: str, fld: str, required: bool = True) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if required:
            raise FrameworkError(f"indicator {ind!r}: field {fld!r} is missing")
        return None
    if isinstance(value, bool):
        raise FrameworkError(f"indicator {ind!r}: field {fld!r} must be a number, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise FrameworkError(f"indicator {ind!r}: field {fld!r} must be a number, got {value!r}") from None
    if not math.isfinite(out):
        raise FrameworkError(f"indicator {ind!r}: field {fld!r} must be finite, got {value!r}")
    return out


def _str(value: Any, ind: str, fld: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
        raise FrameworkError(f"indicator {ind!r}: field {fld!r} is missing")
    return str(value)


def _validate_spec(s: IndicatorSpec, goalpost_scale: str) -> IndicatorSpec:
    ind = s.id if isinstance(s.id, str) and s.id else repr(s.id)
    sid = _str(s.id, ind, "id")
    name = _str(s.name, sid, "name") if s.name is not None else sid
    dim = _str(s.dimension, sid, "dimension")
    comp = _str(s.component, sid, "component")
    if s.direction not in DIRECTIONS:
        raise FrameworkError(f"indicator {sid!r}: field 'direction' must be one of {DIRECTIONS}, got {s.direction!r}")
    transform = "none" if s.transform is None else str(s.transform)
    if transform not in TRANSFORMS:
        raise FrameworkError(f"indicator {sid!r}: field 'transform' must be one of {TRANSFORMS}, got {transform!r}")
    param = _num(s.transform_param, sid, "transform_param", required=transform in PARAM_TRANSFORMS)
    worst = _num(s.worst, sid, "worst")
    best = _num(s.best, sid, "best")
    weight = _num(s.weight, sid, "weight", required=False)
    if weight is not None and weight < 0:
        raise FrameworkError(f"indicator {sid!r}: field 'weight' must be >= 0, got {weight}")
    floor = _num(s.floor, sid, "floor", required=False)
    ceiling = _num(s.ceiling, sid, "ceiling", required=False)
    if floor is not None and ceiling is not None and not floor < ceiling:
        raise FrameworkError(f"indicator {sid!r}: field 'floor' ({floor:g}) must be below field 'ceiling' "
                             f"({ceiling:g})")
    if goalpost_scale == "raw":
        with np.errstate(all="ignore"):
            fw, fb = (float(apply_transform(transform, v, param)) for v in (worst, best))
    else:
        fw, fb = worst, best
    if not (math.isfinite(fw) and math.isfinite(fb)):
        raise FrameworkError(
            f"indicator {sid!r}: goalposts worst={worst}, best={best} are outside the domain of "
            f"transform {transform!r}")
    if fw == fb:
        raise FrameworkError(f"indicator {sid!r}: worst equals best ({worst}) on the transformed scale; "
                             "scores would be undefined")
    if (fb > fw) != (s.direction == "higher_is_better"):
        raise FrameworkError(
            f"indicator {sid!r}: direction {s.direction!r} contradicts goalposts (worst={worst}, best={best}"
            + (f", transformed {fw:g} -> {fb:g}" if transform != "none" else "") + ")")
    return IndicatorSpec(sid, name, dim, comp, s.direction, worst, best, transform, param, weight, floor, ceiling)


@dataclass
class Framework:
    """Indicators plus how each component is weighted.

    ``weighting`` is the default for every component; ``component_weighting`` overrides it
    per component (e.g. ``{"Shelter": "equal"}``). ``fixed`` uses the specs' ``weight``
    (re-normalised to sum 1 within the component; a missing weight is an error).
    """

    indicators: list[IndicatorSpec]
    weighting: str = "pca"
    component_weighting: dict[str, str] | None = None
    goalpost_scale: str = "raw"
    # derived, filled in __post_init__
    dimensions: list[str] = field(init=False)
    components: list[str] = field(init=False)

    def __post_init__(self) -> None:
        if self.goalpost_scale not in GOALPOST_SCALES:
            raise FrameworkError(f"goalpost_scale must be one of {GOALPOST_SCALES}, got {self.goalpost_scale!r}")
        if not self.indicators:
            raise FrameworkError("framework has no indicators")
        specs = []
        for s in self.indicators:
            if not isinstance(s, IndicatorSpec):
                raise FrameworkError(f"framework indicators must be IndicatorSpec, got {type(s).__name__}")
            specs.append(_validate_spec(s, self.goalpost_scale))
        self.indicators = specs
        seen: set[str] = set()
        comp_dim: dict[str, str] = {}
        for s in specs:
            if s.id in seen:
                raise FrameworkError(f"indicator {s.id!r}: duplicated id")
            seen.add(s.id)
            if comp_dim.setdefault(s.component, s.dimension) != s.dimension:
                raise FrameworkError(
                    f"indicator {s.id!r}: component {s.component!r} is already in dimension "
                    f"{comp_dim[s.component]!r}, not {s.dimension!r}")
        if self.weighting not in WEIGHTINGS:
            raise FrameworkError(f"weighting must be one of {WEIGHTINGS}, got {self.weighting!r}")
        cw = dict(self.component_weighting or {})
        for comp, how in cw.items():
            if comp not in comp_dim:
                raise FrameworkError(f"component_weighting names unknown component {comp!r}")
            if how not in WEIGHTINGS:
                raise FrameworkError(f"component {comp!r}: weighting must be one of {WEIGHTINGS}, got {how!r}")
        self.component_weighting = cw
        self.components = list(dict.fromkeys(s.component for s in specs))
        self.dimensions = list(dict.fromkeys(s.dimension for s in specs))
        for comp in self.components:
            if self.weighting_of(comp) == "fixed":
                self._check_fixed(comp)

    # ---- lookups -------------------------------------------------------------------------
    @property
    def indicator_ids(self) -> list[str]:
        return [s.id for s in self.indicators]

    def weighting_of(self, component: str) -> str:
        return (self.component_weighting or {}).get(component, self.weighting)

    def indicators_of(self, component: str) -> list[IndicatorSpec]:
        return [s for s in self.indicators if s.component == component]

    def components_of(self, dimension: str) -> list[str]:
        return [c for c in self.components if self.indicators_of(c)[0].dimension == dimension]

    def dimension_of(self, component: str) -> str:
        return self.indicators_of(component)[0].dimension

    def _check_fixed(self, comp: str) -> None:
        for s in self.indicators_of(comp):
            if s.weight is None:
                raise FrameworkError(f"indicator {s.id!r}: component {comp!r} is weighted 'fixed' "
                                     "but field 'weight' is missing")
        if sum(s.weight for s in self.indicators_of(comp)) <= 0:
            raise FrameworkError(f"component {comp!r}: fixed weights sum to zero")

    # ---- construction --------------------------------------------------------------------
    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]] | pd.DataFrame, **kwargs: Any) -> "Framework":
        """Build from dicts / a DataFrame with IndicatorSpec's field names.
        Extra keys are ignored; missing optional keys take their defaults."""
        if isinstance(records, pd.DataFrame):
            records = records.to_dict(orient="records")
        specs = []
        for i, rec in enumerate(records):
            ind = rec.get("id", f"<record {i}>")
            for req in ("id", "dimension", "component", "direction", "worst", "best"):
                if req not in rec:
                    raise FrameworkError(f"indicator {ind!r}: field {req!r} is missing")
            kw = {k: rec.get(k) for k in _FIELDS if k in rec}
            kw.setdefault("name", rec["id"])
            if kw.get("transform") is None or (isinstance(kw.get("transform"), float) and math.isnan(kw["transform"])):
                kw["transform"] = "none"
            specs.append(IndicatorSpec(**kw))
        return cls(specs, **kwargs)

    def to_frame(self) -> pd.DataFrame:
        """The framework as a table (for publishing next to the scores)."""
        return pd.DataFrame([{f: getattr(s, f) for f in _FIELDS} | {"weighting": self.weighting_of(s.component)}
                             for s in self.indicators])

    def goalposts(self) -> tuple[np.ndarray, np.ndarray]:
        """(f(worst), f(best)) per indicator, on the transformed scale."""
        if self.goalpost_scale == "transformed":
            return (np.array([s.worst for s in self.indicators]), np.array([s.best for s in self.indicators]))
        fw = np.array([float(apply_transform(s.transform, s.worst, s.transform_param)) for s in self.indicators])
        fb = np.array([float(apply_transform(s.transform, s.best, s.transform_param)) for s in self.indicators])
        return fw, fb
