"""The explorer inside a release: the static page plus its data, as release files.

The page (`social_progress/explorer/`: index.html, app.js, style.css, charts.js, and under
vendor/ the charting library charts.js loads, with its licence) is copied into the release;
its data is written beside it as scripts rather than JSON fetched at run time, so the page
works from any plain file server and even opened straight from disk (where a browser
refuses fetch() but runs a <script src>), with no internet.
Boundaries are projected here once (British National Grid, the boundaries' own projection,
scaled to the SVG's view box), so the browser needs no map library.

Why the data is split: the whole of it is tens of megabytes (a few gzipped), too much for a
phone to wait for. `data.js` and `geo.js` hold what every view needs (measures, area names,
the borough as a whole, its outline); each area set's figures for one year
(`data-<boundary>-<year>.js`: scores, progress against every earlier year, strengths and
weaknesses) and its map (`geo-<boundary>.js`) are parts that call `window.SPI_PART(...)`,
loaded by app.js when a view needs them. `data.js` lists the parts (`parts`: id -> file).
"""
from __future__ import annotations

import json
import math
from importlib.resources import files as package_files

import geopandas as gpd
import pandas as pd

from social_progress.geography.postcodes import AREAS_1, AREAS_2, normalise_series
from social_progress.publish.dictionary import FILES as FILE_DESCRIPTIONS
from social_progress.publish.explorer_series import series_files

STATIC = ["index.html", "app.js", "style.css", "charts.js"]
MAP_BOUNDARIES = [("ward22", "Wards (from May 2022)"), ("ward19", "Wards (before May 2022)"),
                  ("lsoa11", "Neighbourhoods (LSOA 2011)"), ("lsoa21", "Neighbourhoods (LSOA 2021)")]
VIEW_WIDTH = 1000.0
SUPPRESSION_CODES = {"suppressed_small_count": 1, "suppressed_secondary": 2}
# the borough as a whole: its section shows in every view, so it stays in data.js and geo.js
CORE_BOUNDARY = "lad"
# area sets whose names are written on the map (LSOAs are too many to label)
LABELLED_BOUNDARIES = ("ward22", "ward19")
# the postcode search (postcodes.js, loaded when someone first types a postcode): the areas
# a postcode opens, in order of preference
POSTCODE_FILE = "explorer/postcodes.js"
POSTCODE_BOUNDARIES = ("lsoa11", "ward22")


def static_files() -> dict[str, bytes]:
    root = package_files("social_progress") / "explorer"
    out = {}
    for name in STATIC:
        data = (root / name).read_bytes()
        out["index.html" if name == "index.html" else f"explorer/{name}"] = data
    vendor = root / "vendor"
    if vendor.is_dir():   # third-party code with its licence, one folder per library (vendor/<lib>/)
        def walk(folder, prefix):
            for f in sorted(folder.iterdir(), key=lambda p: p.name):
                if f.is_dir():
                    walk(f, f"{prefix}{f.name}/")
                elif f.is_file():
                    out[f"{prefix}{f.name}"] = f.read_bytes()
        walk(vendor, "explorer/vendor/")
    return out


def third_party() -> list[dict]:
    """The vendored libraries the explorer ships (vendor/<lib>/VENDORED.json: package, version,
    licence, registry integrity, files), for the release's attribution notice (metadata.json)."""
    vendor = package_files("social_progress") / "explorer" / "vendor"
    if not vendor.is_dir():
        return []
    out = []
    for lib in sorted(vendor.iterdir(), key=lambda p: p.name):
        record = lib / "VENDORED.json"
        if lib.is_dir() and record.is_file():
            out.append({**json.loads(record.read_text(encoding="utf-8")), "folder": f"explorer/vendor/{lib.name}/"})
    return out


def _num(x, digits=4):
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return None
    v = round(float(x), digits)
    return int(v) if v.is_integer() and abs(v) < 1e15 and digits == 0 else v + 0.0


