// Steps: collapsible, typeset, with rule names in words, and a "one at a
// time" mode that reveals the next step on each click.
import { h } from "./dom.js";
import { mixedText, tex } from "./mathtext.js";

const RULE_WORDS = {
  power: "Power rule", product: "Product rule", quotient: "Quotient rule", chain: "Chain rule",
  sum: "Sum rule", constant: "Constant rule", constant_multiple: "Constant multiple",
  partial_derivative: "Partial derivative", partial: "Partial derivative", exp: "Exponential",
  log: "Logarithm", trig: "Trigonometric rule", simplify: "Simplify", domain: "Domain",
  critical_points: "Critical points", forward: "Forward pass", backward: "Backward pass",
};

export function ruleName(rule) {
  if (!rule) return "";
  return RULE_WORDS[rule] || rule.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

function stepItem(step) {
  const item = h("li.step",
    h("div.rule", ruleName(step.rule)),
    step.text ? h("div.step-text", mixedText(step.text)) : null,
    step.latex ? tex(step.latex, true) : null);
  if (step.substeps && step.substeps.length) {
    const details = h("details.substeps", h("summary", `${step.substeps.length} sub-step${step.substeps.length > 1 ? "s" : ""}`),
      h("ol", step.substeps.map(stepItem)));
    item.append(details);
  }
  return item;
}

/** The steps block: all shown, or revealed one at a time. */
export function stepsView(steps) {
  if (!steps || !steps.length) return null;
  const list = h("ol.steps", steps.map(stepItem));
  const items = [...list.children];
  const next = h("button.small", { type: "button", hidden: true }, "Next step");
  const oneByOne = h("input", { type: "checkbox" });
  const setMode = () => {
    items.forEach((item, index) => (item.hidden = oneByOne.checked && index > 0));
    next.hidden = !oneByOne.checked || items.length < 2;
  };
  oneByOne.addEventListener("change", setMode);
  next.addEventListener("click", () => {
    const hidden = items.find((item) => item.hidden);
    if (hidden) hidden.hidden = false;
    if (!items.some((item) => item.hidden)) next.hidden = true;
  });
  return h("details.steps-block", { open: true },
    h("summary", `Steps (${steps.length})`),
    h("label.inline", oneByOne, " reveal one at a time"), list, next);
}
