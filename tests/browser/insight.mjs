// webapp.insight, the browser half (started by
// tests/integration/test_webapp_insight.c, which has every service and
// trin-gateway running, PA's survey S-PA with two rounds, six client
// organisations with projects, eight properties' measures for 2023 and 2024,
// and the personas' tokens in TRIN_APP_TOKEN_{ADMIN,WRITER,READER,ADVISOR,
// OUTSIDER}). Debian's Chromium, headless, axe-core on every page:
//   - the writer (Danish) sees each statement over the rounds with Danish
//     decimals, a small group as "skjult: færre end 5 svar", the alert;
//     a bad CSV is refused beside the file field naming the line; a good
//     one opens round 3, which then shows; the client's key figures with
//     its rank, and its own value where the group is too small;
//   - the advisor (beta) sees alfa's key figures (both open), the benchmark
//     page with the distribution and itself marked, never omega by name nor
//     any project outside its partnership; a portfolio figure with the
//     inside/outside comparison, the small side hidden with the reason;
//   - the reader sees no upload forms; the outsider sees no names;
//   - the operator uploads key figures' CSV (a bad one refused by line);
//   - English words and numbers.
// Screenshots go to SHOTS_DIR when given.
//
//   node insight.mjs APP_URL CHROMIUM [SHOTS_DIR]
import { WAIT_MS, fail, harness, launch, newPageIn, tok } from './common.mjs';

const { base, executablePath, log, axe: axeCheck, shot, signIn, go, failed } = harness('webapp.insight');
const norm = (s) => String(s ?? '').replace(/\u00a0|\u202f/g, ' ').replace(/\u2212/g, '-');

async function text(page, sel = 'main') { return norm(await page.evaluate((s) => document.querySelector(s)?.innerText ?? '', sel)); }
async function expectText(page, want, what, sel = 'main') {
  const got = await text(page, sel);
  if (!(want instanceof RegExp ? want.test(got) : got.includes(want))) fail(`${what}: ${want} is not in ${sel}:\n${got.slice(0, 2500)}`);
}
async function expectNoText(page, unwanted, what) {
  const got = await text(page);
  if (unwanted instanceof RegExp ? unwanted.test(got) : got.includes(unwanted)) fail(`${what}: ${unwanted} is on the page`);
}
async function waitText(page, want, what, sel = 'main') {
  try {
    await page.waitForFunction(([s, w]) => (document.querySelector(s)?.innerText ?? '').replace(/\u00a0|\u202f/g, ' ').includes(w),
      [sel, want], { timeout: WAIT_MS, polling: 100 });
  } catch { fail(`${what}: ${JSON.stringify(want)} never appeared in ${sel}:\n${(await text(page, sel)).slice(0, 2500)}`); }
}

// Every <details> open, so that axe sees what they hold.
async function axe(page, what) {
  await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
  await axeCheck(page, what);
}
// the error shown beside a form's field
async function besideField(page, form, name) {
  const sel = `${form} [data-field="${name}"]`;
  await page.waitForSelector(`${sel}[aria-invalid="true"]`, { timeout: WAIT_MS });
  return norm(await page.evaluate((s) => document.getElementById(`${document.querySelector(s).id}-error`).textContent, sel));
}
// Everything said in the live region (#status) from now on: a receipt may
// be replaced a moment later (a live update of the page says so too).
async function recordStatus(page) {
  await page.evaluate(() => {
    window.said = [];
    const s = document.getElementById('status');
    new MutationObserver(() => { if (s.textContent) window.said.push(s.textContent); }).observe(s, { childList: true, characterData: true, subtree: true });
  });
}
async function waitSaid(page, want, what) {
  try {
    await page.waitForFunction((w) => (window.said || []).some((x) => x.replace(/\u00a0/g, ' ').includes(w)), want, { timeout: WAIT_MS, polling: 50 });
  } catch { fail(`${what}: ${JSON.stringify(want)} was never said; said: ${JSON.stringify(await page.evaluate(() => window.said))}`); }
  return norm(await page.evaluate((w) => window.said.find((x) => x.includes(w)), want));
}
// one table row's text: the row of `role` in the table of statement `key`
async function svRow(page, key, role) {
  return norm(await page.evaluate(([k, r]) => document.querySelector(`#sv-S-PA-${k} tr[data-role="${r}"]`)?.innerText ?? '', [key, role]));
}

