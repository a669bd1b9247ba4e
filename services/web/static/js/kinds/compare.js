// compare: several runs of one optimize (or fit) problem; a summary table
// naming the best run, every path on one contour, every curve on one plot.
import { card, h, num, table } from "../dom.js";
import { logPlot } from "../plots.js";
import { badge, parseInput, STOP_TONES } from "./common.js";
import { fromParams as fitFromParams, toParams as fitToParams, lossIterations } from "./fit.js";
import { runPlots } from "./optimize.js";

const isFit = (v) => v.base_kind === "fit";
const FIT_DATA = { header: ["x", "y"], rows: [[1, 2.1], [2, 3.9], [3, 6.2], [4, 7.8], [5, 10.1], [6, 12.2]] };

export default {
  name: "compare",
  title: "Compare optimizers",
  math: { name: "expression", label: "minimize f =", value: "(1 - x)^2 + 100(y - x^2)^2" },
  showMath: (v) => v.base_kind !== "fit",
  fields: [
    { name: "base_kind", type: "select", label: "compare runs of", options: ["optimize", "fit"], default: "optimize" },
    { name: "variables", type: "names", label: "variables", default: ["x", "y"], show: (v) => v.base_kind !== "fit" },
    { name: "start", type: "point", label: "start", default: { x: -1.2, y: 1 }, show: (v) => v.base_kind !== "fit" },
    { name: "max_iter", type: "int", label: "max iterations", default: 2000, show: (v) => v.base_kind !== "fit" },
    // A fit's problem: the same data table and fields as the fit form.
    { name: "model", type: "select", label: "model", options: ["linear", "logistic"], default: "linear", show: isFit },
    { name: "data", type: "csv", label: "data (CSV: a header, feature columns, then y)", default: FIT_DATA, rows: 6, show: isFit },
    { name: "test_fraction", type: "float", label: "held-out test fraction", default: 0, show: isFit },
    { name: "variants", type: "runs", label: "runs, one a line (key=value, ...; label=name)",
      default: [{ method: "gd", learning_rate: 0.001 }, { method: "adam", learning_rate: 0.05 }] },
  ],
  toParams,
  fromParams,
  view,
};

function toParams(v) {
  const variants = (v.variants || []).map(({ label, ...rest }) => rest);
  const labels = (v.variants || []).map((run) => run.label);
  const base = v.base_kind === "fit"
    ? { kind: "fit", params: fitToParams({ model: v.model, data: v.data, test_fraction: v.test_fraction }) }
    : { kind: "optimize", params: { expression: v.expression, variables: v.variables, start: v.start, max_iter: v.max_iter } };
  if (base.kind === "fit") {
    // A fit's options live under "optimizer": each variant's go there too.
    for (let i = 0; i < variants.length; i++) {
      const { l1, l2, model, ...optimizer } = variants[i];
      variants[i] = Object.fromEntries(Object.entries({ optimizer, l1, l2, model }).filter(([, x]) => x !== undefined));
    }
  }
  const params = { base, variants };
  if (labels.every(Boolean)) params.labels = labels;
  return params;
}

function fromParams(p) {
  const base = p.base || { kind: "optimize", params: {} };
  const variants = (p.variants || []).map((run, i) => {
    const flat = base.kind === "fit" ? { ...(run.optimizer || {}), ...run, optimizer: undefined } : run;
    const clean = Object.fromEntries(Object.entries(flat).filter(([, x]) => x !== undefined && typeof x !== "object"));
    return p.labels && p.labels[i] ? { label: p.labels[i], ...clean } : clean;
  });
  if (base.kind === "fit") {
    const { model, data, test_fraction } = fitFromParams(base.params);
    return { base_kind: "fit", model, data, test_fraction, variants };
  }
  const { expression, variables, start, max_iter } = base.params;
  return { base_kind: "optimize", expression, variables, start, max_iter, variants };
}

function view(job) {
  const { params, result } = job;
  const runs = result.runs || [];
  const summary = result.summary || [];
  const el = card("Result",
    result.best ? h("p.sentence", "Best run (lowest final objective among runs that did not diverge): ", h("strong", result.best))
      : h("p.sentence", "No run finished without diverging."),
    table(["run", "final objective", "iterations", "status"], summary.map((s) => [
      s.label === result.best ? h("strong", `★ ${s.label}`) : s.label, num(s.fun), String(s.iterations),
      badge(s.stop_reason === "tol" ? "converged" : String(s.stop_reason).replace(/_/g, " "), STOP_TONES[s.stop_reason] || "warn"),
    ]), "numbers"));
  const plots = h("div.plots");
  if (params.base && params.base.kind === "fit") {
    plots.append(logPlot(runs.map((r) => ({ name: r.label, x: lossIterations(r.result),
      y: r.result.loss_history || [] })), "training loss (log)"));
  } else {
    const base = (params.base && params.base.params) || {};
    parseInput(base.expression || "", { syntax: base.syntax, variables: base.variables }).then((read) => {
      plots.append(...runPlots(read ? read.expression : base.expression, base.variables || [],
        runs.map((r) => ({ name: r.label, trajectory: r.result.trajectory || [] }))));
    });
  }
  el.append(plots);
  return { el, latex: null };
}
