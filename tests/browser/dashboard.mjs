// feed.dashboard, the browser half (started by tests/integration/test_feed_dashboard.c,
// which has trin-lifecycle and trin-aggregator running and project D1 created):
// Debian's Chromium, headless, loads the dashboard with the token, finds D1's row
// with its stage, runs `trinctl project advance` against the lifecycle service,
// and waits for the row on the page to show the new stage — without a reload.
//
//   node dashboard.mjs URL TRINCTL LIFECYCLE_ENDPOINT CHROMIUM
// Exit status 0 = passed, 1 = failed (the reason on stderr).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, trinctl, endpoint, executablePath] = process.argv.slice(2);
if (!url || !trinctl || !endpoint || !executablePath) {
  console.error('usage: node dashboard.mjs URL TRINCTL LIFECYCLE_ENDPOINT CHROMIUM');
  process.exit(2);
}

const WAIT_MS = 20000; // an upper bound for each wait, not a speed requirement
const stageCell = (id) => `#row-${id} td:nth-child(4)`;

function fail(message) {
  throw new Error(message);
}

async function textOf(page, selector) {
  return page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
}

async function waitForText(page, selector, want, what) {
  try {
    await page.waitForFunction(
      ([s, w]) => document.querySelector(s)?.textContent === w, [selector, want],
      { timeout: WAIT_MS, polling: 50 });
  } catch {
    fail(`${what}: ${selector} shows ${JSON.stringify(await textOf(page, selector))}, ` +
         `not ${JSON.stringify(want)}`);
  }
}

const userDataDir = mkdtempSync(join(tmpdir(), 'trin-chromium-'));
let context;
let status = 0;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  let navigations = 0;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });

  const res = await page.goto(url, { waitUntil: 'load' });
  if (!res || res.status() !== 200) fail(`GET the dashboard: HTTP ${res && res.status()}`);

  // the row, as the feed has it
  await waitForText(page, stageCell('D1'), 'pre_study', 'before the command');
  const first = await page.evaluate(() =>
    [...document.querySelectorAll('#row-D1 td')].map((td) => td.textContent));
  if (first[0] !== 'D1 Kildeparken') fail(`project cell is ${JSON.stringify(first[0])}`);
  if (first[1] !== 'LIVA') fail(`partnership cell is ${JSON.stringify(first[1])}`);
  if (first[4] !== '2024-01-10') fail(`stage-since cell is ${JSON.stringify(first[4])}`);
  const seqBefore = Number(first[first.length - 1]);
  await waitForText(page, '#live', 'live', 'the SSE stream');
  await page.evaluate(() => { window.__trinSameDocument = true; });
  const navBefore = navigations;

  // a command to the lifecycle service
  const ctl = spawnSync(trinctl, ['--endpoint', endpoint, 'project', 'advance', 'D1',
                                  '--to', 'trin1', '--date', '2024-02-01'],
                        { encoding: 'utf8' });
  if (ctl.status !== 0) fail(`trinctl project advance: exit ${ctl.status}: ${ctl.stderr}`);

  // the page follows, in the same document
  await waitForText(page, stageCell('D1'), 'trin1', 'after AdvanceStage');
  await waitForText(page, '#row-D1 td:nth-child(5)', '2024-02-01', 'stage since');
  const after = await page.evaluate(() => ({
    same: window.__trinSameDocument === true,
    seq: Number(document.querySelector('#row-D1 td:last-child').textContent),
    rows: document.querySelectorAll('#rows tbody tr').length,
  }));
  if (!after.same || navigations !== navBefore) fail('the page was reloaded');
  if (!(after.seq > seqBefore)) fail(`seq ${after.seq} did not rise above ${seqBefore}`);
  if (after.rows !== 1) fail(`${after.rows} rows on the page, not 1`);
  if (pageErrors.length) fail(`errors on the page: ${pageErrors.join('; ')}`);
  console.log(`feed.dashboard: D1 pre_study -> trin1 on the page without a reload ` +
              `(seq ${seqBefore} -> ${after.seq})`);
} catch (e) {
  console.error(`feed.dashboard: FAILED: ${e.message}`);
  status = 1;
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(status);
