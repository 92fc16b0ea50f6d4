"""The borough against London: London's own score and the borough's rank among London's
boroughs, read from the latest published London layer (publish.london_layer).

Why from the layer and not from this borough's warehouse: a borough deployment scores its
own areas only; London's score and the other boroughs' scores exist only where the
London-wide run scored every borough (`social-progress london`, `make london`). The layer
is used only when it is on the same common framework as this release (the same goalposts,
directions, transforms and common London weights: publish.common_framework); otherwise the
release says why and compares nothing.

Every number here is the layer's: the borough's rank is among the boroughs the layer scored,
on the layer's scores, so the ranking is one consistent set (a borough scored on other data
than the rest is never slotted in). The borough's own common-framework score of this release
sits beside it in the table, so a layer older than the release's data shows as a difference.
Ties are judged on scores to one decimal place, as the explorer shows them ("=5th of 32").

`read_london_layer` and `london_layer_dir` are the reusable readers (other parts of the
release, e.g. London-relative targets, read the boroughs' values through them).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from social_progress.publish.common_framework import differences

#: environment variable naming the London layer's folder (its releases folder or one layer)
LAYER_ENV = "SPI_LONDON_LAYER_DIR"
LONDON_CODE = "E12000007"
MEASURE_TYPES = ("index", "dimension")
TABLE = "london_comparison.csv"
HOW_TO_GET = "run `make london` (the London-wide run, about 3 minutes) and then `make run`"


@dataclass(frozen=True)
class LondonLayer:
    """A published London layer, as read: its folder, boroughs.csv, london.csv (None when the
    layer has no London score) and metadata.json."""
    path: Path
    boroughs: pd.DataFrame
    london: pd.DataFrame | None
    metadata: dict
    published: str        # the day the layer was published (its metadata.json's date, UTC)
    fingerprint: str      # of boroughs.csv, london.csv and metadata.json

    @property
    def name(self) -> str:
        """The layer as its releases folder names it, e.g. E12000007/2021."""
        return f"{self.path.parent.name}/{self.path.name}"


def london_layer_dir(settings) -> Path:
    """Where the London-wide run publishes its layer: releases/E12000007 of the project
    (`social-progress london`), or SPI_LONDON_LAYER_DIR."""
    given = os.environ.get(LAYER_ENV)
    return Path(given).resolve() if given else Path(settings.project_root) / "releases" / LONDON_CODE


def read_london_layer(folder: Path) -> LondonLayer | None:
    """The latest London layer in `folder` (a releases folder holding `latest`, or a layer
    folder itself); None when there is none. A layer missing boroughs.csv or metadata.json is
    an error naming the file (a half-copied layer is not silently ignored)."""
    folder = Path(folder)
    layer = folder / "latest" if (folder / "latest").exists() else folder
    if not (layer / "metadata.json").exists() and not (layer / "boroughs.csv").exists():
        return None
    layer = layer.resolve()
    raw = {}
    for name in ("boroughs.csv", "metadata.json", "london.csv"):
        path = layer / name
        if path.exists():
            raw[name] = path.read_bytes()
        elif name != "london.csv":
            raise FileNotFoundError(f"{path}: the London layer in {layer} has no {name}; re-run `make london`")
    try:
        metadata = json.loads(raw["metadata.json"])
    except ValueError as exc:
        raise ValueError(f"{layer / 'metadata.json'}: not JSON ({exc})") from None
    read = lambda name: pd.read_csv(layer / name, dtype={"area_code": str, "area_name": str})  # noqa: E731
    boroughs = read("boroughs.csv")
    missing = {"area_code", "year", "measure_type", "measure", "score"} - set(boroughs.columns)
    if missing:
        raise ValueError(f"{layer / 'boroughs.csv'}: missing columns {', '.join(sorted(missing))}")
    london = read("london.csv") if "london.csv" in raw else None
    digest = hashlib.sha256()
    for name in sorted(raw):
        digest.update(name.encode() + b"\0" + hashlib.sha256(raw[name]).digest())
    day = dt.datetime.fromtimestamp((layer / "metadata.json").stat().st_mtime, dt.timezone.utc).date().isoformat()
    return LondonLayer(layer, boroughs, london, metadata, day, digest.hexdigest()[:16])


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_among(scores: pd.Series, code: str) -> tuple[int, bool, int] | None:
    """(rank, tied, of) of area `code` among `scores` (area code -> score, higher is better),
    judged to one decimal place: rank 1 + the number scoring more, tied when another scores
    the same. None when `code` has no score."""
    s = scores.dropna().round(1)
    if code not in s.index:
        return None
    mine = s[code]
    return int((s > mine).sum()) + 1, bool((s == mine).sum() > 1), int(len(s))


def rank_text(rank: int, tied: bool, of: int) -> str:
    return f"{'=' if tied else ''}{ordinal(rank)} of {of}"


def comparison_table(layer: LondonLayer, borough_code: str, release_common: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per year of the layer and measure (the index and its dimensions): London's own
    score (missing when the layer has none), the borough's score in the layer, its rank among
    the boroughs the layer scored and the text the explorer shows ("=5th of 32"), and the
    borough's score in this release's common framework (`release_common`: lad rows of
    scores_common, missing when not given)."""
    b = layer.boroughs[layer.boroughs["measure_type"].isin(MEASURE_TYPES)]
    lon = {}
    if layer.london is not None:
        lon = {(int(r.year), r.measure): r.score for r in layer.london.itertuples()}
    own = {}
    if release_common is not None:
        rc = release_common[(release_common["boundary"] == "lad") & (release_common["area_code"] == borough_code)]
        own = {(int(r.year), r.measure): r.score for r in rc.itertuples()}
    rows = []
    for (year, mtype, measure), g in b.groupby(["year", "measure_type", "measure"], sort=True):
        scores = g.set_index("area_code")["score"]
        r = rank_among(scores, borough_code)
        key = (int(year), measure)
        rows.append({"year": int(year), "measure_type": mtype, "measure": measure,
                     "london_score": lon.get(key), "borough_score": scores.get(borough_code),
                     "london_rank": r[0] if r else None, "tied": r[1] if r else None,
                     "boroughs_ranked": r[2] if r else int(scores.notna().sum()),
                     "rank_text": rank_text(*r) if r else None,
                     "release_common_score": own.get(key)})
    out = pd.DataFrame(rows, columns=["year", "measure_type", "measure", "london_score", "borough_score", "london_rank", "tied",
                                      "boroughs_ranked", "rank_text", "release_common_score"])
    order = {m: i for i, m in enumerate(MEASURE_TYPES)}
    out = out.sort_values(["year", "measure_type", "measure"], key=lambda s: s.map(order) if s.name == "measure_type" else s,
                          ignore_index=True)
    for c in ("london_score", "borough_score", "release_common_score"):
        out[c] = pd.to_numeric(out[c]).round(4)
    out["london_rank"] = out["london_rank"].astype("Int64")
    out["boroughs_ranked"] = out["boroughs_ranked"].astype("Int64")
    out["tied"] = out["tied"].astype("boolean")
    return out


