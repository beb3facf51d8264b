"use strict";
// Charts of the page's JSON block with uPlot: every series drawn with points, so one day of
// data shows; the x range is widened by a day when it holds a single day. Percent charts
// (rate limits) keep 0..100 on the y axis.
(function () {
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const COLORS = ["#0969da", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bc4c00", "#1b7c83", "#cf222e", "#57606a"];
  const epoch = (d) => Date.parse(d.length === 10 ? d + "T00:00:00Z" : d.replace(" ", "T") + "Z") / 1000;

  function draw(id, xs, series, opts) {
    const target = document.getElementById(id);
    if (!target) return;
    if (!xs.length) { target.innerHTML = '<p class="empty">no data</p>'; return; }
    const bars = opts && opts.bars && xs.length > 1 ? uPlot.paths.bars({size: [0.8, 40]}) : null;
    const scales = {x: {time: true, range: (u, min, max) => min === max ? [min - 86400, max + 86400] : [min, max]}};
    if (opts && opts.percent) scales.y = {range: (u, min, max) => [0, Math.max(100, max || 0)]};
    const spec = {
      width: Math.max(320, target.clientWidth || 520), height: 220,
      scales: scales,
      series: [{}].concat(Object.keys(series).map((name, i) => ({
        label: name, stroke: COLORS[i % COLORS.length], width: 1.5,
        fill: bars ? COLORS[i % COLORS.length] + "55" : undefined,
        paths: bars || undefined, points: {show: true, size: 5}, spanGaps: !!(opts && opts.spanGaps),
      }))),
      axes: [{}, {size: 70}],
    };
    const rows = [xs.map(epoch)].concat(Object.values(series));
    new uPlot(spec, rows, target);
  }

  if (DATA.cost) {
    draw("chart-cost", DATA.cost.days, DATA.cost.series, {bars: DATA.cost.days.length <= 90});
    draw("chart-tokens", DATA.tokens.days, DATA.tokens.series, {bars: DATA.tokens.days.length <= 90});
    draw("chart-cache", DATA.cache.days, {"cache hit ratio": DATA.cache.ratio});
    const api = DATA.api || [];
    draw("chart-latency", api.map((r) => r.day), {"p50 ms": api.map((r) => r.p50_ms), "p95 ms": api.map((r) => r.p95_ms)});
    draw("chart-errors", api.map((r) => r.day), {"errors": api.map((r) => r.errors)}, {bars: true});
    if (DATA.limits && Object.keys(DATA.limits.series).length) {
      // used % per window; a window's readings are joined across the other's timestamps
      draw("chart-limits", DATA.limits.times, DATA.limits.series, {percent: true, spanGaps: true});
    }
  }
  if (DATA.session) {
    draw("chart-session-cost", DATA.session.cost.times, {"cumulative cost (USD)": DATA.session.cost.cumulative});
  }
  document.body.setAttribute("data-rendered", "yes");
})();
