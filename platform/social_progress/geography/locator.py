"""Exact point-in-polygon lookup for one layer of areas, accelerated by a raster grid.

Why a grid: a council's records (crimes, addresses, sensors) arrive by the million, and
the areas (LSOAs, wards) change only once a decade. Paying once per boundary vintage to
rasterise the polygons onto a fine grid makes every later lookup an array index for the
80-90% of points that fall in a cell wholly inside one polygon (or wholly outside them
all). Only points in cells that a polygon edge passes through are tested with GEOS
(`shapely.intersects_xy`, prepared), and only against the polygons whose edges touch that
cell (plus the polygon filling the cell's centre). The answer is therefore exactly what
a brute-force test against every polygon would give, never an approximation.

Rules (shared with the benchmark baselines):

* a point belongs to a polygon when it is inside it or on its boundary (`covers`);
* a point covered by several polygons (on a shared boundary, or where polygons overlap)
  goes to the one with the lowest code - deterministic and independent of row order;
* a point covered by none gets index -1.

The grid is built with numpy only (scan-line fill of cell centres, exact "supercover"
of every edge with a small safety margin), so indexing London's 4,994 LSOAs takes about
0.3 s and the index can simply be rebuilt whenever the boundaries change.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import shapely

_EPS = 1e-6          # safety margin, in cells, when marking the cells an edge touches


@dataclass
class LayerCleaning:
    """What was repaired or dropped when a layer's polygons were prepared."""

    n_polygons: int = 0
    empty_dropped: list[str] = field(default_factory=list)
    invalid_repaired: list[str] = field(default_factory=list)
    non_polygonal_dropped: list[str] = field(default_factory=list)
    missing_code: int = 0

    def to_dict(self) -> dict:
        return {
            "n_polygons": self.n_polygons,
            "missing_code": self.missing_code,
            "empty_dropped": len(self.empty_dropped),
            "invalid_repaired": len(self.invalid_repaired),
            "non_polygonal_dropped": len(self.non_polygonal_dropped),
            "examples": {
                "empty_dropped": self.empty_dropped[:5],
                "invalid_repaired": self.invalid_repaired[:5],
                "non_polygonal_dropped": self.non_polygonal_dropped[:5],
            },
        }


def clean_polygons(geoms, codes) -> tuple[np.ndarray, np.ndarray, LayerCleaning]:
    """Keep only usable polygonal geometry: repair invalid ones, drop empty ones, log both.

    Why: one bad polygon in a boundary file must not fail a run, and must not be hidden.
    """
    geoms = np.asarray(geoms, dtype=object)
    raw = np.asarray(codes, dtype=object)
    info = LayerCleaning()
    no_code = np.array([c is None or (isinstance(c, float) and c != c) or str(c).strip() == "" for c in raw], bool)
    if no_code.any():  # a polygon without a code cannot be reported on: drop it, say so
        info.missing_code = int(no_code.sum())
        geoms, raw = geoms[~no_code], raw[~no_code]
    codes = raw.astype(str)
    missing = shapely.is_missing(geoms)
    geoms = np.where(missing, shapely.Polygon(), geoms)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        info.invalid_repaired = sorted(codes[invalid].tolist())
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    # make_valid can return collections with lines/points: keep the polygonal parts
    kinds = shapely.get_type_id(geoms)
    mixed = ~np.isin(kinds, (3, 6))  # not Polygon / MultiPolygon
    for i in np.flatnonzero(mixed & ~shapely.is_empty(geoms)):
        parts = shapely.get_parts(geoms[i])
        parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        geoms[i] = shapely.union_all(parts) if len(parts) else shapely.Polygon()
        if not len(parts):
            info.non_polygonal_dropped.append(str(codes[i]))
    empty = shapely.is_empty(geoms) | (shapely.area(geoms) <= 0)
    info.empty_dropped = sorted(set(codes[empty].tolist()) - set(info.non_polygonal_dropped))
    keep = ~empty
    info.n_polygons = int(keep.sum())
    return geoms[keep], codes[keep], info


