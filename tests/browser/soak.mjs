// Soak: the wall open for a long time under a steady event load; is its memory flat?
// Not part of the test suite (it runs for half an hour by default).
//
//   scripts/build-wall release && cargo build --release -p hangar-server --bin hangar
//   HANGAR_BIN=target/release/hangar node tests/browser/soak.mjs [--minutes 30] [--rate 50] [--every 30]
//
// Starts `hangar demo`, adds a webhook-only UiPath source whose secret it knows, sends `rate`
// signed job webhooks a second into it (each one reaches the wall as a runs_changed and a
// collector_health event, on top of the demo's own traffic), and every `every` seconds forces
// a GC and samples the page's JS heap (CDP Runtime.getHeapUsage), its DOM nodes and listeners,
// and the wasm linear memory. Writes target/soak/heap.csv and prints first/last/min/max and
// the least-squares slope.
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startDemo, launchBrowser, openPage, screenshot } from './harness.mjs';
import { addLoadSource, captureWasmMemory, driveWebhooks, loadSourceEnv, options } from './drive.mjs';

const opt = options({ minutes: 30, rate: 50, every: 30 });
const outDir = join(ROOT, 'target', 'soak');
const csv = join(outDir, 'heap.csv');
mkdirSync(outDir, { recursive: true });
writeFileSync(csv, 'minute,js_heap_used_kb,js_heap_total_kb,wasm_memory_kb,dom_nodes,js_listeners,webhooks_ok,webhooks_failed,events_published\n');

const env = loadSourceEnv();
const demo = await startDemo(env);
const browser = await launchBrowser();
const samples = [];
let driver;
try {
  const hook = await addLoadSource(demo.url, await demo.session('admin'));
  const { page, errors } = await openPage(browser, { width: 1920, height: 1080 });
  await captureWasmMemory(page);
  await page.goto(`${demo.url}/wall`);
  await page.waitForSelector('#wall[data-hydrated="yes"]', { timeout: 30_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  driver = driveWebhooks(hook, env.LOADGEN_WEBHOOK_SECRET, opt.rate);
  console.log(`soak: ${demo.url}/wall, ${opt.rate} webhooks/s for ${opt.minutes} min, a sample every ${opt.every} s → ${csv}`);

  const t0 = performance.now();
  const end = t0 + opt.minutes * 60_000;
  for (let next = t0; next <= end + 1; next += opt.every * 1000) {
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const page_ = await page.evaluate(() => ({
      wasm: window.__wasmMemory?.buffer.byteLength ?? 0,
      published: document.querySelector('#events-published')?.textContent?.trim() ?? '',
    }));
    const s = {
      minute: (performance.now() - t0) / 60_000,
      used: heap.usedSize / 1024,
      total: heap.totalSize / 1024,
      wasm: page_.wasm / 1024,
      nodes: metrics.Nodes,
      listeners: metrics.JSEventListeners,
    };
    samples.push(s);
    appendFileSync(csv, [s.minute.toFixed(2), s.used.toFixed(1), s.total.toFixed(1), s.wasm.toFixed(0), s.nodes,
      s.listeners, driver.stats.ok, driver.stats.failed, JSON.stringify(page_.published)].join(',') + '\n');
    console.log(`  ${s.minute.toFixed(1).padStart(5)} min  heap ${s.used.toFixed(0)} KB  wasm ${s.wasm.toFixed(0)} KB  nodes ${s.nodes}  listeners ${s.listeners}  webhooks ok ${driver.stats.ok} failed ${driver.stats.failed} skipped ${driver.stats.skipped}`);
  }
  driver.stop();
  await screenshot(page, 'soak-end');
  const conn = await page.getAttribute('#conn', 'data-state').catch(() => null);
  report(samples, driver.stats, conn, errors);
} finally {
  driver?.stop();
  await browser.close();
  demo.cleanup();
}

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let k = 0; k < n; k++) { num += (xs[k] - mx) * (ys[k] - my); den += (xs[k] - mx) ** 2; }
  return den === 0 ? 0 : num / den;
}

function report(samples, stats, conn, errors) {
  const xs = samples.map((s) => s.minute);
  const line = (name, key, unit) => {
    const ys = samples.map((s) => s[key]);
    // The first minutes include the page settling in; the slope after them is the one to judge.
    const late = samples.filter((s) => s.minute >= 5);
    const settled = late.length >= 3 ? `, after 5 min ${slope(late.map((s) => s.minute), late.map((s) => s[key])).toFixed(2)}` : '';
    console.log(`${name.padEnd(14)} first ${ys[0].toFixed(0)} ${unit}  last ${ys.at(-1).toFixed(0)} ${unit}  min ${Math.min(...ys).toFixed(0)}  max ${Math.max(...ys).toFixed(0)}  slope ${slope(xs, ys).toFixed(2)}${settled} ${unit}/min`);
  };
  console.log(`\nsoak: ${samples.length} samples over ${xs.at(-1).toFixed(1)} min; webhooks ok ${stats.ok}, failed ${stats.failed}, skipped ${stats.skipped}; stream ${conn}`);
  line('JS heap used', 'used', 'KB');
  line('wasm memory', 'wasm', 'KB');
  line('DOM nodes', 'nodes', '');
  line('listeners', 'listeners', '');
  console.log(`console errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`);
}
