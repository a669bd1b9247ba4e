// backprop: the computation graph of f at a point, drawn as a DAG with each
// node's value and adjoint (or tangent), stepping through both passes.
import { card, h, num, table } from "../dom.js";
import { graphView } from "../graph.js";
import { laterTex, parseInput, SYNTAX_FIELD } from "./common.js";

export default {
  name: "backprop",
  title: "Backpropagation (computation graph)",
  math: { name: "expression", label: "f =", value: "(sigmoid(w x + b) - y)^2" },
  fields: [
    { name: "at", type: "point", label: "at (every symbol)", default: { w: 0.5, x: 2, b: -1, y: 1 } },
    { name: "mode", type: "select", label: "mode", options: ["reverse", "forward"], default: "reverse" },
    { name: "direction", type: "point", label: "direction (forward mode)", show: (v) => v.mode === "forward" },
    SYNTAX_FIELD,
  ],
  parseContext: (v) => ({ syntax: v.syntax }),
  view,
};

function view(job) {
  const { params, result } = job;
  const forward = params.mode === "forward";
  const gradient = result.gradient || {};
  const at = Object.entries(params.at || {}).map(([k, v]) => `${k} = ${v}`).join(", ");
  const el = card("Result",
    laterTex(parseInput(params.expression, { syntax: params.syntax }).then((r) => r && `f = ${r.latex}`), params.expression),
    h("p", `At ${at}: f = ${num(result.value, 10)}`),
    forward && result.directional !== undefined ? h("p", `Directional derivative: ${num(result.directional, 10)}`) : null,
    Object.keys(gradient).length
      ? table(["variable", "∂f/∂variable"], Object.entries(gradient).map(([k, v]) => [k, num(v, 10)]), "numbers") : null);
  if (result.graph && window.dagre) {
    el.append(h("h4", "Computation graph"), graphView(result.graph, forward ? "forward" : "reverse"));
  }
  return { el, latex: null };
}
