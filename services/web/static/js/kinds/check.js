// check: a large ✔ or ✖ with the feedback, and the expected answer typeset.
import { card, h } from "../dom.js";
import { laterTex, parseInput, SYNTAX_FIELD } from "./common.js";

export default {
  name: "check",
  title: "Check an answer",
  math: { name: "answer", label: "answer", value: "2x cos(x^2)" },
  fields: [
    { name: "expected", type: "text", label: "expected (expression)", default: "2x cos(x^2)" },
    { name: "problem", type: "json", label: "or the problem it answers (JSON {kind, params})", rows: 2,
      placeholder: '{"kind": "derivative", "params": {"expression": "sin(x^2)", "variable": "x"}}' },
    { name: "test", type: "select", label: "test", default: "equivalent" },
    { name: "variables", type: "names", label: "variables (optional)" },
    { name: "rtol", type: "float", label: "rtol", show: (v) => v.test === "numeric" },
    { name: "atol", type: "float", label: "atol", show: (v) => v.test === "numeric" },
    SYNTAX_FIELD,
  ],
  toParams(v) {
    return v.problem ? { ...v, expected: undefined } : v;
  },
  // A check against a problem shows no expected expression (not the field's default).
  fromParams: (p) => (p.problem ? { expected: "", ...p } : { problem: undefined, ...p }),
  parseContext: (v) => ({ syntax: v.syntax, variables: v.variables }),
  view,
};

function view(job) {
  const { result } = job;
  const correct = Boolean(result.correct);
  const el = card(null,
    h(`div.verdict.${correct ? "good" : "bad"}`, h("span.mark", correct ? "✔" : "✖"), correct ? "Correct" : "Incorrect"),
    h("p.feedback", result.feedback || ""),
    result.valid === false ? h("p.warn", "The answer could not be read.") : null);
  if (result.expected) {
    el.append(h("div.muted", "Expected:"), laterTex(parseInput(String(result.expected)).then((r) => r && r.latex), result.expected));
  }
  return { el, latex: null };
}
