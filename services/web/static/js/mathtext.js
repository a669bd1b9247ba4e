// Math out: KaTeX rendering, and a safe evaluator of the service's canonical
// plain form (the `expression` strings of results) for drawing plots.

/** Render LaTeX into a new element (display or inline); text on failure. */
export function tex(latex, display = false, className = "math") {
  const el = document.createElement(display ? "div" : "span");
  el.className = className;
  el.dataset.latex = latex;
  try {
    window.katex.render(latex, el, { displayMode: display, throwOnError: false });
  } catch {
    el.textContent = latex;
  }
  return el;
}

/** Render step text, where $...$ segments are math and the rest words. */
export function mixedText(text) {
  const el = document.createElement("span");
  const parts = String(text || "").split(/(\$[^$]+\$)/);
  for (const part of parts) {
    if (part.length > 2 && part.startsWith("$") && part.endsWith("$")) el.append(tex(part.slice(1, -1)));
    else if (part) el.append(part);
  }
  return el;
}

const FUNCTIONS = {
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, asinh: Math.asinh, acosh: Math.acosh,
  atanh: Math.atanh, exp: Math.exp, log: (x, b) => (b === undefined ? Math.log(x) : Math.log(x) / Math.log(b)),
  ln: Math.log, sqrt: Math.sqrt, abs: Math.abs, max: Math.max, min: Math.min, floor: Math.floor,
  ceil: Math.ceil, sign: Math.sign, sec: (x) => 1 / Math.cos(x), csc: (x) => 1 / Math.sin(x),
  cot: (x) => 1 / Math.tan(x), sigmoid: (x) => 1 / (1 + Math.exp(-x)), relu: (x) => Math.max(0, x),
  softplus: (x) => Math.log1p(Math.exp(x)), atan2: Math.atan2,
  logsumexp: (...xs) => { const m = Math.max(...xs); return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0)); },
};
const CONSTANTS = { pi: Math.PI, e: Math.E, oo: Infinity };

/**
 * Compile a canonical plain expression ("x^2*sin(x) + exp(-x)") into a JS
 * function of an object of variable values; null if it uses anything the
 * plotter does not know (sum/mean over data, generic functions...).
 * A recursive-descent parser: no eval, the text is untrusted.
 */
export function compile(text) {
  const tokens = String(text).match(/\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+|[A-Za-z_][A-Za-z_0-9]*|\*\*|[-+*/^(),]|\S/g) || [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (t) => { if (next() !== t) throw new Error(`expected ${t}`); };
  function sum() {
    let node = product();
    while (peek() === "+" || peek() === "-") {
      const op = next(), a = node, b = product();
      node = op === "+" ? (v) => a(v) + b(v) : (v) => a(v) - b(v);
    }
    return node;
  }
  function product() {
    let node = unary();
    while (peek() === "*" || peek() === "/") {
      const op = next(), a = node, b = unary();
      node = op === "*" ? (v) => a(v) * b(v) : (v) => a(v) / b(v);
    }
    return node;
  }
  function unary() {
    if (peek() === "-") { next(); const a = unary(); return (v) => -a(v); }
    if (peek() === "+") { next(); return unary(); }
    return power();
  }
  function power() {
    const base = atom();
    if (peek() === "^" || peek() === "**") {
      next();
      const exponent = unary(); // right-associative, binds tighter than unary minus on the left
      return (v) => Math.pow(base(v), exponent(v));
    }
    return base;
  }
  function atom() {
    const t = next();
    if (t === undefined) throw new Error("unexpected end");
    if (t === "(") { const a = sum(); expect(")"); return a; }
    if (/^[\d.]/.test(t)) { const c = Number(t); return () => c; }
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === "(") {
        const f = FUNCTIONS[t];
        if (!f) throw new Error(`unknown function ${t}`);
        next();
        const args = [sum()];
        while (peek() === ",") { next(); args.push(sum()); }
        expect(")");
        return (v) => f(...args.map((a) => a(v)));
      }
      if (t in CONSTANTS) { const c = CONSTANTS[t]; return () => c; }
      return (v) => (t in v ? v[t] : NaN);
    }
    throw new Error(`unexpected ${t}`);
  }
  try {
    const fn = sum();
    if (i !== tokens.length) return null;
    return fn;
  } catch {
    return null;
  }
}
