// webapp.economy, the browser half (started by tests/integration/
// test_webapp_economy.c, which has every service and trin-gateway running,
// project PA with an approved Skema A, a submitted Skema B, index points and
// a scope change, and the personas' tokens in TRIN_APP_TOKEN_{CALCULATOR,
// WRITER,READER}). Debian's Chromium, headless, axe-core with forms open:
//   - the calculator (Danish browser) sees the budgets, the MOLIO line out
//     of bounds and the drift A→B as a chart (aria-hidden) and a table;
//     a refusal of the budget service lands beside the field it names;
//     creates draft PA-C1; pastes rows from an Excel clipboard (a paste
//     event carrying text/plain TSV with decimal commas): a bad row is
//     named, then a good sheet is previewed in `1.234,50 kr.` and saved;
//   - the same in English (`DKK 1,234.50`), with the draft's forms open;
//   - the calculator submits PA-C1; the writer approves Skema B;
//   - the reader sees no economy form.
// The C half reads PA-C1 back through the HTTP API afterwards.
//
//   node economy.mjs APP_URL CHROMIUM [SHOTS_DIR]
// Exit status 0 = passed, 1 = failed (the reason on stderr).
import { WAIT_MS, fail, harness, launch, nbsp, newPageIn, tok } from './common.mjs';

const { base, executablePath, log, axe, shot: pageShot, failed } = harness('webapp.economy');

async function text(page, selector) {
  return nbsp(await page.evaluate((s) => document.querySelector(s)?.innerText ?? '', selector));
}
async function expectIn(page, selector, want, what) {
  try {
    await page.waitForFunction(([s, w]) => (document.querySelector(s)?.innerText ?? '').replace(/\u00a0|\u202f/g, ' ').includes(w),
      [selector, want], { timeout: WAIT_MS, polling: 50 });
  } catch {
    fail(`${what}: ${JSON.stringify(want)} is not in ${selector}:\n${(await text(page, selector)).slice(0, 2000)}`);
  }
}

// The economy section only: the rest of the project page is webapp.flow's.
const shot = (page, name) => pageShot(page, name, '#economy');

async function signIn(page, token) {
  await page.goto(`${base}#/projects/PA`, { waitUntil: 'load' });
  await page.waitForSelector('#token', { timeout: WAIT_MS });
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#economy', { timeout: WAIT_MS });
}

// Every <details> of the economy open, and every budget's lines read.
async function openEconomy(page) {
  await page.$$eval('#economy details', (ds) => ds.forEach((d) => { d.open = true; }));
  await page.waitForFunction(() => [...document.querySelectorAll('#economy details.econ-lines')].every((d) => d.dataset.loaded === 'true'),
    null, { timeout: WAIT_MS, polling: 50 });
  await page.$$eval('#economy details', (ds) => ds.forEach((d) => { d.open = true; }));
}

