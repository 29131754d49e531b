// webapp.oidc, the browser half (started by tests/integration/test_webapp_oidc.c,
// which runs an OpenID provider, every service and trin-gateway with that
// provider configured for the app's sign-in). Debian's Chromium, headless:
//   - the contractor's calculator ("kontraktor" at the provider) opens PA's
//     page, is asked to sign in, chooses the organisation's account, signs
//     in and consents at the provider, lands on PA's page (the address kept),
//     reports a defect, sees it there and in the status rows; nothing is in
//     localStorage, sessionStorage or a cookie of the app; sign-out forgets;
//   - the client's reader ("laeser") signs in the same way: no forms, and a
//     write sent by hand with its token is refused 403;
//   - someone the gateway maps to nothing ("nobody") is told why, on the
//     sign-in page.
// Screenshots go to SHOTS_DIR when given.
//
//   node oidc.mjs APP_URL CHROMIUM [SHOTS_DIR]
import { WAIT_MS, fail, harness, launch, nbsp, waitH1 } from './common.mjs';

const { base, executablePath, shots, log, axe, shot } = harness('webapp.oidc');

// From the app's sign-in page through the provider's login and consent
// pages and back.
async function signInAtProvider(page, login, what) {
  await page.waitForSelector('#signin-issuer-0', { timeout: WAIT_MS });
  const label = nbsp(await page.textContent('#signin-issuer-0'));
  if (label !== 'Log ind med Demo-IdP') fail(`${what}: the button reads ${JSON.stringify(label)}`);
  await page.click('#signin-issuer-0');
  await page.waitForSelector('input[name=login]', { timeout: WAIT_MS });
  if (page.url().startsWith(base)) fail(`${what}: still in the app, not at the provider`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  // the consent page, the first time this person meets the app
  await page.waitForURL((u) => u.toString().startsWith(base) || /interaction/.test(u.toString()), { timeout: WAIT_MS });
  if (!page.url().startsWith(base)) {
    await page.waitForSelector('button[type=submit]', { timeout: WAIT_MS });
    await page.click('button[type=submit]');
  }
  await page.waitForURL((u) => u.toString().startsWith(base), { timeout: WAIT_MS });
}

async function nothingStored(page, what) {
  const s = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
                                         search: location.search }));
  if (s.local || s.session || s.cookie) fail(`${what}: something was left in the browser: ${JSON.stringify(s)}`);
  if (s.search) fail(`${what}: the address still holds ${s.search}`);
}

