// The page: a form per kind (from GET /v1/kinds), one job at a time, results
// read as math with plots and steps, one history entry per solve.
import { JobRunner, requestJSON, saveApiKey } from "./api.js";
import { copyButton, disclosure, h } from "./dom.js";
import { EXAMPLES } from "./examples.js";
import { genericModule, KindForm } from "./form.js";
import { MODULES } from "./kinds/index.js";
import { loadRecent } from "./recent.js";
import { stepsView } from "./steps.js";

const $ = (id) => document.getElementById(id);
const kindSelect = $("kind"), formBox = $("kind-form"), statusBox = $("status"), resultBox = $("result");
const cancelButton = $("cancel"), recentList = $("recent");

const kinds = new Map(); // name -> {module, schema}
const forms = new Map(); // name -> KindForm, kept so switching kinds keeps what was typed
let request = null; // {kind, params, jobId?}: what the shown result answers

const runner = new JobRunner({ onUpdate: showJob, onError: showError, onTick: showElapsed });

async function loadKinds() {
  let listed = null;
  try {
    ({ body: listed } = await requestJSON("/v1/kinds"));
  } catch {
    listed = null; // an older service: the page's own modules still work
  }
  const entries = listed || Object.values(MODULES).map((m) => ({ name: m.name, title: m.title }));
  // The course's order first (derivatives before optimizers), then any other kind.
  const order = Object.keys(MODULES);
  const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
  entries.sort((a, b) => rank(a.name) - rank(b.name));
  for (const kind of entries) {
    const module = MODULES[kind.name] || genericModule(kind);
    kinds.set(kind.name, { module, schema: kind.params_schema || null, title: kind.title || module.title });
  }
  kindSelect.replaceChildren(...[...kinds].map(([name, k]) => h("option", { value: name }, k.title || name)));
}

function formFor(kind) {
  if (!forms.has(kind)) {
    const entry = kinds.get(kind) || { module: MODULES[kind] || genericModule({ name: kind }), schema: null };
    forms.set(kind, new KindForm(entry.module, entry.schema));
  }
  return forms.get(kind);
}

function selectKind(kind) {
  if (!kinds.has(kind)) kind = kinds.keys().next().value;
  kindSelect.value = kind;
  formBox.replaceChildren(formFor(kind).el);
  return kind;
}

function setStatus(tone, ...content) {
  statusBox.className = tone || "";
  statusBox.replaceChildren(...content.filter((part) => part !== null && part !== undefined));
}

function showElapsed(seconds) {
  const timer = statusBox.querySelector(".elapsed");
  if (timer) timer.textContent = `${seconds.toFixed(1)} s`;
}

/** Start (or resume following) a job for `entry` = {kind, params, jobId?}. */
function start(entry) {
  request = entry;
  resultBox.replaceChildren();
  cancelButton.hidden = false;
  setStatus("busy", h("span.spinner"), entry.jobId ? "Loading the job… " : "Solving… ", h("span.elapsed", "0.0 s"));
  runner.run(entry.kind, entry.params, { jobId: entry.jobId }).finally(() => {
    if (!runner.busy) cancelButton.hidden = true;
  });
}

function solve(event) {
  event.preventDefault();
  const kind = kindSelect.value;
  let params;
  try {
    params = formFor(kind).params();
  } catch (error) {
    setStatus("error", error.message);
    return;
  }
  const entry = { kind, params };
  // One history entry per solve; the job's id replaces the URL once known.
  history.pushState(entry, "", `/?${new URLSearchParams({ kind, params: JSON.stringify(params) })}`);
  start(entry);
}

const FINISHED = ["succeeded", "failed", "canceled"];

function showJob(job) {
  if (request && !request.jobId && job.id) {
    request = { kind: job.kind, params: job.params, jobId: job.id };
    history.replaceState(request, "", `/jobs/${job.id}`);
  }
  if (request && request.fillForm) {
    selectKind(job.kind);
    formFor(job.kind).fill(job.params || {});
    request = { kind: job.kind, params: job.params, jobId: job.id };
    history.replaceState(request, "", location.href);
  }
  if (!FINISHED.includes(job.status)) {
    const label = job.status === "queued" ? "Queued… " : "Solving… ";
    const first = statusBox.firstChild;
    if (!statusBox.querySelector(".elapsed")) setStatus("busy", h("span.spinner"), label, h("span.elapsed", ""));
    else if (first && first.nextSibling) first.nextSibling.textContent = label;
    return;
  }
  cancelButton.hidden = true;
  renderJob(job);
  loadRecent(recentList, openStored);
}