def _s(x):
    return None if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)


def _projection(boundaries: gpd.GeoDataFrame):
    """The boundaries in British National Grid, and the map's view box: x from the left,
    y down from the top, VIEW_WIDTH wide. Returns (projected, to_view(x, y), height)."""
    b = boundaries.to_crs("EPSG:27700")
    minx, miny, maxx, maxy = b.total_bounds
    k = VIEW_WIDTH / (maxx - minx)
    return b, (lambda x, y: ((x - minx) * k, (maxy - y) * k)), round((maxy - miny) * k, 1)


def label_points(boundaries: gpd.GeoDataFrame) -> dict[str, dict[str, list[float]]]:
    """Where each ward's name goes on the map, in the view box's coordinates: its centroid
    when that falls inside the ward, else a point surely inside it (a crescent's centroid is not)."""
    b, to_view, _ = _projection(boundaries)
    out: dict[str, dict[str, list[float]]] = {}
    for r in b[b["boundary"].isin(LABELLED_BOUNDARIES)].sort_values(["boundary", "area_code"]).itertuples():
        c = r.geometry.centroid
        point = c if r.geometry.contains(c) else r.geometry.representative_point()
        x, y = to_view(point.x, point.y)
        out.setdefault(r.boundary, {})[r.area_code] = [round(x, 1), round(y, 1)]
    return out


def postcode_lookup(postcodes: pd.DataFrame, boundaries: gpd.GeoDataFrame, borough_code: str) -> dict | None:
    """The borough's postcodes (Code-Point Open centroids) -> the LSOA and ward holding each,
    found with the published boundaries themselves, so a postcode opens the area the map shows.

    {"boundaries": [...], "codes": {boundary: [area codes]}, "postcodes": {"RM10 7AB": [i, j]}}
    (i, j index the codes lists; -1 when the point is in no area of that set), plus the real
    postcode areas for the page's normaliser. None when the borough has no postcodes."""
    pc = postcodes[postcodes["lad_code"] == borough_code].dropna(subset=["easting", "northing"])
    pc = pc.assign(postcode=normalise_series(pc["postcode"])["postcode_normalised"]).dropna(subset=["postcode"])
    pc = pc.drop_duplicates("postcode").sort_values("postcode")
    sets = [b for b in POSTCODE_BOUNDARIES if b in set(boundaries["boundary"])]
    if pc.empty or not sets:
        return None
    points = gpd.GeoDataFrame(pc[["postcode"]].reset_index(drop=True),
                              geometry=gpd.points_from_xy(pc["easting"], pc["northing"]), crs="EPSG:27700")
    polys = boundaries.to_crs("EPSG:27700")
    doc = {"boundaries": sets, "codes": {}, "postcodes": {},
           "areas_1": sorted(AREAS_1), "areas_2": sorted(AREAS_2)}
    found = {}
    for b in sets:
        layer = polys[polys["boundary"] == b][["area_code", "geometry"]]
        hit = gpd.sjoin(points, layer, how="left", predicate="intersects")
        hit = hit[~hit.index.duplicated(keep="first")].sort_index()   # a point on a shared edge: one area
        codes = sorted(hit["area_code"].dropna().unique())
        at = {c: i for i, c in enumerate(codes)}
        doc["codes"][b] = codes
        found[b] = [at.get(c, -1) if isinstance(c, str) else -1 for c in hit["area_code"]]
    for i, postcode in enumerate(points["postcode"]):
        where = [found[b][i] for b in sets]
        if any(w >= 0 for w in where):
            doc["postcodes"][postcode] = where
    return doc if doc["postcodes"] else None