class PolygonIndex:
    """Exact polygon lookup for points in one projected CRS (the platform uses EPSG:27700).

    Build once per boundary vintage, reuse for every source. `locate` returns polygon
    positions into `codes` (sorted ascending), -1 where no polygon covers the point.
    """

    def __init__(self, geoms, codes, cell_size: float | None = None, target_cells: float = 2**21):
        geoms, codes, self.cleaning = clean_polygons(geoms, codes)
        order = np.argsort(codes, kind="stable")
        self.codes = codes[order]
        self.geoms = geoms[order]
        if len(self.codes) != len(np.unique(self.codes)):
            # several rows with one code: the same area, so union them
            uniq, inv = np.unique(self.codes, return_inverse=True)
            self.geoms = np.array([shapely.union_all(self.geoms[inv == k]) for k in range(len(uniq))], dtype=object)
            self.codes = uniq
        shapely.prepare(self.geoms)
        self._codes_none = np.append(self.codes.astype(object), None)
        self._tree_cache = None
        self._build_grid(cell_size, target_cells)

    @property
    def _tree(self) -> shapely.STRtree:
        """STRtree over the polygons, built only when needed (overlaps, brute-force checks)."""
        if self._tree_cache is None:
            self._tree_cache = shapely.STRtree(self.geoms)
        return self._tree_cache

    # ------------------------------------------------------------------ build
    def _build_grid(self, cell_size: float | None, target_cells: float) -> None:
        n = len(self.geoms)
        if n == 0:
            self.cs, self.x0, self.y0, self.nx, self.ny = 1.0, 0.0, 0.0, 0, 0
            self.grid = np.zeros(0, np.int32)
            self.cand_off = np.zeros(1, np.int64)
            self.cand = np.zeros(0, np.int32)
            self.n_special_cells = 0
            return
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)
        if cell_size is None:
            area = max((maxx - minx) * (maxy - miny), 1.0)
            cell_size = max(math.sqrt(area / target_cells), 1e-6)
        cs = float(cell_size)
        self.cs = cs
        self.x0, self.y0 = minx - cs, miny - cs
        self.nx = int(math.ceil((maxx - self.x0) / cs)) + 2
        self.ny = int(math.ceil((maxy - self.y0) / cs)) + 2
        nx, ny = self.nx, self.ny

        # edges of every ring, in grid units, labelled by polygon position
        parts, part_poly = shapely.get_parts(self.geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
        same = coord_ring[:-1] == coord_ring[1:]
        X = (coords[:, 0] - self.x0) / cs
        Y = (coords[:, 1] - self.y0) / cs
        ex0, ey0, ex1, ey1 = X[:-1][same], Y[:-1][same], X[1:][same], Y[1:][same]
        epoly = part_poly[ring_part[coord_ring[:-1][same]]].astype(np.int64)
        del coords, coord_ring, X, Y

        # 1. which polygon covers each cell centre; 2. which cells each edge touches
        grid, cover = _fill(ex0, ey0, ex1, ey1, epoly, nx, ny)
        cells, cpoly = _edge_cells(ex0, ey0, ex1, ey1, epoly, nx, ny)
        special = np.zeros(nx * ny, bool)
        special[cells] = True
        special[cover > 1] = True  # overlapping polygons: resolve by GEOS too
        # polygon filling a special cell's centre is a candidate as well
        sp = np.flatnonzero(special)
        one = sp[cover[sp] == 1]
        cells = np.concatenate([cells, one])
        cpoly = np.concatenate([cpoly, grid[one].astype(np.int64)])
        many = sp[cover[sp] > 1]
        if len(many):
            iy, ix = np.divmod(many, nx)
            boxes = shapely.box(self.x0 + ix * cs, self.y0 + iy * cs, self.x0 + (ix + 1) * cs, self.y0 + (iy + 1) * cs)
            bi, pi = self._tree.query(boxes, predicate="intersects")
            cells = np.concatenate([cells, many[bi]])
            cpoly = np.concatenate([cpoly, pi.astype(np.int64)])
        key = cells * n + cpoly
        key.sort()  # cell-major, then polygon (= code) order
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
        kcell, kpoly = np.divmod(key, n)
        start = np.flatnonzero(np.concatenate([[True], kcell[1:] != kcell[:-1]]))
        ucell = kcell[start]
        self.cand = kpoly.astype(np.int32)
        self.cand_off = np.append(start, len(key)).astype(np.int64)
        grid[ucell] = (-2 - np.arange(len(ucell))).astype(np.int32)
        self.grid = grid
        self.n_special_cells = int(len(ucell))

    # ------------------------------------------------------------------ query
    def locate(self, x, y, threads: int | None = None) -> np.ndarray:
        """Position (into `codes`) of the polygon covering each point, -1 if none.

        Works in chunks on up to `threads` threads (default: all cores); numpy and GEOS
        release the GIL, so the chunks really run in parallel. Each thread queries its own
        prepared copy of the polygons: GEOS builds a prepared polygon's point-locator index
        lazily on its first query, so sharing one prepared geometry between threads races
        (seen here as heap corruption).
        """
        x = np.ascontiguousarray(x, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        n = len(x)
        threads = threads or os.cpu_count() or 1
        if threads <= 1 or n < 200_000:
            return self._locate(x, y)
        out = np.empty(n, np.int32)
        bounds = np.linspace(0, n, threads + 1).astype(int)
        copies = self._thread_geoms(threads)

        def work(i):
            s, e = bounds[i], bounds[i + 1]
            out[s:e] = self._locate(x[s:e], y[s:e], copies[i])

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, range(threads)))
        return out

    def _thread_geoms(self, threads: int) -> list[np.ndarray]:
        """One prepared copy of the polygons per thread (the first is the index's own)."""
        cache = getattr(self, "_copies", None) or [self.geoms]
        while len(cache) < threads:
            copy = shapely.from_wkb(shapely.to_wkb(self.geoms))
            shapely.prepare(copy)
            cache.append(copy)
        self._copies = cache
        return cache

    def _locate(self, x: np.ndarray, y: np.ndarray, geoms: np.ndarray | None = None) -> np.ndarray:
        geoms = self.geoms if geoms is None else geoms
        out = np.full(len(x), -1, np.int32)
        if self.nx == 0:
            return out
        fx = (x - self.x0) / self.cs
        fy = (y - self.y0) / self.cs
        inside = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)  # NaN fails too
        idx = np.flatnonzero(inside)
        cell = fy[idx].astype(np.int64) * self.nx + fx[idx].astype(np.int64)
        v = self.grid[cell]
        out[idx] = np.maximum(v, -1)
        hard = v < -1
        if hard.any():
            pts = idx[hard]
            s = -2 - v[hard].astype(np.int64)
            start = self.cand_off[s]
            count = self.cand_off[s + 1] - start
            j = 0
            todo = np.arange(len(pts))
            while len(todo):
                c = self.cand[start[todo] + j]
                hit = shapely.intersects_xy(geoms[c], x[pts[todo]], y[pts[todo]])
                out[pts[todo[hit]]] = c[hit]
                todo = todo[~hit]
                j += 1
                todo = todo[count[todo] > j]
        return out

    def locate_brute(self, x, y) -> np.ndarray:
        """Reference answer by STRtree + GEOS for every point (slow; for tests and checks)."""
        pts = shapely.points(np.asarray(x, float), np.asarray(y, float))
        pi, gi = self._tree.query(pts, predicate="intersects")
        out = np.full(len(pts), np.iinfo(np.int32).max, np.int64)
        np.minimum.at(out, pi, gi)
        out[out == np.iinfo(np.int32).max] = -1
        return out.astype(np.int32)

    def codes_of(self, idx: np.ndarray) -> np.ndarray:
        """Codes for positions from `locate`, None where -1."""
        return self._codes_none[np.asarray(idx, dtype=np.intp)]  # -1 picks the trailing None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(shapely.total_bounds(self.geoms)) if len(self.geoms) else (np.nan,) * 4


