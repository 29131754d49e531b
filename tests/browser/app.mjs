// webapp.flow, the browser half (started by tests/integration/test_webapp.c,
// which has every service and trin-gateway running, the demo partnership LA
// with project PA filled in, and the personas' personal tokens in
// TRIN_APP_TOKEN_{CALCULATOR,READER,OUTSIDER,WRITER,RESIDENT}). Debian's Chromium,
// headless, with axe-core on every page:
//   - the calculator signs in (Danish browser) on PA's page, sees Danish
//     words and `1.234.567,89 kr.`, reports a defect and sees it; a refusal
//     lands beside the field it names; the portfolio, its filters in the URL
//     and the partnership page; a reload asks to sign in again and returns
//     to the page; sign-out forgets the token (nothing stored anywhere);
//   - the writer meets a 412 (the project changed meanwhile) and reloads;
//   - the reader sees no forms, and a write sent by hand is refused 403;
//   - the resident (no access to projects) is told so;
//   - the outsider never sees PA, not in the portfolio, not by URL;
//   - the advisor of LA never sees omega's PO: not in the portfolio, not by
//     URL, not from the stream while PO changes;
//   - the English UI: English words, `DKK 1,234,567.89`; the switch back.
// Screenshots of every page go to SHOTS_DIR when given.
//
//   node app.mjs APP_URL CHROMIUM [SHOTS_DIR]
// Exit status 0 = passed, 1 = failed (the reason on stderr).
import { WAIT_MS, fail, harness, launch, nbsp, newPageIn, tok, waitH1 } from './common.mjs';

const { base, executablePath, log, axe, shot, signIn, go, failed } = harness('webapp.flow');

async function mainText(page) { return nbsp(await page.evaluate(() => document.querySelector('main').innerText)); }
async function expectText(page, want, what) {
  const text = await mainText(page);
  if (!text.includes(want)) fail(`${what}: ${JSON.stringify(want)} is not on the page:\n${text.slice(0, 1500)}`);
}
async function expectNoText(page, unwanted, what) {
  const text = await mainText(page);
  if (text.includes(unwanted)) fail(`${what}: ${JSON.stringify(unwanted)} is on the page`);
}

// The portfolio shows PA once the aggregator has its events: look again
// (a new route each time) until it does.
async function portfolioWithPA(page, heading) {
  for (let i = 0; i < 100; i++) {
    await go(page, `#/?look=${i}`, heading);
    if (await page.$('#row-PA')) return;
    await page.waitForTimeout(200);
  }
  fail('PA never appeared in the portfolio');
}

async function openAllForms(page) {
  await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
}

async function checkNothingStored(page, what) {
  const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
  if (stored.local || stored.session || stored.cookie) fail(`${what}: something was stored: ${JSON.stringify(stored)}`);
}

