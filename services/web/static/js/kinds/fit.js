// fit: data as pasted CSV (features, then y), the optimizer's fields; out:
// coefficients, train/test metrics, the data with the fitted line or the
// decision boundary, and the loss curve.
import { card, h, num, table } from "../dom.js";
import { color, figure, logPlot } from "../plots.js";
import { facts, OPTIMIZER_KEYS, optimizerFields, stopBadge } from "./common.js";

const DEFAULT_DATA = { header: ["x", "y"], rows: [[1, 2.1], [2, 3.9], [3, 6.2], [4, 7.8], [5, 10.1], [6, 12.2]] };

export default {
  name: "fit",
  title: "Fit a model (regression, classification)",
  math: null,
  fields: [
    { name: "model", type: "select", label: "model", options: ["linear", "logistic"], default: "linear" },
    { name: "data", type: "csv", label: "data (CSV: a header, feature columns, then y)", default: DEFAULT_DATA, rows: 6 },
    ...optimizerFields({ withLineSearch: false, withBatch: true }).map((f) =>
      (f.name === "method" ? { ...f, schemaName: ["optimizer", "method"] } : f)),
    { name: "l1", type: "float", label: "L1 strength", default: 0 },
    { name: "l2", type: "float", label: "L2 strength", default: 0 },
    { name: "test_fraction", type: "float", label: "held-out test fraction", default: 0 },
  ],
  toParams,
  fromParams,
  view,
};

/** Form values -> fit params (the optimizer's fields go into `optimizer`). */
export function toParams(v) {
  const params = { model: v.model, l1: v.l1, l2: v.l2, test_fraction: v.test_fraction };
  if (v.data) {
    params.X = v.data.rows.map((r) => r.slice(0, -1));
    params.y = v.data.rows.map((r) => r[r.length - 1]);
  }
  const optimizer = {};
  for (const key of OPTIMIZER_KEYS) if (v[key] !== undefined) optimizer[key] = v[key];
  params.optimizer = optimizer;
  return params;
}

export function fromParams(p) {
  const optimizer = typeof p.optimizer === "string" ? { method: p.optimizer } : p.optimizer || {};
  const width = p.X && p.X[0] ? p.X[0].length : 1;
  const header = width === 1 ? ["x", "y"] : [...Array.from({ length: width }, (_, i) => `x${i + 1}`), "y"];
  const data = p.X ? { header, rows: p.X.map((row, i) => [...row, p.y[i]]) } : undefined;
  return { ...optimizer, model: p.model, data, l1: p.l1, l2: p.l2, test_fraction: p.test_fraction };
}

/** The epoch of each loss_history point: a long history comes thinned. */
export function lossIterations(result) {
  const history = result.loss_history || [];
  const kept = result.loss_history_iter;
  return Array.isArray(kept) && kept.length === history.length ? kept : history.map((_, i) => i);
}

function metricsTable(result) {
  const sets = [["train", result.metrics], ["train", result.train_metrics], ["test", result.test_metrics]]
    .filter(([, m]) => m && typeof m === "object");
  const names = [...new Set(sets.flatMap(([, m]) => Object.keys(m)))];
  if (!names.length) return null;
  return table(["metric", ...sets.map(([name]) => name)], names.map((n) => [n, ...sets.map(([, m]) => num(m[n]))]), "numbers");
}

function view(job) {
  const { params, result } = job;
  const coefficients = result.coefficients || [];
  const el = card("Result",
    facts([["status", stopBadge(result)], ["iterations", String(result.iterations ?? "—")]]),
    table(["", "value"], [...coefficients.map((c, i) => [`w${coefficients.length > 1 ? i + 1 : ""}`, num(c)]),
      ["intercept b", num(result.intercept)]], "numbers"),
    metricsTable(result));
  if (result.stop_reason === "diverged") el.append(h("p.warn", "Training diverged: try a smaller learning rate."));
  el.append(h("div.plots", ...plots(params, result)));
  return { el, latex: null };
}

export function plots(params, result, label = "loss") {
  const figures = [];
  const X = params.X || [], y = params.y || [], w = result.coefficients || [], b = result.intercept || 0;
  if (X.length && X[0].length === 1) {
    const xs = X.map((r) => r[0]);
    const lo = Math.min(...xs), hi = Math.max(...xs);
    const grid = Array.from({ length: 101 }, (_, i) => lo + ((hi - lo) * i) / 100);
    const model = params.model === "logistic" ? (x) => 1 / (1 + Math.exp(-(w[0] * x + b))) : (x) => w[0] * x + b;
    figures.push(figure([
      { x: xs, y, type: "scatter", mode: "markers", name: "data", marker: { color: color(0), size: 8 } },
      { x: grid, y: grid.map(model), type: "scatter", mode: "lines", name: params.model === "logistic" ? "P(y = 1)" : "fitted line",
        line: { color: color(1) } },
    ], { xaxis: { title: { text: "x" } }, yaxis: { title: { text: "y" } } }));
  } else if (X.length && X[0].length === 2) {
    const classes = [...new Set(y)];
    const traces = classes.map((c, i) => ({ x: X.filter((_, k) => y[k] === c).map((r) => r[0]), y: X.filter((_, k) => y[k] === c).map((r) => r[1]),
      type: "scatter", mode: "markers", name: `y = ${c}`, marker: { color: color(i), size: 8 } }));
    if (params.model === "logistic" && w.length === 2 && w[1] !== 0) {
      const xs = X.map((r) => r[0]);
      const lo = Math.min(...xs), hi = Math.max(...xs);
      traces.push({ x: [lo, hi], y: [lo, hi].map((x) => -(w[0] * x + b) / w[1]), type: "scatter", mode: "lines",
        name: "decision boundary", line: { dash: "dash", color: "#222" } });
    }
    figures.push(figure(traces, { xaxis: { title: { text: "x1" } }, yaxis: { title: { text: "x2" } } }));
  }
  const history = result.loss_history || [];
  if (history.length) figures.push(logPlot([{ name: label, x: lossIterations(result), y: history }], "training loss (log)"));
  return figures;
}
