/* Social Progress Index explorer: plain JavaScript and SVG, no third-party code.
 * Data comes from data.js (window.SPI_DATA) and geo.js (window.SPI_GEO), written by the
 * release (social_progress/publish/explorer.py), and from parts (an area set's figures for
 * a year, its map) loaded when a view needs them. Works from any file server, offline. */
(function () {
  "use strict";
  var D = window.SPI_DATA, G = window.SPI_GEO;
  // viridis, 5 classes: colour-blind safe and readable in greyscale (dark = low score)
  var PALETTE = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
  var RATING = {
    "better": {cls: "better", icon: "\u25B2", text: "Better"},
    "worse": {cls: "worse", icon: "\u25BC", text: "Worse"},
    "no significant change": {cls: "same", icon: "\u25CF", text: "No significant change"},
    "not assessed": {cls: "na", icon: "\u2013", text: "Not assessed"},
    "no new data": {cls: "nodata", icon: "\u25CB", text: "No new data"}
  };
  var SVGNS = "http://www.w3.org/2000/svg";
  var byId = function (id) { return document.getElementById(id); };
  var measureIndex = {};
  D.measures.forEach(function (m) { measureIndex[m.id] = m; });
  var state = {year: D.release_year, base: null, boundary: "ward22", measure: "Social Progress Index", area: null};
  var parts = {loaded: {}, requested: {}, waiting: {}}, generation = 0, busy = false, focusCardWhenShown = false;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "cls") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  /* Each cell carries its column's header as data-label: on a phone (style.css) a table's
     rows become cards and the label is shown above each value. */
  function labelCells(table) {
    var head = table.tHead && table.tHead.rows.length ? table.tHead.rows[table.tHead.rows.length - 1].cells : [];
    var labels = Array.prototype.map.call(head, function (c) { return c.textContent.trim(); });
    Array.prototype.forEach.call(table.tBodies, function (tb) {
      Array.prototype.forEach.call(tb.rows, function (tr) {
        Array.prototype.forEach.call(tr.cells, function (c, i) {
          if (c.tagName === "TD" && labels[i]) c.setAttribute("data-label", labels[i]);
        });
      });
    });
    return table;
  }
  /* In-page links must land below the sticky controls bar: publish its height as --bar
     (0 when the bar is not sticky, as on a phone, where it scrolls away). */
  function trackBar() {
    var bar = byId("controls");
    function update() {
      var pos = window.getComputedStyle(bar).position;
      var h = (pos === "sticky" || pos === "fixed") ? Math.ceil(bar.getBoundingClientRect().height) : 0;
      document.documentElement.style.setProperty("--bar", h + "px");
    }
    update();
    window.addEventListener("resize", update);
    if (window.ResizeObserver) new ResizeObserver(update).observe(bar);
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function isNum(x) { return typeof x === "number" && isFinite(x); }
  function f1(x) { return isNum(x) ? x.toFixed(1) : "\u2013"; }
  function signed(x, digits) {
    if (!isNum(x)) return "\u2013";
    var s = x.toFixed(digits);
    if (parseFloat(s) === 0) return (0).toFixed(digits);  // no "-0.0"
    return (x > 0 ? "+" : "") + s;
  }
  function isShare(unit) { return unit && unit.indexOf("share") === 0; }
  function fmtValue(v, unit) {
    if (!isNum(v)) return "\u2013";
    if (isShare(unit)) return (100 * v).toFixed(1) + "%";
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
  }
  function fmtUnit(unit) { return isShare(unit) ? "% of " + unit.replace(/^share of /, "") : (unit || ""); }
  function fmtChange(v, unit) {
    if (!isNum(v)) return "\u2013";
    if (isShare(unit)) return signed(100 * v, 1) + " pts";
    var a = Math.abs(v);
    return signed(v, a >= 100 ? 0 : a >= 10 ? 1 : 2);
  }
  /* A value withheld by disclosure control (entry[7]: 1 a count below 5, 2 a complement). */
  var SUPPRESSED = {1: "fewer than 5 (not shown)", 2: "not shown (protects a count below 5)"};
  var SUPPRESSED_WHY = "Counts of fewer than 5 people from the council's records are not published, and neither " +
    "are the few other values that would let them be worked out by subtraction, so no resident can be identified.";
  function valueText(e, m) {
    if (!isNum(e[0]) && e[7] && SUPPRESSED[e[7]]) return SUPPRESSED[e[7]];
    return fmtValue(e[0], m.unit);
  }
  function bytes(n) { if (!isNum(n)) return ""; return n > 1e6 ? (n / 1e6).toFixed(1) + " MB" : n > 1e3 ? (n / 1e3).toFixed(0) + " kB" : n + " B"; }
  function areaName(boundary, code) {
    var list = D.areas[boundary] || [];
    for (var i = 0; i < list.length; i++) if (list[i][0] === code) return list[i][1];
    return code;
  }
  function entry(year, boundary, code, measure) {
    var y = D.scores[String(year)] || {}, b = y[boundary] || {}, a = b[code] || {};
    return a[measure] || null;
  }
  function progress(base, year, boundary, code, measure) {
    if (!base) return null;
    var p = D.progress.pairs[base + ":" + year] || {}, b = p[boundary] || {}, a = b[code] || {};
    var e = a[measure];
    return e ? [D.progress.ratings[e[0]], D.progress.reasons[e[1]]] : null;
  }
  function ratingBadge(p) {
    if (!p) return el("span", {cls: "rating na", text: "\u2013 No comparison"});
    var r = RATING[p[0]] || RATING["not assessed"];
    return el("span", {cls: "rating " + r.cls, title: p[1], "data-rating": p[0]},
      [el("span", {"aria-hidden": "true", text: r.icon}), noNewData(p) ? "No new data since " + noNewData(p) : r.text]);
  }
  function boundaryLabel(b) {
    if (b === "lad") return "The borough as a whole";
    for (var i = 0; i < D.boundaries.length; i++) if (D.boundaries[i].id === b) return D.boundaries[i].label;
    return b;
  }
  function isWard(b) { return b === "ward19" || b === "ward22"; }
  /* The borough has a scorecard too: chosen from the area list (or the search) whatever the
     map shows, it is scored under the boundary "lad". */
  function isBorough(code) { return (D.areas.lad || []).some(function (a) { return a[0] === code; }); }
  function cardBoundary() { return isBorough(state.area) ? "lad" : state.boundary; }

  /* ------------------------------------------------------------------ parts
     The first view downloads only its own parts; the rest arrive when a view needs them.
     Parts are <script src> files calling SPI_PART, not fetch()ed JSON, so the page still
     works opened from disk. Each is merged into D and G as data.js held it before. */
  window.SPI_PART = function (p) {
    if (p.paths) G.paths[p.boundary] = p.paths;
    else {
      var y = String(p.year);
      (D.scores[y] = D.scores[y] || {})[p.boundary] = p.scores;
      Object.keys(p.progress).forEach(function (base) {
        var k = base + ":" + y;
        (D.progress.pairs[k] = D.progress.pairs[k] || {})[p.boundary] = p.progress[base];
      });
      if (D.strengths && p.strengths) (D.strengths[y] = D.strengths[y] || {})[p.boundary] = p.strengths;
      ["benchmarks", "trends"].forEach(function (k) { if (D[k] && p[k]) (D[k][y] = D[k][y] || {})[p.boundary] = p[k]; });
    }
    parts.loaded[p.id] = true;
    (parts.waiting[p.id] || []).forEach(function (f) { f(); });
    delete parts.waiting[p.id];
  };
  function missingParts(year, base, boundary) {
    return [boundary + "/" + year, base ? boundary + "/" + base : null, "geo/" + boundary].filter(function (id) {
      return id && D.parts[id] && !parts.loaded[id];
    });
  }
  function request(id, low) {
    if (parts.requested[id]) return;
    parts.requested[id] = true;
    var s = el("script", {src: D.parts[id]});
    if (low) s.setAttribute("fetchpriority", "low");
    s.addEventListener("error", function () {
      delete parts.requested[id]; delete parts.waiting[id]; s.parentNode.removeChild(s);
      if (busy) loading("Could not load " + D.parts[id] + ": check the connection and choose again.");
    });
    document.body.appendChild(s);
  }
  function loading(text) {
    var box = byId("loading");
    box.textContent = text || ""; box.hidden = !text;
    ["map-section", "scorecard-section"].forEach(function (id) { byId(id).setAttribute("aria-busy", busy ? "true" : "false"); });
    byId("map").style.opacity = busy ? "0.4" : "";
  }
  /* Render the view now if its parts are here; otherwise say so, keep the old view (marked
     busy) and render the whole page when they arrive, unless another choice came first. */
  function show(render) {
    var gen = ++generation, ids = missingParts(state.year, state.base, state.boundary);
    function done(whole) {
      if (gen !== generation) return;
      busy = false; loading(null);
      if (whole) { fillAreas(); renderAll(); } else render();
      if (!document.body.hasAttribute("data-ready")) { performance.mark("spi-first-render"); document.body.setAttribute("data-ready", "true"); }
      prefetch();
    }
    if (!ids.length) { done(false); return; }
    busy = true;
    loading("Loading " + boundaryLabel(state.boundary) + ", " + state.year + (state.base ? " and " + state.base : "") + "\u2026");
    var left = ids.length;
    ids.forEach(function (id) {
      (parts.waiting[id] = parts.waiting[id] || []).push(function () { if (--left === 0) done(true); });
      request(id, false);
    });
  }
  /* Then, in the background at low priority, what one more change of the controls needs:
     the other area sets this year, and this area set's other years. Not when the browser
     asks to save data (those views load when chosen). Requested before the page's load
     event, so that event (and a test driver's page load) waits for the first batch; the
     first render and data-ready do not. */
  function prefetch() {
    if (navigator.connection && navigator.connection.saveData) return;
    var ids = [];
    D.boundaries.forEach(function (b) { ids = ids.concat(missingParts(state.year, state.base, b.id)); });
    D.years.forEach(function (y) { ids = ids.concat(missingParts(y, 0, state.boundary)); });
    ids.forEach(function (id) { request(id, true); });
  }

  /* ------------------------------------------------------------------ controls */
  function option(value, text, selected) { var o = el("option", {value: String(value), text: text}); if (selected) o.selected = true; return o; }
  function fillControls() {
    var ys = byId("year-select"); clear(ys);
    D.years.slice().reverse().forEach(function (y) { ys.appendChild(option(y, String(y), y === state.year)); });
    var bs = byId("boundary-select"); clear(bs);
    D.boundaries.forEach(function (b) { bs.appendChild(option(b.id, b.label, b.id === state.boundary)); });
    var ms = byId("measure-select"); clear(ms);
    var groups = {index: "Index", dimension: "Dimensions", component: "Components", indicator: "Indicators"};
    Object.keys(groups).forEach(function (t) {
      var g = el("optgroup", {label: groups[t]});
      D.measures.forEach(function (m) { if (m.type === t) g.appendChild(option(m.id, m.name, m.id === state.measure)); });
      ms.appendChild(g);
    });
    fillCompare(); fillAreas();
  }
  function fillCompare() {
    var cs = byId("compare-select"); clear(cs);
    var earlier = D.years.filter(function (y) { return y < state.year; });
    if (state.base === null || state.base >= state.year || earlier.indexOf(state.base) < 0) state.base = earlier.length ? earlier[earlier.length - 1] : 0;
    earlier.slice().reverse().forEach(function (y) { cs.appendChild(option(y, String(y) + (y === state.year - 1 ? " (previous year)" : ""), y === state.base)); });
    cs.appendChild(option(0, "No comparison", !state.base));
  }
  function fillAreas() {
    var as = byId("area-select"); clear(as);
    var list = D.areas[state.boundary] || [];
    if (!state.area || !(isBorough(state.area) || list.some(function (a) { return a[0] === state.area; }))) state.area = list.length ? list[0][0] : null;
    var borough = el("optgroup", {label: "The borough"});
    (D.areas.lad || []).forEach(function (a) { borough.appendChild(option(a[0], a[1] + " (whole borough)", a[0] === state.area)); });
    if (borough.children.length) as.appendChild(borough);
    var areas = el("optgroup", {label: boundaryLabel(state.boundary)});
    list.forEach(function (a) { areas.appendChild(option(a[0], state.boundary.indexOf("lsoa") === 0 ? a[1] + " (" + a[0] + ")" : a[1], a[0] === state.area)); });
    as.appendChild(areas);
  }

  /* ------------------------------------------------------------------ headline
     The first screen: the borough's index and its three dimensions in the selected year,
     the change since the year before with its rating, and London's figures when the
     release has them (it says so when it does not). */
  function previousYear(year) {
    var earlier = D.years.filter(function (y) { return y < year; });
    return earlier.length ? earlier[earlier.length - 1] : null;
  }
  /* London's value of a measure in the year, from the comparators table, or null. */
  function londonValue(measure, year) {
    var C = D.comparators;
    if (!C || !C.rows[measure] || !C.rows[measure][String(year)]) return null;
    var row = C.rows[measure][String(year)];
    var code = Object.keys(C.roles || {}).filter(function (c) { return C.roles[c] === "london"; })[0];
    return code && row[code] && isNum(row[code][0]) ? row[code][0] : null;
  }
  /* The London layer's comparison for the year (publish/london_comparison.py): London's own
     score and the borough's rank among London's boroughs, on the London common framework;
     null when the release has none (sections.london_comparison says why). */
  function londonComparison(year) {
    var S = (D.sections || {}).london_comparison;
    if (!S || !S.available || !S.years || !S.years[String(year)]) return null;
    var y = S.years[String(year)], idx = y["Social Progress Index"];
    if (!idx || !isNum(idx.rank)) return null;
    return {section: S, index: idx, measures: y};
  }
  function renderLondonComparison(box, lc, dims) {
    var idx = lc.index, S = lc.section;
    box.appendChild(el("span", {cls: "hl-london-value", id: "headline-london-value",
      text: isNum(idx.london) ? "London: " + f1(idx.london) : "London's own score is not in the London layer"}));
    box.appendChild(document.createTextNode(" \u00b7 "));
    box.appendChild(el("strong", {cls: "hl-london-rank", id: "headline-london-rank",
      text: idx.text + " London boroughs"}));
    box.appendChild(el("span", {cls: "hl-london-note", text: " (London common framework, where " + D.borough.name +
      " scores " + f1(idx.borough) + "; London layer of " + S.layer_published + ")"}));
    // each dimension: London's score and the borough's rank, beside the borough's own
    Array.prototype.forEach.call(dims.querySelectorAll("li[data-measure]"), function (li) {
      var m = lc.measures[li.getAttribute("data-measure")];
      if (!m || !isNum(m.rank)) return;
      li.appendChild(el("div", {cls: "hl-dim-london", text: (isNum(m.london) ? "London " + f1(m.london) + " \u00b7 " : "") + m.text}));
    });
  }
  /* The change in score since `prev` and its rating; why it is not assessed, if `why`. */
  function changeLine(code, measure, prev, cls, why) {
    var e = entry(state.year, "lad", code, measure) || [], pe = prev ? entry(prev, "lad", code, measure) : null;
    var line = el("div", {cls: cls});
    if (!prev || !pe || !isNum(e[1]) || !isNum(pe[1])) { line.appendChild(document.createTextNode("No earlier year to compare with")); return line; }
    line.appendChild(el("span", {cls: "hl-change-value", text: signed(e[1] - pe[1], 1)}));
    line.appendChild(el("span", {cls: "hl-since", text: " since " + prev + " "}));
    var p = progress(prev, state.year, "lad", code, measure);
    line.appendChild(ratingBadge(p));
    if (p && p[1] && !noNewData(p)) line.appendChild(el("span", {cls: "hl-reason", text: " (" + p[1] + ")"}));  // every reason printed
    return line;
  }
  function renderHeadline() {
    var box = clear(byId("headline-figures")), code = ((D.areas.lad || [])[0] || [])[0];
    var prev = previousYear(state.year);
    byId("headline-heading").textContent = D.borough.name + " in " + state.year;
    if (!code) { box.appendChild(el("p", {cls: "unavailable", text: "The borough's own scores are not in this release."})); return; }
    var idx = entry(state.year, "lad", code, "Social Progress Index") || [];
    box.appendChild(el("div", {cls: "hl-main"}, [
      el("div", {cls: "hl-name", text: "Social Progress Index"}),
      el("div", {cls: "hl-big"}, [el("span", {id: "headline-index", text: f1(idx[1])}), el("span", {cls: "hl-of", text: " / 100"})]),
      changeLine(code, "Social Progress Index", prev, "hl-change", true)]));
    var dims = el("ul", {cls: "hl-dims", id: "headline-dimensions"});
    D.measures.filter(function (m) { return m.type === "dimension"; }).forEach(function (d) {
      var e = entry(state.year, "lad", code, d.id) || [];
      dims.appendChild(el("li", {"data-measure": d.id}, [el("span", {cls: "hl-dim-name", text: d.name}),
        el("span", {cls: "hl-dim-score", text: f1(e[1])}), changeLine(code, d.id, prev, "hl-dim-change", false)]));
    });
    box.appendChild(dims);
    // London: the release compares indicators with London; the index only when it holds London's
    var london = byId("headline-london"), lv = londonValue("Social Progress Index", state.year);
    clear(london);
    var lc = londonComparison(state.year);
    if (lc) { lv = lc.index.london; renderLondonComparison(london, lc, dims); }
    else if (isNum(lv)) london.textContent = "London: " + f1(lv) + ". ";
    else {
      var why = ((D.sections || {}).london_comparison || {}).note;
      if (why) london.setAttribute("title", why);
      london.appendChild(el("strong", {text: "London comparison not in this release"}));
      london.appendChild(document.createTextNode(" (London's index, the borough's rank among London boroughs). Indicators are compared with London "));
      london.appendChild(el("a", {href: "#compare-section", text: "below"}));
      london.appendChild(document.createTextNode("."));
    }
    london.setAttribute("data-london", isNum(lv) ? String(lv) : "");
  }

  /* ------------------------------------------------------------------ map */
  function classes(values) {
    var nums = values.filter(isNum);
    if (!nums.length) return null;
    var lo = Math.min.apply(null, nums), hi = Math.max.apply(null, nums);
    lo = Math.floor(lo); hi = Math.ceil(hi); if (hi === lo) hi = lo + 1;
    var step = (hi - lo) / PALETTE.length, breaks = [];
    for (var i = 0; i <= PALETTE.length; i++) breaks.push(lo + step * i);
    return breaks;
  }
  function colourOf(v, breaks) {
    if (!isNum(v) || !breaks) return null;
    for (var i = 0; i < PALETTE.length; i++) if (v <= breaks[i + 1] + 1e-9) return PALETTE[i];
    return PALETTE[PALETTE.length - 1];
  }
  function describe(code) {
    var m = measureIndex[state.measure], e = entry(state.year, state.boundary, code, state.measure);
    var n = D.n_areas[state.boundary];
    if (!e) return areaName(state.boundary, code) + ": no data";
    var s = areaName(state.boundary, code) + ": " + m.name + " score " + f1(e[1]) + ", rank " + rankText(state.year, state.boundary, code, state.measure);
    if (m.type === "indicator") s += ", value " + valueWithUnit(e[0], m.unit);
    return s;
  }
  function renderMap() {
    var svg = byId("map"); clear(svg);
    svg.setAttribute("viewBox", G.viewBox);
    var m = measureIndex[state.measure];
    var defs = document.createElementNS(SVGNS, "defs");
    var pat = document.createElementNS(SVGNS, "pattern");
    pat.setAttribute("id", "hatch"); pat.setAttribute("width", "8"); pat.setAttribute("height", "8");
    pat.setAttribute("patternUnits", "userSpaceOnUse"); pat.setAttribute("patternTransform", "rotate(45)");
    var bg = document.createElementNS(SVGNS, "rect"); bg.setAttribute("width", "8"); bg.setAttribute("height", "8"); bg.setAttribute("fill", "#ddd");
    var ln = document.createElementNS(SVGNS, "line"); ln.setAttribute("x1", "0"); ln.setAttribute("y1", "0"); ln.setAttribute("x2", "0"); ln.setAttribute("y2", "8"); ln.setAttribute("stroke", "#888"); ln.setAttribute("stroke-width", "3");
    pat.appendChild(bg); pat.appendChild(ln); defs.appendChild(pat); svg.appendChild(defs);
    var paths = G.paths[state.boundary] || {};
    var codes = (D.areas[state.boundary] || []).map(function (a) { return a[0]; }).filter(function (c) { return paths[c]; });
    var values = codes.map(function (c) { var e = entry(state.year, state.boundary, c, state.measure); return e ? e[1] : null; });
    var breaks = classes(values);
    var layer = document.createElementNS(SVGNS, "g");
    layer.setAttribute("id", "map-areas");
    codes.forEach(function (code, i) {
      var p = document.createElementNS(SVGNS, "path");
      p.setAttribute("d", paths[code]);
      var c = colourOf(values[i], breaks);
      if (c) p.setAttribute("fill", c); else p.setAttribute("class", "nodata");
      p.setAttribute("tabindex", "0");
      p.setAttribute("role", "button");
      p.setAttribute("data-code", code);
      p.setAttribute("aria-label", describe(code));
      if (code === state.area) p.classList.add("selected");
      var t = document.createElementNS(SVGNS, "title"); t.textContent = describe(code); p.appendChild(t);
      p.addEventListener("click", function () { selectArea(code, false); });
      p.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); selectArea(code, true); } });
      layer.appendChild(p);
    });
    svg.appendChild(layer);
    var lad = G.paths.lad || {};
    Object.keys(lad).forEach(function (code) {
      var o = document.createElementNS(SVGNS, "path");
      o.setAttribute("d", lad[code]); o.setAttribute("fill", "none"); o.setAttribute("stroke", "#000");
      o.setAttribute("stroke-width", "2"); o.setAttribute("pointer-events", "none"); o.setAttribute("aria-hidden", "true");
      svg.appendChild(o);
    });
    renderLabels(svg, codes);
    byId("map-caption").textContent = "Map of " + (D.n_areas[state.boundary] || 0) + " areas (" + boundaryLabel(state.boundary) + ")" +
      " in " + D.borough.name + ", coloured by " + m.name + " score, " + state.year + ". Darker is a lower score; yellow is the highest.";
    renderLegend(breaks, values.some(function (v) { return !isNum(v); }), m);
    renderMapTable(codes, m);
  }
  /* Ward names on the map, at each ward's label point (publish/explorer.py): about 11 px
     whatever the map's size, kept inside the map, never in the way of a click. */
  function renderLabels(svg, codes) {
    var at = (D.labels || {})[state.boundary];
    if (!at) return;
    var g = document.createElementNS(SVGNS, "g");
    g.setAttribute("id", "map-labels"); g.setAttribute("aria-hidden", "true");
    codes.forEach(function (code) {
      if (!at[code]) return;
      var t = document.createElementNS(SVGNS, "text");
      t.setAttribute("class", "ward-label"); t.setAttribute("data-code", code);
      t.setAttribute("data-x", at[code][0]); t.setAttribute("data-y", at[code][1]);
      t.textContent = areaName(state.boundary, code);
      g.appendChild(t);
    });
    svg.appendChild(g);
    placeLabels();
  }
  function placeLabels() {
    var svg = byId("map"), box = svg.viewBox.baseVal, width = svg.getBoundingClientRect().width;
    if (!box || !width) return;
    var size = 11 * box.width / width;
    Array.prototype.forEach.call(svg.querySelectorAll("text.ward-label"), function (t) {
      var x = +t.getAttribute("data-x"), y = +t.getAttribute("data-y");
      t.setAttribute("font-size", size.toFixed(1)); t.setAttribute("stroke-width", (size / 4).toFixed(1));
      t.setAttribute("x", x); t.setAttribute("y", y);
      var b = t.getBBox(), pad = size / 3;
      if (b.x < pad) x += pad - b.x; else if (b.x + b.width > box.width - pad) x -= b.x + b.width - (box.width - pad);
      if (b.y < pad) y += pad - b.y; else if (b.y + b.height > box.height - pad) y -= b.y + b.height - (box.height - pad);
      t.setAttribute("x", x.toFixed(1)); t.setAttribute("y", y.toFixed(1));
    });
  }

  function renderLegend(breaks, nodata, m) {
    var lg = clear(byId("legend"));
    lg.appendChild(el("h3", {text: m.name + " score, " + state.year}));
    var ul = el("ul");
    if (breaks) for (var i = PALETTE.length - 1; i >= 0; i--) {
      ul.appendChild(el("li", {}, [el("span", {cls: "swatch", style: "background:" + PALETTE[i]}),
        f1(breaks[i]) + "\u2013" + f1(breaks[i + 1]) + (i === PALETTE.length - 1 ? " (highest)" : i === 0 ? " (lowest)" : "")]));
    }
    if (nodata) ul.appendChild(el("li", {}, [el("span", {cls: "swatch", style: "background:repeating-linear-gradient(45deg,#ddd,#ddd 3px,#888 3px,#888 5px)"}), "No data"]));
    lg.appendChild(ul);
    lg.appendChild(el("p", {cls: "caption", text: "Scores run from 0 (worst goalpost) to 100 (best); higher is always better."}));
  }
  function renderMapTable(codes, m) {
    var t = byId("map-table");
    byId("map-table-caption").textContent = m.name + ", " + state.year + ", " + boundaryLabel(state.boundary);
    var head = clear(t.tHead), body = clear(t.tBodies[0]);
    var hr = el("tr", {}, [el("th", {scope: "col", text: "Area"}), el("th", {scope: "col", text: "Code"}),
      el("th", {scope: "col", cls: "num", text: "Score"}), el("th", {scope: "col", cls: "num", text: "Rank"})]);
    if (m.type === "indicator") hr.appendChild(el("th", {scope: "col", cls: "num", text: "Value (" + fmtUnit(m.unit) + ")"}));
    head.appendChild(hr);
    var rows = codes.map(function (c) { return [c, entry(state.year, state.boundary, c, state.measure)]; });
    rows.sort(function (a, b) { return ((a[1] && a[1][2]) || 1e9) - ((b[1] && b[1][2]) || 1e9); });
    rows.forEach(function (r) {
      var e = r[1] || [];
      var tr = el("tr", {"data-code": r[0]}, [el("th", {scope: "row", text: areaName(state.boundary, r[0])}), el("td", {text: r[0]}),
        el("td", {cls: "num", text: f1(e[1])}), el("td", {cls: "num", text: rankText(state.year, state.boundary, r[0], state.measure)})]);
      if (m.type === "indicator") tr.appendChild(el("td", {cls: "num", text: valueText(e, m), title: e[7] ? SUPPRESSED_WHY : ""}));
      body.appendChild(tr);
    });
    labelCells(t);
  }

  /* ------------------------------------------------------------------ comparisons, trends, ranks
     Each value against its benchmark (LSOAs and wards: the borough; the borough: London) and
     its recent trend, both computed when the release is published (publish/benchmark.py,
     publish/trend.py); ranks that show ties; values carried forward. Every verdict is a
     shape and words, never colour alone, and its reason is printed, not only on hover. */
  var COMPARISON = {
    "better": {cls: "better", icon: "\u25B2", text: "Better"},
    "similar": {cls: "similar", icon: "\u25C6", text: "Similar"},
    "worse": {cls: "worse", icon: "\u25BC", text: "Worse"},
    "higher": {cls: "neutral", icon: "\u25B3", text: "Higher"},
    "lower": {cls: "neutral", icon: "\u25BD", text: "Lower"},
    "not compared": {cls: "na", icon: "\u2013", text: "Not compared"}
  };
  /* the year a carried-forward value dates from ("no new data since 2019"), else null */
  function noNewData(p) {
    if (!p || p[0] !== "no new data") return null;
    var m = /(\d{4})/.exec(p[1] || "");
    return m ? m[1] : "an earlier year";
  }
  function reasonNote(text) { return el("small", {cls: "reason", text: text}); }
  function ratingWithReason(p) {
    var wrap = el("span", {cls: "rated"}, [ratingBadge(p)]);
    if (p && p[1] && !noNewData(p)) wrap.appendChild(reasonNote(p[1]));
    return wrap;
  }
  function changeOrNoNewData(p, text) { return noNewData(p) ? "No new data since " + noNewData(p) : text; }
  function byArea(key, year, boundary, code, measure) {
    var y = (D[key] || {})[String(year)] || {}, b = y[boundary] || {}, a = b[code] || {};
    return isNum(a[measure]) ? a[measure] : null;
  }
  function comparisonBadge(c, against) {
    var k = COMPARISON[c] || COMPARISON["not compared"];
    var words = c === "similar" ? "Similar to " + against : (c === "not compared" || !COMPARISON[c]) ? k.text : k.text + " than " + against;
    return el("span", {cls: "cmp " + k.cls, "data-comparison": c || "not compared"}, [el("span", {cls: "cmp-icon", "aria-hidden": "true", text: k.icon}), words]);
  }
  function benchmarkCell(type, boundary, code, measure) {
    var td = el("td", {cls: "benchmark"});
    if (!D.benchmarks) { td.appendChild(comparisonBadge("not compared")); td.appendChild(reasonNote("not in this release")); return td; }
    if (type !== "indicator") {
      td.appendChild(comparisonBadge("not compared"));
      td.appendChild(reasonNote("a score has no confidence interval"));
      return td;
    }
    var i = byArea("benchmarks", state.year, boundary, code, measure), t = i === null ? null : D.benchmark_text[i];
    if (!t) { td.appendChild(comparisonBadge("not compared")); td.appendChild(reasonNote("no value")); return td; }
    td.appendChild(comparisonBadge(t[0], t[2]));
    td.appendChild(reasonNote(t[1].replace(/^not compared: /, "")));
    return td;
  }
  var TREND_TEST = {chi_squared_trend: "chi-squared test for trend", least_squares: "least-squares slope"};
  function trendWords(t) {
    var span = t[2] && t[3] ? " " + t[2] + "\u2013" + t[3] : "";
    if (t[0] === "increasing" || t[0] === "decreasing")
      return (t[0] === "increasing" ? "Increasing" : "Decreasing") + " significantly" + (t[1] ? ", " + t[1] : "") + span;
    if (t[0] === "no significant trend") return "No significant trend" + span;
    return "Not enough data for a trend (" + t[4] + " data year" + (t[4] === 1 ? "" : "s") + ")";
  }
  function trendCell(boundary, code, measure) {
    var td = el("td", {cls: "trend"});
    var i = D.trends ? byArea("trends", state.year, boundary, code, measure) : null, t = i === null ? null : D.trend_text[i];
    if (!t) { td.appendChild(el("span", {cls: "trend-mark na", "data-trend": "none", text: D.trends ? "No data" : "Not in this release"})); return td; }
    var cls = t[1] === "getting better" ? "better" : t[1] === "getting worse" ? "worse" : (t[0] === "increasing" || t[0] === "decreasing") ? "neutral" : "na";
    var icon = t[0] === "increasing" ? "\u2197" : t[0] === "decreasing" ? "\u2198" : t[0] === "no significant trend" ? "\u2192" : "\u2013";
    td.appendChild(el("span", {cls: "trend-mark " + cls, "data-trend": t[0]}, [el("span", {cls: "cmp-icon", "aria-hidden": "true", text: icon}), trendWords(t)]));
    if (t[5]) td.appendChild(reasonNote(t[4] + " values; " + (TREND_TEST[t[5]] || t[5]) + " at 95%"));
    return td;
  }
  /* Standard competition ranking ("1224"): areas that share a value share a rank, shown
     with "=": "=2nd of 19". */
  function ordinal(n) {
    var t = n % 100, u = n % 10;
    return n + ((t >= 11 && t <= 13) ? "th" : u === 1 ? "st" : u === 2 ? "nd" : u === 3 ? "rd" : "th");
  }
  var tieCache = {};
  function sharing(year, boundary, measure, rank) {
    var key = year + "|" + boundary + "|" + measure, counts = tieCache[key];
    var areas = (D.scores[String(year)] || {})[boundary];
    if (!counts || counts.areas !== areas) {
      counts = {areas: areas, n: {}};
      Object.keys(areas || {}).forEach(function (c) {
        var e = areas[c][measure];
        if (e && isNum(e[2])) counts.n[e[2]] = (counts.n[e[2]] || 0) + 1;
      });
      tieCache[key] = counts;
    }
    return counts.n[rank] || 0;
  }
  function rankText(year, boundary, code, measure) {
    var e = entry(year, boundary, code, measure) || [];
    if (!isNum(e[2])) return "\u2013";
    return (sharing(year, boundary, measure, e[2]) > 1 ? "=" : "") + ordinal(e[2]) + " of " + D.n_areas[boundary];
  }
  /* A value and its unit, the unit said once: "38.6% of working-age adults", "4.2 per 1,000 residents". */
  function valueWithUnit(v, unit) {
    if (!isNum(v)) return "\u2013";
    return fmtValue(v, unit) + (isShare(unit) ? " of " + unit.replace(/^share of /, "") : unit ? " " + unit : "");
  }
  var MAX_LISTED = 5;
  /* The borough against London in the comparators table (marts.comparisons, by the same
     method as every benchmark: the borough's 95% interval against London's value). */
  function londonVerdictCell(verdict, own, m) {
    var c = verdict && COMPARISON[verdict] ? verdict : "not compared";
    var td = el("td", {cls: "progress"}, [comparisonBadge(c, "London")]);
    td.appendChild(reasonNote(c === "not compared" ? (own && !isNum(own[1]) ? "no confidence interval for this kind of measure" : "no London value to compare with")
      : "the borough's 95% confidence interval " + (c === "similar" ? "includes" : "excludes") + " London's value"));
    return td;
  }

  /* ------------------------------------------------------------------ scorecard */
  function scoreRow(type, m, code, base) {
    var cb = cardBoundary();
    var e = entry(state.year, cb, code, m.id) || [];
    var p = progress(base, state.year, cb, code, m.id);
    var be = base ? entry(base, cb, code, m.id) : null;
    var scoreChange = (be && isNum(e[1]) && isNum(be[1])) ? e[1] - be[1] : null;
    var n = D.n_areas[cb];
    var name = m.name;
    var valueCell = el("td", {cls: "num value"});
    if (type === "indicator") {
      valueCell.textContent = valueText(e, m);
      if (e[7]) valueCell.appendChild(el("small", {cls: "caption suppressed", text: " " + SUPPRESSED_WHY}));
      else if (isNum(e[0])) valueCell.appendChild(el("span", {cls: "visually-hidden", text: valueWithUnit(e[0], m.unit).slice(valueText(e, m).length)}));
      if (isNum(e[5]) && isNum(e[6])) valueCell.title = "95% confidence interval " + fmtValue(e[5], m.unit) + " to " + fmtValue(e[6], m.unit);
    }
    var changeText = signed(scoreChange, 1);
    if (type === "indicator" && be && isNum(e[0]) && isNum(be[0])) changeText += " (value " + fmtChange(e[0] - be[0], m.unit) + ")";
    changeText = changeOrNoNewData(p, changeText);
    var th = el("th", {scope: "row"}, [name]);
    if (type === "indicator") {
      th.appendChild(el("br"));
      th.appendChild(el("small", {cls: "caption", text: fmtUnit(m.unit) + (isNum(e[4]) && e[4] !== state.year ? "; data from " + e[4] : "") +
        (m.synthetic ? "; SYNTHETIC council data" : m.framework === "borough" ? "; council data" : "")}));
    }
    return el("tr", {cls: type, "data-measure": m.id}, [th, valueCell, benchmarkCell(type, cb, code, m.id),
      el("td", {cls: "num score", "data-score": isNum(e[1]) ? String(e[1]) : "", text: f1(e[1])}),
      el("td", {cls: "num rank", text: rankText(state.year, cb, code, m.id)}),
      el("td", {cls: "num change", text: base ? changeText : "\u2013"}),
      el("td", {cls: "progress"}, [base ? ratingWithReason(p) : el("span", {cls: "rating na", text: "\u2013 No comparison"})]),
      trendCell(cb, code, m.id)]);
  }
  function renderScorecard() {
    var box = clear(byId("scorecard"));
    var code = state.area;
    if (!code) { box.appendChild(el("p", {text: "Choose an area."})); return; }
    var cb = cardBoundary(), base = state.base || null, n = D.n_areas[cb];
    var idx = entry(state.year, cb, code, "Social Progress Index") || [];
    var name = areaName(cb, code);
    box.appendChild(el("h3", {id: "scorecard-title", "data-boundary": cb, text: name + " (" + code + "), " + state.year}));
    box.appendChild(el("p", {cls: "caption", text: boundaryLabel(cb) + "; change and progress " +
      (base ? "since " + base : "not shown (no comparison year)") + "."}));
    var cards = el("div", {cls: "cards"});
    var unc = D.uncertainty && D.uncertainty[String(state.year)] && D.uncertainty[String(state.year)][cb] ?
      D.uncertainty[String(state.year)][cb][code] : null;
    cards.appendChild(el("div", {cls: "card"}, [el("div", {text: "Social Progress Index"}), el("div", {cls: "big", id: "card-index", text: f1(idx[1])}),
      el("div", {id: "card-rank", text: "Rank " + rankText(state.year, cb, code, "Social Progress Index") + (unc ? " (90% interval " + Math.round(unc[0]) + "\u2013" + Math.round(unc[2]) + ")" : "")})]));
    var ip = progress(base, state.year, cb, code, "Social Progress Index");
    var be = base ? entry(base, cb, code, "Social Progress Index") : null;
    cards.appendChild(el("div", {cls: "card"}, [el("div", {text: base ? "Change since " + base : "Change"}),
      el("div", {cls: "big", text: be ? signed(idx[1] - be[1], 1) : "\u2013"}), base ? ratingWithReason(ip) : el("span", {text: ""})]));
    box.appendChild(cards);

    var table = el("table", {cls: "data", id: "scorecard-table"});
    var against = cb === "lad" ? "London" : D.borough.name;
    table.appendChild(el("caption", {text: "Every measure for " + name + " in " + state.year + ": value, compared with " + against +
      " (by the value's 95% confidence interval), score (0\u2013100), rank among " + n +
      " areas (1st = best; = a shared rank), change in score" + (base ? " since " + base : "") + ", progress rating and recent trend (last five data years)."}));
    table.appendChild(el("thead", {}, [el("tr", {}, [el("th", {scope: "col", text: "Measure"}), el("th", {scope: "col", cls: "num", text: "Value"}),
      el("th", {scope: "col", text: "Compared with " + against}),
      el("th", {scope: "col", cls: "num", text: "Score"}), el("th", {scope: "col", cls: "num", text: "Rank"}),
      el("th", {scope: "col", cls: "num", text: base ? "Change since " + base : "Change"}), el("th", {scope: "col", text: "Progress"}),
      el("th", {scope: "col", text: "Trend"})])]));
    var tb = el("tbody");
    tb.appendChild(scoreRow("index", measureIndex["Social Progress Index"], code, base));
    D.measures.filter(function (m) { return m.type === "dimension"; }).forEach(function (d) {
      tb.appendChild(scoreRow("dimension", d, code, base));
      D.measures.filter(function (m) { return m.type === "component" && m.dimension === d.id; }).forEach(function (c) {
        tb.appendChild(scoreRow("component", c, code, base));
        D.measures.filter(function (m) { return m.type === "indicator" && m.component === c.id; }).forEach(function (i) {
          tb.appendChild(scoreRow("indicator", i, code, base));
        });
      });
    });
    table.appendChild(tb);
    box.appendChild(labelCells(table));
    box.appendChild(renderStrengths(code));
    if (focusCardWhenShown) { focusCardWhenShown = false; focusCard(); }
  }
  function renderStrengths(code) {
    var wrap = el("div", {id: "strengths"});
    wrap.appendChild(el("h3", {text: "Relative strengths and weaknesses"}));
    if (isBorough(code)) { wrap.appendChild(el("p", {cls: "unavailable", text: "Shown for wards, against wards like them: the borough's weakest indicators are listed below."})); return wrap; }
    if (!isWard(state.boundary)) { wrap.appendChild(el("p", {cls: "unavailable", text: "Shown for wards: choose a ward set under \u201cAreas\u201d."})); return wrap; }
    if (!D.peers || !D.strengths) { wrap.appendChild(el("p", {cls: "unavailable", text: "Not available in this release: " + ((D.sections.similar_wards || {}).note || "no income deprivation data") + "."})); return wrap; }
    var pe = (D.peers[state.boundary] || {})[code];
    var rows = ((D.strengths[String(state.year)] || {})[state.boundary] || {})[code] || [];
    if (pe) {
      wrap.appendChild(el("p", {text: areaName(state.boundary, code) + " has " + (100 * pe.income).toFixed(1) +
        "% of residents in income deprivation. It is compared with the " + pe.peers.length + " wards closest to it: " +
        pe.peers.map(function (p) { return areaName(state.boundary, p[0]) + " (" + (100 * p[1]).toFixed(1) + "%)"; }).join(", ") + "."}));
    }
    var grid = el("div", {cls: "sw"});
    [["relative strength", "Strengths", "better"], ["relative weakness", "Weaknesses", "worse"]].forEach(function (k) {
      var items = rows.filter(function (r) { return r[5] === k[0]; }).sort(function (a, b) { return k[2] === "better" ? b[4] - a[4] : a[4] - b[4]; });
      var total = items.length;
      items = items.slice(0, MAX_LISTED);
      var col = el("div", {cls: "sw-col", id: k[2] === "better" ? "strengths-list" : "weaknesses-list"}, [el("h4", {text: k[1] +
        (total > items.length ? " (the " + items.length + " largest of " + total + ", largest first)" : " (" + total + ")")})]);
      var ul = el("ul");
      items.forEach(function (r) {
        var m = measureIndex[r[1]] || {name: r[1]};
        ul.appendChild(el("li", {}, [el("span", {cls: "rating " + k[2]}, [el("span", {"aria-hidden": "true", text: k[2] === "better" ? "\u25B2" : "\u25BC"}), k[2] === "better" ? "Strength" : "Weakness"]),
          " " + m.name + (r[0] === "component" ? " (component)" : "") + ": score " + f1(r[2]) + " against " + f1(r[3]) + " for similar wards (" + signed(r[4], 1) + ")"]));
      });
      if (!items.length) ul.appendChild(el("li", {text: "None: within the range of similar wards."}));
      col.appendChild(ul); grid.appendChild(col);
    });
    wrap.appendChild(grid);
    return wrap;
  }

  /* ------------------------------------------------------------------ borough */
  function renderWorst() {
    var t = byId("worst-table"), base = state.base || null;
    var head = clear(t.tHead), body = clear(t.tBodies[0]);
    head.appendChild(el("tr", {}, ["#", "Indicator", "Component", "Value", "Score", base ? "Change since " + base : "Change", "Progress"].map(function (h, i) {
      return el("th", {scope: "col", cls: (i === 3 || i === 4 || i === 5) ? "num" : "", text: h}); })));
    var lad = Object.keys((D.scores[String(state.year)] || {}).lad || {})[0];
    (D.worst[String(state.year)] || []).forEach(function (id, i) {
      var m = measureIndex[id] || {name: id}, e = entry(state.year, "lad", lad, id) || [];
      var be = base ? entry(base, "lad", lad, id) : null;
      body.appendChild(el("tr", {"data-measure": id}, [el("td", {cls: "inline-label", text: String(i + 1)}), el("th", {scope: "row", text: m.name}),
        el("td", {cls: "span2", text: m.component || ""}), el("td", {cls: "num wrap", text: valueWithUnit(e[0], m.unit)}),
        el("td", {cls: "num", text: f1(e[1])}), el("td", {cls: "num", text: be ? changeOrNoNewData(progress(base, state.year, "lad", lad, id), signed(e[1] - be[1], 1)) : "\u2013"}),
        el("td", {cls: "progress"}, [base ? ratingWithReason(progress(base, state.year, "lad", lad, id)) : el("span", {text: "\u2013"})])]));
    });
    labelCells(t);
  }
  /* Targets: each one labelled adopted or illustrative where it is shown (not only in a
     tooltip), so a draft is never read as policy; relative targets (a gap to London, a rank
     among London's boroughs) say what they are measured against. */
  var TARGET_LABELS = {adopted: "Adopted target", illustrative: "Illustrative target, not adopted"};
  function targetLabel(r) {
    var labels = ((D.sections || {}).targets || {}).labels || TARGET_LABELS;
    var kind = r.adoption_status === "adopted" ? "adopted" : "illustrative";  // anything unlabelled reads as not adopted
    return el("span", {cls: "target-label " + kind, text: labels[kind] || TARGET_LABELS[kind]});
  }
  function targetText(r) {
    if (r.kind === "london_gap") return "Close " + Math.round(100 * r.target) + "% of the " + r.baseline_year + " gap to London by " +
      r.target_year + (isNum(r.target_gap) ? " (a gap of " + fmtChange(r.target_gap, r.unit).replace(/^\+/, "") + " or less)" : "");
    if (r.kind === "london_rank") return "Rank " + r.target + " or better of London's 33 boroughs by " + r.target_year;
    return fmtValue(r.target, r.unit) + " by " + r.target_year;
  }
  function targetCurrent(r) {
    if (!isNum(r.current_value)) return "no data";
    var s = fmtValue(r.current_value, r.unit) + " (" + r.current_year + ")";
    if (r.kind === "london_gap" && isNum(r.reference_value)) s += "; London " + fmtValue(r.reference_value, r.unit) + ", gap " + fmtChange(r.current_gap, r.unit);
    if (r.kind === "london_rank" && isNum(r.current_rank)) s += "; rank " + r.current_rank + " of " + r.boroughs_compared;
    return s;
  }
  function targetStatus(r) {
    if (r.status === "on track" || r.status === "off track") {
      var on = r.status === "on track";
      return [el("span", {cls: "status " + (on ? "on" : "off")}, [el("span", {"aria-hidden": "true", text: on ? "\u2714 " : "\u2716 "}), on ? "On track" : "Off track"])];
    }
    var ne = r.status === "not evaluated";
    return [el("span", {cls: "rating na", text: ne ? "\u2013 Not evaluated" : "\u2013 No data"}),
      ne && r.status_reason ? el("small", {cls: "caption target-reason", text: " " + r.status_reason}) : null];
  }
  function renderTargets() {
    var box = clear(byId("targets"));
    if (!D.targets || !D.targets.length) { box.appendChild(el("p", {cls: "unavailable", text: "No targets are set for this release (catalogue/targets.yml)."})); return; }
    box.appendChild(el("p", {cls: "caption", text: "Each target's latest borough value, its trend over the last five data years (for a target against London, the trend of the gap), and where the trend reaches by the target year. On track: met already, or the trend reaches the target in time. An illustrative target is a draft for discussion that the council has not adopted."}));
    var t = el("table", {cls: "data", id: "targets-table"});
    t.appendChild(el("thead", {}, [el("tr", {}, ["Indicator", "Target", "Current", "Trend", "Projected", "Status"].map(function (h) { return el("th", {scope: "col", text: h}); }))]));
    var tb = el("tbody");
    D.targets.forEach(function (r) {
      var relative = r.kind === "london_gap" || r.kind === "london_rank";
      tb.appendChild(el("tr", {"data-measure": r.indicator_id, "data-kind": r.kind || "absolute"}, [el("th", {scope: "row"}, [r.name, el("br"), targetLabel(r), el("br"), el("small", {cls: "caption target-source", text: r.source || ""})]),
        el("td", {text: targetText(r)}),
        el("td", {text: targetCurrent(r)}),
        el("td", {text: r.trend + (isNum(r.trend_per_year) ? " (" + (relative ? "gap " : "") + fmtChange(r.trend_per_year, r.unit) + " a year)" : "")}),
        el("td", {text: isNum(r.projected_value) ? (relative ? "gap " + fmtChange(r.projected_value, r.unit) : fmtValue(r.projected_value, r.unit)) + " in " + r.target_year : "\u2013"}),
        el("td", {}, targetStatus(r))]));
    });
    t.appendChild(tb); box.appendChild(labelCells(t));
  }
  function renderComparators() {
    var box = clear(byId("comparators"));
    var C = D.comparators;
    if (!C) { box.appendChild(el("p", {cls: "unavailable", id: "comparators-unavailable", text: "Not available in this release: " + ((D.sections.comparators || {}).note || "no comparator data") + "."})); return; }
    box.appendChild(el("p", {cls: "caption", text: "Latest value on or before " + state.year + " for each indicator, in the unit under its name. The last column compares the borough with London: better or worse only when the borough's 95% confidence interval excludes London's value, as for every benchmark on this page."}));
    var t = el("table", {cls: "data", id: "comparators-table"});
    var hr = el("tr", {}, [el("th", {scope: "col", text: "Indicator"}), el("th", {scope: "col", text: "Year"})]);
    C.order.forEach(function (c) { hr.appendChild(el("th", {scope: "col", cls: "num", text: C.names[c]})); });
    hr.appendChild(el("th", {scope: "col", text: "Borough vs London"}));
    t.appendChild(el("thead", {}, [hr]));
    var tb = el("tbody");
    var ids = D.measures.filter(function (m) { return (m.type === "indicator" || m.type === "context") && C.rows[m.id]; }).map(function (m) { return m.id; });
    Object.keys(C.rows).sort().forEach(function (id) { if (ids.indexOf(id) < 0) ids.push(id); });
    ids.forEach(function (id) {
      var m = measureIndex[id] || {name: id, unit: ""};
      var ys = Object.keys(C.rows[id]).map(Number).filter(function (y) { return y <= state.year; });
      if (!ys.length) return;
      var y = Math.max.apply(null, ys), row = C.rows[id][String(y)];
      var tr = el("tr", {"data-measure": id}, [el("th", {scope: "row"}, [m.name, el("br"), el("small", {cls: "caption unit", text: fmtUnit(m.unit)})]), el("td", {text: String(y)})]);
      var verdict = "";
      C.order.forEach(function (c) {
        var v = row[c];
        var td = el("td", {cls: "num", text: v ? fmtValue(v[0], m.unit) : "\u2013"});
        if (v && isNum(v[1])) td.title = "95% CI " + fmtValue(v[1], m.unit) + "\u2013" + fmtValue(v[2], m.unit);
        if (v && v[3] && v[3] !== "" && c === D.borough.code) verdict = v[3];
        tr.appendChild(td);
      });
      tr.appendChild(londonVerdictCell(verdict, row[D.borough.code], m));
      tb.appendChild(tr);
    });
    t.appendChild(tb); box.appendChild(labelCells(t));
  }
  /* The method section: how this borough's framework differs (indicators its sources do
     not cover) and how each component is weighted. */
  function renderMethodNotes() {
    var box = byId("method-notes"), fw = (D.sections || {}).framework || {};
    if (!box) return;
    clear(box);
    var left = fw.left_out || {}, ids = Object.keys(left).sort();
    box.appendChild(el("h3", {text: "Left out of " + D.borough.name + "'s framework"}));
    if (!ids.length) box.appendChild(el("p", {id: "left-out-none", text: "None: every indicator's sources cover the borough."}));
    else {
      var ul = el("ul", {id: "left-out"});
      ids.forEach(function (id) {
        var m = measureIndex[id];
        ul.appendChild(el("li", {}, [el("strong", {text: (m && m.name) || id}), " (" + ((m && m.component) || "") + "): " + left[id] + "."]));
      });
      box.appendChild(ul);
      box.appendChild(el("p", {text: "They are not filled with zeros: they are absent from this borough's scores, and their component is scored from the indicators that remain."}));
    }
    var fws = (D.sections || {}).frameworks, syn = (D.sections || {}).synthetic || {};
    if (fws && fws.borough) {
      box.appendChild(el("h3", {text: "Two frameworks"}));
      box.appendChild(el("p", {id: "frameworks-note", text: "The scores shown here are " + D.borough.name + "'s own index: " +
        fws.borough.indicators + " indicators, " + fws.borough.council_indicators + " of them from the council's own systems (" +
        fws.borough.weights + "). The London common framework scores the same areas on the " + fws.london_common.indicators +
        " open indicators alone, with London-wide goalposts and weights, so it compares with every other borough (" +
        fws.london_common.file + ")."}));
    }
    if (syn.sources && syn.sources.length) {
      box.appendChild(el("p", {id: "synthetic-note", cls: "warning", text: "SYNTHETIC DATA: " + syn.note + ". Sources: " + syn.sources.join(", ") + "."}));
    }
    if ((D.sections || {}).disclosure) box.appendChild(el("p", {id: "disclosure-note", text: SUPPRESSED_WHY}));
    var w = fw.weighting || {}, comps = Object.keys(w).sort();
    if (comps.length) {
      var common = comps.filter(function (c) { return w[c] === "london"; });
      box.appendChild(el("p", {id: "weighting-note", text: (common.length === comps.length ? "Every component is" : common.length + " of " + comps.length + " components are") +
        " weighted with the common London weights (principal components estimated on every London neighbourhood), so scores compare across boroughs." +
        (comps.some(function (c) { return w[c].indexOf("pca") === 0; }) ? " Weighted by principal components on " + D.borough.name + "'s own neighbourhoods and years, because they hold council indicators London has no weight for: " + comps.filter(function (c) { return w[c].indexOf("pca") === 0; }).join(", ") + "." : "") +
        (comps.some(function (c) { return w[c] !== "london" && w[c].indexOf("pca") !== 0; }) ? " Weighted equally, because an indicator of theirs has no London weight: " + comps.filter(function (c) { return w[c] !== "london" && w[c].indexOf("pca") !== 0; }).join(", ") + "." : "")}));
    }
    /* the release's audit/ folder (publish/audit.py): text only, the link is fixed */
    var au = (D.sections || {}).audit;
    if (au && au.available) {
      var found = au.failures || [];
      box.appendChild(el("h3", {text: "Audit of the method"}));
      box.appendChild(el("p", {id: "audit-note"}, [
        (found.length ? found.length + " audit finding" + (found.length === 1 ? "" : "s") + (au.mode === "warn" ? " (reported, not blocking publication)" : "") + ", listed below. "
                      : "Every component passes the audit. ") +
        "Each component's coherence (Cronbach's alpha, KMO, variance explained), the correlations between indicators, each indicator's effective weight (its share of the index's variance) and how the ranks move under other choices of the method are in ",
        el("a", {id: "audit-link", href: "audit/README.md", text: "the audit (audit/README.md)"}), "."]));
      if (found.length) {
        var list = el("ul", {id: "audit-findings"});
        found.forEach(function (f) { list.appendChild(el("li", {text: f})); });
        box.appendChild(list);
      }
    }
  }
  function renderDownloads() {
    var ul = clear(byId("downloads"));
    D.files.forEach(function (f) {
      ul.appendChild(el("li", {}, [el("a", {href: f.name, download: f.name.split("/").pop(), text: f.name}),
        (f.bytes ? " (" + bytes(f.bytes) + ")" : "") + (f.description ? " \u2014 " + f.description : "")]));
    });
  }

  /* ------------------------------------------------------------------ search
     By ward name (any part of it, any case) or by postcode, offline: the borough's
     postcodes (postcodes.js) load the first time something like a postcode is typed. */
  var postcodes = {data: null, requested: false};
  window.SPI_POSTCODES = function (p) { postcodes.data = p; runSearch(); };
  function loadPostcodes() {
    if (postcodes.requested || !D.postcode_file) return;
    postcodes.requested = true;
    var s = el("script", {src: D.postcode_file});
    s.addEventListener("error", function () {
      postcodes.requested = false; s.parentNode.removeChild(s);
      byId("search-status").textContent = "Could not load the postcode list: check the connection and try again.";
    });
    document.body.appendChild(s);
  }
  /* The same rules as geography/postcodes.py normalise_postcode: case, spacing and
     punctuation, and O/I/L typed for 0/1 (or 0/1/5 for O/I/S) where the format fixes the
     kind of character. "rm1o7ab" -> "RM10 7AB"; null when it cannot be a postcode. */
  var TO_DIGIT = {O: "0", I: "1", L: "1"}, TO_LETTER = {"0": "O", "1": "I", "5": "S"};
  var VALID_POSTCODE = /^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABDEFGHJLNPQRSTUWXYZ]{2}$/;
  function isDigit(c) { return c >= "0" && c <= "9"; }
  function normalisePostcode(text, areas1, areas2) {
    if (/\p{Nd}/u.test(text.replace(/[0-9]/g, ""))) return null;   // only 0-9 are postcode digits
    var s = text.replace(/[^0-9A-Za-z]/g, "").toUpperCase();
    if (s === "GIR0AA") return "GIR 0AA";
    if (s.length < 5 || s.length > 7) return null;
    var outward = s.slice(0, -3), inward = s.slice(-3);
    if (!isDigit(inward[0])) { if (!TO_DIGIT[inward[0]]) return null; inward = TO_DIGIT[inward[0]] + inward.slice(1); }
    var letters = function (chunk) { return chunk.split("").map(function (c) { return TO_LETTER[c] || c; }).join(""); };
    var area = null, rest = outward;
    if (outward.length >= 3 && areas2.indexOf(letters(outward.slice(0, 2))) >= 0 && (isDigit(outward[2]) || TO_DIGIT[outward[2]])) {
      area = letters(outward.slice(0, 2)); rest = outward.slice(2);
    } else if (outward.length >= 2 && areas1.indexOf(letters(outward[0])) >= 0) {
      area = letters(outward[0]); rest = outward.slice(1);
    }
    if (area === null || !rest.length || rest.length > 2) return null;
    var district = rest.split("");
    if (!isDigit(district[0])) { if (!TO_DIGIT[district[0]]) return null; district[0] = TO_DIGIT[district[0]]; }
    if (district.length === 2 && (district[1] === "O" || district[1] === "I")) district[1] = TO_DIGIT[district[1]];
    var out = area + district.join("") + " " + inward;
    return VALID_POSTCODE.test(out) ? out : null;
  }
  function looksLikePostcode(text) { var s = text.replace(/[^0-9A-Za-z]/g, ""); return s.length >= 2 && /[0-9]/.test(s); }
  /* [label, boundary, code] for what the text finds. */
  function searchResults(text) {
    var q = text.trim().toLowerCase(), out = [];
    if (!q) return out;
    var wards = isWard(state.boundary) ? state.boundary : (D.areas.ward22 ? "ward22" : null);
    (D.areas.lad || []).forEach(function (a) { if (a[1].toLowerCase().indexOf(q) >= 0) out.push([a[1] + " (whole borough)", "lad", a[0]]); });
    (D.areas[wards] || []).forEach(function (a) { if (a[1].toLowerCase().indexOf(q) >= 0) out.push([a[1] + " ward", wards, a[0]]); });
    var P = postcodes.data;
    if (P && looksLikePostcode(text)) {
      var pc = normalisePostcode(text, P.areas_1, P.areas_2), hit = pc && P.postcodes[pc];
      if (hit) {
        // the ward first (the area most people know), then the neighbourhood
        var order = P.boundaries.map(function (b, i) { return i; }).sort(function (i, j) { return isWard(P.boundaries[j]) - isWard(P.boundaries[i]); });
        order.forEach(function (i) {
          var b = P.boundaries[i], code = hit[i] >= 0 ? P.codes[b][hit[i]] : null;
          if (code && D.areas[b]) out.push([pc + ": " + areaName(b, code) + (isWard(b) ? " ward" : " neighbourhood (" + code + ")"), b, code]);
        });
      }
    }
    return out.slice(0, 20);
  }
  function runSearch() {
    var input = byId("search-input"), text = input.value, list = clear(byId("search-results")), status = byId("search-status");
    if (looksLikePostcode(text) && !postcodes.data) loadPostcodes();
    var found = searchResults(text);
    found.forEach(function (r) {
      var b = el("button", {type: "button", cls: "search-result", "data-boundary": r[1], "data-code": r[2], text: r[0]});
      b.addEventListener("click", function () { openArea(r[1], r[2]); });
      b.addEventListener("keydown", moveInResults);
      list.appendChild(el("li", {}, [b]));
    });
    if (!text.trim()) status.textContent = "";
    else if (found.length) status.textContent = found.length + (found.length === 1 ? " match" : " matches") + ": press Enter to open the first, or the down arrow to choose.";
    else if (looksLikePostcode(text) && D.postcode_file && !postcodes.data) status.textContent = "Loading the borough's postcodes\u2026";
    else if (looksLikePostcode(text) && postcodes.data && normalisePostcode(text, postcodes.data.areas_1, postcodes.data.areas_2))
      status.textContent = normalisePostcode(text, postcodes.data.areas_1, postcodes.data.areas_2) + " is not a postcode in " + D.borough.name + ".";
    else status.textContent = "No ward matches" + (D.postcode_file ? "; for a postcode, type all of it (e.g. the one on a letter)." : " (postcode search is not in this release).");
  }
  function moveInResults(e) {
    var buttons = Array.prototype.slice.call(byId("search-results").querySelectorAll("button"));
    var i = buttons.indexOf(e.target);
    if (e.key === "ArrowDown" && i < buttons.length - 1) { e.preventDefault(); buttons[i + 1].focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? buttons[i - 1] : byId("search-input")).focus(); }
  }
  function initSearch() {
    var input = byId("search-input");
    input.addEventListener("input", runSearch);
    input.addEventListener("keydown", function (e) {
      var first = byId("search-results").querySelector("button");
      if (e.key === "Enter") { e.preventDefault(); if (first) first.click(); }
      if (e.key === "ArrowDown" && first) { e.preventDefault(); first.focus(); }
    });
  }

  /* ------------------------------------------------------------------ charts
     explorer/charts.js (and the charting library it loads) arrives only when the chart
     section first comes near the screen, so the first view does not carry it; after that
     every change of area, year or measure redraws the charts. */
  var charts = {requested: false, watching: false};
  function chartContext() {
    return {year: state.year, boundary: state.boundary, cardBoundary: cardBoundary(), area: state.area, measure: state.measure,
            areaName: areaName, boundaryLabel: boundaryLabel, fmtValue: fmtValue, fmtUnit: fmtUnit};
  }
  function renderCharts() {
    if (!byId("charts-section")) return;
    if (window.SPI_CHARTS) { window.SPI_CHARTS.render(chartContext()); return; }
    function load() {
      if (charts.requested) return;
      charts.requested = true;
      var s = el("script", {src: "explorer/charts.js"});
      s.addEventListener("load", renderCharts);
      s.addEventListener("error", function () { charts.requested = charts.watching = false; byId("charts-status").textContent = "Could not load explorer/charts.js: check the connection and reload."; });
      document.body.appendChild(s);
    }
    if (charts.watching || charts.requested) return;
    if (!window.IntersectionObserver) { load(); return; }
    charts.watching = true;
    var io = new IntersectionObserver(function (entries) {
      if (entries.some(function (x) { return x.isIntersecting; })) { io.disconnect(); load(); }
    }, {rootMargin: "400px 0px"});
    io.observe(byId("charts-section"));
  }

  /* ------------------------------------------------------------------ state */
  function writeHash() {
    var h = "year=" + state.year + "&compare=" + (state.base || 0) + "&areas=" + state.boundary + "&area=" + encodeURIComponent(state.area || "") + "&measure=" + encodeURIComponent(state.measure);
    if (history.replaceState) history.replaceState(null, "", "#" + h);
  }
  function readHash() {
    var h = (location.hash || "").replace(/^#/, "");
    h.split("&").forEach(function (kv) {
      var p = kv.split("="), k = p[0], v = decodeURIComponent(p[1] || "");
      if (k === "year" && D.years.indexOf(+v) >= 0) state.year = +v;
      if (k === "compare") state.base = +v;
      if (k === "areas" && D.areas[v]) state.boundary = v;
      if (k === "area" && v) state.area = v;
      if (k === "measure" && measureIndex[v]) state.measure = v;
    });
  }
  function selectArea(code, focus) {
    state.area = code;
    byId("area-select").value = code;
    if (busy) return;  // the view being loaded shows this area when it arrives
    var paths = byId("map").querySelectorAll("path[data-code]");
    for (var i = 0; i < paths.length; i++) paths[i].classList.toggle("selected", paths[i].getAttribute("data-code") === code);
    renderScorecard(); renderCharts(); writeHash();
    if (focus) focusCard();
  }
  function focusCard() { var t = byId("scorecard-title"); if (t) { t.setAttribute("tabindex", "-1"); t.focus(); } }
  /* Open an area's scorecard from anywhere (the search): switch the map to its area set if
     need be (loading its parts), then move the focus to the scorecard. */
  function openArea(boundary, code) {
    if (boundary !== "lad" && boundary !== state.boundary) {
      state.boundary = boundary; byId("boundary-select").value = boundary;
      state.area = code; fillAreas();
      focusCardWhenShown = true;
      show(renderAll);
      return;
    }
    selectArea(code, true);
  }
  function renderAll() { renderHeadline(); renderMap(); renderScorecard(); renderWorst(); renderComparators(); renderCharts(); writeHash(); }

  function init() {
    // the controls only change the view: no submission (no inline handler: the served CSP forbids them)
    byId("controls").addEventListener("submit", function (e) { e.preventDefault(); });
    if (!D || !G) { document.body.insertBefore(el("p", {cls: "unavailable", text: "The explorer's data files (explorer/data.js, explorer/geo.js) are missing."}), document.body.firstChild); return; }
    readHash();
    document.title = "Social Progress Index: " + D.borough.name + " (release " + D.release_year + ")";
    byId("title").textContent = "Social Progress Index: " + D.borough.name;
    byId("subtitle").textContent = "Release " + D.release_year + " \u2014 " + D.years.length + " years (" + D.years[0] + "\u2013" + D.years[D.years.length - 1] + ") for every ward and neighbourhood." +
      ((((D.sections || {}).synthetic || {}).sources || []).length ? " Includes SYNTHETIC stand-ins for the council's own data (see How this is calculated)." : "");
    byId("footer").textContent = D.borough.name + " (" + D.borough.code + "), Social Progress Index release " + D.release_year + ". Sources and licences: metadata.json.";
    fillControls();
    trackBar();
    initSearch();
    window.addEventListener("resize", placeLabels);
    byId("year-select").addEventListener("change", function (e) { state.year = +e.target.value; fillCompare(); show(renderAll); });
    byId("compare-select").addEventListener("change", function (e) { state.base = +e.target.value || 0; show(renderAll); });
    byId("boundary-select").addEventListener("change", function (e) { state.boundary = e.target.value; fillAreas(); show(renderAll); });
    byId("measure-select").addEventListener("change", function (e) { state.measure = e.target.value; show(function () { renderMap(); renderCharts(); writeHash(); }); });
    byId("area-select").addEventListener("change", function (e) { selectArea(e.target.value, false); });
    renderHeadline(); renderTargets(); renderDownloads(); renderMethodNotes();
    show(renderAll);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
