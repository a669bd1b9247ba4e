// The math input: as the user types, POST /v1/parse (debounced) shows how the
// service reads the text, typeset, with the variables it found; a parse
// error underlines its position in the input itself.
import { authHeaders } from "./api.js";
import { h } from "./dom.js";
import { tex } from "./mathtext.js";

const DEBOUNCE_MS = 250;

function problemPosition(problem) {
  if (!problem) return null;
  if (Number.isInteger(problem.position)) return problem.position;
  for (const error of problem.errors || []) if (Number.isInteger(error.position)) return error.position;
  return null;
}

function problemMessage(problem) {
  const error = (problem && problem.errors && problem.errors[0]) || null;
  return (error && error.message) || (problem && problem.detail) || "cannot read this";
}

/**
 * A math input bound to a preview. `context()` gives the rest of the parse
 * request (syntax, variables, functions, data) from the form.
 */
export class MathInput {
  constructor({ name, label, value = "", context = () => ({}), multiline = false }) {
    this.context = context;
    this.sequence = 0;
    this.input = h(multiline ? "textarea" : "input", {
      name, value, rows: multiline ? 2 : undefined, spellcheck: false, autocomplete: "off",
      autocapitalize: "off", className: "math-input", "aria-label": label,
    });
    this.mirror = h("div.mirror", { "aria-hidden": "true" });
    this.preview = h("div.preview", { "aria-live": "polite" });
    this.found = h("div.found");
    this.el = h("label.field.math-field", h("span.label", label),
      h("div.input-wrap", this.mirror, this.input), this.preview, this.found);
    this.input.addEventListener("input", () => this.schedule());
    this.input.addEventListener("scroll", () => (this.mirror.scrollLeft = this.input.scrollLeft));
    this.input.addEventListener("keyup", () => (this.mirror.scrollLeft = this.input.scrollLeft));
  }

  get value() { return this.input.value; }
  set value(text) { this.input.value = text ?? ""; this.schedule(0); }

  schedule(delay = DEBOUNCE_MS) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), delay);
  }

  /** Ask the service how it reads the text now; ignore answers to older text. */
  async refresh() {
    const text = this.input.value;
    const sequence = ++this.sequence;
    if (!text.trim()) return this.show({ empty: true });
    let response, body;
    try {
      response = await fetch("/v1/parse", {
        method: "POST",
        headers: { "Content-Type": "application/json", ...authHeaders() },
        body: JSON.stringify({ expression: text, ...this.context() }),
      });
      body = await response.json().catch(() => null);
    } catch {
      body = null;
      response = null;
    }
    if (sequence !== this.sequence) return;
    if (response && response.ok && body) this.show({ parsed: body });
    else if (response && response.status === 422) this.show({ problem: body, text });
    else this.show({ unavailable: true });
  }

  show({ empty, parsed, problem, text, unavailable }) {
    this.preview.replaceChildren();
    this.found.replaceChildren();
    this.mirror.replaceChildren();
    this.el.classList.toggle("invalid", Boolean(problem));
    if (empty || unavailable) {
      if (unavailable) this.preview.append(h("span.muted", "(preview unavailable)"));
      return;
    }
    if (parsed) {
      this.preview.append(tex(parsed.latex || "", true));
      const variables = parsed.variables || [];
      const functions = parsed.functions || [];
      this.found.append(h("span",
        h("span.muted", "variables: "),
        variables.length ? variables.map((v) => h("code.chip", v)) : h("span.muted", "none"),
        functions.length ? [h("span.muted", " · functions: "), functions.map((f) => h("code.chip", f))] : null,
      ));
      return;
    }
    const position = problemPosition(problem);
    const message = problemMessage(problem);
    // The service's messages name 0-based positions already; others get the character.
    const where = position !== null && !/position/.test(message) ? ` (at character ${position + 1})` : "";
    this.preview.append(h("span.parse-error", message + where));
    if (position !== null) {
      // The mirror holds the same text, transparent, with the bad character
      // wrapped so its underline lands under the input's own character.
      const at = Math.min(position, text.length);
      const bad = text.slice(at, at + 1) || " ";
      this.mirror.append(text.slice(0, at), h("span.error-mark", bad), text.slice(at + 1));
      this.mirror.scrollLeft = this.input.scrollLeft;
    }
  }
}