def geo_doc(boundaries: gpd.GeoDataFrame) -> dict:
    b, to_view, height = _projection(boundaries)

    def ring(coords) -> str:
        pts = ["{:.1f} {:.1f}".format(*to_view(x, y)) for x, y in list(coords)[:-1]]
        return "M" + "L".join(pts) + "Z"

    paths: dict[str, dict[str, str]] = {}
    for r in b.sort_values(["boundary", "area_code"]).itertuples():
        polys = list(r.geometry.geoms) if r.geometry.geom_type == "MultiPolygon" else [r.geometry]
        d = "".join(ring(p.exterior.coords) + "".join(ring(i.coords) for i in p.interiors) for p in polys)
        paths.setdefault(r.boundary, {})[r.area_code] = d
    return {"viewBox": f"0 0 {VIEW_WIDTH:.0f} {height}", "paths": paths}


def data_doc(*, borough, year, years, scores, metadata, progress, intervals, uncertainty, peers, strengths, targets,
             comparators, sections, release_files, boundaries, postcode_file=None, benchmarks=None, trends=None) -> dict:
    """Everything the page shows, in one document (split() makes the files)."""
    meta = metadata.set_index("indicator_id")
    measures = [{"id": "Social Progress Index", "name": "Social Progress Index", "type": "index"}]
    dims = list(dict.fromkeys(metadata.sort_values(["dimension", "component", "indicator_id"])["dimension"]))
    for d in dims:
        measures.append({"id": d, "name": d, "type": "dimension"})
    for d in dims:
        for c in sorted(metadata[metadata["dimension"] == d]["component"].unique()):
            measures.append({"id": c, "name": c, "type": "component", "dimension": d})
    # indicators in the index, then context indicators (not scored; named in the comparators table)
    flag = metadata["in_index"].astype(bool) if "in_index" in metadata else pd.Series(True, index=metadata.index)
    synthetic = set((sections.get("synthetic") or {}).get("indicators") or [])
    council = set((sections.get("frameworks") or {}).get("council_indicators_list") or [])
    for kind, part in (("indicator", metadata[flag]), ("context", metadata[~flag])):
        for r in part.sort_values(["dimension", "component", "indicator_id"], na_position="last").itertuples():
            m = {"id": r.indicator_id, "name": _s(r.name) or r.indicator_id, "type": kind,
                 "dimension": _s(r.dimension), "component": _s(r.component), "unit": _s(r.unit),
                 "direction": _s(r.direction), "description": _s(r.description),
                 "worst": _num(r.worst), "best": _num(r.best)}
            if str(getattr(r, "personal_data", "")).lower() == "true":
                m["personal"] = True
            if r.indicator_id in synthetic:
                m["synthetic"] = True
            if r.indicator_id in council:
                m["framework"] = "borough"
            measures.append(m)

    area_names = scores.drop_duplicates(["boundary", "area_code"])
    areas = {b: [[r.area_code, r.area_name] for r in g.sort_values(["area_name", "area_code"]).itertuples()]
             for b, g in area_names.groupby("boundary")}

    ci = intervals.set_index(["indicator_id", "boundary", "area_code", "year"])[["ci_lower", "ci_upper"]]
    ci_map = {k: (lo, hi) for k, lo, hi in zip(ci.index, ci["ci_lower"], ci["ci_upper"])}
    # cells withheld by disclosure control: 1 a count below the threshold, 2 a complement
    supp_map = {}
    if "quality_flag" in intervals:
        flagged = intervals[intervals["quality_flag"].isin(SUPPRESSION_CODES)]
        supp_map = {(r.indicator_id, r.boundary, r.area_code, int(r.year)): SUPPRESSION_CODES[r.quality_flag]
                    for r in flagged.itertuples()}
    sc: dict = {}
    for r in scores.itertuples():
        entry = [_num(r.value, 6), _num(r.score, 4), _num(r.rank, 0), _num(r.change, 4),
                 _num(r.data_year, 0)]
        if r.measure_type == "indicator" and pd.notna(r.data_year):
            lo, hi = ci_map.get((r.measure, r.boundary, r.area_code, int(r.data_year)), (None, None))
            entry += [_num(lo, 6), _num(hi, 6)]
        if r.measure_type == "indicator" and supp_map and _num(r.value, 6) is None:
            code = supp_map.get((r.measure, r.boundary, r.area_code, int(r.year)))
            if code:
                entry = (entry + [None, None, None])[:7] + [code]
        sc.setdefault(str(int(r.year)), {}).setdefault(r.boundary, {}).setdefault(r.area_code, {})[r.measure] = entry

    # ratings and reasons repeat: entries hold their positions in two short lists
    shown = [_shown_rating(a, b) for a, b in zip(progress["rating"], progress["reason"])]
    ratings = sorted(set(shown))
    reasons = sorted(progress["reason"].unique())
    rating_at, reason_at = {r: i for i, r in enumerate(ratings)}, {r: i for i, r in enumerate(reasons)}
    prog: dict = {"ratings": ratings, "reasons": reasons, "pairs": {}}
    for r, rating in zip(progress.itertuples(), shown):
        key = f"{int(r.base_year)}:{int(r.year)}"
        prog["pairs"].setdefault(key, {}).setdefault(r.boundary, {}).setdefault(r.area_code, {})[r.measure] = [
            rating_at[rating], reason_at[r.reason]]

    unc = None
    if uncertainty is not None:
        unc = {}
        for r in uncertainty.itertuples():
            unc.setdefault(str(int(r.year)), {}).setdefault(r.boundary, {})[r.area_code] = [
                _num(r.rank_p05, 2), _num(r.median_rank, 2), _num(r.rank_p95, 2), bool(r.wide_interval)]

    peer_map = None
    if peers is not None:
        peer_map = {}
        for (b, code), g in peers.groupby(["boundary", "area_code"]):
            g = g.sort_values("peer_rank")
            peer_map.setdefault(b, {})[code] = {"income": _num(g["income_deprivation"].iloc[0], 4),
                                                "peers": [[c, _num(x, 4)] for c, x in zip(g["peer_code"], g["peer_income_deprivation"])]}
    sw = None
    if strengths is not None:
        sw = {}
        for r in strengths.itertuples():
            sw.setdefault(str(int(r.year)), {}).setdefault(r.boundary, {}).setdefault(r.area_code, []).append(
                [r.measure_type, r.measure, _num(r.score, 2), _num(r.peer_mean, 2), _num(r.difference, 2), r.assessment])

    worst = {}
    lad = scores[(scores["boundary"] == "lad") & (scores["measure_type"] == "indicator")]
    for y, g in lad.groupby("year"):
        worst[str(int(y))] = g.sort_values(["score", "measure"], kind="mergesort").head(10)["measure"].tolist()

    comp = None
    if comparators is not None:
        comp = {"names": {}, "order": [], "roles": {}, "rows": {}}
        role_order = {"borough": 0, "london": 1, "neighbour": 2}
        firsts = comparators.sort_values(["role", "comparator_code"], key=lambda s: s.map(role_order) if s.name == "role" else s)
        for r in firsts.drop_duplicates("comparator_code").itertuples():
            comp["names"][r.comparator_code] = r.comparator_name
            comp["order"].append(r.comparator_code)
            comp["roles"][r.comparator_code] = r.role
        for r in comparators.itertuples():
            comp["rows"].setdefault(r.indicator_id, {}).setdefault(str(int(r.year)), {})[r.comparator_code] = [
                _num(r.value, 6), _num(r.ci_lower, 6), _num(r.ci_upper, 6), r.compared_with_london or ""]

    tg = [{k: (_num(v, 6) if isinstance(v, float) else v) for k, v in row.items()}
          for row in targets.astype(object).where(targets.notna(), None).to_dict(orient="records")]

    files = [{"name": n, "bytes": release_files[n], "description": FILE_DESCRIPTIONS.get(n, "")}
             for n in sorted(release_files) if not n.startswith("explorer/") and n != "index.html"]
    files += [{"name": "data_dictionary.csv", "bytes": None, "description": FILE_DESCRIPTIONS["data_dictionary.csv"]},
              {"name": "metadata.json", "bytes": None, "description": FILE_DESCRIPTIONS["metadata.json"]}]
    doc = {"borough": borough, "release_year": int(year), "years": [int(y) for y in years],
           "boundaries": [{"id": b, "label": lbl} for b, lbl in MAP_BOUNDARIES if b in areas],
           "measures": measures, "areas": areas,
           "n_areas": {b: len(v) for b, v in areas.items()}, "scores": sc, "progress": prog, "uncertainty": unc,
           "peers": peer_map, "strengths": sw, "worst": worst, "targets": tg, "comparators": comp,
           "sections": sections, "files": files,
           # ward names on the map: where each goes (small, so in data.js for every view)
           "labels": label_points(boundaries),
           # the postcode search's lookup, a file loaded only when someone types a postcode
           "postcode_file": postcode_file}
    doc.update(benchmark_doc(scores, benchmarks, trends))
    return doc


