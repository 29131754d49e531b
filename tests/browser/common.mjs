// common — what the browser halves of the webapp.* tests share: their
// command line (`node SCRIPT APP_URL CHROMIUM [SHOTS_DIR]`), the personas'
// tokens, the browser and its pages, waiting for a page's heading, signing
// in with a token, axe-core, screenshots and the report of a failure. What
// one script alone needs stays in that script.
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

export const WAIT_MS = 60000; // an upper bound for each wait, not a speed requirement
export const nbsp = (s) => String(s ?? '').replace(/\u00a0|\u202f/g, ' ');
export function fail(message) { throw new Error(message); }

// A persona's personal token, from TRIN_APP_TOKEN_<WHO> (the C half puts
// them there, not on a command line other users could read).
export const tok = (who) => {
  const v = process.env[`TRIN_APP_TOKEN_${who}`];
  if (!v) throw new Error(`TRIN_APP_TOKEN_${who} is not set`);
  return v;
};

// Debian's Chromium (executablePath), headless, without what no test needs.
export function launch(executablePath) {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run'],
  });
}

// A page in a context of its own (its own storage) speaking locale; its
// script errors, and console errors other than the 4xx the app shows as
// refusals, are pushed to errors.
export async function newPageIn(browser, locale, errors) {
  const ctx = await browser.newContext({ locale, viewport: { width: 1200, height: 900 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text()); });
  return page;
}

async function h1(page) { return nbsp(await page.evaluate(() => document.querySelector('main h1')?.textContent ?? '')); }

// Waits for the page's heading to be `want` (a string), or to match it (a
// RegExp).
export async function waitH1(page, want, what) {
  try {
    await page.waitForFunction((w) => {
      const t = (document.querySelector('main h1')?.textContent ?? '').replace(/\u00a0/g, ' ');
      return w.startsWith('/') ? new RegExp(w.slice(1, -1)).test(t) : t === w;
    }, typeof want === 'string' ? want : `/${want.source}/`, { timeout: WAIT_MS, polling: 50 });
  } catch {
    const wanted = typeof want === 'string' ? JSON.stringify(want) : want;
    fail(`${what}: the heading is ${JSON.stringify(await h1(page))}, not ${wanted} (at ${page.url()})`);
  }
}

// The command line and the helpers that need it, for the test called `test`
// ("webapp.flow", the prefix of what it logs).
export function harness(test) {
  const [base, executablePath, shots] = process.argv.slice(2);
  if (!base || !executablePath) {
    console.error(`usage: node ${basename(process.argv[1])} APP_URL CHROMIUM [SHOTS_DIR]`);
    process.exit(2);
  }
  const log = (message) => console.log(`${test}: ${message}`);

  // axe-core, WCAG 2.1 A and AA: no serious or critical violation.
  async function axe(page, what) {
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (bad.length) {
      fail(`axe on ${what}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ` +
        v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')).join('\n')}`);
    }
    log(`axe on ${what}: 0 serious or critical (${r.violations.length} minor/moderate, ${r.passes.length} rules passed)`);
  }

  // SHOTS_DIR/<name>.png when SHOTS_DIR is given: the whole page, or only
  // the element `selector` picks.
  async function shot(page, name, selector) {
    if (!shots) return;
    mkdirSync(shots, { recursive: true });
    const path = join(shots, `${name}.png`);
    if (selector) await page.locator(selector).screenshot({ path });
    else await page.screenshot({ path, fullPage: true });
  }

  // Opens APP_URL + hash, signs in with token, and waits for the heading.
  async function signIn(page, hash, token, heading) {
    await page.goto(`${base}${hash}`, { waitUntil: 'load' });
    await page.waitForSelector('#token', { timeout: WAIT_MS });
    await page.fill('#token', token);
    await page.press('#token', 'Enter');
    await waitH1(page, heading, `after signing in at ${hash}`);
  }

  // Another page of the app, by its hash, and the heading it must show.
  async function go(page, hash, heading) {
    await page.evaluate((h) => { location.hash = h; }, hash);
    await waitH1(page, heading, `at ${hash}`);
  }

  // Says why the test failed and, when a page was being checked, what it
  // read then (the element `selector` picks, else its main).
  async function failed(e, page, selector = 'main') {
    console.error(`${test}: FAILED: ${e.message}`);
    if (!page) return;
    const t = await page.evaluate((s) => document.querySelector(s)?.innerText ??
      document.querySelector('main')?.innerText ?? '', selector).catch(() => '');
    console.error(`${test}: the page (${page.url()}) reads:\n${String(t).slice(0, 3000)}`);
  }

  return { base, executablePath, shots, log, axe, shot, signIn, go, failed };
}