@dataclass
class LondonComparison:
    """What a release says about London: its section (metadata.json sections.london_comparison
    and the explorer's first view) and the table, None when there is no comparison."""
    section: dict
    table: pd.DataFrame | None = None


def unavailable(note: str, **extra) -> LondonComparison:
    return LondonComparison({"available": False, "note": note, **extra})


def compare(layer: LondonLayer | None, *, borough_code: str, metadata: pd.DataFrame,
            common_weights: dict[str, float] | None, release_common: pd.DataFrame | None = None,
            release_years: list[int] | None = None) -> LondonComparison:
    """The comparison of borough `borough_code` with London from `layer`, if the layer is on
    this release's common framework (`metadata`: marts.indicator_metadata; `common_weights`:
    {indicator: weight} of catalogue/london_weights.yml), else why not."""
    if layer is None:
        return unavailable(f"no London layer has been published: {HOW_TO_GET}")
    where = {"layer": layer.name, "layer_published": layer.published, "layer_fingerprint": layer.fingerprint}
    framework = layer.metadata.get("framework")
    if not framework:
        return unavailable(f"the London layer {layer.name} (published {layer.published}) does not say which framework "
                           f"it was scored with (published by older code): {HOW_TO_GET}", **where)
    if common_weights is None:
        return unavailable("this release is not scored with the common London weights (index.weighting is not "
                           "`london`), so it is not on the London layer's framework", **where)
    diff = differences(framework, metadata, common_weights)
    if diff:
        return unavailable(f"the London layer {layer.name} (published {layer.published}) is not on this release's "
                           f"common framework ({len(diff)} differences, e.g. {'; '.join(diff[:3])}); not compared: "
                           f"{HOW_TO_GET}", differences=diff, **where)
    table = comparison_table(layer, borough_code, release_common)
    if release_years is not None:
        table = table[table["year"].isin(release_years)].reset_index(drop=True)
    if table.empty or table["london_rank"].isna().all():
        return unavailable(f"the London layer {layer.name} does not score {borough_code} in this release's years", **where)
    lon_note = (layer.metadata.get("london_score") or {}).get("note") if layer.london is not None else None
    by_year: dict = {}
    for r in table.itertuples():
        by_year.setdefault(str(r.year), {})[r.measure] = {
            "london": None if pd.isna(r.london_score) else float(r.london_score),
            "borough": None if pd.isna(r.borough_score) else float(r.borough_score),
            "rank": None if pd.isna(r.london_rank) else int(r.london_rank), "tied": None if pd.isna(r.tied) else bool(r.tied),
            "of": int(r.boroughs_ranked), "text": r.rank_text if isinstance(r.rank_text, str) else None}
    section = {
        "available": True, "file": TABLE, **where,
        "framework": {"name": "London common framework: open indicators, London-wide goalposts, the common London "
                              "weights (catalogue/london_weights.yml)",
                      "fingerprint": framework.get("fingerprint"), "weights_basis": layer.metadata.get("weights")},
        "london_value": ("London's own score: " + lon_note) if lon_note else
                        f"not in this London layer (published by older code; no london.csv): {HOW_TO_GET}",
        "ranking": "among the boroughs the London layer scores, on its scores to one decimal place (= marks a tie); "
                   "higher is better",
        "years": by_year,
    }
    section.update(_release_difference(table, framework, metadata))
    return LondonComparison(section, table)


