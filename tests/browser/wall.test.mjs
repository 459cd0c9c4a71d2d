// The wall in a real browser: every screen of the default profile at full HD and 4K in both
// languages, live updates, the playlist, and the truth when the server goes away and comes back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launchBrowser, openPage, screenshot, overflow, api } from './harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** What each screen of the default profile `ops-floor` must show. */
const SCREENS = {
  1: ['#panel-kpi', '#panel-anomalies', '#panel-breakdown', '#panel-collectors', '#panel-hangar'],
  2: ['#panel-kpi', '#panel-fleet .tile'],
  3: ['#panel-timeline .chart svg', '#panel-saturation .chart svg'],
};

async function openScreen(page, url) {
  await page.goto(url);
  // Only the wasm side sets this attribute to "yes".
  await page.waitForSelector('#wall[data-hydrated="yes"]', { timeout: 20_000 });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
}

test('the wall hydrates and follows the live stream', async () => {
  const demo = await startDemo();
  try {
    const { page, errors } = await openPage(browser, { width: 1920, height: 1080 });
    await openScreen(page, `${demo.url}/wall/1`);
    const before = await page.textContent('#events-published');
    await page.waitForFunction(
      (was) => document.querySelector('#events-published')?.textContent !== was,
      before, { timeout: 10_000 },
    );
    assert.equal(await page.textContent('.demo-badge'), 'DEMO');
    assert.match(await page.textContent('#panel-db'), /SQLite/);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    // Both simulated vendors collect through the real clients, and the wall says so live.
    for (const source of ['demo-uipath', 'demo-aa']) {
      await page.waitForSelector(`#panel-collectors tr[data-source="${source}"] .source-state.ok`, { timeout: 20_000 });
    }
    // Every panel says how fresh its data is, and none is stale.
    await page.waitForFunction(() => [...document.querySelectorAll('.panel .freshness')]
      .every((f) => /updated/.test(f.textContent)), null, { timeout: 15_000 });
    assert.equal(await page.locator('.panel[data-stale="yes"]').count(), 0);
    assert.deepEqual(errors, [], 'the console has no errors');
  } finally {
    demo.cleanup();
  }
});

test('every screen fits 1920x1080 and 3840x2160 in English and Chinese', async () => {
  const demo = await startDemo();
  try {
    const { page, errors } = await openPage(browser, { width: 1920, height: 1080 });
    for (const lang of ['en', 'zh-CN']) {
      for (const [screen, panels] of Object.entries(SCREENS)) {
        for (const [w, h] of [[1920, 1080], [3840, 2160]]) {
          await page.setViewportSize({ width: w, height: h });
          await openScreen(page, `${demo.url}/wall/${screen}?lang=${lang}`);
          for (const sel of panels) await page.waitForSelector(sel, { timeout: 15_000 });
          assert.equal(await page.getAttribute('#wall', 'data-screen'), screen);
          assert.equal(await page.getAttribute('html', 'lang'), lang);
          await page.waitForTimeout(300);
          await screenshot(page, `wall-screen${screen}-${lang}-${w}x${h}`);
          const o = await overflow(page);
          assert.deepEqual(o, { x: false, y: false, out: [] }, `screen ${screen} ${lang} ${w}x${h}`);
        }
      }
      if (lang === 'zh-CN') {
        assert.equal(await page.textContent('h1'), 'Hangar 运维监控墙');
        assert.match(await page.textContent('#conn'), /实时/);
      }
    }
    assert.deepEqual(errors, []);
  } finally {
    demo.cleanup();
  }
});

test('a single monitor plays the screens in turn', async () => {
  const demo = await startDemo();
  try {
    // A profile that rotates every 10 s, over a department with no robots: no alarm there
    // can hold the playlist still (an open alarm does: see the fault test).
    const { json: base } = await api(demo.url, '/api/v1/wall/profiles/ops-floor');
    const quick = {
      ...base, name: 'quick', rotate_secs: 10,
      screens: base.screens.map((s) => ({ ...s, departments: ['quiet-department'] })),
    };
    const ops = await demo.session('ops');
    assert.equal((await api(demo.url, '/api/v1/wall/profiles/quick', { method: 'PUT', body: quick, session: ops })).status, 200);
    const { page, errors } = await openPage(browser, { width: 1920, height: 1080 });
    await openScreen(page, `${demo.url}/wall?profile=quick`);
    assert.equal(await page.getAttribute('#wall', 'data-screen'), '1');
    await page.waitForSelector('#all-clear', { timeout: 5_000 });
    await page.waitForFunction(() => /next screen in/.test(document.querySelector('#playlist')?.textContent ?? ''),
      null, { timeout: 5_000 });
    await page.waitForSelector('#wall[data-screen="2"] #panel-fleet', { timeout: 15_000 });
    await page.waitForSelector('#wall[data-screen="3"] #panel-timeline', { timeout: 15_000 });
    await page.waitForSelector('#wall[data-screen="1"] #panel-anomalies', { timeout: 15_000 });
    assert.deepEqual(errors, []);
  } finally {
    demo.cleanup();
  }
});

