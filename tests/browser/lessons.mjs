// webapp.lessons, the browser half (started by tests/integration/
// test_webapp_lessons.c, which has every service and trin-gateway running,
// project PA (partnership LA, started 2025-03-01) with lesson L1 recorded by
// the contractor's calculator, project PB of LA (started 2025-09-01) that
// adopted it with a measured effect, and the personas' tokens in
// TRIN_APP_TOKEN_{WRITER,READER,CALCULATOR}). Debian's Chromium, headless,
// axe-core with the forms open:
//   - the writer (Danish) sees PA's lesson with its category in Danish, the
//     date as people read it and PB's adoption with the effect; a lesson
//     dated before the project's start is refused beside the date field;
//     a good one is recorded and shows;
//   - on PB the lesson adopted from PA shows; the writer adopts PA's new
//     lesson there, and PA shows it adopted;
//   - the status row's lesson counts show in the project's figures;
//   - the reader sees the lessons, no form;
//   - English words.
//
//   node lessons.mjs APP_URL CHROMIUM [SHOTS_DIR]
import { WAIT_MS, fail, harness, launch, nbsp, newPageIn, tok } from './common.mjs';

const { executablePath, log, axe: axeCheck, shot, signIn, go, failed } = harness('webapp.lessons');

async function text(page, sel) { return nbsp(await page.evaluate((s) => document.querySelector(s)?.innerText ?? '', sel)); }
async function waitIn(page, sel, want, what) {
  try {
    await page.waitForFunction(([s, w]) => (document.querySelector(s)?.innerText ?? '').replace(/\u00a0|\u202f/g, ' ').includes(w),
      [sel, want], { timeout: WAIT_MS, polling: 50 });
  } catch { fail(`${what}: ${JSON.stringify(want)} never appeared in ${sel}:\n${(await text(page, sel)).slice(0, 2500)}`); }
}
async function axe(page, what) {
  await page.$$eval('details', (ds) => ds.forEach((d) => { d.open = true; }));
  await axeCheck(page, what);
}
async function openForm(page, id) {
  await page.waitForSelector(`#${id}`, { timeout: WAIT_MS, state: 'attached' });
  await page.evaluate((x) => { document.getElementById(x).closest('details').open = true; }, id);
}
async function besideField(page, form, name) {
  const sel = `#${form} [data-field="${name}"]`;
  await page.waitForSelector(`${sel}[aria-invalid="true"]`, { timeout: WAIT_MS });
  return nbsp(await page.evaluate((s) => document.getElementById(`${document.querySelector(s).id}-error`).textContent, sel));
}

