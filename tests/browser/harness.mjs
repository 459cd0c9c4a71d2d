// Starts a real `hangar demo` on a free port and a real headless Chromium (Debian's), and
// collects what the page logs, so tests can assert on a console free of errors.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = join(ROOT, 'target', 'screenshots');

/** Spawns the hangar binary and resolves once it prints the address it listens on. */
export async function startDemo(env = {}) {
  const bin = process.env.HANGAR_BIN ?? join(ROOT, 'target', 'debug', 'hangar');
  const dataDir = mkdtempSync(join(tmpdir(), 'hangar-browser-'));
  // HANGAR_BIN is ours, not a configuration key: the node refuses unknown HANGAR_* keys.
  const { HANGAR_BIN: _bin, ...inherited } = process.env;
  const child = spawn(bin, ['demo', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...inherited, HANGAR_STATUS__INTERVAL_SECS: '1', ...env },
    stdio: ['ignore', 'pipe', process.env.TEST_LOG ? 'inherit' : 'ignore'],
  });
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
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
