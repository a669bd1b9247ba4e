// Plots drawn in the browser from a result with the vendored Plotly:
// functions over an interval, contours with optimizer paths, convergence on
// a log scale. Each returns an element holding one interactive figure.
import { h } from "./dom.js";
import { compile } from "./mathtext.js";

const CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
export const color = (i) => COLORS[i % COLORS.length];

/** A figure box; Plotly draws into it once it is in the page. */
export function figure(traces, layout, { className = "", height = 360 } = {}) {
  const el = h(`div.plot${className ? "." + className : ""}`, { style: `height:${height}px` });
  const base = {
    margin: { l: 55, r: 15, t: 30, b: 45 }, hovermode: "closest", legend: { orientation: "h", y: -0.2 },
    font: { family: "system-ui, sans-serif", size: 12 },
  };
  // Wait a frame so the box has its width in the layout.
  requestAnimationFrame(() => window.Plotly.newPlot(el, traces, { ...base, ...layout }, CONFIG));
  return el;
}

/** Samples of f on [a, b], breaking the line where f is not finite. */
export function sample(fn, a, b, n = 400, fixed = {}, variable = "x") {
  const xs = [], ys = [];
  for (let i = 0; i <= n; i++) {
    const x = a + ((b - a) * i) / n;
    const y = fn({ ...fixed, [variable]: x });
    xs.push(x);
    ys.push(Number.isFinite(y) && Math.abs(y) < 1e12 ? y : null);
  }
  return { x: xs, y: ys };
}

/**
 * A y range that keeps the shape visible when a few samples blow up (e^(3x)
 * near the edge, 1/x near 0): the 5th to 95th percentile, padded; null when
 * the plain range is fine. Zoom still reaches everything.
 */
function robustRange(values) {
  const ys = values.filter((y) => y !== null).sort((a, b) => a - b);
  if (ys.length < 10) return null;
  const q = (p) => ys[Math.floor(p * (ys.length - 1))];
  const lo = q(0.05), hi = q(0.95), spread = hi - lo || 1;
  if (ys[ys.length - 1] - ys[0] < 10 * spread) return null;
  return [lo - 0.3 * spread, hi + 0.3 * spread];
}

/** A padded interval around the points of interest. */
export function around(points, fallback = [-5, 5]) {
  const finite = points.filter(Number.isFinite);
  if (!finite.length) return fallback;
  let lo = Math.min(...finite), hi = Math.max(...finite);
  const pad = Math.max((hi - lo) * 0.25, 2);
  return [lo - pad, hi + pad];
}

/** f(var) over [a, b] plus marked points [{x, y, name, symbol, color}] and extra traces. */
export function functionPlot(expression, variable, [a, b], marks = [], extra = [], label = "f") {
  const fn = compile(expression);
  if (!fn) return null;
  const curve = { ...sample(fn, a, b, 400, {}, variable), type: "scatter", mode: "lines", name: label, line: { color: color(0) } };
  const markTraces = marks.map((m) => ({
    x: m.x, y: m.y, type: "scatter", mode: "markers", name: m.name,
    marker: { size: 11, symbol: m.symbol || "circle", color: m.color, line: { width: 1, color: "#222" } },
  }));
  const yaxis = { title: { text: label } };
  const range = robustRange(curve.y);
  if (range) yaxis.range = range;
  return figure([curve, ...extra, ...markTraces], { xaxis: { title: { text: variable } }, yaxis });
}

/** Contour of f(x, y) over the box holding every path, with each path drawn on it. */
export function contourPlot(expression, [vx, vy], paths, { equalAxes = false } = {}) {
  const fn = compile(expression);
  const xs = paths.flatMap((p) => p.x), ys = paths.flatMap((p) => p.y);
  let [x0, x1] = around(xs, [-3, 3]), [y0, y1] = around(ys, [-3, 3]);
  if (equalAxes) { // a square box, so one unit is as long across as up
    const half = Math.max(x1 - x0, y1 - y0) / 2, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    [x0, x1, y0, y1] = [cx - half, cx + half, cy - half, cy + half];
  }
  const n = 80;
  const gx = Array.from({ length: n + 1 }, (_, i) => x0 + ((x1 - x0) * i) / n);
  const gy = Array.from({ length: n + 1 }, (_, j) => y0 + ((y1 - y0) * j) / n);
  const traces = [];
  if (fn) {
    const z = gy.map((y) => gx.map((x) => {
      const v = fn({ [vx]: x, [vy]: y });
      return Number.isFinite(v) ? Math.sign(v) * Math.log1p(Math.abs(v)) : null; // log-ish levels show valleys
    }));
    traces.push({ x: gx, y: gy, z, type: "contour", colorscale: "Viridis", showscale: false, name: "f", ncontours: 30,
      contours: { coloring: "lines" }, hoverinfo: "skip" });
  }
  paths.forEach((p, i) => traces.push({
    x: p.x, y: p.y, type: "scatter", mode: "lines+markers", name: p.name,
    line: { color: color(i), width: 2 }, marker: { size: 4 },
  }));
  const yaxis = { title: { text: vy }, range: [y0, y1] };
  const xaxis = { title: { text: vx }, range: [x0, x1] };
  if (equalAxes) { // right angles look right: the plot area shrinks to a square instead
    Object.assign(yaxis, { scaleanchor: "x", scaleratio: 1 });
    xaxis.constrain = "domain";
  }
  return figure(traces, { xaxis, yaxis }, { height: 420 });
}

/** Series per iteration on a log y axis: [{name, x, y}]. */
export function logPlot(series, ytitle) {
  const traces = series.map((s, i) => ({
    x: s.x, y: s.y.map((v) => (v > 0 && Number.isFinite(v) ? v : null)), type: "scatter", mode: "lines",
    name: s.name, line: { color: color(i) },
  }));
  // Many series: a taller box so the legend below does not squeeze the axes.
  const height = 320 + 22 * Math.max(0, Math.ceil(series.length / 2) - 2);
  return figure(traces, { yaxis: { type: "log", title: { text: ytitle } }, xaxis: { title: { text: "iteration" } },
    legend: { orientation: "h", y: -0.25 }, margin: { l: 55, r: 15, t: 30, b: 60 } }, { height });
}

/** Optimizer path(s) from trajectories: [{name, trajectory}] -> paths over two variables. */
export function pathsFrom(runs, [vx, vy]) {
  return runs.map((r) => ({ name: r.name, x: r.trajectory.map((t) => t.x[vx]), y: r.trajectory.map((t) => t.x[vy]) }));
}
