// A tiny element builder, so views read as the structure they build.

/** h("div.card", {onclick}, child, "text") -> an element. */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && key !== "list" && key !== "type") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Format a float for people: a few significant digits, exponent when tiny or huge. */
export function num(value, digits = 6) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e7) return value.toExponential(digits - 2);
  return String(Number(value.toPrecision(digits)));
}

/** A button that copies text, saying so for a moment. */
export function copyButton(label, getText) {
  const button = h("button.small", { type: "button" }, label);
  button.addEventListener("click", async () => {
    const text = getText();
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      window.prompt("Copy this:", text); // clipboard needs a secure context
    }
    setTimeout(() => (button.textContent = label), 1200);
  });
  return button;
}

/** A card with a title, used by every result view. */
export function card(title, ...children) {
  return h("section.card", title ? h("h3", title) : null, ...children);
}

/** A simple table from a header row and body rows (cells: nodes or text). */
export function table(head, rows, className = "") {
  return h(
    `table${className ? "." + className : ""}`,
    h("thead", h("tr", head.map((cell) => h("th", cell)))),
    h("tbody", rows.map((row) => h("tr", row.map((cell) => h("td", cell))))),
  );
}

/** A "show" toggle that builds its contents the first time it is opened. */
export function disclosure(summary, build) {
  const details = h("details", h("summary", summary));
  details.addEventListener("toggle", () => {
    if (details.open && details.children.length === 1) details.append(build());
  });
  return details;
}
