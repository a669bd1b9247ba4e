// optimize: a summary card (converged / diverged / max_iter), the path on a
// contour of f, the objective and gradient norm on a log scale, and the
// trajectory behind "show table" with a CSV download.
import { card, disclosure, h, num, table } from "../dom.js";
import { contourPlot, functionPlot, logPlot, pathsFrom } from "../plots.js";
import { facts, optimizerFields, parseInput, pointText, stopBadge, SYNTAX_FIELD, DATA_FIELD, dataContext, withDataColumns, withDataTable } from "./common.js";

export default {
  name: "optimize",
  title: "Optimize (gradient descent and friends)",
  math: { name: "expression", label: "minimize f =", value: "(x - 3)^2 + 2(y + 1)^2" },
  fields: [
    { name: "variables", type: "names", label: "variables", default: ["x", "y"], affectsPreview: true },
    { name: "start", type: "point", label: "start", default: { x: 0, y: 0 } },
    ...optimizerFields(),
    DATA_FIELD,
    SYNTAX_FIELD,
  ],
  toParams: withDataColumns,
  fromParams: withDataTable,
  parseContext: (v) => ({ syntax: v.syntax, variables: v.variables, data: dataContext(v) }),
  view,
};

/** The summary card of one run's result (also used by compare). */
export function runSummary(result) {
  return facts([
    ["status", stopBadge(result)],
    ["final point", pointText(result.x)],
    ["f at the final point", num(result.fun, 10)],
    ["iterations", String(result.iterations)],
    result.grad_norm !== undefined ? ["gradient norm", num(result.grad_norm)] : null,
    result.stop_detail ? ["why it stopped", result.stop_detail] : null,
    result.diverged_at !== null && result.diverged_at !== undefined ? ["diverged at iteration", String(result.diverged_at)] : null,
  ]);
}

/** Plots of one or more runs over the same f: [{name, trajectory}]. */
export function runPlots(expression, variables, runs) {
  const figures = [];
  if (variables.length === 2 && expression) figures.push(contourPlot(expression, variables, pathsFrom(runs, variables)));
  if (variables.length === 1 && expression) {
    const v = variables[0];
    const xs = runs.flatMap((r) => r.trajectory.map((t) => t.x[v])).filter(Number.isFinite);
    const lo = Math.min(...xs), hi = Math.max(...xs), pad = Math.max((hi - lo) * 0.2, 1);
    const extra = runs.map((r) => ({ x: r.trajectory.map((t) => t.x[v]), y: r.trajectory.map((t) => t.fun),
      type: "scatter", mode: "lines+markers", name: r.name, marker: { size: 5 } }));
    const fig = functionPlot(expression, v, [lo - pad, hi + pad], [], extra, "f");
    if (fig) figures.push(fig);
  }
  const fun = runs.map((r) => ({ name: `f: ${r.name}`, x: r.trajectory.map((t) => t.iter), y: r.trajectory.map((t) => t.fun) }));
  const positive = fun.every((s) => s.y.every((y) => y > 0));
  const grad = runs.map((r) => ({ name: `‖∇f‖: ${r.name}`, x: r.trajectory.map((t) => t.iter), y: r.trajectory.map((t) => t.grad_norm) }));
  figures.push(logPlot(positive ? fun.concat(grad) : grad, positive ? "f and ‖∇f‖ (log)" : "‖∇f‖ (log)"));
  return figures;
}

function trajectoryTable(result) {
  const names = Object.keys(result.x || {});
  const rows = (result.trajectory || []).map((t) => [String(t.iter), ...names.map((n) => num(t.x[n])), num(t.fun), num(t.grad_norm)]);
  return table(["iter", ...names, "f", "‖∇f‖"], rows, "numbers");
}

function view(job) {
  const { params, result } = job;
  const el = card("Result", runSummary(result));
  if (result.stop_reason === "diverged") {
    el.append(h("p.warn", "The run diverged: the values blew up. Try a smaller learning rate."));
  }
  el.append(h("div.row",
    disclosure(`show table (${(result.trajectory || []).length} rows)`, () => trajectoryTable(result)),
    job.id ? h("a.button.small", { href: `/v1/jobs/${job.id}/trajectory.csv`, download: `trajectory-${job.id}.csv` }, "Download CSV") : null));
  const plots = h("div.plots");
  parseInput(params.expression, { syntax: params.syntax, variables: params.variables }).then((read) => {
    plots.append(...runPlots(read ? read.expression : params.expression, params.variables || Object.keys(result.x || {}),
      [{ name: params.method || "gd", trajectory: result.trajectory || [] }]));
  });
  el.append(plots);
  return { el, latex: null };
}