function showError(error) {
  cancelButton.hidden = true;
  const entry = request;
  const details = ((error.problem && error.problem.errors) || []).map((e) =>
    h("li", `${e.field}: ${e.message}${Number.isInteger(e.position) ? ` (at character ${e.position + 1})` : ""}`));
  // A service that requires API keys: ask for one, keep it in this browser.
  const key = error.needsKey ? h("input.api-key", { type: "password", placeholder: "API key (mlk_…)",
    "aria-label": "API key" }) : null;
  const retry = () => {
    if (key) saveApiKey(key.value);
    if (entry) start(entry);
    else location.reload();
  };
  setStatus("error", h("strong", "Error: "), error.message,
    details.length ? h("ul", details) : null,
    key ? h("div.row", "This service needs an API key:", key) : null,
    error.retry ? h("button.small.retry", { type: "button", onclick: retry }, key ? "Save key and retry" : "Retry") : null);
}

function renderJob(job) {
  const kind = kinds.get(job.kind) || { module: MODULES[job.kind] || genericModule({ name: job.kind }) };
  const took = job.finished_at && job.created_at
    ? ` in ${((new Date(job.finished_at) - new Date(job.created_at)) / 1000).toFixed(2)} s` : "";
  const link = `${location.origin}/jobs/${job.id}`;
  const tools = h("div.tools", copyButton("Copy link", () => link));
  resultBox.replaceChildren();
  if (job.status === "failed") {
    setStatus("error", h("strong", `${(job.error && job.error.title) || "Failed"}: `), (job.error && job.error.detail) || "");
    resultBox.append(tools);
    return;
  }
  if (job.status === "canceled") {
    setStatus("warn", (job.error && job.error.detail) ? `Canceled (${job.error.detail}).` : "Canceled.");
    return;
  }
  const diverged = job.result && job.result.stop_reason === "diverged";
  setStatus(diverged ? "warn" : "done", diverged ? `Finished${took}: the run diverged.` :
    `Solved${took}${job.cached ? " (reused an earlier result)" : ""}.`);
  let view = null;
  try {
    view = kind.module.view ? kind.module.view(job) : null;
  } catch (error) {
    console.error(error); // the raw result below still shows it
  }
  if (view && view.latex) tools.prepend(copyButton("Copy LaTeX", () => view.latex));
  resultBox.append(tools);
  if (view) resultBox.append(view.el);
  const steps = stepsView(job.steps);
  if (steps) resultBox.append(steps);
  resultBox.append(disclosure("Raw result (JSON)", () => h("pre", JSON.stringify(job.result, null, 2))));
}

/** Show a stored job (a share link, a recent job): its form and result, not solved again. */
function openStored(job) {
  const entry = { kind: job.kind, params: job.params, jobId: job.id };
  history.pushState(entry, "", `/jobs/${job.id}`);
  selectKind(job.kind);
  formFor(job.kind).fill(job.params || {});
  start(entry);
}

function restore(state) {
  runner.stop();
  cancelButton.hidden = true;
  if (state && state.jobId) {
    selectKind(state.kind);
    formFor(state.kind).fill(state.params || {});
    start({ ...state });
  } else if (state && state.kind) {
    selectKind(state.kind);
    formFor(state.kind).fill(state.params || {});
    start({ kind: state.kind, params: state.params });
  } else {
    resultBox.replaceChildren();
    setStatus("", "");
  }
}

function showExamples() {
  // Only the examples of kinds this service offers.
  const offered = EXAMPLES.filter((example) => kinds.has(example.kind));
  $("examples").replaceChildren(...offered.map((example) => h("li", h("button.example", { type: "button",
    onclick: () => {
      selectKind(example.kind);
      formFor(example.kind).fill(example.params);
      $("solve").focus();
    } }, example.title))));
}

async function boot() {
  await loadKinds();
  showExamples();
  kindSelect.addEventListener("change", () => selectKind(kindSelect.value));
  $("job-form").addEventListener("submit", solve);
  cancelButton.addEventListener("click", async () => {
    const job = await runner.cancel();
    cancelButton.hidden = true;
    if (job) renderJob(job);
    else setStatus("warn", "Canceled.");
  });
  window.addEventListener("popstate", (event) => restore(event.state));
  const stored = location.pathname.match(/^\/jobs\/([^/]+)$/);
  const query = new URLSearchParams(location.search);
  if (stored) {
    selectKind(kindSelect.value);
    start({ jobId: stored[1], fillForm: true });
  } else if (query.has("params")) {
    // A link like /?kind=derivative&params={...} fills the form and solves it.
    const kind = selectKind(query.get("kind") || "derivative");
    let params = {};
    try { params = JSON.parse(query.get("params")); } catch { /* an empty form then */ }
    formFor(kind).fill(params);
    const entry = { kind, params };
    history.replaceState(entry, "", location.href);
    start(entry);
  } else {
    selectKind(query.get("kind") || "derivative");
  }
  loadRecent(recentList, openStored);
  document.body.dataset.ready = "true";
}

boot();