NO_NEW_DATA = "no new data"
# {year: {boundary: {area: {measure: entry}}}} maps split into the parts like strengths
BY_AREA_KEYS = ("benchmarks", "trends")


def _shown_rating(rating: str, reason: str) -> str:
    """The rating the page shows: a value carried forward (stored as "no significant change"
    with the reason "no new data since <year>") reads "no new data": nothing new was
    measured, so nothing was compared; the page says since when, and shows no change figure."""
    return NO_NEW_DATA if str(reason).startswith("no new data since") else rating


def benchmark_doc(scores: pd.DataFrame, benchmarks: pd.DataFrame | None, trends: pd.DataFrame | None) -> dict:
    """Each area's comparison with its benchmark and its recent trend, by index year, boundary,
    area and measure (marts.benchmarks, marts.trends; publish/benchmark.py, publish/trend.py).

    An indicator's entry is the one of the data year its value comes from (scores' data_year).
    Entries are positions in two short lists (`benchmark_text`: [comparison, reason,
    benchmark name]; `trend_text`: [trend, assessment, first year, last year, points, test]),
    so a part holds small integers."""
    out: dict = {"benchmarks": None, "trends": None, "benchmark_text": [], "trend_text": []}
    if benchmarks is None and trends is None:
        return out
    texts: dict[tuple, int] = {}
    ttexts: dict[tuple, int] = {}
    bm = {}
    if benchmarks is not None:
        out["benchmarks"] = {}
        for r in benchmarks.itertuples():
            t = (r.comparison, r.reason, _s(r.benchmark_name) or "")
            bm[(r.indicator_id, r.boundary, r.area_code, int(r.year))] = texts.setdefault(t, len(texts))
    tr = {}
    if trends is not None:
        out["trends"] = {}
        for r in trends.itertuples():
            t = (r.recent_trend, _s(r.trend_assessment) or "", _num(r.first_year, 0), _num(r.last_year, 0),
                 int(r.n_points), _s(r.trend_test) or "")
            tr[(r.measure, r.boundary, r.area_code, int(r.year))] = ttexts.setdefault(t, len(ttexts))
    for r in scores.itertuples():
        y = str(int(r.year))
        if r.measure_type == "indicator":
            if pd.isna(r.data_year):
                continue
            key = (r.measure, r.boundary, r.area_code, int(r.data_year))
        else:
            key = (r.measure, r.boundary, r.area_code, int(r.year))
        if key in bm and r.measure_type == "indicator":
            out["benchmarks"].setdefault(y, {}).setdefault(r.boundary, {}).setdefault(r.area_code, {})[r.measure] = bm[key]
        if key in tr:
            out["trends"].setdefault(y, {}).setdefault(r.boundary, {}).setdefault(r.area_code, {})[r.measure] = tr[key]
    out["benchmark_text"] = [list(t) for t in texts]
    out["trend_text"] = [list(t) for t in ttexts]
    return out