def _ranges(k: np.ndarray) -> np.ndarray:
    """0..k[i]-1 for each i, concatenated (vectorised)."""
    k = k.astype(np.int64)
    total = int(k.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(k) - k, k)


def _fill(x0, y0, x1, y1, poly, nx, ny) -> tuple[np.ndarray, np.ndarray]:
    """Even-odd scan-line fill of cell centres: (label of the covering polygon or -1, cover count).

    A row's centre line y = r + 0.5 is crossed by an edge when min(y) <= r + 0.5 < max(y)
    (half-open, so a vertex on the line is counted once); crossings of one polygon on one
    row, sorted by x, pair up into spans of cells whose centres lie inside it.
    """
    ylo, yhi = np.minimum(y0, y1), np.maximum(y0, y1)
    r_first = np.ceil(ylo - 0.5).astype(np.int64)
    k = np.ceil(yhi - 0.5).astype(np.int64) - r_first
    k[k < 0] = 0
    eid = np.repeat(np.arange(len(x0)), k)
    rows = np.repeat(r_first, k) + _ranges(k)
    yc = rows + 0.5
    xc = x0[eid] + (yc - y0[eid]) * (x1[eid] - x0[eid]) / (y1[eid] - y0[eid])
    pol = poly[eid]
    order = np.lexsort((xc, rows, pol))
    xc, rows, pol = xc[order], rows[order], pol[order]
    del eid, yc, order
    a = np.ceil(xc[0::2] - 0.5).astype(np.int64)
    b = np.ceil(xc[1::2] - 0.5).astype(np.int64)
    r, p = rows[0::2], pol[0::2]
    ok = b > a
    a, b, r, p = np.clip(a[ok], 0, nx), np.clip(b[ok], 0, nx), r[ok], p[ok]
    w = (np.int64(1) << 32) + (p + 1)  # cover count in the high bits, label sum below
    width = nx + 1
    acc = np.zeros(ny * width, np.int64)
    np.add.at(acc, r * width + a, w)
    np.add.at(acc, r * width + b, -w)
    acc = acc.reshape(ny, width)
    np.cumsum(acc, axis=1, out=acc)
    acc = acc[:, :nx]
    cover = (acc >> 32).astype(np.int32).ravel()
    grid = ((acc & 0xFFFFFFFF) - 1).astype(np.int32).ravel()
    del acc
    grid[cover != 1] = -1
    return grid, cover


