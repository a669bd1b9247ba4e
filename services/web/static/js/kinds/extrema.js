// extrema: critical points as a table with classification badges, one
// sentence naming the global min and max, and f with them marked.
import { card, h, num, table } from "../dom.js";
import { compile } from "../mathtext.js";
import { around, functionPlot } from "../plots.js";
import { badge, parseInput, pointText, SYNTAX_FIELD } from "./common.js";

export default {
  name: "extrema",
  title: "Extrema",
  math: { name: "expression", label: "f =", value: "x^3 - 3x" },
  fields: [
    { name: "variable", type: "text", label: "variable (one-variable search)", default: "x", affectsPreview: true },
    { name: "interval", type: "interval", label: "interval", default: ["-2", "3"], show: (v) => !v.variables },
    { name: "open", type: "bool", label: "open interval", show: (v) => !v.variables },
    { name: "variables", type: "names", label: "or variables (multivariable search)", affectsPreview: true },
    SYNTAX_FIELD,
  ],
  toParams(v) {
    if (v.variables) return { ...v, variable: undefined, interval: undefined, open: undefined };
    return v;
  },
  parseContext: (v) => ({ syntax: v.syntax, variables: v.variables || (v.variable ? [v.variable] : undefined) }),
  view,
};

const TONES = { local_min: "good", local_max: "good", saddle: "warn", neither: "muted", inconclusive: "warn" };

/** "2" for an exact value equal to its float, else "sqrt(2) ≈ 1.41421". */
const approx = (value, numeric) => (String(value) === num(numeric) ? String(value) : `${value} ≈ ${num(numeric)}`);

function where(extremum) {
  const points = extremum.points || [extremum];
  return points.map((p) => pointText(p.point)).join(" and at ");
}

function sentence(result) {
  const min = result.global_min, max = result.global_max;
  const part = (e, word) => (e ? `the global ${word} is ${approx(e.value, e.numeric)} at ${where(e)}`
    : `there is no global ${word} (f is unbounded)`);
  const text = `${part(min, "minimum")}; ${part(max, "maximum")}.`;
  return text[0].toUpperCase() + text.slice(1);
}

function view(job) {
  const { params, result } = job;
  const points = result.critical_points || [];
  const el = card("Result",
    h("p.sentence", sentence(result)),
    points.length
      ? table(["point", "f", "classification"], points.map((p) => [
        pointText(p.point), approx(p.value, p.numeric), badge(p.classification, TONES[p.classification])]))
      : h("p", "No critical points."),
    h("p.muted", `Method: ${result.method}${result.method === "numeric" ? " (found numerically)" : ""}.`));
  if (params.variable && !params.variables) {
    const plot = h("div");
    parseInput(params.expression, { syntax: params.syntax, variables: [params.variable] }).then((read) => {
      plot.append(...plotFor(params, result, read ? read.expression : params.expression));
    });
    el.append(plot);
  }
  return { el, latex: null };
}

function plotFor(params, result, expression) {
  const v = params.variable;
  const endpoint = (t) => { const f = compile(String(t)); return f ? f({}) : NaN; };
  const [a, b] = (params.interval || ["-oo", "oo"]).map(endpoint);
  const xs = (result.critical_points || []).map((p) => p.point_numeric[v]);
  let range = [a, b];
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    const [lo, hi] = around(xs.concat([a, b].filter(Number.isFinite)));
    range = [Number.isFinite(a) ? a : lo, Number.isFinite(b) ? b : hi];
  }
  const marks = (result.critical_points || []).map((p) => ({
    x: [p.point_numeric[v]], y: [p.numeric], name: p.classification.replace(/_/g, " "),
    color: p.classification === "local_min" ? "#2ca02c" : p.classification === "local_max" ? "#d62728" : "#ff7f0e",
  }));
  for (const [key, name, symbol] of [["global_min", "global min", "star"], ["global_max", "global max", "star-diamond"]]) {
    const e = result[key];
    if (e) marks.push({ x: (e.points || [e]).map((p) => p.point_numeric[v]), y: (e.points || [e]).map(() => e.numeric),
      name, symbol, color: key === "global_min" ? "#2ca02c" : "#d62728" });
  }
  const fig = functionPlot(expression, v, range, marks, [], "f");
  return fig ? [fig] : [];
}
