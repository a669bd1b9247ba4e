// gradient: the vector of partials (a column), its value and norm at a
// point, and the Hessian as a matrix with eigenvalues and definiteness.
import { card, h, num } from "../dom.js";
import { compile, tex } from "../mathtext.js";
import { contourPlot } from "../plots.js";
import { badge, facts, laterTex, parseInput, pointLatex, SYNTAX_FIELD, DATA_FIELD, dataContext, withDataColumns, withDataTable } from "./common.js";

export default {
  name: "gradient",
  title: "Gradient and Hessian",
  math: { name: "expression", label: "f =", value: "x^2 + 2xy + 3y^2" },
  fields: [
    { name: "variables", type: "names", label: "variables (blank: all, sorted)", affectsPreview: true },
    { name: "at", type: "point", label: "at (optional)", placeholder: "e.g. x=2, y=3" },
    { name: "hessian", type: "bool", label: "also the Hessian" },
    DATA_FIELD,
    SYNTAX_FIELD,
  ],
  toParams: withDataColumns,
  fromParams: withDataTable,
  parseContext: (v) => ({ syntax: v.syntax, variables: v.variables, data: dataContext(v) }),
  view,
};

const column = (entries) => `\\begin{pmatrix} ${entries.join(" \\\\ ")} \\end{pmatrix}`;
const DEFINITENESS = {
  positive_definite: ["positive definite: a local minimum there", "good"],
  negative_definite: ["negative definite: a local maximum there", "good"],
  indefinite: ["indefinite: a saddle point there", "warn"],
  positive_semidefinite: ["positive semidefinite: the test is inconclusive", "warn"],
  negative_semidefinite: ["negative semidefinite: the test is inconclusive", "warn"],
};

function view(job) {
  const { params, result } = job;
  const names = result.variables || [];
  const partials = result.gradient_latex || result.gradient || [];
  const latex = `\\nabla f = ${column(partials)}`;
  const input = parseInput(params.expression, { syntax: params.syntax, variables: params.variables });
  const el = card("Result", laterTex(input.then((r) => r && `\\nabla\\left(${r.latex}\\right) = ${column(partials)}`)));
  el.querySelector(".restated").append(tex(latex, true));
  if (result.at_value) {
    const at = pointLatex(params.at, names);
    el.append(tex(`\\nabla f${at.startsWith("\\left") ? at : `(${at})`} = ${column(result.at_value)}`, true),
      facts([["‖∇f‖", num(result.norm)], result.descent_direction
        ? ["steepest descent direction", `(${result.descent_direction.map((v) => num(v, 4)).join(", ")})`] : null]));
  }
  const plots = h("div.plots");
  // The contour needs f in canonical plain form (2xy -> 2*x*y, LaTeX read): the preview's reading.
  input.then((read) => {
    const plot = read && gradientPlot(read.expression, params, result, names);
    if (plot) plots.append(plot);
  });
  el.append(plots);
  if (result.hessian_latex) el.append(h("h4", "Hessian"), tex(`H = ${result.hessian_latex}`, true));
  const at = result.hessian_at;
  if (at) {
    const [words, tone] = DEFINITENESS[at.definiteness] || [String(at.definiteness).replace(/_/g, " "), "warn"];
    // With a generic function (phi) the entries have no numbers: they stay exact (phi''(2)).
    const shown = at.matrix_numeric
      ? tex(`H${pointLatex(params.at, names).startsWith("\\left") ? pointLatex(params.at, names) : ""} = ` +
        `\\begin{pmatrix} ${at.matrix_numeric.map((row) => row.map((v) => num(v)).join(" & ")).join(" \\\\ ")} \\end{pmatrix}`, true)
      : h("p.exact-matrix", {}, `H at the point: ${(at.matrix || []).map((row) => `(${row.join(", ")})`).join(", ")}`);
    el.append(shown, facts([["eigenvalues", (at.eigenvalues || []).map((v) => num(v)).join(", ") || "—"],
      ["definiteness", at.definiteness ? badge(words, tone) : "—"]]));
  }
  return { el, latex };
}

/**
 * Two variables and a gradient at the point: the contour of f around it, with
 * the gradient (steepest ascent) and the steepest descent direction drawn from
 * the point, each of length 1 — perpendicular to the level line there.
 */
function gradientPlot(expression, params, result, names) {
  const g = result.at_numeric;
  if (names.length !== 2 || !params.at || params.data) return null;
  if (!g || g.some((v) => !Number.isFinite(v))) return null;
  const p = names.map((n) => { const fn = compile(String(params.at[n])); return fn ? fn({}) : NaN; });
  if (p.some((v) => !Number.isFinite(v)) || !result.norm) return null;
  const unit = g.map((v) => v / result.norm);
  const arrow = (sign, name) => ({ name, x: [p[0], p[0] + sign * unit[0]], y: [p[1], p[1] + sign * unit[1]] });
  return contourPlot(expression, names, [
    arrow(1, "∇f: steepest ascent"), arrow(-1, "−∇f: steepest descent"), { name: "point", x: [p[0]], y: [p[1]] },
  ], { equalAxes: true });
}
