// First meaningful paint of /wall: loads it N times, each in a fresh browser context (cold
// cache), and reports median and p95 of first-contentful-paint, the moment the wall's panels
// are in the document (server-rendered, so they come with the first HTML), and hydration
// (`#wall[data-hydrated="yes"]`, set only by the wasm side). Not part of the test suite.
//
//   scripts/build-wall release && cargo build --release -p hangar-server --bin hangar
//   HANGAR_BIN=target/release/hangar node tests/browser/perf.mjs [--runs 20] [--url http://…]
//
// Without --url it starts its own `hangar demo` (and waits a few seconds so the wall has data).
import { launchBrowser, startDemo } from './harness.mjs';
import { options, quantiles } from './drive.mjs';

const opt = options({ runs: 20, url: '', settle: 5 });

/** Records, from inside the page, when the panels appear and when hydration finishes. */
function watchWall() {
  const mark = () => {
    const wall = document.querySelector('#wall');
    if (wall && window.__panelsAt === undefined && wall.querySelector('.panel')) {
      window.__panelsAt = performance.now();
    }
    if (wall?.getAttribute('data-hydrated') === 'yes' && window.__hydratedAt === undefined) {
      window.__hydratedAt = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
  document.addEventListener('DOMContentLoaded', mark);
}

const demo = opt.url ? null : await startDemo();
const url = `${opt.url || demo.url}/wall`;
const browser = await launchBrowser();
const rows = [];
const errors = [];
try {
  if (demo) await new Promise((r) => setTimeout(r, opt.settle * 1000));
  for (let run = 0; run < opt.runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.addInitScript(watchWall);
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 30_000 });
    // Paint timing entries can land a frame after hydration on a busy machine.
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null, { timeout: 5_000 })
      .catch(() => {});
    rows.push(await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
      const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
      return {
        ttfb: nav.responseStart,
        html: nav.responseEnd,
        fcp,
        panels: window.__panelsAt,
        hydrated: window.__hydratedAt,
        load: nav.loadEventEnd,
        panelCount: document.querySelectorAll('#wall .panel').length,
        wasmTransfer: wasm?.transferSize ?? 0,
        wasmBody: wasm?.decodedBodySize ?? 0,
        htmlBytes: nav.decodedBodySize,
      };
    }));
    await context.close();
  }
} finally {
  await browser.close();
  demo?.cleanup();
}

const ms = (v) => `${v.toFixed(0)} ms`;
console.log(`perf: ${url}, ${rows.length} cold loads (fresh context each), 1920x1080`);
for (const [name, key] of [['TTFB', 'ttfb'], ['HTML received', 'html'], ['panels in the DOM', 'panels'],
  ['first contentful paint', 'fcp'], ['load event', 'load'], ['hydrated', 'hydrated']]) {
  const q = quantiles(rows.map((r) => r[key]).filter(Number.isFinite));
  if (q.n === 0) { console.log(`  ${name.padEnd(24)} not measured`); continue; }
  const missing = rows.length - q.n ? ` (${rows.length - q.n} loads had none)` : '';
  console.log(`  ${name.padEnd(24)} median ${ms(q.p50).padStart(7)}  p95 ${ms(q.p95).padStart(7)}  max ${ms(q.max).padStart(7)}${missing}`);
}
const last = rows.at(-1);
console.log(`  ${last.panelCount} panels; HTML ${(last.htmlBytes / 1024).toFixed(0)} KB; wasm ${(last.wasmBody / 1024).toFixed(0)} KB, ${(last.wasmTransfer / 1024).toFixed(0)} KB over the wire`);
console.log(`  console errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`);
