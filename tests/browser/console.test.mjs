// The console in a real browser: sign in, keep a credential, reveal it (audited), grant it to
// a robot, and find the reveal in the audit log as an admin; in English and Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launchBrowser, openPage, screenshot, api } from './harness.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function signIn(page, base, user, next = '/credentials') {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  // The form posts through the API only once the wasm has taken the page over.
  await page.waitForSelector('.console[data-hydrated="yes"] #login-form', { timeout: 20_000 });
  await page.fill('#login-username', user.username);
  await page.fill('#login-password', user.password);
  await page.click('#login-submit');
  await page.waitForURL((url) => url.pathname === next.split('?')[0], { timeout: 10_000 });
}

test('a business user keeps a credential, reveals it on purpose and grants it to a robot', async () => {
  const demo = await startDemo();
  try {
    const users = await demo.users();
    const { page, errors } = await openPage(browser, { width: 1440, height: 900 });

    // Without a session the console sends the browser to sign in; a wrong password says so.
    await page.goto(`${demo.url}/credentials`);
    await page.waitForURL(/\/login\?next=/, { timeout: 10_000 });
    await page.waitForSelector('.console[data-hydrated="yes"] #login-form', { timeout: 20_000 });
    await page.fill('#login-username', users.business.username);
    await page.fill('#login-password', 'not-the-password');
    await page.click('#login-submit');
    await page.waitForSelector('#login-error', { timeout: 5_000 });
    assert.match(await page.textContent('#login-error'), /wrong/);

    await signIn(page, demo.url, users.business);
    await page.waitForSelector('.console[data-hydrated="yes"]', { timeout: 20_000 });
    await page.waitForSelector('#no-credentials, #credentials', { timeout: 10_000 });
    const secret = `pw-${Math.random().toString(36).slice(2)}`;
    await page.fill('#new-credential input[name=name]', 'SAP finance login');
    await page.fill('#new-credential input[name=system]', 'SAP');
    await page.fill('#new-credential input[name=username]', 'RPA_FIN_01');
    await page.fill('#new-credential input[name=password]', secret);
    await page.click('#new-credential button[type=submit]');
    await page.waitForSelector('#credentials tr[data-secret] a', { timeout: 10_000 });
    assert.equal(await page.inputValue('#new-credential input[name=password]'), '', 'the form forgets the password');
    // The list never holds the password.
    assert.ok(!(await page.content()).includes(secret));
    await screenshot(page, 'console-credentials-en');

    await page.click('#credentials tr[data-secret] a');
    await page.waitForSelector('.console[data-hydrated="yes"] #secret', { timeout: 20_000 });
    assert.equal(await page.$('#revealed'), null, 'hidden until asked');
    await page.click('#reveal');
    await page.waitForSelector('#revealed-password', { timeout: 5_000 });
    assert.equal(await page.textContent('#revealed-password'), secret);
    await page.fill('#new-grant input[name=grantee]', 'robot:demo-uipath/ap-bot-01');
    await page.fill('#new-grant input[name=asset]', 'SAP_Login');
    await page.click('#new-grant button[type=submit]');
    await page.waitForSelector('#grants tr[data-grant]', { timeout: 5_000 });
    await screenshot(page, 'console-credential-revealed-en');
    // The one refused request was the wrong password, on purpose.
    assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);

    // An admin finds the reveal in the audit log, and cannot read the password.
    const admin = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const adminPage = await admin.newPage();
    await signIn(adminPage, demo.url, users.admin, '/admin/audit');
    await adminPage.waitForSelector('.console[data-hydrated="yes"]', { timeout: 20_000 });
    await adminPage.fill('#audit-filter input[name=action]', 'secret.reveal');
    await adminPage.click('#audit-filter button[type=submit]');
    await adminPage.waitForSelector('#audit tr[data-action="secret.reveal"]', { timeout: 10_000 });
    assert.match(await adminPage.textContent('#audit'), new RegExp(users.business.username));
    assert.ok(!(await adminPage.content()).includes(secret));
    await screenshot(adminPage, 'console-audit-en');
    await adminPage.goto(`${demo.url}/admin/users?lang=zh-CN`);
    await adminPage.waitForSelector('#users tr[data-user]', { timeout: 10_000 });
    assert.equal(await adminPage.getAttribute('html', 'lang'), 'zh-CN');
    assert.match(await adminPage.textContent('h1'), /用户与角色/);
    await screenshot(adminPage, 'console-users-zh-CN');
    // Every console page, at full HD and 4K, for a person to look at.
    for (const [w, h] of [[1920, 1080], [3840, 2160]]) {
      await adminPage.setViewportSize({ width: w, height: h });
      for (const [path, ready] of [['/credentials', '#new-credential'], ['/admin/users', '#users'],
        ['/admin/audit', '#audit-filter']]) {
        await adminPage.goto(`${demo.url}${path}`);
        await adminPage.waitForSelector(`.console[data-hydrated="yes"] ${ready}`, { timeout: 20_000 });
        await screenshot(adminPage, `console${path.replaceAll('/', '-')}-${w}x${h}`);
      }
    }
    const ops = await demo.session('admin');
    const { json: audit } = await api(demo.url, '/api/v1/audit?action=secret.reveal', { session: ops });
    assert.ok(audit.length >= 1);
    assert.ok(!JSON.stringify(audit).includes(secret), 'the audit log holds no secret');
    await admin.close();
  } finally {
    demo.cleanup();
  }
});