const SECTION = 'section[aria-labelledby="h-lessons"]';
const browser = await launch(executablePath);
const errors = [];
let current;
let status = 0;
try {
  // ---- the writer, Danish
  const da = current = await newPageIn(browser, 'da-DK', errors);
  await signIn(da, '#/projects/PA', tok('WRITER'), 'PA — PA');
  await waitIn(da, SECTION, 'Erfaringer fra projektet', 'the lessons section');
  const l1 = await text(da, '#lesson-L1');
  for (const want of ['Stilladset skal bestilles ved trin 2', 'Tid', '1. april 2025', 'PB overtaget 15. september 2025',
    'målt -9 dage (Tidsafvigelse (dage)) — Ingen ventetid på stillads']) {
    if (!l1.includes(want)) fail(`PA's lesson L1 lacks ${JSON.stringify(want)}: ${JSON.stringify(l1)}`);
  }
  await axe(da, 'project with lessons, forms open (da)');
  await shot(da, 'lessons-project-da', SECTION);
  log('writer: PA\'s lesson with PB\'s measured adoption, in Danish');

  // A lesson dated before the project's start: refused beside the date.
  await openForm(da, 'form-lesson');
  await da.fill('#form-lesson [data-field="lesson.id"]', 'L2');
  await da.fill('#form-lesson [data-field="lesson.text"]', 'Beboermøde i hver opgang før Skema A');
  await da.selectOption('#form-lesson [data-field="lesson.category"]', 'residents');
  await da.fill('#form-lesson [data-field="lesson.learned_on"]', '2025-02-01');
  await da.click('#form-lesson button[type="submit"]');
  const why = await besideField(da, 'form-lesson', 'lesson.learned_on');
  if (!why.includes("the project's start date")) fail(`the refusal beside the date: ${JSON.stringify(why)}`);
  await shot(da, 'lessons-refused-da', SECTION);
  await da.fill('#form-lesson [data-field="lesson.learned_on"]', '2025-05-20');
  await da.click('#form-lesson button[type="submit"]');
  await waitIn(da, '#lesson-L2', 'Beboermøde i hver opgang før Skema A', 'the new lesson L2');
  await waitIn(da, '#lesson-L2', 'Beboere', 'L2\'s category in Danish');
  await waitIn(da, '#lesson-L2', 'endnu ikke overtaget', 'L2 not adopted yet');
  // the status row's figures follow (the aggregator, then the live stream)
  await waitIn(da, '#figures', 'Erfaringer', 'the figures section');
  await waitIn(da, '#figures', '2 registreret, 0 overtaget fra andre projekter', 'PA\'s lesson counts on its row');
  await waitIn(da, '#figures', '25 af 40 husstande genhuset (0 permanent), 0 flyttet tilbage', 'PA\'s rehousing on its row');
  await waitIn(da, '#figures', '1 tiltag · 18.500 kg genbrugt, heraf 0 kg fra partnerskabets andre projekter · CO₂e 12,35 kg/m² sparet',
    'PA\'s sustainability on its row');
  await waitIn(da, '#figures', '15. januar 2027: voldgift efter opmandens afgørelse (AB18 § 68)', 'PA\'s next deadline');
  await shot(da, 'lessons-figures-da', '#figures');
  log('writer: a lesson before the start refused beside the date; L2 recorded');

  // ---- PB: what it adopted; it adopts L2 too.
  await go(da, '#/projects/PB', 'PB — Blok B');
  await waitIn(da, '#lessons-adopted', 'PA/L1', 'PB\'s adopted lessons');
  await openForm(da, 'form-adopt-lesson');
  await da.fill('#form-adopt-lesson [data-field="lesson_project_id"]', 'PA');
  await da.fill('#form-adopt-lesson [data-field="lesson_id"]', 'L2');
  await da.fill('#form-adopt-lesson [data-field="adoption.adopted_on"]', '2025-10-01');
  await da.fill('#form-adopt-lesson [data-field="adoption.effect"]', 'Færre klager i første uge');
  await da.click('#form-adopt-lesson button[type="submit"]');
  await waitIn(da, '#lessons-adopted', 'PA/L2', 'PB adopted L2');
  await axe(da, 'a project that adopted lessons (da)');
  await shot(da, 'lessons-adopted-da', SECTION);
  await go(da, '#/projects/PA', 'PA — PA');
  await waitIn(da, '#lesson-L2', 'PB overtaget 1. oktober 2025: Færre klager i første uge', 'PA shows L2 adopted');
  await go(da, '#/projects/PB', 'PB — Blok B');
  await waitIn(da, '#figures', '0 registreret, 2 overtaget fra andre projekter', 'PB\'s lesson counts on its row');
  log('writer: PB adopted L2 through the form; PA shows it');

  // ---- the reader: the lessons, no form
  const rd = current = await newPageIn(browser, 'da-DK', errors);
  await signIn(rd, '#/projects/PA', tok('READER'), 'PA — PA');
  await waitIn(rd, SECTION, 'Stilladset skal bestilles ved trin 2', 'the reader sees the lessons');
  if (await rd.$('#form-lesson') || await rd.$('#form-adopt-lesson')) fail('the reader is offered a lesson form');
  log('reader: lessons, no forms');

  // ---- English
  const en = current = await newPageIn(browser, 'en-GB', errors);
  await signIn(en, '#/projects/PA', tok('CALCULATOR'), 'PA — PA');
  await waitIn(en, SECTION, 'Lessons learned in the project', 'English lessons');
  await waitIn(en, '#lesson-L1', 'Schedule', 'English category');
  await waitIn(en, '#lesson-L1', 'measured -9 days', 'English effect');
  await axe(en, 'project with lessons (en)');
  await shot(en, 'lessons-project-en', SECTION);
  log('English: words and dates');

  if (errors.length) fail(`errors on the pages: ${errors.join('; ')}`);
} catch (e) {
  await failed(e, current, SECTION);
  status = 1;
} finally {
  await browser.close().catch(() => {});
}
process.exit(status);
