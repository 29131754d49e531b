// webapp.corrections, the browser half (started by tests/integration/
// test_webapp_corrections.c, which has every service and trin-gateway
// running, PA in trin 3 with its price closed in trin 2, survey S-PA whose
// round 2 raised an alert, and the personas' tokens in TRIN_APP_TOKEN_*).
// A person's path through the corrections of issue 19, Danish UI:
//   - the writer corrects PA's name and dwellings: refused without a
//     reason (the service's words beside the field), a 412 when PA changed
//     meanwhile, then saved: the page and the portfolio show the new name;
//   - the writer corrects the stage (trin 3 back to trin 2): the history
//     says so with the reason; going on to trin 1 is refused in the
//     service's words (the price is closed);
//   - the writer acknowledges the survey's alert with a note, removes a
//     test answer, clears round 2 after the confirm step: the alert goes
//     and the status row shows round 1 again;
//   - the calculator withdraws a submitted forecast, the writer reopens an
//     approved one, each with a reason (refused first without);
//   - the reader is offered none of it, the advisor only "Kvittér".
//
//   node corrections.mjs APP_URL CHROMIUM [SHOTS_DIR]
// Exit status 0 = passed, 1 = failed (the reason on stderr).
import { WAIT_MS, fail, harness, launch, nbsp, newPageIn, tok } from './common.mjs';

const { executablePath, log, axe, shot, signIn, go, failed } = harness('webapp.corrections');

async function mainText(page) { return nbsp(await page.evaluate(() => document.querySelector('main').innerText)); }
async function expectText(page, want, what) {
  const text = await mainText(page);
  if (!text.includes(want)) fail(`${what}: ${JSON.stringify(want)} is not on the page:\n${text.slice(0, 2000)}`);
}
async function text(page, selector) { return nbsp(await page.textContent(selector).catch(() => '')); }
async function openForm(page, id) {
  await page.waitForSelector(id, { state: 'attached', timeout: WAIT_MS });
  await page.$eval(id, (f) => { f.closest('details').open = true; });
}
// Opens form id, runs act (fills it and sends it). A status row arriving
// meanwhile shows the page again (live.js; it leaves an open form alone, but
// not one opened while it was already reading the page) and closes the
// form: then it is opened and filled again.
async function inForm(page, id, act) {
  for (let i = 0; ; i++) {
    try {
      await openForm(page, id);
      await act();
      return;
    } catch (e) {
      if (i >= 5 || !/Timeout|Failed to find/.test(String(e.message))) throw e;
    }
  }
}
const SHORT = { timeout: 10000 };
// Everything the page announced (#status, aria-live) since this was called:
// a live update may announce itself right after the change's own words.
async function listen(page) {
  await page.evaluate(() => {
    window.said = [];
    new MutationObserver(() => window.said.push(document.getElementById('status').textContent))
      .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
  });
}
async function said(page, re, what) {
  await page.waitForFunction((src) => window.said.some((x) => new RegExp(src).test(x)), re.source, { timeout: WAIT_MS })
    .catch(async () => fail(`${what}: never said; the page said ${JSON.stringify(await page.evaluate(() => window.said))}`));
  return page.evaluate((src) => window.said.find((x) => new RegExp(src).test(x)), re.source);
}
// A screenshot, again when the page was shown anew while it was taken.
async function snap(page, name, selector) {
  for (let i = 0; ; i++) {
    try { await shot(page, name, selector); return; } catch (e) {
      if (i >= 5 || !/not attached|Timeout/.test(String(e.message))) throw e;
    }
  }
}
// The page shown again (a new route each time) until cond(main's text) holds:
// the aggregator's status row follows the services' events a moment later.
async function until(page, heading, cond, what) {
  for (let i = 0; i < 150; i++) {
    await go(page, `#/projects/PA?look=${i}`, heading);
    if (cond(await mainText(page))) return;
    await page.waitForTimeout(200);
  }
  fail(`${what}: never so; the page reads:\n${(await mainText(page)).slice(0, 2000)}`);
}

