// Starts a real `hangar demo` on a free port and a real headless Chromium (Debian's), and
// collects what the page logs, so tests can assert on a console free of errors.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = join(ROOT, 'target', 'screenshots');

/**
 * Spawns the hangar binary and resolves once it prints the address it listens on. `listen`
 * and `dataDir` let a test start the same instance again after stopping it.
 */
export async function startDemo(env = {}, { listen = '127.0.0.1:0', dataDir } = {}) {
  const bin = process.env.HANGAR_BIN ?? join(ROOT, 'target', 'debug', 'hangar');
  dataDir ??= mkdtempSync(join(tmpdir(), 'hangar-browser-'));
  // HANGAR_BIN is ours, not a configuration key: the node refuses unknown HANGAR_* keys.
  const { HANGAR_BIN: _bin, ...inherited } = process.env;
  const child = spawn(bin, ['demo', '--listen', listen, '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...inherited, HANGAR_STATUS__INTERVAL_SECS: '1', ...env },
    stdio: ['ignore', 'pipe', process.env.TEST_LOG ? 'inherit' : 'ignore'],
  });
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  // The demo prints its users and passwords once, to stdout, after the address.
  let out = '';
  const users = new Promise((res) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (/wall token \(wall:read\): (\S+)/.test(out)) {
        const found = {};
        for (const m of out.matchAll(/^\s{2}(\S+)\s+(admin|ops|business|developer|manager)\s+(\S+)\s+(\S+)\s*$/gm)) {
          found[m[2]] ??= { username: m[1], role: m[2], department: m[3], password: m[4] };
        }
        res(found);
      }
    });
  });
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('hangar did not start within 60 s')), 60_000);
    let buf = '';
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      const m = buf.match(/hangar listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); rej(new Error(`hangar exited early: ${code}`)); });
  });
  return {
    url,
    child,
    exited,
    dataDir,
    /** The demo's users by role: {username, role, department, password}. */
    users: () => users,
    /** A signed-in session (cookies and CSRF token) of the demo's user with `role`. */
    async session(role = 'admin') {
      const u = (await users)[role];
      const r = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u.username, password: u.password }),
      });
      if (!r.ok) throw new Error(`login as ${role} failed: ${r.status}`);
      const cookies = r.headers.getSetCookie().map((c) => c.split(';')[0]);
      const csrf = cookies.find((c) => c.startsWith('hangar_csrf='))?.split('=')[1];
      return { cookie: cookies.join('; '), csrf, user: u };
    },
    /** SIGTERM, then resolve with the exit status and how long the stop took. */
    async stop() {
      const t0 = performance.now();
      child.kill('SIGTERM');
      const status = await exited;
      return { ...status, ms: performance.now() - t0 };
    },
    cleanup() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** GET or POST JSON against a running instance, as `session` (from `demo.session()`) if given. */
export async function api(base, path, { method = 'GET', body, session } = {}) {
  const headers = body ? { 'content-type': 'application/json' } : {};
  if (session) {
    headers.cookie = session.cookie;
    if (method !== 'GET') headers['x-csrf-token'] = session.csrf;
  }
  const r = await fetch(base + path, {
    method,
    headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

/** Whether the page scrolls, or any element of the wall sticks out of the viewport. */
export async function overflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const out = [...document.querySelectorAll('#wall *')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.right > innerWidth + 1 || r.bottom > innerHeight + 1);
    }).map((el) => `${el.tagName.toLowerCase()}.${el.className}`).slice(0, 5);
    return { x: root.scrollWidth > innerWidth, y: root.scrollHeight > innerHeight, out };
  });
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A page that records console errors and uncaught exceptions. */
export async function openPage(browser, viewport) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  return { page, errors };
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