const browser = await launch(executablePath);
let status = 0;
let page = null;
try {
  const errors = [];
  const ctx = await browser.newContext({ locale: 'da-DK', viewport: { width: 1200, height: 900 } });
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));

  // ---- the contractor's calculator
  await page.goto(`${base}#/projects/PA`, { waitUntil: 'load' });
  await waitH1(page, 'Log ind på trin', 'before signing in');
  await page.waitForSelector('#signin-issuer-0', { timeout: WAIT_MS });
  await axe(page, 'sign-in with an identity provider (da)');
  await shot(page, 'signin-oidc-da');
  await signInAtProvider(page, 'kontraktor', 'the calculator');
  await waitH1(page, 'PA — PA', 'back from the provider: the page asked for');
  const who = nbsp(await page.textContent('#whoami'));
  if (!who.includes('Karl Kontraktør')) fail(`signed in as ${JSON.stringify(who)}, not Karl Kontraktør`);
  await nothingStored(page, 'after signing in');
  log(`signed in through the provider: ${JSON.stringify(who)}`);

  const f = (name) => `#form-defect [data-field="${name}"]`;
  if (!(await page.$('#form-defect'))) fail('the calculator is not offered to report a defect');
  await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
  await page.fill(f('defect.id'), 'F-OIDC');
  await page.fill(f('defect.description'), 'Manglende fuge ved vindue, 2. sal');
  await page.selectOption(f('defect.severity'), 'minor');
  await page.selectOption(f('defect.found_at'), 'handover');
  await page.fill(f('defect.reported_on'), '2026-12-01');
  await page.fill(f('defect.due_on'), '2027-01-15');
  await page.fill(f('defect.cost_bearer'), 'gamma');
  await page.press(f('defect.cost_bearer'), 'Enter');
  try {
    await page.waitForSelector('#defect-F-OIDC', { timeout: WAIT_MS });
  } catch {
    const said = await page.$$eval('#form-defect .error:not([hidden])', (es) => es.map((e) => e.textContent).join(' | '));
    fail(`the defect was not reported: ${said}`);
  }
  // and on the status feed: the aggregator's row counts it, asked with the
  // same signed-in token
  let open = -1;
  for (let i = 0; i < 200 && open < 1; i++) {
    open = await page.evaluate(async () => {
      const r = await fetch('../api/v1/aggregator/GetRows', { method: 'POST', headers: { Authorization: `Bearer ${state.token}`,
        'Content-Type': 'application/json' }, body: JSON.stringify({ since_seq: '0', limit: 500 }) });
      const d = await r.json();
      const row = (d.rows || []).find((x) => x.project_id === 'PA');
      return row ? row.open_defects : -1;
    });
    if (open < 1) await page.waitForTimeout(100);
  }
  if (open < 1) fail('the defect never reached the status row');
  await shot(page, 'project-oidc-da');
  log(`reported F-OIDC; PA's status row counts ${open} open defect(s)`);

  await page.click('#signout');
  await waitH1(page, 'Log ind på trin', 'after signing out');
  if (await page.evaluate(() => state.token !== null)) fail('the token survived sign-out');
  await nothingStored(page, 'after signing out');

  // ---- the client's reader, the same way (the provider remembers no one
  // across contexts: a fresh one is a fresh person)
  const rctx = await browser.newContext({ locale: 'da-DK', viewport: { width: 1200, height: 900 } });
  page = await rctx.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}#/projects/PA`, { waitUntil: 'load' });
  await signInAtProvider(page, 'laeser', 'the reader');
  await waitH1(page, 'PA — PA', 'the reader back from the provider');
  if (await page.$('form')) fail('the reader is shown a form');
  const forged = await page.evaluate(async () => {
    const r = await fetch('../api/v1/projects/PA/defects', { method: 'POST', headers: { Authorization: `Bearer ${state.token}`,
      'Content-Type': 'application/json' }, body: JSON.stringify({ defect: { id: 'F-X', description: 'x', reported_on: '2026-12-01' } }) });
    return { status: r.status, type: r.headers.get('Content-Type') };
  });
  if (forged.status !== 403 || !String(forged.type).includes('problem+json')) fail(`the reader's forged write got ${JSON.stringify(forged)}`);
  log(`reader: no forms; a write sent by hand: ${forged.status} ${forged.type}`);

  // ---- a person the gateway maps to nothing
  const nctx = await browser.newContext({ locale: 'da-DK', viewport: { width: 1200, height: 900 } });
  page = await nctx.newPage();
  await page.goto(`${base}#/`, { waitUntil: 'load' });
  await signInAtProvider(page, 'nobody', 'someone unmapped');
  await waitH1(page, 'Log ind på trin', 'someone unmapped, back at the sign-in page');
  await page.waitForSelector('#token-error:not([hidden])', { timeout: WAIT_MS });
  const why = nbsp(await page.textContent('#token-error'));
  if (!why.startsWith('Log ind mislykkedes:') || why.length < 30) fail(`someone unmapped is told ${JSON.stringify(why)}`);
  await nothingStored(page, 'after a refused sign-in');
  log(`someone unmapped: ${JSON.stringify(why)}`);
  await shot(page, 'signin-oidc-refused-da');

  if (errors.length) fail(`errors in the page: ${errors.join('\n')}`);
  log('passed');
} catch (e) {
  status = 1;
  console.error(`webapp.oidc: FAILED: ${e.message}`);
  if (page && shots) await shot(page, 'oidc-failure').catch(() => {});
} finally {
  await browser.close();
}
process.exit(status);
