// Pieces several kinds' forms and views share: reading the input back from
// /v1/parse, badges, points, and the optimizer's fields.
import { authHeaders } from "../api.js";
import { h, num } from "../dom.js";
import { tex } from "../mathtext.js";

const parsed = new Map();
const PARSE_TIMEOUT_MS = 8000; // a view waits this long for typeset math, then shows text

/**
 * How the service reads an input ({expression, latex, variables}), via
 * /v1/parse; null when it cannot say (or not in time). Cached: views ask
 * more than once; a failure is not cached, so the next view asks again.
 */
export function parseInput(expression, context = {}) {
  const key = JSON.stringify([expression, context]);
  if (!parsed.has(key)) {
    const reading = fetch("/v1/parse", {
      method: "POST", headers: { "Content-Type": "application/json", ...authHeaders() },
      body: JSON.stringify({ expression, ...context }), signal: AbortSignal.timeout(PARSE_TIMEOUT_MS),
    }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
    reading.then((read) => { if (!read) parsed.delete(key); });
    parsed.set(key, reading);
  }
  return parsed.get(key);
}

/** An element filled with typeset math once `promise` gives its LaTeX. */
export function laterTex(promise, fallback, display = true) {
  const box = h("div.restated", fallback ? h("code", fallback) : null);
  promise.then((latex) => { if (latex) box.replaceChildren(tex(latex, display)); });
  return box;
}

/** A coloured status word: converged / diverged / max_iter, correct, ... */
export function badge(text, tone) {
  return h(`span.badge.${tone || text}`, text.replace(/_/g, " "));
}

export const STOP_TONES = { tol: "good", diverged: "bad", max_iter: "warn" };

export function stopBadge(result) {
  const reason = result.stop_reason || (result.converged ? "tol" : "max_iter");
  const words = { tol: "converged", diverged: "diverged", max_iter: "stopped at max_iter" };
  return badge(words[reason] || reason, STOP_TONES[reason] || "warn");
}

/** "(2, 3)" in LaTeX from {x: "2", y: "3"} in the order of `names`. */
export function pointLatex(point, names) {
  const keys = names || Object.keys(point || {});
  return keys.length === 1 ? `${point[keys[0]]}` : `\\left(${keys.map((k) => point[k]).join(", ")}\\right)`;
}

export function pointText(point, digits = 6) {
  return Object.entries(point || {}).map(([k, v]) => `${k} = ${typeof v === "number" ? num(v, digits) : v}`).join(", ");
}

/** LaTeX for a plain exact value via the parser, falling back to the text. */
export async function valueLatex(value) {
  if (value === null || value === undefined) return null;
  const read = await parseInput(String(value));
  return read ? read.latex : String(value);
}

const ONLY = (...methods) => (v) => methods.includes(v.method);

/** The optimizer's fields, each method's own options shown only for it. */
export function optimizerFields({ withLineSearch = true, withBatch = false } = {}) {
  return [
    { name: "method", type: "select", label: "method", default: "gd" },
    { name: "learning_rate", type: "float", label: "learning rate", placeholder: "method default",
      show: (v) => v.method !== "nelder_mead" && v.method !== "newton" },
    { name: "max_iter", type: "int", label: "max iterations", default: 1000 },
    { name: "tol", type: "float", label: "tolerance", default: 1e-6 },
    { name: "momentum", type: "float", label: "momentum", placeholder: "0.9", show: ONLY("momentum", "nesterov") },
    { name: "alpha", type: "float", label: "alpha (smoothing)", placeholder: "0.99", show: ONLY("rmsprop") },
    { name: "beta1", type: "float", label: "beta1", placeholder: "0.9", show: ONLY("adam") },
    { name: "beta2", type: "float", label: "beta2", placeholder: "0.999", show: ONLY("adam") },
    { name: "eps", type: "float", label: "eps", placeholder: "1e-8", show: ONLY("adagrad", "rmsprop", "adam") },
    withLineSearch ? { name: "line_search", type: "bool", label: "backtracking line search", show: ONLY("gd") } : null,
    withBatch ? { name: "batch_size", type: "int", label: "batch size (blank: full batch)",
      show: ONLY("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam") } : null,
  ].filter(Boolean);
}

export const OPTIMIZER_KEYS = ["method", "learning_rate", "max_iter", "tol", "momentum", "alpha", "beta1", "beta2",
  "eps", "line_search", "batch_size", "seed"];

/** A syntax chooser for kinds with an expression. */
export const SYNTAX_FIELD = { name: "syntax", type: "select", label: "syntax", options: ["plain", "latex"],
  default: "plain", affectsPreview: true };

/** Key/value rows as a small definition table. */
export function facts(rows) {
  return h("dl.facts", rows.filter(Boolean).flatMap(([k, v]) => [h("dt", k), h("dd", v)]));
}

/** Optional data columns (contract "Data"): a CSV whose header names the columns,
 * usable in the expression inside sum(...) and mean(...). */
export const DATA_FIELD = {
  name: "data", type: "csv", rows: 3, affectsPreview: true,
  label: "data columns (optional CSV: a header of names, then rows; use them in mean(...) or sum(...))",
  placeholder: "x, y\n1, 2.1\n2, 3.9",
};

/** Form values -> params: the data table becomes {column: [numbers]}. */
export function withDataColumns(values) {
  const { data, ...rest } = values;
  if (!data || !data.rows || !data.rows.length) return rest;
  return { ...rest, data: Object.fromEntries(data.header.map((name, j) => [name, data.rows.map((r) => r[j])])) };
}

/** Params -> form values: {column: [numbers]} back into a table. */
export function withDataTable(params) {
  const { data, ...rest } = params;
  if (!data || typeof data !== "object") return rest;
  const header = Object.keys(data);
  const length = header.length ? data[header[0]].length : 0;
  return { ...rest, data: { header, rows: Array.from({ length }, (_, i) => header.map((name) => data[name][i])) } };
}

/** What the preview sends for the data: the columns (only their names matter). */
export const dataContext = (v) => (v.data && v.data.rows && v.data.rows.length ? withDataColumns({ data: v.data }).data : undefined);