def _edge_cells(x0, y0, x1, y1, poly, nx, ny):
    """(cell, polygon) for every cell an edge touches, with an _EPS margin on each side.

    An edge passes through the cells of its endpoints and, between them, the two cells
    either side of every grid line it crosses. Widening each computed coordinate by
    _EPS (in cells) makes the set a superset even with floating-point rounding, so a
    cell left out is truly free of edges.
    """
    cells, polys = [], []

    def add(cx, cy, p):
        ix = np.clip(np.floor(cx).astype(np.int64), 0, nx - 1)
        iy = np.clip(np.floor(cy).astype(np.int64), 0, ny - 1)
        cells.append(iy * nx + ix)
        polys.append(p)

    # endpoints (every vertex starts some edge of its ring)
    for dx in (-_EPS, _EPS):
        for dy in (-_EPS, _EPS):
            add(x0 + dx, y0 + dy, poly)
    # vertical grid lines crossed: x = k, k integer, strictly between x0 and x1
    for (a0, b0, a1, b1, vertical) in ((x0, y0, x1, y1, True), (y0, x0, y1, x1, False)):
        lo, hi = np.minimum(a0, a1), np.maximum(a0, a1)
        first = np.floor(lo).astype(np.int64) + 1
        k = np.ceil(hi).astype(np.int64) - first
        k[k < 0] = 0
        eid = np.repeat(np.arange(len(a0)), k)
        line = (np.repeat(first, k) + _ranges(k)).astype(np.float64)
        other = b0[eid] + (line - a0[eid]) * (b1[eid] - b0[eid]) / (a1[eid] - a0[eid])
        p = poly[eid]
        for d in (-_EPS, _EPS):
            for side in (-0.5, 0.5):
                if vertical:
                    add(line + side, other + d, p)
                else:
                    add(other + d, line + side, p)
    return np.concatenate(cells), np.concatenate(polys)