const browser = await launch(executablePath);
let status = 0;
let current = null;
try {
  const errors = [];
  const newPage = async (locale) => (current = await newPageIn(browser, locale, errors));

  // ---- the writer corrects the project's facts
  const wr = await newPage('da-DK');
  await signIn(wr, '#/projects/PA', tok('WRITER'), 'PA — PA');
  await listen(wr);
  for (const id of ['#form-edit-project', '#form-correct-stage', '#form-ack-S-PA-0', '#form-remove-response-S-PA', '#form-clear-round-S-PA']) {
    if (!(await wr.$(id))) fail(`the writer is not offered ${id}`);
  }
  if (nbsp(await wr.textContent('#form-edit-project >> xpath=ancestor::details/summary')) !== 'Ret projektoplysninger') fail('the edit form is not called "Ret projektoplysninger"');
  const ef = (name) => `#form-edit-project [data-field="${name}"]`;
  const edit = '#form-edit-project';
  const submitIn = (page, id) => page.click(`${id} button[type=submit]`, SHORT);
  // nothing changed: said by the app, nothing sent
  await inForm(wr, edit, async () => {
    if (await wr.inputValue(ef('name')) !== 'PA') fail('the edit form does not start from the project\'s name');
    await wr.fill(ef('reason'), 'ingenting', SHORT);
    await submitIn(wr, edit);
  });
  await wr.waitForSelector('#form-edit-project .form-error:not([hidden])', { timeout: WAIT_MS });
  const nothing = await text(wr, '#form-edit-project .form-error');
  if (!nothing.includes('Du har ikke ændret noget')) fail(`nothing changed reads ${JSON.stringify(nothing)}`);
  // no reason: the service's refusal beside the reason
  await inForm(wr, edit, async () => {
    await wr.fill(ef('name'), 'Tingbjerg etape 1', SHORT);
    await wr.fill(ef('dwellings'), '240', SHORT);
    await wr.fill(ef('reason'), '', SHORT);
    await submitIn(wr, edit);
  });
  await wr.waitForSelector(`${ef('reason')}[aria-invalid="true"]`, { timeout: WAIT_MS });
  const noReason = await wr.evaluate((s) => document.getElementById(`${document.querySelector(s).id}-error`).textContent, ef('reason'));
  if (!/required/i.test(noReason)) fail(`the missing reason reads ${JSON.stringify(noReason)}`);
  log(`no reason: refused beside it: ${JSON.stringify(noReason)}`);
  await inForm(wr, edit, async () => {
    await wr.fill(ef('name'), 'Tingbjerg etape 1', SHORT);
    await wr.fill(ef('dwellings'), 'mange', SHORT);
    await wr.fill(ef('reason'), 'x', SHORT);
    await submitIn(wr, edit);
  });
  await wr.waitForSelector(`${ef('dwellings')}[aria-invalid="true"]`, { timeout: WAIT_MS });
  // PA changed behind the page's back: a 412, said in Danish, with who
  const behind = await wr.evaluate(async (token) => (await fetch('../api/v1/projects/PA/milestones', { method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ milestone: { name: 'handover', baseline: '2027-10-01' } }) })).status, tok('WRITER'));
  if (behind !== 200) fail(`changing PA behind the page's back: HTTP ${behind}`);
  await inForm(wr, edit, async () => {
    await wr.fill(ef('name'), 'Tingbjerg etape 1', SHORT);
    await wr.fill(ef('dwellings'), '240', SHORT);
    await wr.fill(ef('reason'), 'Navnet var skrevet af fra et gammelt udkast', SHORT);
    await submitIn(wr, edit);
  });
  await wr.waitForSelector('#stale:not([hidden]) #reload', { timeout: WAIT_MS });
  await expectText(wr, 'Projektet er ændret, siden du hentede det', 'the 412 in Danish');
  const who412 = await text(wr, '#stale-who');
  if (!who412.includes('Mette Jensen') || !who412.includes('milepæl sat')) fail(`the 412 does not say who changed what: ${JSON.stringify(who412)}`);
  log(`412: ${JSON.stringify(who412)}`);
  await wr.click('#reload');
  await wr.waitForSelector('#stale[hidden]', { state: 'attached', timeout: WAIT_MS });
  await inForm(wr, edit, async () => {
    await wr.fill(ef('name'), 'Tingbjerg etape 1', SHORT);
    await wr.fill(ef('dwellings'), '240', SHORT);
    await wr.fill(ef('municipality'), 'København', SHORT);
    await wr.fill(ef('reason'), 'Navnet var skrevet af fra et gammelt udkast', SHORT);
    await snap(wr, 'corrections-edit-da');
    await submitIn(wr, edit);
  });
  await go(wr, '#/projects/PA', 'PA — Tingbjerg etape 1');
  await expectText(wr, '240', 'the corrected dwellings');
  await expectText(wr, 'København', 'the corrected municipality');
  log('the writer corrected the name, dwellings and municipality');

  // ---- the stage advanced by mistake
  const what = await text(wr, '#correct-stage-what');
  if (!what.includes('fra Trin 3 til Trin 2') || !what.includes('1. september 2025')) fail(`the stage correction says ${JSON.stringify(what)}`);
  await inForm(wr, '#form-correct-stage', async () => {
    await wr.fill('#form-correct-stage [data-field="reason"]', 'Trin 3 blev sat ved en fejl', SHORT);
    await submitIn(wr, '#form-correct-stage');
  });
  await wr.waitForFunction(() => /Rettet tilbage til Trin 2/.test(document.querySelector('#stages')?.textContent ?? ''), null, { timeout: WAIT_MS })
    .catch(() => fail('the stage history does not show the correction'));
  const hist = await text(wr, '#stages');
  if (!hist.includes('begrundelse: Trin 3 blev sat ved en fejl') || !hist.includes('trinskiftet er rettet') ||
      !/rettet af Mette Jensen .*\(alfa\)/.test(hist)) fail(`the stage history reads ${JSON.stringify(hist)}`);
  await expectText(wr, 'Trin 2, siden 1. september 2025', 'the stage in the facts');
  log(`stage corrected: ${JSON.stringify(hist)}`);
  // the bar shows the stages as they stand: pre-study, trin 1, trin 2 (the
  // undone trin 3 and the correction drawn over it would be five)
  const bars = await wr.evaluate(() => [...document.querySelectorAll('section[aria-labelledby="h-stages"] svg.chart rect[height="22"]')].length);
  if (bars !== 3) fail(`the stage bar has ${bars} stages, not 3`);
  await snap(wr, 'corrections-stages-da', 'section[aria-labelledby="h-stages"]');
  // on to trin 1: the price was closed in trin 2, refused in the service's words
  if (!(await text(wr, '#correct-stage-what')).includes('fra Trin 2 til Trin 1')) fail('the next correction is not from trin 2 to trin 1');
  await inForm(wr, '#form-correct-stage', async () => {
    await wr.fill('#form-correct-stage [data-field="reason"]', 'prøver igen', SHORT);
    await submitIn(wr, '#form-correct-stage');
  });
  await wr.waitForSelector('#form-correct-stage .form-error:not([hidden])', { timeout: WAIT_MS });
  const refused = await text(wr, '#form-correct-stage .form-error');
  if (!refused.startsWith('Ikke gemt (409)') || !refused.includes('the price was closed')) fail(`the refusal reads ${JSON.stringify(refused)}`);
  log(`refused: ${JSON.stringify(refused)}`);
  await snap(wr, 'corrections-stage-refused-da', 'section[aria-labelledby="h-stages"]');

  // the portfolio (the status feed) has the new name
  for (let i = 0; i < 150; i++) {
    await go(wr, `#/?look=${i}`, 'Portefølje');
    if ((await text(wr, '#row-PA')).includes('Tingbjerg etape 1')) break;
    await wr.waitForTimeout(200);
  }
  const row = await text(wr, '#row-PA');
  if (!row.includes('Tingbjerg etape 1') || !row.includes('Trin 2')) fail(`PA's portfolio row reads ${JSON.stringify(row)}`);
  log(`the portfolio: ${JSON.stringify(row)}`);

  // ---- the survey: the alert of round 2 in the status row first
  await until(wr, 'PA — Tingbjerg etape 1', (t) => /Advarsel\s+⚠ ja/.test(t), 'the alert in the status row');
  await expectText(wr, 'Ikke kvitteret.', 'the alert not acknowledged');
  await inForm(wr, '#form-ack-S-PA-0', async () => {
    await wr.fill('#form-ack-S-PA-0 [data-field="note"]', 'Testsvar i runde 2 undersøges', SHORT);
    await submitIn(wr, '#form-ack-S-PA-0');
  });
  await wr.waitForFunction(() => /Kvitteret af Mette Jensen .*\(alfa\)/.test(document.querySelector('.sv-ack')?.textContent ?? ''), null, { timeout: WAIT_MS })
    .catch(async () => fail(`the acknowledgement is not shown: ${await text(wr, '.sv-alerts')}`));
  log(`acknowledged: ${JSON.stringify(await text(wr, '.sv-ack'))}`);
  // a test answer removed
  const rf = (n) => `#form-remove-response-S-PA [data-field="${n}"]`;
  const removeWho = async (who) => inForm(wr, '#form-remove-response-S-PA', async () => {
    await wr.selectOption(rf('round'), '2', SHORT);
    await wr.fill(rf('respondent'), who, SHORT);
    await wr.fill(rf('reason'), 'Testsvar', SHORT);
    await submitIn(wr, '#form-remove-response-S-PA');
  });
  await removeWho('nobody');
  await wr.waitForSelector(`${rf('respondent')}[aria-invalid="true"]`, { timeout: WAIT_MS });
  const noOne = await wr.evaluate((s) => document.getElementById(`${document.querySelector(s).id}-error`).textContent, rf('respondent'));
  if (!noOne.includes('no answers from respondent')) fail(`an unknown respondent reads ${JSON.stringify(noOne)}`);
  await removeWho('test-7');
  const removed = await said(wr, /Runden har 6 besvarelser tilbage/, 'the removal');
  if (!(await text(wr, '#sv-S-PA-round-2')).includes('6')) fail(`round 2 reads ${await text(wr, '#sv-S-PA-round-2')}`);
  log(`removed: ${JSON.stringify(removed)}`);
  // round 2 cleared, after saying what that does
  const cf = (n) => `#form-clear-round-S-PA [data-field="${n}"]`;
  const clearFilled = () => inForm(wr, '#form-clear-round-S-PA', async () => {
    await wr.selectOption(cf('round'), '2', SHORT);
    await wr.fill(cf('reason'), 'Runde 1-filen blev importeret som runde 2', SHORT);
    await submitIn(wr, '#form-clear-round-S-PA');
    await wr.waitForSelector('#form-clear-round-S-PA-confirm', SHORT);
  });
  await clearFilled();
  const confirm = await text(wr, '#form-clear-round-S-PA-confirm');
  if (!confirm.includes('Alle 6 besvarelser i runde 2 fjernes') || !confirm.includes('kan indlæses i den igen')) fail(`the confirm step reads ${JSON.stringify(confirm)}`);
  await axe(wr, 'the survey with the confirm step (da)');
  await snap(wr, 'corrections-clear-confirm-da', 'section.sv');
  // cancel keeps everything; then yes
  await wr.click('#form-clear-round-S-PA-confirm .confirm-no');
  if (await wr.$('#form-clear-round-S-PA-confirm')) fail('cancel did not take the confirm step away');
  if ((await text(wr, '#sv-S-PA-round-2')).includes('ingen svar')) fail('cancel cleared the round');
  await clearFilled();
  await wr.click('#form-clear-round-S-PA-confirm .confirm-yes');
  await said(wr, /Runde 2 er ryddet: 6 besvarelser fjernet/, 'the cleared round');
  if (!(await text(wr, '#sv-S-PA-round-2')).includes('ingen svar endnu')) fail(`round 2 reads ${await text(wr, '#sv-S-PA-round-2')}`);
  // the alert gone, the status row back at round 1's mean
  await until(wr, 'PA — Tingbjerg etape 1', (t) => !t.includes('⚠') && /Gennemsnit\s+4,00/.test(t), 'the status row back at round 1');
  log('round 2 cleared: the alert is gone, the status row shows round 1 (4,00)');
  await axe(wr, 'project after the corrections (da)');
  await snap(wr, 'corrections-survey-after-da', 'section.sv');
  await snap(wr, 'corrections-project-da');

  // ---- budgets back to draft: the calculator withdraws PA-F1, the writer reopens PA-F2
  const openLines = async (page, id, form) => {
    await page.$eval(`#lines-${id}`, (d) => { d.open = true; });
    await page.waitForSelector(`#lines-${id}[data-loaded="true"] #${form}`, { timeout: WAIT_MS, state: 'attached' })
      .catch(() => fail(`#${form} is not offered in ${id}'s lines`));
  };
  const ca = await newPage('da-DK');
  await signIn(ca, '#/projects/PA', tok('CALCULATOR'), 'PA — Tingbjerg etape 1');
  await listen(ca);
  await openLines(ca, 'PA-F1', 'form-withdraw-PA-F1');
  if (await ca.$('#form-reopen-PA-F2')) fail('the calculator is offered to reopen (the client\'s writers only)');
  const withdraw = (why) => inForm(ca, '#form-withdraw-PA-F1', async () => {
    await ca.fill('#form-withdraw-PA-F1 [data-field="reason"]', why, SHORT);
    if (why) await snap(ca, 'corrections-withdraw-da', '#lines-PA-F1');
    await submitIn(ca, '#form-withdraw-PA-F1');
  });
  await withdraw('');
  await ca.waitForSelector('#form-withdraw-PA-F1 [data-field="reason"][aria-invalid="true"]', { timeout: WAIT_MS });
  await withdraw('Mangler tilbud på facade');
  await said(ca, /trukket tilbage/, 'the withdrawal');
  if (!(await text(ca, '#budget-PA-F1')).includes('Kladde')) fail(`PA-F1 reads ${await text(ca, '#budget-PA-F1')}`);
  log(`withdrawn: ${JSON.stringify(await text(ca, '#budget-PA-F1'))}`);
  await openLines(wr, 'PA-F2', 'form-reopen-PA-F2');
  await inForm(wr, '#form-reopen-PA-F2', async () => {
    await wr.fill('#form-reopen-PA-F2 [data-field="reason"]', 'Prognosen manglede stilladset', SHORT);
    await submitIn(wr, '#form-reopen-PA-F2');
  });
  await said(wr, /genåbnet/, 'the reopening');
  if (!(await text(wr, '#budget-PA-F2')).includes('Kladde')) fail(`PA-F2 reads ${await text(wr, '#budget-PA-F2')}`);
  log(`reopened: ${JSON.stringify(await text(wr, '#budget-PA-F2'))}`);
  await axe(wr, 'the economy after reopening (da)');
  await snap(wr, 'corrections-economy-da', '#economy');

  // ---- the reader: none of it; a correction by hand is refused 403
  const rd = await newPage('da-DK');
  await signIn(rd, '#/projects/PA', tok('READER'), 'PA — Tingbjerg etape 1');
  if (await rd.evaluate(() => document.querySelectorAll('main form').length)) fail('the reader is offered forms');
  const byHand = await rd.evaluate(async (token) => {
    const r = await fetch('../api/v1/projects/PA/stage-correction', { method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ reason: 'x' }) });
    return { status: r.status, body: await r.json() };
  }, tok('READER'));
  if (byHand.status !== 403 || !byHand.body.detail) fail(`the reader's correction by hand: ${JSON.stringify(byHand)}`);
  log(`reader: no forms; a correction by hand -> 403 ${JSON.stringify(byHand.body.detail)}`);

  // ---- the advisor: may acknowledge alerts, not correct
  const adv = await newPage('da-DK');
  await signIn(adv, '#/projects/PA', tok('ADVISOR'), 'PA — Tingbjerg etape 1');
  for (const id of ['#form-edit-project', '#form-correct-stage', '#form-remove-response-S-PA', '#form-clear-round-S-PA']) {
    if (await adv.$(id)) fail(`the advisor is offered ${id}`);
  }
  log('advisor: no correction forms');

  if (errors.length) fail(`errors on the pages: ${errors.join('; ')}`);
} catch (e) {
  await failed(e, current);
  status = 1;
} finally {
  await browser.close().catch(() => {});
}
process.exit(status);