def _json(doc: dict) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _part_file(part_id: str) -> str:
    kind, _, rest = part_id.partition("/")
    return f"explorer/geo-{rest}.js" if kind == "geo" else f"explorer/data-{kind}-{rest}.js"


def split(doc: dict, geo: dict) -> dict[str, bytes]:
    """data.js and geo.js (what every view needs), one part per area set and year
    ("<boundary>/<year>") and one per area set's map ("geo/<boundary>"), as release files."""
    core = {**doc, "scores": {}, "progress": {**doc["progress"], "pairs": {}},
            "strengths": None if doc["strengths"] is None else {}}
    for k in BY_AREA_KEYS:   # each area's comparison with its benchmark and its trend: like strengths
        core[k] = None if doc.get(k) is None else {}
    parts: dict[str, dict] = {}

    def part(boundary: str, year: str) -> dict:
        return parts.setdefault(f"{boundary}/{year}", {"id": f"{boundary}/{year}", "boundary": boundary,
                                                       "year": int(year), "scores": {}, "progress": {}})
    for year, by_boundary in doc["scores"].items():
        for b, areas in by_boundary.items():
            if b == CORE_BOUNDARY:
                core["scores"].setdefault(year, {})[b] = areas
            else:
                part(b, year)["scores"] = areas
    for pair, by_boundary in doc["progress"]["pairs"].items():
        base, year = pair.split(":")
        for b, areas in by_boundary.items():
            if b == CORE_BOUNDARY:
                core["progress"]["pairs"].setdefault(pair, {})[b] = areas
            else:
                part(b, year)["progress"][base] = areas
    for year, by_boundary in (doc["strengths"] or {}).items():
        for b, areas in by_boundary.items():
            if b == CORE_BOUNDARY:
                core["strengths"].setdefault(year, {})[b] = areas
            else:
                part(b, year)["strengths"] = areas
    for k in BY_AREA_KEYS:
        for year, by_boundary in (doc.get(k) or {}).items():
            for b, areas in by_boundary.items():
                if b == CORE_BOUNDARY:
                    core[k].setdefault(year, {})[b] = areas
                else:
                    part(b, year)[k] = areas
    for b, paths in geo["paths"].items():
        if b != CORE_BOUNDARY:
            parts[f"geo/{b}"] = {"id": f"geo/{b}", "boundary": b, "paths": paths}

    core["parts"] = {pid: _part_file(pid) for pid in sorted(parts)}
    core_geo = {"viewBox": geo["viewBox"], "paths": {b: v for b, v in geo["paths"].items() if b == CORE_BOUNDARY}}
    files = {_part_file(pid): f"window.SPI_PART({_json(p)});\n".encode("utf-8") for pid, p in parts.items()}
    files["explorer/data.js"] = f"window.SPI_DATA = {_json(core)};\n".encode("utf-8")
    files["explorer/geo.js"] = f"window.SPI_GEO = {_json(core_geo)};\n".encode("utf-8")
    return dict(sorted(files.items()))


def bundle(*, boundaries, postcodes=None, **kw) -> dict[str, bytes]:
    """The explorer's files. `postcodes`: Code-Point Open rows (postcode, easting, northing,
    lad_code), for the postcode search; without them the page searches ward names only."""
    out = static_files()
    lookup = None if postcodes is None else postcode_lookup(postcodes, boundaries, kw["borough"]["code"])
    doc = data_doc(boundaries=boundaries, postcode_file=POSTCODE_FILE if lookup else None, **kw)
    # every area's years, one part per area set, for the charts (publish.explorer_series)
    doc["series"], series = series_files(doc)
    out.update(series)
    out.update(split(doc, geo_doc(boundaries)))
    if lookup:
        out[POSTCODE_FILE] = f"window.SPI_POSTCODES({_json(lookup)});\n".encode("utf-8")
    return out
