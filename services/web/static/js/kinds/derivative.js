// derivative: f and the variable in; d/dx[f] = ... out, its value at a
// point, and f with f' (and the tangent line there) plotted.
import { card, h, num } from "../dom.js";
import { compile, tex } from "../mathtext.js";
import { around, functionPlot, sample } from "../plots.js";
import { laterTex, parseInput, SYNTAX_FIELD, valueLatex, DATA_FIELD, dataContext, withDataColumns, withDataTable } from "./common.js";

export default {
  name: "derivative",
  title: "Derivative",
  math: { name: "expression", label: "f =", value: "x^2 sin x" },
  fields: [
    { name: "variable", type: "text", label: "with respect to", default: "x", affectsPreview: true },
    { name: "order", type: "int", label: "order", default: 1 },
    { name: "at", type: "point", label: "value at (optional)", placeholder: "e.g. x=pi/2" },
    DATA_FIELD,
    SYNTAX_FIELD,
  ],
  toParams: withDataColumns,
  fromParams: withDataTable,
  parseContext: (v) => ({ syntax: v.syntax, variables: v.variable ? [v.variable] : undefined, data: dataContext(v) }),
  view,
};

function operator(params) {
  const order = params.order || 1;
  const names = params.variables || [params.variable || "x"];
  if (names.length > 1) return `\\frac{\\partial^{${names.length}}}{${names.map((n) => `\\partial ${n}`).join(" ")}}`;
  return order === 1 ? `\\frac{d}{d${names[0]}}` : `\\frac{d^{${order}}}{d${names[0]}^{${order}}}`;
}

function view(job) {
  const { params, result } = job;
  const context = { syntax: params.syntax, variables: params.variable ? [params.variable] : params.variables };
  const input = parseInput(params.expression, context);
  const op = operator(params);
  const main = laterTex(input.then((read) => read && `${op}\\left[${read.latex}\\right] = ${result.latex}`),
    null);
  main.append(tex(`${op} f = ${result.latex}`, true));
  const el = card("Result", main);
  if (params.at && result.numeric !== undefined) {
    const names = Object.keys(params.at);
    const prime = (params.order || 1) === 1 && !params.variables ? "f'" : `f^{(${params.order || 1})}`;
    const line = h("div.value-line");
    Promise.all([result.value, ...names.map((n) => params.at[n])].map(valueLatex)).then(([value, ...at]) => {
      line.replaceChildren(tex(`${prime}(${at.join(", ")}) = ${value ?? "?"} \\approx ${num(result.numeric, 10)}`, true));
    });
    el.append(line);
    if (result.defined_at_point === false) el.append(h("p.warn", "The derivative is not defined at this point."));
  }
  const plot = h("div");
  // Without /v1/parse, the first step's `before` is the input in canonical form.
  const fallback = { expression: (job.steps && job.steps[0] && job.steps[0].before) || params.expression, variables: null };
  input.then((read) => plot.append(...plotFor(params, result, read || fallback)));
  el.append(plot);
  return { el, latex: result.latex };
}

function plotFor(params, result, read) {
  const variable = params.variable || (read && read.variables && read.variables[0]);
  if (!variable || params.variables || (read.variables || []).length > 1) return [];
  const atX = evalExact(params.at && params.at[variable]);
  const range = around(Number.isFinite(atX) ? [atX] : [], [-5, 5]);
  const marks = [], extra = [];
  if (Number.isFinite(atX) && (params.order || 1) === 1 && Number.isFinite(result.numeric)) {
    const f = compile(read.expression);
    const fa = f ? f({ [variable]: atX }) : NaN;
    if (Number.isFinite(fa)) {
      const slope = result.numeric;
      extra.push({ x: range, y: range.map((x) => fa + slope * (x - atX)), type: "scatter", mode: "lines",
        name: `tangent at ${variable} = ${num(atX, 4)}`, line: { dash: "dash", color: "#d62728" } });
      marks.push({ x: [atX], y: [fa], name: "point", color: "#d62728" });
    }
  }
  const derivative = compile(result.expression);
  if (derivative && (params.order || 1) >= 1) {
    extra.unshift({ ...sample(derivative, range[0], range[1], 400, {}, variable), type: "scatter", mode: "lines",
      name: "derivative", line: { color: "#2ca02c" } });
  }
  const fig = functionPlot(read.expression, variable, range, marks, extra, "f");
  return fig ? [fig] : [];
}

function evalExact(text) {
  if (text === undefined) return NaN;
  const fn = compile(String(text));
  return fn ? fn({}) : NaN;
}
