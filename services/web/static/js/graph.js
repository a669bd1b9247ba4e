// The backprop computation graph as a DAG laid out by the vendored dagre,
// drawn in SVG, with a stepper through the forward then backward pass.
import { h, num } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const svg = (tag, attrs = {}, ...children) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
};

const WIDTH = 150, HEIGHT = 62;
const OP_SYMBOLS = { add: "+", mul: "×", pow: "^", sub: "−", div: "÷", neg: "−" };

function shorten(text, n = 22) {
  text = String(text || "");
  return text.length > n ? text.slice(0, n - 1) + "…" : text;
}

/**
 * graph: {output, nodes: [{id, op, inputs, expression, value, adjoint, tangent}]}
 * mode: "reverse" (adjoints) or "forward" (tangents).
 */
export function graphView(graph, mode = "reverse") {
  const nodes = graph.nodes || [];
  const g = new window.dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 46, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { width: WIDTH, height: HEIGHT });
  for (const node of nodes) for (const input of node.inputs || []) g.setEdge(input, node.id);
  window.dagre.layout(g);
  const { width, height } = g.graph();

  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "dag", role: "img",
    "aria-label": "computation graph" });
  root.append(svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#889" }))));
  for (const edge of g.edges()) {
    const points = g.edge(edge).points;
    const d = points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
    root.append(svg("path", { d, class: "edge", "marker-end": "url(#arrow)", "data-from": edge.v, "data-to": edge.w }));
  }
  const secondName = mode === "forward" ? "tangent" : "adjoint";
  const boxes = new Map();
  for (const node of nodes) {
    const { x, y } = g.node(node.id);
    const title = node.op === "var" || node.op === "const" ? node.expression
      : `${OP_SYMBOLS[node.op] || node.op}: ${node.expression}`;
    const value = svg("text", { x: 8, y: 38, class: "value" });
    const second = svg("text", { x: 8, y: 54, class: "second" });
    const box = svg("g", { transform: `translate(${x - WIDTH / 2},${y - HEIGHT / 2})`, class: `node op-${node.op}`,
      "data-id": node.id },
      svg("title", {}, `${node.id}: ${node.expression}`),
      svg("rect", { width: WIDTH, height: HEIGHT, rx: 8 }),
      svg("text", { x: 8, y: 18, class: "label" }, shorten(title)),
      value, second);
    boxes.set(node.id, { box, value, second, node });
    root.append(box);
  }
  if (graph.output && boxes.has(graph.output)) boxes.get(graph.output).box.classList.add("output");

  // Step s: 0..n shows the first s values (forward pass), n+1..2n the last
  // s-n nodes' adjoints/tangents in the order that pass visits them.
  const n = nodes.length;
  const secondOrder = mode === "forward" ? nodes : [...nodes].reverse();
  const caption = h("div.graph-caption");
  const slider = h("input", { type: "range", min: 0, max: 2 * n, value: 2 * n, "aria-label": "pass step" });
  const show = (s) => {
    slider.value = s;
    const valued = new Set(nodes.slice(0, Math.min(s, n)).map((nd) => nd.id));
    const seconded = new Set(s > n ? secondOrder.slice(0, s - n).map((nd) => nd.id) : []);
    let current = null;
    if (s > 0 && s <= n) current = nodes[s - 1];
    if (s > n) current = secondOrder[s - n - 1];
    for (const { box, value, second, node } of boxes.values()) {
      value.textContent = valued.has(node.id) ? `value ${num(node.value, 5)}` : "";
      const amount = node[secondName];
      second.textContent = seconded.has(node.id) && amount !== undefined ? `${secondName} ${num(amount, 5)}` : "";
      box.classList.toggle("current", current !== null && current.id === node.id);
    }
    if (s === 0) caption.textContent = "Before the forward pass.";
    else if (s <= n) caption.textContent = `Forward pass, step ${s} of ${n}: ${current.expression} = ${num(current.value)}`;
    else caption.textContent = `${mode === "forward" ? "Tangent" : "Backward"} pass, step ${s - n} of ${n}: ` +
      `${secondName} of ${current.expression} = ${num(current[secondName])}`;
  };
  slider.addEventListener("input", () => show(Number(slider.value)));
  const step = (delta) => show(Math.max(0, Math.min(2 * n, Number(slider.value) + delta)));
  const controls = h("div.graph-controls",
    h("button.small", { type: "button", onclick: () => show(0) }, "Start"),
    h("button.small", { type: "button", onclick: () => step(-1) }, "◀ Back"),
    h("button.small", { type: "button", onclick: () => step(1) }, "Step ▶"),
    h("button.small", { type: "button", onclick: () => show(2 * n) }, "End"), slider);
  show(2 * n);
  return h("div.graph", controls, caption, h("div.graph-scroll", root));
}
