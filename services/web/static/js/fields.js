// Form field widgets. Each has `el`, `get()` (the params value, or undefined
// when left empty) and `set(value)`; get() throws FieldError on bad input.
import { h } from "./dom.js";

export class FieldError extends Error {
  constructor(field, message) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** "2" -> 2, "pi/2" stays a string (the service reads exact values). */
export function numberOrExact(text) {
  const trimmed = String(text).trim();
  if (trimmed === "") return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) && /^[-+]?[\d.]/.test(trimmed) ? number : trimmed;
}

const splitList = (text) => String(text).split(/[,;]/).map((s) => s.trim()).filter(Boolean);

function showValue(value) {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${k}=${v}`).join(", ");
  return String(value);
}

const WIDE = new Set(["csv", "json", "runs"]);

function labelled(spec, control, hint) {
  return h(`label.field${WIDE.has(spec.type) ? ".wide" : ""}`, { dataset: { field: spec.name } }, h("span.label", spec.label || spec.name), control,
    hint ? h("small.hint", hint) : null);
}

/** Text-like widgets share one shape: an input, a parse and a printer. */
function textWidget(spec, parse, placeholder) {
  const input = h("input", { name: spec.name, placeholder: spec.placeholder || placeholder || "",
    spellcheck: false, autocomplete: "off", inputMode: spec.inputMode });
  return {
    spec, el: labelled(spec, input, spec.hint), input,
    get() {
      if (input.value.trim() === "") return undefined;
      try { return parse(input.value); } catch (error) { throw new FieldError(spec.name, error.message); }
    },
    set(value) { input.value = showValue(value); },
  };
}

const WIDGETS = {
  text: (spec) => textWidget(spec, (t) => t.trim()),
  number: (spec) => textWidget(spec, numberOrExact, "e.g. 2, -1.5, pi/2"),
  float: (spec) => textWidget(spec, (t) => {
    const n = Number(t);
    if (!Number.isFinite(n)) throw new Error("must be a number");
    return n;
  }),
  int: (spec) => textWidget(spec, (t) => {
    const n = Number(t);
    if (!Number.isInteger(n)) throw new Error("must be a whole number");
    return n;
  }),
  names: (spec) => textWidget(spec, splitList, "e.g. x, y"),
  list: (spec) => textWidget(spec, splitList),
  interval: (spec) => textWidget(spec, (t) => {
    const parts = splitList(t.replace(/^[[(]|[\])]$/g, ""));
    if (parts.length !== 2) throw new Error("give two endpoints, e.g. -2, 3 (or -oo, oo)");
    return parts.map(numberOrExact);
  }, "a, b (e.g. -2, 3)"),
  point: (spec) => textWidget(spec, (t) => {
    const point = {};
    for (const part of splitList(t)) {
      const [name, value] = part.split("=").map((s) => s.trim());
      if (!name || value === undefined || value === "") throw new Error(`write name=value, e.g. x=2, y=3 (got "${part}")`);
      point[name] = numberOrExact(value);
    }
    return point;
  }, "e.g. x=2, y=3"),
  select(spec) {
    const select = h("select", { name: spec.name },
      spec.optional ? h("option", { value: "" }, "—") : null,
      (spec.options || []).map((o) => h("option", { value: o }, spec.optionLabels?.[o] || o)));
    return {
      spec, el: labelled(spec, select, spec.hint), input: select,
      get: () => (select.value === "" ? undefined : select.value),
      set(value) { select.value = value ?? (spec.optional ? "" : (spec.options || [])[0]); },
    };
  },
  bool(spec) {
    const box = h("input", { type: "checkbox", name: spec.name });
    const el = h("label.field.check", { dataset: { field: spec.name } }, box, h("span.label", spec.label || spec.name));
    return { spec, el, input: box, get: () => (box.checked ? true : undefined), set(v) { box.checked = Boolean(v); } };
  },
  json(spec) {
    const area = h("textarea", { name: spec.name, rows: spec.rows || 4, spellcheck: false });
    return {
      spec, el: labelled(spec, area, spec.hint), input: area,
      get() {
        if (!area.value.trim()) return undefined;
        try { return JSON.parse(area.value); } catch (error) { throw new FieldError(spec.name, `not JSON (${error.message})`); }
      },
      set(value) { area.value = value === undefined ? "" : JSON.stringify(value); },
    };
  },
  csv: csvWidget,
  runs: runsWidget,
};

/** One object a line: "method=adam, learning_rate=0.02" (a label= key names the line). */
function runsWidget(spec) {
  const area = h("textarea.runs", { name: spec.name, rows: spec.rows || 4, spellcheck: false,
    placeholder: spec.placeholder || "method=gd, learning_rate=0.01" });
  return {
    spec, el: labelled(spec, area, spec.hint), input: area,
    get() {
      const lines = area.value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
      if (!lines.length) return undefined;
      return lines.map((line, index) => {
        const run = {};
        for (const part of splitList(line)) {
          const at = part.indexOf("=");
          if (at < 1) throw new FieldError(spec.name, `line ${index + 1}: write key=value (got "${part}")`);
          const key = part.slice(0, at).trim(), text = part.slice(at + 1).trim();
          const value = numberOrExact(text);
          run[key] = text === "true" ? true : text === "false" ? false : value;
        }
        return run;
      });
    },
    set(value) {
      area.value = (value || []).map((run) => Object.entries(run).map(([k, v]) => `${k}=${v}`).join(", ")).join("\n");
    },
  };
}

/** Parse CSV with a header row of names and numeric cells. */
export function parseCSV(text) {
  const lines = String(text).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length < 2) throw new Error("give a header row and at least one row of numbers");
  const split = (line) => line.split(/[,\t;]|\s+/).map((s) => s.trim()).filter((s) => s !== "");
  const header = split(lines[0]);
  const rows = lines.slice(1).map((line, index) => {
    const cells = split(line).map(Number);
    if (cells.length !== header.length) throw new Error(`row ${index + 1} has ${cells.length} values, the header ${header.length}`);
    if (cells.some((c) => !Number.isFinite(c))) throw new Error(`row ${index + 1} has a value that is not a number`);
    return cells;
  });
  return { header, rows };
}

/** Data as pasted CSV (header row), shown back as a small table. */
function csvWidget(spec) {
  const area = h("textarea.csv", { name: spec.name, rows: spec.rows || 5, spellcheck: false,
    placeholder: spec.placeholder || "x, y\n1, 2\n2, 4" });
  const shown = h("div.csv-table");
  const render = () => {
    shown.replaceChildren();
    try {
      const { header, rows } = parseCSV(area.value);
      const body = rows.slice(0, 8).map((r) => h("tr", r.map((c) => h("td", String(c)))));
      shown.append(h("table.data", h("thead", h("tr", header.map((c) => h("th", c)))), h("tbody", body)));
      if (rows.length > 8) shown.append(h("small.muted", `… ${rows.length} rows in all`));
    } catch (error) {
      if (area.value.trim()) shown.append(h("small.parse-error", error.message));
    }
  };
  area.addEventListener("input", render);
  return {
    spec, el: labelled(spec, h("div", area, shown), spec.hint), input: area,
    get() {
      if (!area.value.trim()) return undefined;
      try { return parseCSV(area.value); } catch (error) { throw new FieldError(spec.name, error.message); }
    },
    set(value) {
      area.value = value ? [value.header.join(", "), ...value.rows.map((r) => r.join(", "))].join("\n") : "";
      render();
    },
  };
}

/** Build the widget for a field spec. */
export function makeField(spec) {
  const make = WIDGETS[spec.type || "text"];
  if (!make) throw new Error(`no widget ${spec.type}`);
  return make(spec);
}

/** Columns {name: [numbers]} from parsed CSV. */
export function columns({ header, rows }) {
  return Object.fromEntries(header.map((name, j) => [name, rows.map((row) => row[j])]));
}