def _release_difference(table: pd.DataFrame, framework: dict, metadata: pd.DataFrame) -> dict:
    """Where the borough's score in the layer and in this release's common framework differ
    (by more than 0.05), say why it can: the release's framework holds indicators London's
    lacks (e.g. a source covering this borough alone), or the layer was scored on other data."""
    gap = (table["borough_score"] - table["release_common_score"]).abs()
    if not (gap > 0.05).any():
        return {}
    rows = metadata[metadata["in_index"].astype(bool)] if "in_index" in metadata else metadata
    only_here = sorted(set(rows["indicator_id"].astype(str)) - set((framework.get("indicators") or {})))
    worst = table.loc[gap.idxmax()]
    return {"release_common_differs": {
        "largest": {"year": int(worst["year"]), "measure": worst["measure"], "layer": float(worst["borough_score"]),
                    "release": float(worst["release_common_score"])},
        "indicators_not_in_london_framework": only_here,
        "note": "borough_score (the London layer, on London's framework, used for the rank) differs from "
                "release_common_score (this release's common framework)"
                + (f", whose index also holds indicators London's framework lacks ({', '.join(only_here)})"
                   if only_here else ", scored on other data than the layer: run `make london`")}}


def for_release(settings, cfg, wh) -> LondonComparison:
    """The comparison for the release the settings point at: the latest London layer in
    london_layer_dir(settings), checked against the release's indicators (`wh.metadata`) and
    the common weights it scores with (catalogue/london_weights.yml when index.weighting is
    london). A layer that cannot be read is reported, never fatal to the borough's release."""
    from social_progress.index.errors import FrameworkError
    from social_progress.index.london_weights import load_common_weights

    folder = london_layer_dir(settings)
    try:
        layer = read_london_layer(folder)
    except (OSError, ValueError) as exc:
        return unavailable(f"the London layer in {folder.name} could not be read ({exc}): {HOW_TO_GET}")
    weights = None
    if cfg.index.weighting == "london":
        try:
            weights = load_common_weights(settings.catalogue_dir / "london_weights.yml").weights
        except FrameworkError as exc:
            return unavailable(f"the common London weights could not be read ({exc})")
    release_common = wh.scores_common if wh.scores_common is not None else wh.scores
    return compare(layer, borough_code=cfg.borough.code, metadata=common_metadata(settings, wh.metadata),
                   common_weights=weights, release_common=release_common, release_years=list(wh.years))


def common_metadata(settings, metadata: pd.DataFrame) -> pd.DataFrame:
    """The indicator metadata of the release's common framework: its council indicators (on
    sources of origin `council`, which exist for this borough alone) out of the index, as the
    index asset scores marts.index_scores_common."""
    from social_progress.catalogue import indicators_on_sources, load_catalogue

    sources = load_catalogue(settings.sources_path).sources
    own = set(indicators_on_sources(metadata, [s.id for s in sources if s.origin == "council"]))
    return metadata.assign(in_index=metadata["in_index"].astype(bool) & ~metadata["indicator_id"].isin(own))


def layer_version(settings) -> str:
    """A short hash of the latest London layer's files (or "none"): part of the publish
    asset's code version, so a newly published layer makes the release stale."""
    try:
        layer = read_london_layer(london_layer_dir(settings))
    except (OSError, ValueError):
        return "unreadable"
    return layer.fingerprint if layer is not None else "none"