const browser = await launch(executablePath);
let status = 0;
let current = null; // the page being checked, for the failure's evidence
try {
  const errors = [];
  const newPage = async (locale) => (current = await newPageIn(browser, locale, errors));

  // ---- the calculator, Danish browser
  const da = await newPage('da-DK');
  await da.goto(`${base}#/projects/PA`, { waitUntil: 'load' });
  await waitH1(da, 'Log ind på trin', 'before signing in');
  if (await da.getAttribute('html', 'lang') !== 'da') fail('the sign-in page is not lang="da"');
  await axe(da, 'sign-in (da)');
  await shot(da, 'signin-da');
  await da.press('#token', 'Enter'); // empty: said beside the field
  await da.waitForSelector('#token-error:not([hidden])', { timeout: WAIT_MS });
  const empty = await da.textContent('#token-error');
  await da.fill('#token', 'not-a-token');
  await da.press('#token', 'Enter');
  // the service's answer, not the empty field's words still standing there
  await da.waitForFunction((was) => {
    const now = document.querySelector('#token-error')?.textContent ?? '';
    return now.length > 12 && now !== was;
  }, empty, { timeout: WAIT_MS });
  log(`a wrong token: ${JSON.stringify(await da.textContent('#token-error'))}`);
  await da.fill('#token', tok('CALCULATOR'));
  await da.press('#token', 'Enter');
  await waitH1(da, 'PA — PA', 'the asked-for page after signing in');
  await expectText(da, 'Aflevering', 'Danish stage');
  await expectText(da, 'Fejl og mangler', 'Danish section');
  await expectText(da, 'Tvistløsningstrappen', 'Danish dispute ladder');
  await expectText(da, 'Beboerdemokrati', 'Danish pause reason');
  const amount = nbsp(await da.textContent('#dispute-D-1 .amount'));
  if (amount !== '1.234.567,89 kr.') fail(`the dispute's amount reads ${JSON.stringify(amount)}, not "1.234.567,89 kr."`);
  await expectText(da, '15. november 2026', 'a Danish date');
  const deadline = nbsp(await da.textContent('#dispute-D-3 .deadline').catch(() => ''));
  if (!deadline.startsWith('29. marts 2026') || !deadline.includes('AB18 § 68')) fail(`D-3 at the umpire: its deadline reads ${JSON.stringify(deadline)}`);
  await expectText(da, 'Vi har tillid til projektets økonomi', 'the survey\'s statement');
  await expectText(da, '3,67 · n=6', 'the survey\'s all-roles mean, Danish decimals');
  await expectText(da, 'Følgegruppe', 'the survey role følgegruppe');
  if (await da.$('#form-advance')) fail('the calculator is offered to advance the stage (writers only)');
  if (!(await da.$('#form-defect'))) fail('the calculator is not offered to report a defect');
  log(`calculator, Danish: ${amount}`);

  // a refusal beside the field it names: due before reported
  // keyboard only: the skip link, then the form opened and sent with keys
  // (the focus is on the page's heading after signing in: back through the
  // top bar — sign-out, language, menu — to the skip link, the first stop)
  const stops = [];
  for (let i = 0; i < 8 && (await da.evaluate(() => document.activeElement?.id)) !== 'skip'; i++) {
    await da.keyboard.press('Shift+Tab');
    stops.push(await da.evaluate(() => document.activeElement?.id || document.activeElement?.textContent));
  }
  if (await da.evaluate(() => document.activeElement?.id) !== 'skip') fail(`Shift+Tab never reaches the skip link: ${stops.join(', ')}`);
  if (!stops.includes('signout') || !stops.includes('lang')) fail(`the top bar is not in the keyboard order: ${stops.join(', ')}`);
  await da.keyboard.press('Enter');
  if (await da.evaluate(() => document.activeElement?.closest('main') === null || !location.hash.startsWith('#/projects/PA'))) {
    fail('the skip link did not move the focus into the page (or changed the route)');
  }
  await da.focus('#form-defect >> xpath=ancestor::details/summary');
  await da.keyboard.press('Enter');
  const f = (name) => `#form-defect [data-field="${name}"]`;
  await da.fill(f('defect.id'), 'F-0');
  await da.fill(f('defect.description'), 'Revne i facade');
  await da.fill(f('defect.reported_on'), '2026-11-20');
  await da.fill(f('defect.due_on'), '2026-11-01');
  await da.press(f('defect.id'), 'Enter');
  await da.waitForSelector(`${f('defect.due_on')}[aria-invalid="true"]`, { timeout: WAIT_MS });
  const dueErr = await da.evaluate((s) => {
    const i = document.querySelector(s);
    return document.getElementById(`${i.id}-error`).textContent;
  }, f('defect.due_on'));
  if (!dueErr) fail('the refusal is not shown beside due_on');
  log(`refused beside due_on: ${JSON.stringify(dueErr)}`);

  // report a defect, see it on the page
  await da.fill(f('defect.id'), 'F-1');
  await da.fill(f('defect.description'), 'Utæt tagrende over opgang 3');
  await da.selectOption(f('defect.severity'), 'major');
  await da.selectOption(f('defect.found_at'), 'handover');
  await da.fill(f('defect.reported_on'), '2026-11-20');
  await da.fill(f('defect.due_on'), '2027-01-15');
  await da.fill(f('defect.cost_bearer'), 'gamma');
  await da.press(f('defect.cost_bearer'), 'Enter');
  await da.waitForSelector('#defect-F-1', { timeout: WAIT_MS });
  const row = nbsp(await da.textContent('#defect-F-1'));
  if (!row.includes('Utæt tagrende over opgang 3') || !row.includes('Væsentlig') || !row.includes('15. januar 2027')) fail(`the defect's row reads ${JSON.stringify(row)}`);
  log(`calculator reported F-1: ${JSON.stringify(row)}`);
  await axe(da, 'project (da)');
  await shot(da, 'project-da');

  // live: what someone else changes shows on the open page, no reload
  const postDispute = async (id, title) => {
    const r = await fetch(new URL('../api/v1/projects/PA/disputes', base), {
      method: 'POST',
      headers: { Authorization: `Bearer ${tok('WRITER')}`, 'Content-Type': 'application/json', 'Idempotency-Key': `live-${id}` },
      body: JSON.stringify({ dispute_id: id, title, amount_ore: '500000', date: '2026-11-25', raised_by: 'alfa' }),
    });
    if (!r.ok) fail(`POST a dispute ${id}: ${r.status} ${await r.text()}`);
  };
  await da.evaluate(() => {
    window.notReloaded = true;
    document.querySelectorAll('main details').forEach((d) => { d.open = false; });
    document.activeElement?.blur();
  });
  // the stream follows from when it opened: wait until it has, then change
  await da.waitForSelector('html[data-live="following"]', { timeout: WAIT_MS });
  await postDispute('D-LIVE', 'Stilladset står for længe');
  try {
    await da.waitForSelector('#dispute-D-LIVE', { timeout: WAIT_MS });
  } catch { fail('a dispute opened elsewhere never appeared on the open project page'); }
  if (!(await da.evaluate(() => window.notReloaded === true))) fail('the page was reloaded, not updated');
  log('live: a dispute opened by the writer appeared on the calculator\'s page without a reload');
  // someone in the middle of a form keeps it: a notice offers the changes
  await da.focus('#form-defect >> xpath=ancestor::details/summary');
  await da.keyboard.press('Enter');
  await da.fill(f('defect.description'), 'Halvt skrevet');
  await postDispute('D-LIVE2', 'Adgangsvej spærret');
  await da.waitForSelector('#live-notice', { timeout: WAIT_MS });
  if (await da.inputValue(f('defect.description')) !== 'Halvt skrevet') fail('the half-written form was lost');
  if (await da.$('#dispute-D-LIVE2')) fail('the page changed under a half-written form');
  await expectText(da, 'Der er kommet ændringer', 'the live notice in Danish');
  await shot(da, 'project-live-notice-da');
  await da.click('#live-show');
  await da.waitForSelector('#dispute-D-LIVE2', { timeout: WAIT_MS });
  log('live: with a form open, a notice; "Vis ændringerne" shows them');

  // portfolio, filters in the URL
  await portfolioWithPA(da, 'Portefølje');
  const paRow = nbsp(await da.textContent('#row-PA'));
  if (!paRow.includes('Aflevering')) fail(`PA's portfolio row reads ${JSON.stringify(paRow)}`);
  if (!/Grøn|Gul|Rød|Ingen/.test(paRow)) fail(`PA's row has no red/amber/green word: ${JSON.stringify(paRow)}`);
  await expectText(da, 'Brugt af den økonomiske ramme', 'the partnership\'s frame at a glance');
  await expectText(da, 'Rammeaftalen løber til', 'the framework term at a glance');
  await axe(da, 'portfolio (da)');
  await shot(da, 'portfolio-da');
  await da.selectOption('#f-stage', 'trin1');
  await da.click('#filters button[type=submit]');
  await da.waitForFunction(() => location.hash.includes('stage=trin1'), null, { timeout: WAIT_MS });
  await da.waitForSelector('#row-PA', { state: 'detached', timeout: WAIT_MS });
  await expectText(da, 'Ingen projekter passer til filtrene.', 'a filter that matches nothing');
  await go(da, '#/?stage=handover&partnership=LA', 'Portefølje');
  // the heading was already there: wait for the filtered rows themselves
  await da.waitForSelector('#row-PA', { timeout: WAIT_MS }).catch(() => fail('a filter in the URL (stage=handover) does not show PA'));
  if (await da.inputValue('#f-stage') !== 'handover') fail('the stage filter does not show the URL\'s value');
  log('portfolio filters follow the URL');

  // partnership
  await go(da, '#/partnerships/LA', 'Partnerskab A (LA)');
  await expectText(da, 'Bagatelgrænse', 'Danish word for the trivial threshold');
  await expectText(da, '50.000,00 kr.', 'the bagatelgrænse as Danish money');
  await expectText(da, 'Entreprenør', 'a member\'s role in Danish');
  await expectText(da, 'Projektforslag', 'the price-closing point');
  await expectText(da, 'Den operationelle ledelse', 'disputes by level');
  await axe(da, 'partnership (da)');
  await shot(da, 'partnership-da');

  // a reload forgets the token, asks again, and returns to the page
  await da.reload({ waitUntil: 'load' });
  await waitH1(da, 'Log ind på trin', 'after a reload');
  await da.fill('#token', tok('CALCULATOR'));
  await da.press('#token', 'Enter');
  await waitH1(da, 'Partnerskab A (LA)', 'back on the page after a reload');
  await checkNothingStored(da, 'signed in');
  await da.click('#signout');
  await waitH1(da, 'Log ind på trin', 'after signing out');
  if (await da.evaluate(() => document.querySelector('#whoami'))) fail('still shown as signed in after sign-out');
  await checkNothingStored(da, 'signed out');
  // not found
  await signIn(da, '#/nowhere', tok('CALCULATOR'), 'Siden findes ikke');
  log('reload asks again and returns; sign-out forgets; nothing stored');

  // ---- the writer: every form, and a 412 when the project changed meanwhile
  const wr = await newPage('da-DK');
  await signIn(wr, '#/projects/PA', tok('WRITER'), 'PA — PA');
  for (const id of ['#form-advance', '#form-pause', '#form-milestone', '#form-dispute', '#form-defect', '#form-escalate-D-1', '#form-resolve-D-1', '#form-fix-F-1']) {
    if (!(await wr.$(id))) fail(`the writer is not offered ${id}`);
  }
  await openAllForms(wr);
  await axe(wr, 'project with every form open (da)');
  await shot(wr, 'project-forms-da');
  const changed = await wr.evaluate(async (token) => {
    const r = await fetch('../api/v1/projects/PA/milestones', { method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ milestone: { name: 'inspection_5y', baseline: '2031-11-15' } }) });
    return r.status;
  }, tok('WRITER'));
  if (changed !== 200) fail(`changing PA behind the page's back: HTTP ${changed}`);
  await wr.fill('#form-milestone [data-field="milestone.name"]', 'handover');
  await wr.fill('#form-milestone [data-field="milestone.baseline"]', '2026-10-01');
  await wr.fill('#form-milestone [data-field="milestone.forecast"]', '2026-11-20');
  await wr.click('#form-milestone button[type=submit]');
  await wr.waitForSelector('#stale:not([hidden]) #reload', { timeout: WAIT_MS });
  await expectText(wr, 'Projektet er ændret', 'the 412 message');
  // who changed what: the change that came first, from the audit trail
  const who = nbsp(await wr.textContent('#stale-who').catch(() => ''));
  if (!who.startsWith('Ændret af') || !who.includes('milepæl sat')) fail(`the 412 does not say who changed what: ${JSON.stringify(who)}`);
  log(`412: ${JSON.stringify(who)}`);
  await wr.click('#reload');
  await wr.waitForSelector('#stale[hidden]', { state: 'attached', timeout: WAIT_MS });
  await expectText(wr, '15. november 2031', 'the reloaded project (the milestone set meanwhile)');
  log('412: the page says the project changed and reloads it');

  // ---- the reader: no forms; a write by hand is refused 403
  const rd = await newPage('da-DK');
  await signIn(rd, '#/projects/PA', tok('READER'), 'PA — PA');
  const forms = await rd.evaluate(() => document.querySelectorAll('main form').length);
  if (forms !== 0) fail(`the reader is shown ${forms} forms`);
  const byHand = await rd.evaluate(async (token) => {
    const r = await fetch('../api/v1/projects/PA/defects', { method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ defect: { id: 'F-9', description: 'x', severity: 'minor', found_at: 'handover', reported_on: '2026-11-20' } }) });
    return { status: r.status, type: r.headers.get('Content-Type'), body: await r.json() };
  }, tok('READER'));
  if (byHand.status !== 403 || !String(byHand.type).startsWith('application/problem+json')) {
    fail(`the reader's write by hand: ${JSON.stringify(byHand)}`);
  }
  log(`reader: no forms; a write by hand -> 403 ${JSON.stringify(byHand.body.detail)}`);
  await axe(rd, 'project as reader (da)');

  // ---- the resident committee's person: surveys only, no portfolio
  const rs = await newPage('da-DK');
  await signIn(rs, '#/', tok('RESIDENT'), 'Portefølje');
  await expectText(rs, 'Din rolle giver ikke adgang til denne side.', 'the resident\'s portfolio');
  log('resident: the portfolio says the role gives no access');

  // ---- the outsider never sees PA
  const out = await newPage('da-DK');
  await signIn(out, '#/', tok('OUTSIDER'), 'Portefølje');
  // PO, omega's own project, shows: the portfolio is loaded, and PA is not in it
  for (let i = 0; i < 100 && !(await out.$('#row-PO')); i++) {
    await out.waitForTimeout(200);
    await go(out, `#/?look=${i}`, 'Portefølje');
  }
  if (!(await out.$('#row-PO'))) fail('the outsider\'s own project PO never appeared in the portfolio');
  if (await out.$('#row-PA')) fail('the outsider sees PA in the portfolio');
  await expectNoText(out, 'Partnerskab A', 'the outsider\'s portfolio');
  await go(out, '#/projects/PA', 'Projektet findes ikke');
  await axe(out, 'a project that does not exist (da)');
  await shot(out, 'notfound-da');
  await go(out, '#/partnerships/LA', 'Partnerskabet findes ikke');
  log('outsider: PA is not in the portfolio and "does not exist" by URL');

  // ---- the advisor of partnership LA never sees omega's PO: not in the
  // portfolio, not by its address, not when PO changes while the advisor's
  // portfolio follows the stream
  const adv = await newPage('da-DK');
  await signIn(adv, '#/', tok('ADVISOR'), 'Portefølje');
  await portfolioWithPA(adv, 'Portefølje');
  await adv.waitForSelector('html[data-live="following"]', { timeout: WAIT_MS });
  const po = await fetch(new URL('../api/v1/projects/PO/disputes', base), {
    method: 'POST',
    headers: { Authorization: `Bearer ${tok('OUTSIDER')}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'po-live' },
    body: JSON.stringify({ dispute_id: 'D-PO', title: 'Omegas egen sag', amount_ore: '100000', date: '2026-11-25', raised_by: 'omega' }),
  });
  if (!po.ok) fail(`omega's dispute on PO: ${po.status} ${await po.text()}`);
  // a change of PA after it, which the advisor does see: by then PO's row
  // would have arrived too, had it been sent
  const pa = await fetch(new URL('../api/v1/projects/PA/disputes', base), {
    method: 'POST',
    headers: { Authorization: `Bearer ${tok('WRITER')}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'pa-live-adv' },
    body: JSON.stringify({ dispute_id: 'D-ADV', title: 'Adgang til kælder', amount_ore: '100000', date: '2026-11-25', raised_by: 'alfa' }),
  });
  if (!pa.ok) fail(`a dispute on PA: ${pa.status}`);
  await adv.waitForFunction(() => /\(niveau \d\)/.test(document.querySelector('#row-PA')?.textContent ?? '') &&
    Number((document.querySelector('#row-PA td:nth-last-child(2)')?.textContent ?? '0').split(' ')[0]) >= 5,
    null, { timeout: WAIT_MS, polling: 100 }).catch(() => fail('the advisor\'s portfolio never showed PA\'s new dispute'));
  if (await adv.$('#row-PO')) fail('the advisor sees omega\'s PO in the portfolio');
  await expectNoText(adv, 'PO', 'the advisor\'s portfolio');
  const html = await adv.content();
  if (html.includes('D-PO') || html.includes('Omegas egen sag') || html.includes('projects/PO')) fail('PO leaked into the advisor\'s page');
  await go(adv, '#/projects/PO', 'Projektet findes ikke');
  log('advisor of LA: PO is not in the portfolio, not by URL, not from the stream');

  // ---- English
  const en = await newPage('en-GB');
  await en.goto(`${base}#/projects/PA`, { waitUntil: 'load' });
  await waitH1(en, 'Sign in to trin', 'English sign-in');
  if (await en.getAttribute('html', 'lang') !== 'en') fail('the English page is not lang="en"');
  await axe(en, 'sign-in (en)');
  await shot(en, 'signin-en');
  await en.fill('#token', tok('CALCULATOR'));
  await en.press('#token', 'Enter');
  await waitH1(en, 'PA — PA', 'English project page');
  const enAmount = nbsp(await en.textContent('#dispute-D-1 .amount'));
  if (enAmount !== 'DKK 1,234,567.89') fail(`the English amount reads ${JSON.stringify(enAmount)}`);
  await expectText(en, 'Disputes', 'English section');
  await expectText(en, 'Stage history', 'English words');
  await expectText(en, 'November 2026', 'an English date');
  await axe(en, 'project (en)');
  await shot(en, 'project-en');
  await portfolioWithPA(en, 'Portfolio');
  await axe(en, 'portfolio (en)');
  await shot(en, 'portfolio-en');
  await go(en, '#/partnerships/LA', 'Partnerskab A (LA)');
  await expectText(en, 'DKK 50,000.00', 'English money');
  await axe(en, 'partnership (en)');
  await shot(en, 'partnership-en');
  await go(en, '#/projects/NOPE', 'The project does not exist');
  await axe(en, 'a project that does not exist (en)');
  await shot(en, 'notfound-en');
  // the switch, kept in the URL
  await en.click('#lang');
  await waitH1(en, 'Projektet findes ikke', 'after switching to Danish');
  if (!(await en.evaluate(() => location.hash.includes('lang=da')))) fail('the language is not kept in the URL');
  if (await en.getAttribute('html', 'lang') !== 'da') fail('html lang did not follow the switch');
  log(`English: ${enAmount}; switched to Danish in the URL`);

  if (errors.length) fail(`errors on the pages: ${errors.join('; ')}`);
} catch (e) {
  await failed(e, current);
  status = 1;
} finally {
  await browser.close().catch(() => {});
}
process.exit(status);
