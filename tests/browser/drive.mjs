// Drives load into a running hangar for the perf scripts (soak.mjs, perf.mjs): a UiPath source
// whose webhook secret the script knows, and signed job webhooks into it at a steady rate.
// Not part of the test suite.
import { createHmac, randomBytes } from 'node:crypto';

/**
 * Environment for `startDemo`, so the node can resolve the load source's secrets. Not named
 * HANGAR_*: those are configuration keys, and unknown ones stop the node.
 */
export function loadSourceEnv() {
  return {
    LOADGEN_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    LOADGEN_PASSWORD: randomBytes(16).toString('hex'),
  };
}

/**
 * Registers a UiPath source that only takes webhooks: it points at a closed port and is paused
 * at once, so its collector never polls, as the admin whose `session` (from `demo.session()`)
 * is given. Returns the webhook URL.
 */
export async function addLoadSource(base, session, id = 'load-uipath') {
  const spec = {
    id,
    department: 'load',
    base_url: 'http://127.0.0.1:9',
    auth: { kind: 'uipath_on_prem', tenancy_name: 'Default', username: 'load', password: { env: 'LOADGEN_PASSWORD' } },
    webhook_secret: { env: 'LOADGEN_WEBHOOK_SECRET' },
  };
  // Adding and pausing a source are an admin's changes: a session cookie and its CSRF token.
  const headers = { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf };
  const add = await fetch(`${base}/api/v1/sources`, { method: 'POST', headers, body: JSON.stringify(spec) });
  if (add.status !== 201) throw new Error(`adding ${id}: ${add.status} ${await add.text()}`);
  const pause = await fetch(`${base}/api/v1/sources/${id}/pause`, { method: 'POST', headers });
  if (pause.status !== 200) throw new Error(`pausing ${id}: ${pause.status}`);
  return `${base}/hooks/uipath/${id}`;
}

/**
 * Webhook `i` of an endless, realistic sequence: even deliveries start job i/2 on one of 40
 * robots, odd ones finish it (one in ten faulted).
 */
export function jobWebhook(i) {
  const n = Math.floor(i / 2);
  const started = i % 2 === 0;
  const faulted = !started && n % 10 === 7;
  const kind = started ? 'job.started' : faulted ? 'job.faulted' : 'job.completed';
  const state = started ? 'Running' : faulted ? 'Faulted' : 'Successful';
  const bot = n % 40;
  const now = new Date().toISOString();
  const key = `00000000-10ad-4000-8000-${String(n).padStart(12, '0')}`;
  const body = {
    Type: kind, EventId: `load-${i}`, Timestamp: now, TenantId: 3, OrganizationUnitId: 5,
    Job: {
      Id: 900000 + n, Key: key, State: state, Type: 'Unattended',
      StartTime: started ? now : new Date(Date.now() - 20_000).toISOString(),
      EndTime: started ? null : now,
      Info: faulted ? "Could not find the UI element 'Submit'." : null, OutputArguments: null,
      Robot: { Id: 7000 + bot, Name: `load-bot-${bot}`, MachineName: `VM-LOAD-${bot}` },
      Release: { Id: 77 + (n % 5), Key: `6c1d7f0e-1111-4a2b-8c3d-00000000007${n % 5}`, ProcessKey: `Load_${n % 5}`, Name: `Load_${n % 5}_Prod` },
    },
  };
  return JSON.stringify(body);
}

/**
 * Sends signed webhooks at `perSecond` until `stop()` is called, at most `maxInFlight` at once
 * (a slow server makes the driver fall behind rather than pile up requests).
 */
export function driveWebhooks(url, secret, perSecond, maxInFlight = 32) {
  const stats = { sent: 0, ok: 0, failed: 0, skipped: 0 };
  let i = 0;
  let inFlight = 0;
  const t0 = performance.now();
  const tick = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * perSecond);
    while (i < due) {
      if (inFlight >= maxInFlight) { stats.skipped += due - i; i = due; break; }
      const body = jobWebhook(i++);
      const sig = createHmac('sha256', secret).update(body).digest('base64');
      inFlight++;
      stats.sent++;
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-uipath-signature': sig }, body })
        .then((r) => { if (r.status === 202) stats.ok++; else stats.failed++; return r.arrayBuffer(); })
        .catch(() => { stats.failed++; })
        .finally(() => { inFlight--; });
    }
  }, 20);
  return { stats, stop: () => clearInterval(tick) };
}

/** Records the wall's wasm linear memory as `window.__wasmMemory` (call before navigating). */
export async function captureWasmMemory(page) {
  await page.addInitScript(() => {
    const keep = (result) => {
      const inst = result.instance ?? result;
      const mem = inst?.exports?.memory;
      if (mem) window.__wasmMemory = mem;
      return result;
    };
    const { instantiate, instantiateStreaming } = WebAssembly;
    WebAssembly.instantiate = (...a) => instantiate.apply(WebAssembly, a).then(keep);
    if (instantiateStreaming) {
      WebAssembly.instantiateStreaming = (...a) => instantiateStreaming.apply(WebAssembly, a).then(keep);
    }
  });
}

/** Command-line `--name value` options with defaults. */
export function options(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let k = 0; k < argv.length; k++) {
    const m = argv[k].match(/^--([\w-]+)(?:=(.*))?$/);
    if (!m || !(m[1] in defaults)) throw new Error(`unknown option ${argv[k]}; known: ${Object.keys(defaults).join(', ')}`);
    const v = m[2] ?? argv[++k];
    out[m[1]] = typeof defaults[m[1]] === 'number' ? Number(v) : v;
  }
  return out;
}

/** Median and p95 (nearest rank) of numbers. */
export function quantiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { n: s.length, p50: at(0.5), p95: at(0.95), min: s[0], max: s[s.length - 1] };
}
