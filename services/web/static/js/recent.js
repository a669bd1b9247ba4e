// The recent jobs list, from GET /v1/jobs.
import { h } from "./dom.js";
import { requestJSON } from "./api.js";

const STATUS_MARK = { succeeded: "✔", failed: "✖", canceled: "⊘", queued: "…", running: "…" };

function describe(job) {
  const p = job.params || {};
  const text = p.expression || p.answer || (p.base && p.base.params && p.base.params.expression) || p.model || "";
  return `${job.kind}${text ? ": " + String(text).slice(0, 40) : ""}`;
}

/** Fill `list` with the newest jobs; `open(job)` is called on a click. */
export async function loadRecent(list, open) {
  try {
    const { body } = await requestJSON("/v1/jobs?limit=10");
    list.replaceChildren(...body.items.map((job) => h("li",
      h("a", { href: `/jobs/${job.id}`, onclick: (event) => { event.preventDefault(); open(job); } },
        h("span.status-mark", STATUS_MARK[job.status] || "?"), " ", describe(job)),
      h("small.muted", ` ${new Date(job.created_at).toLocaleTimeString()}`))));
    if (!body.items.length) list.replaceChildren(h("li.muted", "No jobs yet."));
  } catch {
    list.replaceChildren(h("li.muted", "Recent jobs unavailable."));
  }
}