// The benchmark service learns the projects from the lifecycle's events:
// wait (through the API, as the advisor) until six clients have a value.
async function benchmarkReady() {
  for (let i = 0; i < 200; i++) {
    const r = await fetch(new URL('../api/v1/benchmark/QueryFigure', base), {
      method: 'POST',
      headers: { Authorization: `Bearer ${tok('ADVISOR')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ figure: 'open_disputes', year: 0 }),
    });
    const d = r.ok ? await r.json() : null;
    if (d && !d.suppressed && d.distribution && d.distribution.n >= 6) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  fail('the benchmark service never had open_disputes for six organisations');
}

const browser = await launch(executablePath);
let status = 0;
let current = null;
try {
  const errors = [];
  const newPage = async (locale) => (current = await newPageIn(browser, locale, errors));
  await benchmarkReady();

  // ---- the writer (alfa, the client), Danish
  const wr = await newPage('da-DK');
  await signIn(wr, '#/projects/PA', tok('WRITER'), 'PA — PA');
  await waitText(wr, 'Vi har tillid til projektets økonomi — over runderne', 'the statement over the rounds');
  await expectText(wr, 'Følgegruppen bliver informeret i tide — over runderne', 'the second statement');
  const all1 = await svRow(wr, 'TILLID', 'all');
  if (!all1.includes('3,67 · n=6') || !all1.includes('3,00 (-0,67) · n=12')) fail(`TILLID, all roles over the rounds: ${JSON.stringify(all1)}`);
  const rc = await svRow(wr, 'TILLID', 'resident_committee');
  if (!rc.includes('skjult: færre end 5 svar')) fail(`TILLID, følgegruppe: ${JSON.stringify(rc)}`);
  if (/\d,\d\d · n=[1-4]\b/.test(await text(wr, 'section[aria-labelledby="h-survey"]'))) fail('a group of fewer than 5 is shown as a number');
  await expectText(wr, 'er faldet mere end 0,30 siden forrige runde (3,67)', 'the alert in Danish');
  if (!(await wr.$('#sv-S-PA-TILLID svg[aria-hidden="true"]'))) fail('no chart (aria-hidden) beside the statement\'s table');
  if (!(await wr.$('#form-survey-S-PA'))) fail('the writer is not offered to upload a round');
  log(`writer: TILLID over the rounds: ${JSON.stringify(all1)}; følgegruppe: ${JSON.stringify(rc)}`);
  // the client's key figures: its rank where six have a value, its own value only where too few do
  await waitText(wr, 'Nøgletal og placering', 'the key figures section');
  await expectText(wr, /af 6/, 'open disputes: the rank of six', 'tr[data-figure="open_disputes"]');
  await expectText(wr, 'placering og median vises først, når mindst 5', 'satisfaction: own value without rank', 'tr[data-figure="latest_satisfaction"]');
  await axe(wr, 'project, survey and key figures, forms open (da)');
  await shot(wr, 'insight-project-da');

  // a bad file, to round 2: refused beside the file field, by line
  const F = '#form-survey-S-PA';
  await wr.selectOption(`${F} [data-field="round"]`, '2');
  if (await wr.isVisible(`${F} [data-field="round.opens"]`)) fail('the new round\'s dates are offered for an existing round');
  await wr.setInputFiles(`${F} [data-field="csv"]`, { name: 'runde2.csv', mimeType: 'text/csv',
    buffer: Buffer.from('respondent;role;TILLID;INFO\nb1;beboer;4;5\nb2;beboer;9;4\n') });
  await wr.click(`${F} button[type=submit]`);
  const refused = await besideField(wr, F, 'csv');
  if (!/line 3/.test(refused) || !refused.startsWith('Filen er afvist, og intet er gemt:')) fail(`the bad file's refusal: ${JSON.stringify(refused)}`);
  log(`a bad CSV, beside the file field: ${JSON.stringify(refused)}`);
  await shot(wr, 'insight-survey-refused-da');

  // a new round that closes before it opens: refused beside a date, no round added
  await wr.selectOption(`${F} [data-field="round"]`, 'new');
  if (!(await wr.isVisible(`${F} [data-field="round.opens"]`))) fail('no dates offered for a new round');
  const opens = await wr.inputValue(`${F} [data-field="round.opens"]`);
  const closes = await wr.inputValue(`${F} [data-field="round.closes"]`);
  await wr.fill(`${F} [data-field="round.closes"]`, '2026-06-15');
  await wr.click(`${F} button[type=submit]`);
  await wr.waitForSelector(`${F} [data-field^="round."][aria-invalid="true"]`, { timeout: WAIT_MS });
  const dateErr = norm(await wr.evaluate((s) => document.getElementById(`${document.querySelector(s).id}-error`).textContent,
    `${F} [data-field^="round."][aria-invalid="true"]`));
  if (!dateErr || await wr.$('#sv-S-PA-round-3')) fail(`a new round's bad dates: ${JSON.stringify(dateErr)}`);
  log(`a new round closing before it opens (${opens}), beside the date: ${JSON.stringify(dateErr)}`);
  await wr.fill(`${F} [data-field="round.closes"]`, closes);

  // a good file opens round 3
  await wr.setInputFiles(`${F} [data-field="csv"]`, { name: 'runde3.csv', mimeType: 'text/csv',
    buffer: Buffer.from('respondent;role;TILLID;INFO;comment\nn1;beboer;4;5;Godt\nn2;beboer;4;4;\nn3;Beboer;5;4;\n' +
      'n4;beboere;4;5;\nn5;følgegruppe;4;4;"Tak, fint"\n') });
  await recordStatus(wr);
  await wr.click(`${F} button[type=submit]`);
  await wr.waitForSelector('#sv-S-PA-round-3', { timeout: WAIT_MS });
  const all3 = await svRow(wr, 'TILLID', 'all');
  if (!all3.includes('4,20 (+1,20) · n=5')) fail(`TILLID after round 3: ${JSON.stringify(all3)}`);
  const receipt = await waitSaid(wr, 'Runde 3: 5 nye', 'the upload\'s receipt');
  log(`round 3 uploaded: ${JSON.stringify(all3)}; ${JSON.stringify(receipt)}`);
  await shot(wr, 'insight-survey-da');

  // ---- the advisor (beta): alfa's figures by name, the benchmark page
  const ad = await newPage('da-DK');
  // everything the advisor's browser is sent by the benchmark service
  const heard = [];
  ad.on('response', async (r) => { if (r.url().includes('/api/v1/benchmark/')) heard.push(await r.text().catch(() => '')); });
  await signIn(ad, '#/projects/PA', tok('ADVISOR'), 'PA — PA');
  await waitText(ad, 'Nøgletal og placering', 'the key figures section (advisor)');
  await expectText(ad, /af 6/, 'alfa\'s rank, named to beta', 'tr[data-figure="open_disputes"]');
  await expectText(ad, 'Vises ikke: færre end 5 organisationer', 'a figure below the minimum, in words', 'tr[data-figure="latest_satisfaction"]');
  if (await ad.$('#form-survey-S-PA')) fail('the advisor is offered to upload survey answers');
  await go(ad, '#/benchmark', 'Nøgletal og benchmark');
  await waitText(ad, 'Udgifter pr. m² — 2024', 'the default figure and the advisor\'s latest year');
  const you = norm(await ad.textContent('#bm-you'));
  if (!you.includes('jeres organisation')) fail(`the viewer's row: ${JSON.stringify(you)}`);
  if (!(await ad.$('svg.bm-box[aria-hidden="true"]'))) fail('no box plot');
  if (!(await ad.$('svg.bm-box path'))) fail('the viewer is not marked in the box plot');
  await expectText(ad, 'anonym #', 'the anonymous organisations');
  await expectText(ad, 'Jeres værdi:', 'the viewer\'s value in words');
  const stats = await text(ad, '.bm-tables');
  if (!/Organisationer\s+8/.test(stats)) fail(`the distribution's n: ${stats}`);
  for (const bad of [/omega/i, /\bPO\b/, /\bPK\d/, /Omega Skole/]) await expectNoText(ad, bad, 'the advisor\'s benchmark page');
  if (!(await ad.$('tr[data-year="2023"]')) || !(await ad.$('tr[data-year="2024"]'))) fail('no rank history for 2023 and 2024');
  if (await ad.$('#form-benchmark-import')) fail('the advisor is offered to upload key figures');
  await axe(ad, 'benchmark (da)');
  await shot(ad, 'insight-benchmark-da');
  // a portfolio figure: inside against outside partnerships
  await ad.selectOption('#bm-figure', 'open_disputes');
  await ad.click('#bm-choose button[type=submit]');
  await waitText(ad, 'Åbne tvister pr. projekt — Nu (aktuelle værdier)', 'the chosen portfolio figure');
  await waitText(ad, 'Projekter i og uden for partnerskaber', 'the comparison');
  await expectText(ad, 'Vises ikke: 1 projekt har en værdi', 'the inside side below the minimum');
  for (const bad of [/omega/i, /\bPO\b/, /\bPK\d/]) await expectNoText(ad, bad, 'the advisor\'s portfolio benchmark');
  if (!(await ad.evaluate(() => location.hash.includes('figure=open_disputes')))) fail('the figure is not kept in the address');
  await axe(ad, 'benchmark, a portfolio figure (da)');
  await shot(ad, 'insight-benchmark-portfolio-da');
  const html = await ad.evaluate(() => document.querySelector('main').outerHTML);
  if (/omega|\bPO\b|\bPK\d/i.test(html)) fail('omega or an outside project is in the benchmark page\'s markup');
  const leak = heard.find((b) => /omega|"PO"|"PK\d"/i.test(b));
  if (leak) fail(`the benchmark service told the advisor's browser about omega: ${leak.slice(0, 300)}`);
  log(`advisor: alfa ranked, the distribution with beta marked, no omega, no outside project (${heard.length} replies checked)`);

  // ---- the reader: no upload forms
  const rd = await newPage('da-DK');
  await signIn(rd, '#/projects/PA', tok('READER'), 'PA — PA');
  await waitText(rd, 'Nøgletal og placering', 'the key figures (reader)');
  if (await rd.evaluate(() => document.querySelectorAll('main form').length)) fail('the reader is shown a form on PA');
  await go(rd, '#/benchmark', 'Nøgletal og benchmark');
  if (await rd.$('#form-benchmark-import')) fail('the reader is offered to upload key figures');
  log('reader: no upload forms');

  // ---- the outsider (omega, closed): itself, nobody by name
  const out = await newPage('da-DK');
  await signIn(out, '#/benchmark?figure=cost_per_m2&year=2024', tok('OUTSIDER'), 'Nøgletal og benchmark');
  await waitText(out, 'Udgifter pr. m² — 2024', 'the outsider\'s benchmark');
  if (!(await out.$('#bm-you'))) fail('the outsider is not marked');
  for (const bad of ['Alfa Bolig', 'Beta Rådgivning', 'Gamma Entreprise', /\bPA\b/]) await expectNoText(out, bad, 'the closed outsider\'s benchmark');
  log('outsider: itself marked, nobody named');

  // ---- the operator: key figures' CSV
  const op = await newPage('da-DK');
  await signIn(op, '#/benchmark', tok('ADMIN'), 'Nøgletal og benchmark');
  const B = '#form-benchmark-import';
  await op.waitForSelector(B, { state: 'attached', timeout: WAIT_MS });
  await op.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
  await op.selectOption(`${B} [data-field="kind"]`, 'measures');
  await op.setInputFiles(`${B} [data-field="csv"]`, { name: 'maalinger.csv', mimeType: 'text/csv',
    buffer: Buffer.from('property_id;year;cost_maintenance\nP1;2025;510000\nP2;2025;mange\n') });
  await op.click(`${B} button[type=submit]`);
  const bmRefused = await besideField(op, B, 'csv');
  if (!/line 3/.test(bmRefused)) fail(`the bad key figures' file: ${JSON.stringify(bmRefused)}`);
  log(`a bad key figures' CSV, beside the file field: ${JSON.stringify(bmRefused)}`);
  await axe(op, 'benchmark with the upload form (da)');
  await shot(op, 'insight-benchmark-refused-da');
  const rows = ['property_id;year;cost_maintenance;electricity_kwh;heat_kwh'];
  [['P1', 530000], ['P2', 380000], ['P3', 820000], ['P4', 940000], ['P5', 650000], ['P6', 305000], ['P7', 2400000], ['P8', 265000]]
    .forEach(([p, c]) => rows.push(`${p};2025;${c};50000;120000`));
  await op.setInputFiles(`${B} [data-field="csv"]`, { name: 'maalinger-2025.csv', mimeType: 'text/csv', buffer: Buffer.from(`${rows.join('\n')}\n`) });
  await recordStatus(op);
  await op.click(`${B} button[type=submit]`);
  await waitSaid(op, '8 rækker indlæst', 'the key figures\' receipt');
  await go(op, '#/benchmark?figure=cost_per_m2&year=2025', 'Nøgletal og benchmark');
  await waitText(op, 'Udgifter pr. m² — 2025', 'the uploaded year');
  if (!/Organisationer\s+8/.test(await text(op, '.bm-tables'))) fail('the uploaded year has no distribution of 8');
  log('operator: key figures for 2025 uploaded and shown');

  // ---- English
  const en = await newPage('en-GB');
  await signIn(en, '#/projects/PA', tok('ADVISOR'), 'PA — PA');
  await waitText(en, 'Key figures and rank', 'English key figures');
  const enAll = await svRow(en, 'TILLID', 'all');
  if (!enAll.includes('3.67 · n=6') || !enAll.includes('4.20 (+1.20) · n=5')) fail(`English TILLID: ${JSON.stringify(enAll)}`);
  if (!(await svRow(en, 'TILLID', 'resident_committee')).includes('hidden: fewer than 5 answers')) fail('no "hidden: fewer than 5 answers"');
  await expectText(en, 'Not shown: fewer than 5 organisations', 'English reason', 'tr[data-figure="latest_satisfaction"]');
  await axe(en, 'project, survey and key figures (en)');
  await shot(en, 'insight-project-en');
  await go(en, '#/benchmark', 'Key figures and benchmark');
  await waitText(en, 'Cost per m² — 2025', 'English benchmark (the advisor\'s latest year)');
  if (!norm(await en.textContent('#bm-you')).includes('your organisation')) fail('English: the viewer is not marked');
  await axe(en, 'benchmark (en)');
  await shot(en, 'insight-benchmark-en');
  log('English: words, numbers, hidden groups');

  if (errors.length) fail(`errors on the pages: ${errors.join('; ')}`);
} catch (e) {
  await failed(e, current);
  status = 1;
} finally {
  await browser.close().catch(() => {});
}
process.exit(status);