// What Excel puts on the clipboard, delivered as a paste event (the same
// event a person's Ctrl+V raises) into the form's textarea.
async function paste(page, formId, tsv) {
  await page.evaluate(([id, data]) => {
    const form = document.getElementById(id);
    form.closest('details').open = true;
    const ta = form.querySelector('textarea');
    ta.value = '';
    ta.focus();
    const dt = new DataTransfer();
    dt.setData('text/plain', data);
    dt.setData('text/html', '<table><tr><td>ignored</td></tr></table>');
    ta.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, [formId, tsv]);
}

async function submit(page, formId) {
  await page.evaluate((id) => { document.getElementById(id).closest('details').open = true; }, formId);
  await page.click(`#${formId} button[type="submit"]`);
}

const HEAD = 'Nr.\tKategori\tBygningsdel\tBeskrivelse\tBeløb\tMOLIO-reference\r\n';
const BAD = `${HEAD}1\tHåndværkerudgifter\t21 Ydervægge\tFacade\t1.234,50\t\r\n2\t\t\tTag\t12,3,4\t\r\n`;
const GOOD = `${HEAD}1\tHåndværkerudgifter\t21 Ydervægge\t"Facade, nord"\t1.234.567,89 kr.\t1.300.000,00\r\n` +
  '2\tHåndværkerudgifter\t27 Tage\t"Tag og ""inddækning"""\t987.654,32\t\r\n' +
  '3\tRådgiverhonorar\t\tRådgivning\t45.000,5\t\r\n';

const browser = await launch(executablePath);
let status = 0;
let current = null;
try {
  const errors = [];
  const newPage = async (locale) => (current = await newPageIn(browser, locale, errors));

  // ---- the calculator, Danish
  const da = await newPage('da-DK');
  await signIn(da, tok('CALCULATOR'));
  await da.waitForSelector('#budget-PA-A', { timeout: WAIT_MS });
  await expectIn(da, '#budget-PA-A', 'Godkendt', 'Skema A approved');
  await expectIn(da, '#budget-PA-A', '33.000.000,00 kr.', 'Skema A total');
  await expectIn(da, '#budget-PA-B', 'Indsendt', 'Skema B submitted');

  // the amounts a sheet holds, read as øre (BigInt, never a float)
  const cases = [['1.234.567,89', '123456789'], ['-1.234,50', '-123450'], ['1.234,50 kr.', '123450'], ['kr. 45.000,5', '4500050'],
                 ['1.234,-', '123400'], ['0,1', '10'], ['1 234,50', '123450'], ['12,3,4', null], ['1,234.50', null], ['12,345', null], ['', null]];
  const got = await da.evaluate((cs) => cs.map(([x]) => econAmount(x).ore ?? null), cases);
  cases.forEach(([x, want], i) => { if (got[i] !== want) fail(`econAmount(${JSON.stringify(x)}) = ${got[i]}, not ${want}`); });
  log(`${cases.length} amounts in Danish format read to the øre`);
  const long = await da.evaluate((tsv) => econReadPaste(tsv).errors.map(econErrorText), `${HEAD}1\t\t${'x'.repeat(201)}\tTag\t1,00\r\n`);
  if (long.length !== 1 || !long[0].startsWith('Række 2, kolonne «Bygningsdel»: er for lang')) fail(`a long building part: ${JSON.stringify(long)}`);

  // MOLIO: the price budget (Skema B) has the facade over its limit
  await da.waitForSelector('#molio-h1', { timeout: WAIT_MS });
  await expectIn(da, '#molio-h1', '2.100.000,00 kr.', 'the MOLIO excess of line h1');
  // the drift: A 33 mio. → B 34,9 mio.; index 100 → 104; scope +500.000
  await da.waitForSelector('#drift svg.chart[aria-hidden="true"] rect[data-part="market"]', { timeout: WAIT_MS });
  await expectIn(da, '#drift tr[data-part="market"]', '1.320.000,00 kr.', 'the market part of the drift');
  await expectIn(da, '#drift tr[data-part="scope"]', '500.000,00 kr.', 'the scope part');
  await expectIn(da, '#drift tr[data-part="unexplained"]', '80.000,00 kr.', 'the unexplained part');
  await expectIn(da, '#drift tr[data-part="total"]', '1.900.000,00 kr.', 'the whole drift');
  await expectIn(da, '#drift', 'Markedsudvikling', 'Danish drift words');
  log(`drift: ${(await text(da, '#drift table')).replace(/\s+/g, ' ').slice(0, 300)}`);
  await shot(da, 'economy-da');

  // a refusal of the service, beside the field it names
  await da.evaluate(() => { document.getElementById('form-budget-create').closest('details').open = true; });
  await da.fill('#form-budget-create [data-field="budget.id"]', 'PA-A');
  await submit(da, 'form-budget-create');
  await da.waitForSelector('#form-budget-create .error:not([hidden])', { timeout: WAIT_MS });
  const refusal = await da.evaluate(() => {
    const e = document.querySelector('#form-budget-create .error:not([hidden])');
    const input = document.querySelector('#form-budget-create [aria-invalid="true"]');
    return { text: e.textContent, beside: !e.classList.contains('form-error'), field: input ? input.dataset.field : null };
  });
  log(`a budget id taken: ${JSON.stringify(refusal)}`);
  if (!refusal.beside || refusal.field !== 'budget.id') fail(`the refusal is not beside budget.id: ${JSON.stringify(refusal)}`);

  // a draft Skema C, made in the browser; its lines open by themselves
  await da.fill('#form-budget-create [data-field="budget.id"]', 'PA-C1');
  await da.selectOption('#form-budget-create [data-field="budget.kind"]', 'skema_c');
  await da.fill('#form-budget-create [data-field="budget.date"]', '2026-11-20');
  await submit(da, 'form-budget-create');
  await da.waitForSelector('#lines-PA-C1[data-loaded="true"] #form-paste-PA-C1', { timeout: WAIT_MS, state: 'attached' });
  await expectIn(da, '#budget-PA-C1', 'Kladde', 'the new draft');

  // a sheet with a bad amount: the row and the column are named
  await paste(da, 'form-paste-PA-C1', BAD);
  await expectIn(da, '#paste-errors-PA-C1', 'Række 3, kolonne «Beløb»: «12,3,4» er ikke et beløb', 'the bad row in the preview');
  await submit(da, 'form-paste-PA-C1');
  const pasteError = await da.evaluate(() => {
    const ta = document.querySelector('#form-paste-PA-C1 textarea');
    const e = document.getElementById(`${ta.id}-error`);
    return { text: e.hidden ? '' : e.textContent, invalid: ta.getAttribute('aria-invalid') };
  });
  if (!pasteError.text.includes('Række 3') || pasteError.invalid !== 'true') fail(`the bad row is not said beside the paste: ${JSON.stringify(pasteError)}`);
  log(`a bad row: ${pasteError.text}`);

  // the good sheet: previewed in Danish kroner, then saved
  await paste(da, 'form-paste-PA-C1', GOOD);
  await expectIn(da, '#paste-preview-PA-C1', '1.234.567,89 kr.', 'the preview of row 2');
  await expectIn(da, '#paste-preview-PA-C1', '45.000,50 kr.', 'the preview of row 4');
  await expectIn(da, '#paste-preview-PA-C1', 'Tag og "inddækning"', 'a quoted cell');
  await expectIn(da, '#paste-preview-PA-C1', 'i alt 2.267.222,71 kr.', 'the preview total');
  if (await da.$('#paste-errors-PA-C1')) fail('a good sheet has errors');
  if (await da.$('#form-paste-PA-C1 textarea[aria-invalid]')) fail('the bad sheet\'s error stays after a good paste');
  await openEconomy(da);
  await shot(da, 'economy-paste-da');
  await axe(da, 'the economy with every form open (da)');
  await submit(da, 'form-paste-PA-C1');
  await da.waitForSelector('#lines-PA-C1[data-loaded="true"] tr[data-line="3"]', { timeout: WAIT_MS });
  await expectIn(da, '#lines-PA-C1', '3 linjer, i alt 2.267.222,71 kr.', 'the saved lines');
  await expectIn(da, '#budget-PA-C1', '2.267.222,71 kr.', 'the budget list total');
  log('pasted and saved: 3 lines, 2.267.222,71 kr.');

  // a line the service refuses (its building part is over 200 bytes): said
  // beside the field the refusal names, nothing saved
  await da.evaluate(() => { document.getElementById('form-line-PA-C1').closest('details').open = true; });
  await da.fill('#form-line-PA-C1 [data-field="line.id"]', 'L9');
  await da.fill('#form-line-PA-C1 [data-field="line.building_part"]', 'Ydervægge '.repeat(25));
  await da.fill('#form-line-PA-C1 [data-field="line.amount_ore"]', '1.000,00');
  await submit(da, 'form-line-PA-C1');
  await da.waitForSelector('#form-line-PA-C1 [data-field="line.building_part"][aria-invalid="true"]', { timeout: WAIT_MS });
  const lineRefusal = await da.evaluate(() => {
    const i = document.querySelector('#form-line-PA-C1 [data-field="line.building_part"]');
    return document.getElementById(`${i.id}-error`).textContent;
  });
  log(`a building part too long, refused by the service: ${lineRefusal}`);

  // ---- the calculator, English, with the draft's forms open
  const en = await newPage('en-GB');
  await signIn(en, tok('CALCULATOR'));
  await openEconomy(en);
  await expectIn(en, '#lines-PA-C1', 'DKK 1,234,567.89', 'English amounts');
  await expectIn(en, '#drift', 'Market (index)', 'English drift words');
  await paste(en, 'form-paste-PA-C1', GOOD.replace('45.000,5', '1,250.75'));
  await expectIn(en, '#paste-preview-PA-C1', 'DKK 1,250.75', 'an English amount in the English preview');
  await paste(en, 'form-paste-PA-C1', BAD);
  await expectIn(en, '#paste-errors-PA-C1', 'Row 3, column «Amount»: «12,3,4» is not an amount', 'an English row error');
  await shot(en, 'economy-en');
  await axe(en, 'the economy with every form open (en)');
  await en.context().close();
  current = da;

  // ---- the calculator submits the draft
  await da.evaluate(() => { document.getElementById('form-submit-PA-C1').closest('details').open = true; });
  await submit(da, 'form-submit-PA-C1');
  await expectIn(da, '#budget-PA-C1', 'Indsendt', 'PA-C1 submitted');

  // ---- the writer approves Skema B (which closes the price)
  const w = await newPage('da-DK');
  await signIn(w, tok('WRITER'));
  await w.waitForSelector('#form-close-price', { timeout: WAIT_MS, state: 'attached' });
  await openEconomy(w);
  await w.waitForSelector('#form-approve-PA-B', { timeout: WAIT_MS, state: 'attached' });
  if (await w.$('#economy #form-budget-create, #economy [id^="form-paste-"]')) fail('the writer is offered the calculator\'s forms');
  // Skema C waits for an approved Skema B: not offered before
  if (await w.$('#form-approve-PA-C1')) fail('approving Skema C is offered before Skema B is approved');
  await axe(w, 'the economy with the writer\'s forms open (da)');
  await shot(w, 'economy-writer-da');
  await submit(w, 'form-approve-PA-B');
  await expectIn(w, '#budget-PA-B', 'Godkendt', 'PA-B approved');
  await w.waitForSelector('#lines-PA-C1[data-loaded="true"] #form-approve-PA-C1', { timeout: WAIT_MS, state: 'attached' });
  log('the writer approved Skema B in the browser');

  // ---- the reader: everything to read, no form
  const r = await newPage('da-DK');
  await signIn(r, tok('READER'));
  await openEconomy(r);
  await r.waitForSelector('#lines-PA-C1 tr[data-line="1"]', { timeout: WAIT_MS });
  const forms = await r.$$eval('#economy form', (fs) => fs.map((f) => f.id));
  if (forms.length) fail(`the reader is offered economy forms: ${forms.join(', ')}`);
  await axe(r, 'the economy as the reader (da)');
  await shot(r, 'economy-reader-da');
  log('the reader sees no economy form');

  if (errors.length) fail(`errors on the pages: ${errors.join('; ')}`);
} catch (e) {
  await failed(e, current, '#economy');
  if (current) {
    const lines = await current.evaluate(() => [...document.querySelectorAll('details.econ-lines')]
      .map((d) => `${d.id} open=${d.open} loaded=${d.dataset.loaded}`).join('; ')).catch(() => '');
    console.error(`webapp.economy: the budgets' lines: ${lines}`);
  }
  status = 1;
} finally {
  await browser.close().catch(() => {});
}
process.exit(status);
