// The wall in a real browser: it hydrates, follows the stream, says DEMO, speaks both
// languages, and tells the truth when the server goes away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launchBrowser, openPage, screenshot } from './harness.mjs';

let browser;

/** Whether the page scrolls, or any element sticks out of the viewport. */
async function overflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const out = [...document.querySelectorAll('#wall *')].some((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.right > innerWidth + 1 || r.bottom > innerHeight + 1);
    });
    return { x: root.scrollWidth > innerWidth, y: root.scrollHeight > innerHeight || out };
  });
}
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('the wall hydrates and follows the live stream', async () => {
  const demo = await startDemo();
  try {
    const { page, errors } = await openPage(browser, { width: 1920, height: 1080 });
    await page.goto(`${demo.url}/wall`);
    // Only the wasm side sets this attribute to "yes".
    await page.waitForSelector('#wall[data-hydrated="yes"]', { timeout: 20_000 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });

    const before = await page.textContent('#events-published');
    await page.waitForFunction(
      (was) => document.querySelector('#events-published')?.textContent !== was,
      before, { timeout: 10_000 },
    );
    const afterText = await page.textContent('#events-published');
    assert.notEqual(afterText, before, 'a value from the stream changed after load');

    assert.equal(await page.textContent('.demo-badge'), 'DEMO');
    assert.match(await page.textContent('#panel-db'), /SQLite/);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');

    // Both simulated vendors collect through the real clients, and the wall says so live.
    for (const source of ['demo-uipath', 'demo-aa']) {
      await page.waitForSelector(`#panel-collectors tr[data-source="${source}"] .source-state.ok`, { timeout: 20_000 });
    }
    await screenshot(page, 'wall-en-1920x1080');
    assert.deepEqual(await overflow(page), { x: false, y: false }, 'nothing outside the viewport at 1920x1080');

    await page.setViewportSize({ width: 3840, height: 2160 });
    await page.waitForTimeout(300);
    await screenshot(page, 'wall-en-3840x2160');
    assert.deepEqual(await overflow(page), { x: false, y: false }, 'nothing outside the viewport at 3840x2160');
    assert.deepEqual(errors, [], 'the console has no errors');
  } finally {
    demo.cleanup();
  }
});

test('the wall renders in Chinese with ?lang=zh-CN', async () => {
  const demo = await startDemo();
  try {
    const { page, errors } = await openPage(browser, { width: 1920, height: 1080 });
    await page.goto(`${demo.url}/wall?lang=zh-CN`);
    await page.waitForSelector('#wall[data-hydrated="yes"]', { timeout: 20_000 });
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.textContent('h1'), 'Hangar 运维监控墙');
    assert.match(await page.textContent('#conn'), /实时/);
    await screenshot(page, 'wall-zh-CN-1920x1080');
    assert.deepEqual(errors, []);
  } finally {
    demo.cleanup();
  }
});

test('SIGTERM stops the server within 5 s and the wall says its data is getting old', async () => {
  const demo = await startDemo();
  try {
    const { page } = await openPage(browser, { width: 1920, height: 1080 });
    await page.goto(`${demo.url}/wall`);
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 20_000 });

    // The browser holds an open event stream: shutdown must end it, not wait on it.
    const stopped = await demo.stop();
    assert.equal(stopped.code, 0, `clean exit (got ${JSON.stringify(stopped)})`);
    assert.ok(stopped.ms < 5_000, `stopped in ${stopped.ms.toFixed(0)} ms`);

    await page.waitForSelector('#conn[data-state="reconnecting"]', { timeout: 5_000 });
    await page.waitForFunction(
      () => /data [1-9]\d* s old/.test(document.querySelector('#conn')?.textContent ?? ''),
      null, { timeout: 5_000 },
    );
    await screenshot(page, 'wall-reconnecting-1920x1080');
  } finally {
    demo.cleanup();
  }
});
