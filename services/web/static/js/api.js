// Talking to the service: JSON requests with readable errors, and a job
// runner that keeps one job at a time (cancel, supersede, retry, elapsed).

const FINISHED = new Set(["succeeded", "failed", "canceled"]);
const KEY_STORE = "mlcalc-api-key";

/** The Authorization header, when the user gave an API key (services that require keys). */
export function authHeaders() {
  const key = localStorage.getItem(KEY_STORE);
  return key ? { Authorization: `Bearer ${key}` } : {};
}

export function saveApiKey(key) {
  if (key) localStorage.setItem(KEY_STORE, key.trim());
  else localStorage.removeItem(KEY_STORE);
}

/** An error the page shows as it is; `retry` says whether trying again can help. */
export class RequestError extends Error {
  constructor(message, { status = 0, problem = null, retry = true } = {}) {
    super(message);
    this.status = status;
    this.problem = problem;
    this.retry = retry;
  }
}

/** fetch + JSON, turning network failures and problem+json bodies into RequestError. */
export async function requestJSON(url, options = {}) {
  let response;
  try {
    response = await fetch(url, {
      ...options,
      headers: { "Content-Type": "application/json", ...authHeaders(), ...(options.headers || {}) },
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new RequestError("Cannot reach the mlcalc service (the server may be down or the network lost).");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const retry = response.status >= 500 || response.status === 429 || response.status === 401;
    const title = body && body.title ? body.title : `HTTP ${response.status}`;
    const detail = body && body.detail ? `: ${body.detail}` : "";
    const error = new RequestError(`${title}${detail}`, { status: response.status, problem: body, retry });
    error.needsKey = response.status === 401;
    throw error;
  }
  return { body, response };
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("superseded", "AbortError"));
    });
  });

/**
 * Runs one job at a time. `run(kind, params)` submits and polls; starting a
 * new run aborts the previous one, so a slow earlier job never replaces the
 * result of a newer one. Callbacks: onUpdate(job), onError(RequestError).
 */
export class JobRunner {
  constructor({ onUpdate, onError, onTick }) {
    Object.assign(this, { onUpdate, onError, onTick });
    this.controller = null;
    this.job = null;
  }

  get busy() {
    return this.controller !== null;
  }

  /** Submit a job (or, with jobId, follow a stored one) until it finishes. */
  async run(kind, params, { jobId = null } = {}) {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    const started = Date.now();
    const ticker = setInterval(() => this.onTick && this.onTick((Date.now() - started) / 1000), 250);
    try {
      let job;
      if (jobId) {
        ({ body: job } = await requestJSON(`/v1/jobs/${jobId}`, { signal: controller.signal }));
      } else {
        ({ body: job } = await requestJSON("/v1/jobs", {
          method: "POST",
          headers: { Prefer: "wait=1" }, // quick jobs answer at once; others show progress
          body: JSON.stringify({ kind, params }),
          signal: controller.signal,
        }));
      }
      this.job = job;
      this.onUpdate(job);
      let failures = 0;
      while (!FINISHED.has(job.status)) {
        await sleep(failures ? 1000 : 400, controller.signal);
        try {
          ({ body: job } = await requestJSON(`/v1/jobs/${job.id}`, { signal: controller.signal }));
          failures = 0;
        } catch (error) {
          // One dropped poll is not an outage; three in a row are.
          if (error.name === "AbortError" || ++failures >= 3) throw error;
          continue;
        }
        if (controller.signal.aborted) return null;
        this.job = job;
        this.onUpdate(job);
      }
      return job;
    } catch (error) {
      if (error.name === "AbortError" || controller.signal.aborted) return null;
      if (this.controller === controller) this.onError(error);
      return null;
    } finally {
      clearInterval(ticker);
      if (this.controller === controller) this.controller = null;
    }
  }

  /** Stop following the current job (its result, if it comes, is ignored). */
  stop() {
    if (this.controller) this.controller.abort();
    this.controller = null;
  }

  /** Cancel the current job on the server (DELETE), then stop following it. */
  async cancel() {
    const job = this.job;
    this.stop();
    if (!job || FINISHED.has(job.status)) return null;
    try {
      const { body } = await requestJSON(`/v1/jobs/${job.id}`, { method: "DELETE" });
      return body;
    } catch (error) {
      // 409: it had already started, so it finishes on the server; the page stops waiting.
      const detail = error.status === 409
        ? "it had already started and will finish on the server (see Recent jobs)" : error.message;
      return { ...job, status: "canceled", error: { title: "Stopped waiting", detail } };
    }
  }
}