test('a fault injected into the simulator reaches the board within 2 s and holds the alarm band until acknowledged', async () => {
  const demo = await startDemo();
  try {
    const { page, errors } = await openPage(browser, { width: 1920, height: 1080 });
    // The playlist view: an open alarm must also hold it still.
    await openScreen(page, `${demo.url}/wall`);
    await page.waitForSelector('#panel-anomalies', { timeout: 10_000 });
    const { json: sources } = await api(demo.url, '/api/v1/sources');
    const sim = new URL(sources.find((s) => s.id === 'demo-uipath').base_url).origin;
    const { json: processes } = await api(sim, '/_sim/processes');
    const target = processes[0];
    const known = await page.$$eval('#panel-anomalies li[data-id]', (rows) => rows.map((r) => r.dataset.id));

    // Every run of the process faults from now on; start one. The simulator sends
    // `job.faulted` to Hangar's webhook at once; no poll is involved.
    assert.equal((await api(sim, `/_sim/processes/${target.key}/fate`, { method: 'POST', body: { fate: 'fault' } })).status, 200);
    const t0 = performance.now();
    assert.equal((await api(sim, `/_sim/processes/${target.key}/jobs`, { method: 'POST' })).status, 201);
    // The new run_faulted anomaly names the process (other anomalies may open meanwhile).
    const row = await page.waitForFunction(([before, name]) => {
      const rows = [...document.querySelectorAll('#panel-anomalies li.sev-error[data-state="open"]')];
      return rows.find((r) => !before.includes(r.dataset.id) && r.textContent.includes(name))?.dataset.id;
    }, [known, target.name], { timeout: 2_000, polling: 50 });
    const ms = performance.now() - t0;
    const id = await row.jsonValue();
    console.log(`fault to anomaly board: ${ms.toFixed(0)} ms`);
    assert.ok(ms < 2_000, `on the board after ${ms.toFixed(0)} ms`);
    const { json: anomaly } = await api(demo.url, `/api/v1/anomalies/${id}`);
    assert.equal(anomaly.anomaly?.kind ?? anomaly.kind, 'run_faulted');

    // It takes the alarm band (unless something worse is open), and the playlist holds.
    await page.waitForSelector('#alarm', { timeout: 2_000 });
    assert.match(await page.textContent('#playlist'), /paused/);
    await screenshot(page, 'wall-alarm-1920x1080');

    // Acknowledged: the board says by whom, and the band lets go of it.
    const ops = await demo.session('ops');
    const ack = await api(demo.url, `/api/v1/anomalies/${id}/acknowledge`, { method: 'POST', body: { note: 'looking' }, session: ops });
    assert.equal(ack.status, 200);
    await page.waitForSelector(`#panel-anomalies li[data-id="${id}"][data-state="acknowledged"]`, { timeout: 3_000 });
    assert.match(await page.textContent(`#panel-anomalies li[data-id="${id}"]`), new RegExp(`acknowledged by ${ops.user.username}`));
    await page.waitForFunction((aid) => document.querySelector('#alarm')?.dataset.id !== aid, id, { timeout: 3_000 });
    await api(sim, `/_sim/processes/${target.key}/fate`, { method: 'POST', body: { fate: null } });
    await screenshot(page, 'wall-acknowledged-1920x1080');
    assert.deepEqual(errors, []);
  } finally {
    demo.cleanup();
  }
});

test('a dropped server is announced within 5 s, and the wall recovers when it is back', async () => {
  const demo = await startDemo();
  let again;
  try {
    const { page } = await openPage(browser, { width: 1920, height: 1080 });
    await openScreen(page, `${demo.url}/wall/1`);

    // SIGTERM with the browser's stream open: shutdown must end it, not wait on it.
    const stopped = await demo.stop();
    assert.equal(stopped.code, 0, `clean exit (got ${JSON.stringify(stopped)})`);
    assert.ok(stopped.ms < 5_000, `stopped in ${stopped.ms.toFixed(0)} ms`);
    const t0 = performance.now();
    await page.waitForSelector('#stale-banner', { timeout: 5_000 });
    assert.ok(performance.now() - t0 < 5_000);
    await page.waitForSelector('#conn[data-state="reconnecting"]', { timeout: 5_000 });
    await page.waitForFunction(
      () => /data [1-9]\d* s old/.test(document.querySelector('#conn')?.textContent ?? ''),
      null, { timeout: 5_000 },
    );
    await screenshot(page, 'wall-reconnecting-1920x1080');

    // The same instance again, same address and data: the page reconnects by itself.
    const port = new URL(demo.url).port;
    again = await startDemo({}, { listen: `127.0.0.1:${port}`, dataDir: demo.dataDir });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 40_000 });
    await page.waitForSelector('#stale-banner', { state: 'detached', timeout: 5_000 });
    await page.waitForSelector('#wall[data-hydrated="yes"]', { timeout: 20_000 });
    await screenshot(page, 'wall-recovered-1920x1080');
  } finally {
    again?.cleanup();
    demo.cleanup();
  }
});
