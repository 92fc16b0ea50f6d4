/* Charts of the selected area: its trend over the years beside the borough and London, its
 * profile (each indicator against the range across the borough's areas) and its 10 weakest
 * indicators with their trend.
 *
 * Loaded by app.js only when the chart section first nears the screen, so the first view
 * carries none of it. The trend chart is drawn with uPlot (explorer/vendor/uplot/, MIT,
 * loaded with the first trend chart); the profile and the sparklines are plain HTML and SVG
 * (a row per indicator, each with its own text). The years of every area come from
 * explorer/series-<boundary>.js (publish/explorer_series.py), loaded on demand; the
 * borough's years and London's values (the release's comparators) are in data.js.
 * Every chart has a text alternative (a table or a label per row) and is reachable by
 * keyboard; no chart tells its series apart by colour alone. */
(function () {
  "use strict";
  var D = window.SPI_DATA;
  var LIB_JS = "explorer/vendor/uplot/uPlot.iife.min.js", LIB_CSS = "explorer/vendor/uplot/uPlot.min.css";
  var SVGNS = "http://www.w3.org/2000/svg";
  // line styles told apart by dash and marker as well as colour (Okabe-Ito blue and vermilion)
  var STYLE = {
    area: {stroke: "#1d2b4f", width: 3, dash: null, points: true, label: "area"},
    borough: {stroke: "#d55e00", width: 2, dash: [10, 5], points: false, label: "borough"},
    london: {stroke: "#0072b2", width: 2, dash: [2, 4], points: true, label: "London"}
  };
  var series = {data: {}, requested: {}, waiting: {}};
  var lib = {requested: false, waiting: []};
  var last = null, plot = null, resizing = null;
  var byId = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "cls") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function isNum(x) { return typeof x === "number" && isFinite(x); }
  function f1(x) { return isNum(x) ? x.toFixed(1) : "\u2013"; }
  function measure(id) { for (var i = 0; i < D.measures.length; i++) if (D.measures[i].id === id) return D.measures[i]; return {id: id, name: id, type: "index"}; }
  function hasValues(m) { return m.type === "indicator" || m.type === "context"; }
  function boroughCode() { return ((D.areas.lad || [])[0] || [])[0]; }
  function ladEntry(year, id) {
    var y = D.scores[String(year)] || {}, a = (y.lad || {})[boroughCode()] || {};
    return a[id] || null;
  }

  /* ------------------------------------------------------------------ loading */
  window.SPI_SERIES = function (s) {
    series.data[s.boundary] = s;
    (series.waiting[s.boundary] || []).forEach(function (f) { f(); });
    delete series.waiting[s.boundary];
  };
  function withSeries(boundary, then) {
    if (boundary === "lad" || series.data[boundary] || !(D.series || {})[boundary]) { then(); return; }
    (series.waiting[boundary] = series.waiting[boundary] || []).push(then);
    if (series.requested[boundary]) return;
    series.requested[boundary] = true;
    var s = el("script", {src: D.series[boundary]});
    s.addEventListener("error", function () {
      delete series.requested[boundary]; delete series.waiting[boundary]; s.parentNode.removeChild(s);
      status("Could not load " + D.series[boundary] + ": check the connection and choose the area again.");
    });
    document.body.appendChild(s);
  }
  function withLibrary(then) {
    if (window.uPlot) { then(); return; }
    lib.waiting.push(then);
    if (lib.requested) return;
    lib.requested = true;
    document.head.appendChild(el("link", {rel: "stylesheet", href: LIB_CSS}));
    var s = el("script", {src: LIB_JS});
    s.addEventListener("load", function () { var w = lib.waiting; lib.waiting = []; w.forEach(function (f) { f(); }); });
    s.addEventListener("error", function () {
      lib.requested = false; lib.waiting = []; s.parentNode.removeChild(s);
      trendMessage("Could not load the charting library (" + LIB_JS + "): the table below holds the chart's values.");
    });
    document.body.appendChild(s);
  }
  function status(text) { var p = byId("charts-status"); if (p) { p.textContent = text || ""; p.hidden = !text; } }

  /* ------------------------------------------------------------------ data
     A line over the release's years: the area's, the borough's and London's, as values in
     the indicator's unit (scores 0-100 for the index, dimensions and components). */
  function areaLine(ctx, id, scores) {
    var m = measure(id), useValue = !scores && hasValues(m);
    if (ctx.cardBoundary === "lad") return D.years.map(function (y) { var e = ladEntry(y, id); return e && isNum(e[useValue ? 0 : 1]) ? e[useValue ? 0 : 1] : null; });
    var s = series.data[ctx.cardBoundary] || {years: [], scores: {}, values: {}};
    var row = ((useValue ? s.values : s.scores)[ctx.area] || {})[id] || [];
    return D.years.map(function (y) { var i = s.years.indexOf(y), v = i >= 0 ? row[i] : null; return isNum(v) ? v : null; });
  }
  function boroughLine(id) {
    var useValue = hasValues(measure(id));
    return D.years.map(function (y) { var e = ladEntry(y, id); return e && isNum(e[useValue ? 0 : 1]) ? e[useValue ? 0 : 1] : null; });
  }
  /* London's value in each year from the comparators: the latest on or before the year (as
     the index uses each indicator's latest data); null for a year before London's first. */
  function londonLine(id) {
    var C = D.comparators, rows = C && C.rows ? C.rows[id] : null;
    var code = C ? Object.keys(C.roles || {}).filter(function (c) { return C.roles[c] === "london"; })[0] : null;
    if (!rows || !code) return null;
    var years = Object.keys(rows).map(Number).filter(function (y) { return rows[String(y)][code] && isNum(rows[String(y)][code][0]); }).sort();
    if (!years.length) return null;
    return D.years.map(function (y) {
      var before = years.filter(function (d) { return d <= y; });
      return before.length ? rows[String(before[before.length - 1])][code][0] : null;
    });
  }

  /* ------------------------------------------------------------------ trend chart */
  function fmt(ctx, m, v) { return hasValues(m) ? ctx.fmtValue(v, m.unit) : f1(v); }
  function trendMessage(text) { var p = byId("trend-note"); if (p) p.textContent = text; }
  function lines(ctx) {
    var m = measure(ctx.measure), out = [];
    var boroughName = D.borough.name + " (borough)";
    if (ctx.cardBoundary !== "lad") out.push({key: "area", label: ctx.areaName(ctx.cardBoundary, ctx.area), data: areaLine(ctx, m.id)});
    out.push({key: "borough", label: boroughName, data: boroughLine(m.id)});
    var lon = londonLine(m.id);
    if (lon) out.push({key: "london", label: "London", data: lon});
    return {m: m, lines: out, london: !!lon};
  }
  function summary(ctx, t) {
    var y0 = D.years[0], y1 = D.years[D.years.length - 1];
    return "Line chart of " + t.m.name + (hasValues(t.m) ? " (" + ctx.fmtUnit(t.m.unit) + ")" : " (score 0\u2013100)") + ", " + y0 + "\u2013" + y1 + ". " +
      t.lines.map(function (l) {
        var have = l.data.map(function (v, i) { return [D.years[i], v]; }).filter(function (p) { return isNum(p[1]); });
        if (!have.length) return l.label + ": no data.";
        var a = have[0], b = have[have.length - 1];
        return l.label + ": " + fmt(ctx, t.m, a[1]) + " in " + a[0] + (have.length > 1 ? ", " + fmt(ctx, t.m, b[1]) + " in " + b[0] : "") + ".";
      }).join(" ") + (t.london ? "" : " London not in this release.");
  }
  function legend(t) {
    var ul = el("ul", {cls: "chart-legend", id: "trend-legend"});
    t.lines.forEach(function (l) {
      var st = STYLE[l.key], s = svg("svg", {width: "36", height: "12", viewBox: "0 0 36 12", "aria-hidden": "true", focusable: "false"});
      s.appendChild(svg("line", {x1: "1", y1: "6", x2: "35", y2: "6", stroke: st.stroke, "stroke-width": String(st.width),
        "stroke-dasharray": st.dash ? st.dash.join(" ") : "none"}));
      if (st.points) s.appendChild(svg("circle", {cx: "18", cy: "6", r: "3.5", fill: st.stroke}));
      ul.appendChild(el("li", {"data-series": l.key}, [s, " " + l.label]));
    });
    return ul;
  }
  function trendTable(ctx, t) {
    var table = el("table", {cls: "data", id: "trend-table"});
    table.appendChild(el("caption", {text: t.m.name + (hasValues(t.m) ? " (" + ctx.fmtUnit(t.m.unit) + ")" : " (score)") + " by year"}));
    table.appendChild(el("thead", {}, [el("tr", {}, [el("th", {scope: "col", text: "Year"})].concat(
      t.lines.map(function (l) { return el("th", {scope: "col", cls: "num", text: l.label}); })))]));
    var tb = el("tbody");
    D.years.forEach(function (y, i) {
      tb.appendChild(el("tr", {"data-year": String(y)}, [el("th", {scope: "row", text: String(y)})].concat(
        t.lines.map(function (l) { return el("td", {cls: "num", "data-label": l.label, text: fmt(ctx, t.m, l.data[i])}); }))));
    });
    table.appendChild(tb);
    return table;
  }
  function plotWidth(box) { return Math.max(200, Math.floor(box.getBoundingClientRect().width)); }
  function drawTrend(ctx, t) {
    var box = byId("trend-plot");
    if (!box || !window.uPlot) return;
    if (plot) { plot.destroy(); plot = null; }
    clear(box);
    var w = plotWidth(box), yearSplits = function () { return D.years.slice(); };
    var opts = {
      width: w, height: Math.round(Math.min(320, Math.max(200, w * 0.55))),
      legend: {show: false},
      cursor: {drag: {x: false, y: false}},
      scales: {x: {time: false, range: function () { return [D.years[0] - 0.3, D.years[D.years.length - 1] + 0.3]; }}},
      axes: [
        {splits: yearSplits, values: function (u, splits) { return splits.map(function (v) { return w < 420 && D.years.length > 6 ? "\u2019" + String(v).slice(2) : String(v); }); },
         stroke: "#1b1b1b", grid: {stroke: "#e4e6e7"}},
        {values: function (u, splits) { return splits.map(function (v) { return fmt(ctx, t.m, v); }); },
         size: 58, stroke: "#1b1b1b", grid: {stroke: "#e4e6e7"}}
      ],
      series: [{label: "Year"}].concat(t.lines.map(function (l) {
        var st = STYLE[l.key], s = {label: l.label, stroke: st.stroke, width: st.width, spanGaps: false,
          points: {show: st.points, size: 8, fill: st.stroke, stroke: st.stroke}};
        if (st.dash) s.dash = st.dash;
        return s;
      }))
    };
    plot = new window.uPlot(opts, [D.years.slice()].concat(t.lines.map(function (l) { return l.data.slice(); })), box);
    box._uplot = plot;   // what is drawn, for the tests
    box.setAttribute("data-series", t.lines.map(function (l) { return l.key; }).join(" "));
    if (!resizing && window.ResizeObserver) {
      resizing = new ResizeObserver(function () {
        var b = byId("trend-plot");
        if (plot && b) { var nw = plotWidth(b); if (Math.abs(nw - plot.width) > 2) plot.setSize({width: nw, height: Math.round(Math.min(320, Math.max(200, nw * 0.55)))}); }
      });
      resizing.observe(byId("trend-figure"));
    }
  }
  function renderTrend(ctx, wrap) {
    var t = lines(ctx);
    var fig = el("figure", {id: "trend-figure", cls: "chart", "data-measure": t.m.id});
    fig.appendChild(el("figcaption", {id: "trend-caption", text: t.m.name + ": " + (ctx.cardBoundary === "lad" ? D.borough.name : ctx.areaName(ctx.cardBoundary, ctx.area)) +
      (ctx.cardBoundary === "lad" ? "" : ", the borough") + " and London, " + D.years[0] + "\u2013" + D.years[D.years.length - 1] +
      (hasValues(t.m) ? " (" + ctx.fmtUnit(t.m.unit) + (t.m.direction ? "; " + (String(t.m.direction).indexOf("lower") === 0 ? "lower is better" : "higher is better") : "") + ")" : " (score 0\u2013100; higher is better)")}));
    fig.appendChild(legend(t));
    var sum = summary(ctx, t);
    fig.appendChild(el("div", {id: "trend-plot", cls: "trend-plot", role: "img", tabindex: "0", "aria-label": sum, "aria-describedby": "trend-note"}));
    fig.appendChild(el("p", {id: "trend-note", cls: "caption", text: (t.london ? "" : "London not in this release for " + t.m.name + ". ") +
      "Each year uses the latest data on or before it; a gap is a year with no data. Choose the measure under \u201cColour the map by\u201d."}));
    fig.appendChild(el("details", {id: "trend-table-details"}, [el("summary", {text: "Table of the chart's values (text alternative)"}), trendTable(ctx, t)]));
    wrap.appendChild(fig);
    withLibrary(function () { if (last === ctx) drawTrend(ctx, t); });
  }

  /* ------------------------------------------------------------------ profile (spine) chart
     Each indicator's score (0 = worst goalpost, 100 = best: polarity aligned, better is
     always to the right) for the area, against the range across the borough's areas of the
     map's area set: lowest to highest, the middle half (25th to 75th percentile), and the
     borough as a whole. */
  function quantile(sorted, q) {   // linear interpolation between order statistics (numpy's default)
    var h = (sorted.length - 1) * q, lo = Math.floor(h), hi = Math.ceil(h);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
  function profileRows(ctx) {
    var year = String(ctx.year), areas = ((D.scores[year] || {})[ctx.boundary]) || {};
    var codes = Object.keys(areas);
    var own = ctx.cardBoundary === "lad" ? ((D.scores[year] || {}).lad || {})[boroughCode()] || {} : areas[ctx.area] || {};
    return D.measures.filter(function (m) { return m.type === "indicator"; }).map(function (m) {
      var xs = codes.map(function (c) { var e = areas[c][m.id]; return e && isNum(e[1]) ? e[1] : null; }).filter(isNum).sort(function (a, b) { return a - b; });
      var b = ladEntry(ctx.year, m.id), e = own[m.id];
      return {m: m, n: xs.length, min: xs.length ? xs[0] : null, p25: xs.length ? quantile(xs, 0.25) : null,
              p75: xs.length ? quantile(xs, 0.75) : null, max: xs.length ? xs[xs.length - 1] : null,
              borough: b && isNum(b[1]) ? b[1] : null, score: e && isNum(e[1]) ? e[1] : null, value: e ? e[0] : null};
    });
  }
  function pct(x) { return Math.max(0, Math.min(100, x)).toFixed(2) + "%"; }
  function mark(cls, left, width) {
    var s = el("span", {cls: cls});
    s.style.left = pct(left);
    if (width !== undefined) s.style.width = pct(width);
    return s;
  }
  function rowLabel(ctx, r, who) {
    var v = r.m.unit && isNum(r.value) ? " (value " + ctx.fmtValue(r.value, r.m.unit) + " " + ctx.fmtUnit(r.m.unit) + ")" : "";
    return r.m.name + ": " + who + " " + (isNum(r.score) ? "scores " + f1(r.score) + v : "has no data") + "; across the " + r.n + " areas " +
      (r.n ? f1(r.min) + " to " + f1(r.max) + ", middle half " + f1(r.p25) + " to " + f1(r.p75) : "no data") +
      "; the borough " + f1(r.borough) + ". Higher is better.";
  }
  function moveInRows(e) {
    var rows = Array.prototype.slice.call(byId("profile").querySelectorAll(".spine-row")), i = rows.indexOf(e.target), to = null;
    if (i < 0) return;
    if (e.key === "ArrowDown") to = Math.min(rows.length - 1, i + 1);
    else if (e.key === "ArrowUp") to = Math.max(0, i - 1);
    else if (e.key === "Home") to = 0;
    else if (e.key === "End") to = rows.length - 1;
    if (to === null) return;
    e.preventDefault();
    rows[i].setAttribute("tabindex", "-1"); rows[to].setAttribute("tabindex", "0"); rows[to].focus();
  }
  function renderProfile(ctx, wrap) {
    var who = ctx.cardBoundary === "lad" ? D.borough.name : ctx.areaName(ctx.cardBoundary, ctx.area);
    var rows = profileRows(ctx), n = (D.areas[ctx.boundary] || []).length;
    var fig = el("figure", {id: "profile-figure", cls: "chart"});
    fig.appendChild(el("figcaption", {id: "profile-caption", text: "Profile of " + who + " in " + ctx.year + ": each indicator's score against the " + n +
      " areas of the borough (" + ctx.boundaryLabel(ctx.boundary) + "). Scores run from 0 (worst goalpost) to 100 (best), so better is always to the right."}));
    fig.appendChild(el("ul", {cls: "chart-legend", id: "profile-legend", "aria-hidden": "true"}, [
      el("li", {}, [el("span", {cls: "key key-range"}), " lowest to highest area"]),
      el("li", {}, [el("span", {cls: "key key-iqr"}), " middle half of areas"]),
      el("li", {}, [el("span", {cls: "key key-borough"}), " the borough"]),
      el("li", {}, [el("span", {cls: "key key-area"}), " " + who])]));
    var list = el("div", {id: "profile", cls: "spine", role: "list", "aria-labelledby": "profile-caption"});
    list.appendChild(el("div", {cls: "spine-axis", "aria-hidden": "true"}, [el("span", {cls: "spine-name"}), el("span", {cls: "spine-scale"},
      [el("span", {cls: "at0", text: "0 worst"}), el("span", {cls: "at50", text: "50"}), el("span", {cls: "at100", text: "100 best"})]), el("span")]));
    var first = true, component = null;
    rows.forEach(function (r) {
      if (r.m.component !== component) {
        component = r.m.component;
        list.appendChild(el("div", {cls: "spine-group", role: "presentation", text: component || ""}));
      }
      var label = rowLabel(ctx, r, who);
      var track = el("span", {cls: "spine-track", "aria-hidden": "true"});
      if (r.n) {
        track.appendChild(mark("spine-range", r.min, r.max - r.min));
        track.appendChild(mark("spine-iqr", r.p25, r.p75 - r.p25));
      }
      if (isNum(r.borough)) track.appendChild(mark("spine-borough", r.borough));
      if (isNum(r.score)) track.appendChild(mark("spine-area", r.score));
      var row = el("div", {cls: "spine-row" + (isNum(r.score) ? "" : " nodata"), role: "listitem", tabindex: first ? "0" : "-1",
        "data-measure": r.m.id, "aria-label": label, title: label,
        "data-score": isNum(r.score) ? String(r.score) : "", "data-min": isNum(r.min) ? String(r.min) : "",
        "data-max": isNum(r.max) ? String(r.max) : "", "data-p25": isNum(r.p25) ? String(r.p25) : "",
        "data-p75": isNum(r.p75) ? String(r.p75) : "", "data-borough": isNum(r.borough) ? String(r.borough) : ""},
        [el("span", {cls: "spine-name", "aria-hidden": "true", text: r.m.name}), track,
         el("span", {cls: "spine-score", "aria-hidden": "true", text: isNum(r.score) ? f1(r.score) : "no data"})]);
      row.addEventListener("keydown", moveInRows);
      list.appendChild(row);
      first = false;
    });
    fig.appendChild(list);
    fig.appendChild(el("p", {cls: "caption", text: "Tab to the chart, then use the arrow keys to read each indicator; every row's figures are also in its label."}));
    wrap.appendChild(fig);
  }

  /* ------------------------------------------------------------------ the 10 weakest */
  function sparkline(values, label) {
    var W = 120, H = 28, pad = 3, have = values.map(function (v, i) { return [i, v]; }).filter(function (p) { return isNum(p[1]); });
    var s = svg("svg", {"class": "sparkline", viewBox: "0 0 " + W + " " + H, width: String(W), height: String(H), role: "img", "aria-label": label});
    s.appendChild(svg("title", {})).textContent = label;
    var x = function (i) { return pad + (W - 2 * pad) * (values.length > 1 ? i / (values.length - 1) : 0.5); };
    // the line's own range, at least 10 points tall (so noise does not look like a trend), within 0-100
    var nums = have.map(function (p) { return p[1]; }), lo = Math.min.apply(null, nums.concat([100])), hi = Math.max.apply(null, nums.concat([0]));
    if (!nums.length) { lo = 0; hi = 100; }
    if (hi - lo < 10) { var mid = (hi + lo) / 2; lo = Math.max(0, Math.min(90, mid - 5)); hi = lo + 10; }
    var y = function (v) { return H - pad - (H - 2 * pad) * (v - lo) / (hi - lo); };
    s.appendChild(svg("line", {x1: String(pad), x2: String(W - pad), y1: String(H - 0.5), y2: String(H - 0.5), stroke: "#d0d3d4", "stroke-width": "1"}));
    var d = "", gap = true;
    values.forEach(function (v, i) { if (!isNum(v)) { gap = true; return; } d += (gap ? "M" : "L") + x(i).toFixed(1) + " " + y(v).toFixed(1); gap = false; });
    if (d) s.appendChild(svg("path", {d: d, fill: "none", stroke: "#1d2b4f", "stroke-width": "2"}));
    if (have.length) { var p = have[have.length - 1]; s.appendChild(svg("circle", {cx: x(p[0]).toFixed(1), cy: y(p[1]).toFixed(1), r: "3", fill: "#1d2b4f"})); }
    s.setAttribute("data-points", String(have.length));
    return s;
  }
  function trendText(line) {
    var have = line.map(function (v, i) { return [D.years[i], v]; }).filter(function (p) { return isNum(p[1]); });
    if (have.length < 2) return "";
    var a = have[0], b = have[have.length - 1], d = b[1] - a[1];
    return "; " + (Math.abs(d) < 0.05 ? "unchanged" : (d > 0 ? "up " : "down ") + Math.abs(d).toFixed(1)) + " since " + a[0];
  }
  function renderWeakest(ctx, wrap) {
    var year = String(ctx.year), who = ctx.cardBoundary === "lad" ? D.borough.name : ctx.areaName(ctx.cardBoundary, ctx.area);
    var own = ctx.cardBoundary === "lad" ? ((D.scores[year] || {}).lad || {})[boroughCode()] || {} : (((D.scores[year] || {})[ctx.cardBoundary]) || {})[ctx.area] || {};
    var ids = D.measures.filter(function (m) { return m.type === "indicator" && own[m.id] && isNum(own[m.id][1]); }).map(function (m) { return m.id; });
    ids.sort(function (a, b) { return own[a][1] - own[b][1] || (a < b ? -1 : a > b ? 1 : 0); });
    var box = el("div", {id: "weakest-box"});
    box.appendChild(el("h3", {id: "weakest-heading", text: "The 10 weakest indicators of " + who + " in " + ctx.year}));
    box.appendChild(el("p", {cls: "caption", text: "Lowest scores first (0 = worst goalpost, 100 = best), each with its score over " + D.years[0] + "\u2013" + D.years[D.years.length - 1] + " (the dot is the latest year)."}));
    var ol = el("ol", {id: "weakest-list", cls: "weakest"});
    ids.slice(0, 10).forEach(function (id) {
      var m = measure(id), line = areaLine(ctx, id, true);
      var text = line.map(function (v, i) { return D.years[i] + " " + f1(v); }).join(", ");
      ol.appendChild(el("li", {"data-measure": id, "data-score": String(own[id][1])}, [
        el("span", {cls: "weakest-name"}, [el("strong", {text: m.name}), el("br"), el("small", {cls: "caption", text: (m.component || "") + "; score " + f1(own[id][1]) + trendText(line)})]),
        sparkline(line, "Score of " + m.name + " by year: " + text)]));
    });
    if (!ids.length) ol.appendChild(el("li", {text: "No indicator scores for this area in " + ctx.year + "."}));
    box.appendChild(ol);
    wrap.appendChild(box);
  }

  /* ------------------------------------------------------------------ entry point */
  function render(ctx) {
    last = ctx;
    var wrap = byId("charts");
    if (!wrap) return;
    if (!ctx.area) { clear(wrap).appendChild(el("p", {text: "Choose an area to see its charts."})); return; }
    wrap.setAttribute("aria-busy", "true");
    status("Loading the charts\u2026");
    withSeries(ctx.cardBoundary, function () {
      if (last !== ctx) return;
      status(null);
      if (plot) { plot.destroy(); plot = null; }
      clear(wrap);
      renderTrend(ctx, wrap);
      renderProfile(ctx, wrap);
      renderWeakest(ctx, wrap);
      wrap.setAttribute("aria-busy", "false");
      wrap.setAttribute("data-area", ctx.area);
    });
  }
  window.SPI_CHARTS = {render: render};
})();
