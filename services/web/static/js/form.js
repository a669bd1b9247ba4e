// A kind's form: its math input, its own fields (with defaults and options
// from the kind's params JSON Schema, GET /v1/kinds), and the raw params as
// JSON behind an "Advanced" toggle.
import { h } from "./dom.js";
import { MathInput } from "./preview.js";
import { makeField } from "./fields.js";

/** The schema of one property (or a path of them), with $ref and `X | None` unwrapped. */
export function propertySchema(schema, path) {
  const resolve = (p) => {
    if (p && p.$ref) p = schema.$defs?.[p.$ref.split("/").pop()] || p;
    if (p && p.anyOf) {
      const concrete = p.anyOf.map(resolve).find((q) => q && q.type !== "null");
      p = { ...concrete, ...p, anyOf: undefined };
    }
    return p;
  };
  let prop = { properties: schema?.properties };
  for (const name of [].concat(path)) prop = resolve(prop?.properties?.[name]);
  return prop || null;
}

/** Fill a field spec's options, default and hint from the schema. */
function withSchema(spec, schema) {
  const prop = propertySchema(schema, spec.schemaName || spec.name);
  if (!prop) return spec;
  const filled = { ...spec };
  if (!filled.options && prop.enum) filled.options = prop.enum;
  if (filled.default === undefined && prop.default !== undefined && prop.default !== null) filled.default = prop.default;
  // Docstring markup (``name``) reads as plain words in a hint.
  if (!filled.hint && prop.description) filled.hint = prop.description.replace(/``/g, "");
  return filled;
}

export class KindForm {
  /** module: the kind's form/view module; schema: its params_schema (may be null). */
  constructor(module, schema) {
    this.module = module;
    this.schema = schema;
    this.el = h("div.kind-form");
    this.math = null;
    if (module.math) {
      this.math = new MathInput({ ...module.math, context: () => this.parseContext() });
      this.el.append(this.math.el);
    }
    this.fields = module.fields.map((spec) => makeField(withSchema(spec, schema)));
    const grid = h("div.fields", this.fields.map((f) => f.el));
    this.el.append(grid);
    for (const field of this.fields) {
      field.input.addEventListener("change", () => this.refreshVisibility());
      if (field.spec.affectsPreview && this.math) field.input.addEventListener("input", () => this.math.schedule());
    }
    this.json = h("textarea.json", { rows: 8, spellcheck: false, name: "params-json", "aria-label": "params as JSON" });
    this.advanced = h("details.advanced", h("summary", "Advanced: params as JSON"),
      h("p.hint", "Edit the request's params directly; what is here is what Solve sends while this is open."), this.json);
    this.advanced.addEventListener("toggle", () => this.onAdvancedToggle());
    // "toggle" fires after the click that opened the box, as a task of its own:
    // what was typed (or pasted) into the box by then must not be overwritten.
    this.jsonEdited = false;
    this.json.addEventListener("input", () => { this.jsonEdited = true; });
    this.el.append(this.advanced);
    this.reset();
  }

  /** Every field at its default; the module's starter expression in the math input. */
  reset() {
    for (const field of this.fields) field.set(field.spec.default);
    if (this.math) this.math.value = this.module.math.value || "";
    this.refreshVisibility();
  }

  /** The raw values of the fields (plus the math input). */
  values({ strict = true } = {}) {
    const values = {};
    if (this.math && !this.math.el.hidden) values[this.module.math.name] = this.math.value.trim() || undefined;
    for (const field of this.fields) {
      if (field.el.hidden) continue;
      try {
        values[field.spec.name] = field.get();
      } catch (error) {
        if (strict) throw error;
      }
    }
    return values;
  }

  /** The params the form describes (the JSON box's while Advanced is open). */
  params() {
    if (this.advanced.open) {
      try {
        return JSON.parse(this.json.value);
      } catch (error) {
        throw new Error(`The JSON under Advanced is not valid: ${error.message}`);
      }
    }
    const values = this.values();
    const params = this.module.toParams ? this.module.toParams(values) : values;
    return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  }

  /** Fill the form from params (an example, a stored job, Back/Forward). */
  fill(params) {
    const values = this.module.fromParams ? this.module.fromParams(params) : params;
    for (const field of this.fields) field.set(values[field.spec.name] ?? field.spec.default);
    if (this.math) this.math.value = values[this.module.math.name] ?? "";
    this.refreshVisibility();
    if (this.advanced.open) this.json.value = JSON.stringify(params, null, 2);
  }

  parseContext() {
    const values = this.values({ strict: false });
    return this.module.parseContext ? this.module.parseContext(values) : { syntax: values.syntax };
  }

  /** Show only the fields that apply (a method's own options, ...). */
  refreshVisibility() {
    const values = {};
    for (const field of this.fields) {
      try { values[field.spec.name] = field.get(); } catch { /* shown when solving */ }
    }
    for (const field of this.fields) {
      field.el.hidden = field.spec.show ? !field.spec.show(values) : false;
    }
    if (this.math && this.module.showMath) this.math.el.hidden = !this.module.showMath(values);
  }

  onAdvancedToggle() {
    if (this.advanced.open && this.jsonEdited) return; // typed in before the box opened
    this.jsonEdited = false;
    if (this.advanced.open) {
      try {
        const values = this.values();
        const params = this.module.toParams ? this.module.toParams(values) : values;
        this.json.value = JSON.stringify(params, null, 2);
      } catch (error) {
        this.json.value = "{}";
      }
    } else {
      try {
        this.fill(JSON.parse(this.json.value));
      } catch { /* leave the form as it was */ }
    }
  }
}

/** A form module for a kind the page has no module for: one field per schema property. */
export function genericModule(kind) {
  const schema = kind.params_schema || {};
  const fields = Object.keys(schema.properties || {}).map((name) => {
    const prop = propertySchema(schema, name) || {};
    const type = prop.enum ? "select" : prop.type === "integer" ? "int" : prop.type === "number" ? "float"
      : prop.type === "boolean" ? "bool" : prop.type === "string" ? "text" : "json";
    return { name, type, optional: !(schema.required || []).includes(name) };
  });
  return { name: kind.name, title: kind.title || kind.name, math: null, fields, view: null };
}
