// The page submits a job with Prefer: wait=10, then polls until it is done,
// and renders the result and each step's LaTeX with KaTeX.
"use strict";

const form = document.getElementById("job-form");
const statusBox = document.getElementById("status");
const resultBox = document.getElementById("result");
const stepsList = document.getElementById("steps");

function renderMath(latex, element, display) {
  try {
    katex.render(latex, element, { displayMode: display, throwOnError: false });
  } catch (err) {
    element.textContent = latex;
  }
}

function showStatus(text, isError) {
  statusBox.textContent = text;
  statusBox.className = isError ? "error" : "";
}

function renderSteps(steps, list) {
  for (const step of steps || []) {
    const item = document.createElement("li");
    const rule = document.createElement("div");
    rule.className = "rule";
    rule.textContent = step.rule;
    const text = document.createElement("div");
    text.textContent = step.text;
    const math = document.createElement("div");
    math.className = "math";
    renderMath(step.latex || "", math, true);
    item.append(rule, text, math);
    if (step.substeps && step.substeps.length) {
      const sub = document.createElement("ol");
      renderSteps(step.substeps, sub);
      item.append(sub);
    }
    list.append(item);
  }
}

function renderJob(job) {
  resultBox.replaceChildren();
  stepsList.replaceChildren();
  if (job.status === "failed") {
    showStatus(`${job.error.title}: ${job.error.detail}`, true);
    return;
  }
  if (job.status !== "succeeded") {
    showStatus(`Job ${job.id} is ${job.status}…`, false);
    return;
  }
  showStatus(`Done${job.cached ? " (reused an earlier result)" : ""}.`, false);
  const result = job.result || {};
  if (result.latex) {
    const math = document.createElement("div");
    math.className = "math";
    renderMath(result.latex, math, true);
    resultBox.append(math);
  }
  const raw = document.createElement("pre");
  raw.textContent = JSON.stringify(result, null, 2);
  resultBox.append(raw);
  renderSteps(job.steps, stepsList);
}

async function poll(url) {
  for (;;) {
    const response = await fetch(url);
    const job = await response.json();
    renderJob(job);
    if (["succeeded", "failed", "canceled"].includes(job.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// A link like /?kind=derivative&params={...} fills the form and solves it,
// so course staff can share a worked problem.
function loadFromUrl() {
  const query = new URLSearchParams(window.location.search);
  if (!query.has("params")) return false;
  document.getElementById("kind").value = query.get("kind") || "derivative";
  document.getElementById("params").value = query.get("params");
  return true;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  let params;
  try {
    params = JSON.parse(document.getElementById("params").value);
  } catch (err) {
    showStatus("Params must be a JSON object.", true);
    return;
  }
  showStatus("Solving…", false);
  const kind = document.getElementById("kind").value;
  const link = new URLSearchParams({ kind, params: JSON.stringify(params) });
  window.history.replaceState(null, "", `?${link}`);
  const response = await fetch("/v1/jobs", {
    method: "POST",
    headers: { "Content-Type": "application/json", Prefer: "wait=10" },
    body: JSON.stringify({ kind, params }),
  });
  const body = await response.json();
  if (!response.ok) {
    const details = (body.errors || []).map((e) =>
      `${e.field}: ${e.message}${e.position !== undefined && e.position !== null ? ` (at ${e.position})` : ""}`);
    showStatus([body.title, ...details].join(" — "), true);
    return;
  }
  renderJob(body);
  if (!["succeeded", "failed", "canceled"].includes(body.status)) {
    await poll(response.headers.get("Location"));
  }
});

if (loadFromUrl()) form.requestSubmit();
