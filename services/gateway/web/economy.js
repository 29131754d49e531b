// trin — the economy of a project (issue 16): the project page's "economy"
// section, in place of app.js's plain one. Budgets A/B/C (and forecasts)
// with their lines on demand, MOLIO lines out of bounds, the drift A→B split
// into market / scope / unexplained (a drawing, aria-hidden, beside a table
// saying the same), and the forms of the budget service's requests for the
// roles its access table lets make them: create a budget, edit a draft's
// lines — one by one or by pasting rows copied from Excel —, submit,
// approve; and the lifecycle's price closing.
//
// PASTING FROM EXCEL: Excel puts a selection on the clipboard as text/plain,
// one row a line, cells separated by tabs, a cell holding a tab, a newline or
// a quote written in quotes ("a""b"). Amounts come as the sheet shows them:
// Danish "1.234.567,89", "-1.234,50", "1.234,-", with or without "kr.".
// Every row is read and checked here first, and shown in a preview with its
// errors (row and column named); only a paste without errors is saved, one
// SetBudgetLine per row. Money is handled as whole øre in BigInt, never as a
// float: 0.1 + 0.2 kroner must stay 30 øre.
'use strict';

addWords({
  da: {
    econBudgetA: 'Godkendt Skema A', econBudgetB: 'Skema B', econBudgetC: 'Skema C',
    econForecast: 'Prognose ved aflevering', econCosts: 'Afholdte omkostninger', econMolio: 'MOLIO-eftervisning',
    econMolioOk: 'Alle linjer inden for MOLIO-grænsen', econMolioBad: 'linjer over MOLIO-grænsen', econMolioBadOne: 'linje over MOLIO-grænsen',
    econMolioTitle: 'MOLIO-linjer over grænsen', econMolioOf: 'Prisbudget', econMolioSummary: 'linjer kontrolleret', econMolioSummaryOne: 'linje kontrolleret',
    econMolioDeduction: 'fradrag på referencepriserne', econMolioNone: 'Ingen linjer over MOLIO-grænsen.',
    econMolioNoRef: 'Ingen håndværkerlinjer med MOLIO-referencepris at kontrollere.',
    econLimit: 'Grænse', econReference: 'MOLIO-reference', econExcess: 'Overskridelse', econExcessTotal: 'Overskridelse i alt', econWithin: 'inden for', econOver: 'over med',
    econLinesOf: 'Linjer i', econLines: 'linjer', econNoLines: 'Budgettet har ingen linjer endnu.', econLoadFailed: 'Linjerne kunne ikke hentes',
    econLine: 'Linje', econCategory: 'Kategori', econPart: 'Bygningsdel',
    econDriftChart: 'Afvigelsen delt op', econPriceClosing: 'Prislukning',
    // forms
    econCreate: 'Opret et budget', econBudgetId: 'Budgettets id', econBudgetIdHint: 'Bogstaver, tal og . _ - :, f.eks. PA-C1',
    econPriceDate: 'Prisdato', econPaste: 'Indsæt linjer fra Excel', econPasteLabel: 'Rækker kopieret fra Excel',
    econPasteHint: 'Marker rækkerne i Excel, kopiér (Ctrl+C) og indsæt her (Ctrl+V). Kolonner: Nr., Kategori, Bygningsdel, Beskrivelse, Beløb, MOLIO-reference — eller en overskriftsrække med disse navne. Beløb i dansk talformat, f.eks. 1.234.567,89 eller 1.234,50 kr. Uden kategori er linjen håndværkerudgifter.',
    econPasteMode: 'De indsatte rækker', econReplace: 'erstatter budgettets linjer', econAdd: 'tilføjes til budgettets linjer',
    econPreview: 'Det bliver gemt', econPreviewRows: 'linjer', econPreviewRow: 'linje', econRow: 'Række', econColumn: 'kolonne',
    econPasteEmpty: 'Indsæt mindst én række fra Excel.', econPasteErrors: 'Ret rækkerne med fejl, før du gemmer',
    econErrorOne: 'fejl', econErrorMany: 'fejl', econHeaderFound: 'Første række er en overskrift og gemmes ikke.',
    econSetLine: 'Tilføj eller ret en linje', econLineId: 'Linjens id', econAmountKr: 'Beløb i kr.',
    econReferenceKr: 'MOLIO-referencepris i kr.', econRemoveLine: 'Fjern en linje',
    econWithdraw: 'Træk budget tilbage', econWithdrawHint: 'Det indsendte budget går tilbage til kladde, så linjerne kan rettes; indsend det igen bagefter.',
    econReopen: 'Genåbn budget', econReopenHint: 'Det godkendte budget går tilbage til kladde, så linjerne kan rettes; det indsendes og godkendes igen bagefter.',
    econWithdrawn: 'Budgettet er trukket tilbage og er igen en kladde.', econReopened: 'Budgettet er genåbnet og er igen en kladde.',
    econSubmit: 'Indsend budgettet', econApprove: 'Godkend budgettet', econApproveBHint: 'Når Skema B godkendes, lukkes prisen.',
    econClosePrice: 'Luk prisen', econClosePriceHint: 'Normalt lukkes prisen, når Skema B godkendes. Brug denne, når prisen er lukket uden for trin.',
    econReference2: 'Reference', econReferenceHint: 'F.eks. id på den godkendte Skema B',
    econSavingRow: 'Gemmer række', econRemoving: 'Fjerner linje',
    econBadNumber: 'er ikke et beløb (skriv f.eks. 1.234,50)', econNegative: 'må ikke være negativt',
    econRequired: 'mangler', econBadCategory: 'er ikke en kategori; brug en af', econBadId: 'er ikke et id (bogstaver, tal og . _ - :, højst 64 tegn)',
    econDuplicate: 'står også i række', econRefCraft: 'en MOLIO-reference hører kun til håndværkerudgifter',
    econTooManyCells: 'har flere celler end kolonner', econBadQuote: 'har et anførselstegn, der ikke lukkes',
    econTooLong: 'er for lang; højst', econBytes: 'tegn (bytes)', econSavedBefore: 'Rækkerne før den er gemt; ret rækken, og indsæt det hele igen.',
  },
  en: {
    econBudgetA: 'Approved Skema A', econBudgetB: 'Skema B', econBudgetC: 'Skema C',
    econForecast: 'Forecast at completion', econCosts: 'Costs to date', econMolio: 'MOLIO verification (eftervisning)',
    econMolioOk: 'All lines within the MOLIO limit', econMolioBad: 'lines over the MOLIO limit', econMolioBadOne: 'line over the MOLIO limit',
    econMolioTitle: 'MOLIO lines out of bounds', econMolioOf: 'Price budget', econMolioSummary: 'lines checked', econMolioSummaryOne: 'line checked',
    econMolioDeduction: 'deduction on the reference prices', econMolioNone: 'No line is over the MOLIO limit.',
    econMolioNoRef: 'No craft lines with a MOLIO reference price to check.',
    econLimit: 'Limit', econReference: 'MOLIO reference', econExcess: 'Excess', econExcessTotal: 'Total excess', econWithin: 'within', econOver: 'over by',
    econLinesOf: 'Lines of', econLines: 'lines', econNoLines: 'The budget has no lines yet.', econLoadFailed: 'The lines could not be loaded',
    econLine: 'Line', econCategory: 'Category', econPart: 'Building part',
    econDriftChart: 'The drift split up', econPriceClosing: 'Price closing',
    econCreate: 'Create a budget', econBudgetId: 'The budget\'s id', econBudgetIdHint: 'Letters, digits and . _ - :, e.g. PA-C1',
    econPriceDate: 'Price date', econPaste: 'Paste lines from Excel', econPasteLabel: 'Rows copied from Excel',
    econPasteHint: 'Select the rows in Excel, copy (Ctrl+C) and paste here (Ctrl+V). Columns: No., Category, Building part, Description, Amount, MOLIO reference — or a header row with these names. Amounts in Danish number format, e.g. 1.234.567,89 or 1.234,50 kr. (1,234,567.89 is read too). Without a category a line is craft costs.',
    econPasteMode: 'The pasted rows', econReplace: 'replace the budget\'s lines', econAdd: 'are added to the budget\'s lines',
    econPreview: 'What will be saved', econPreviewRows: 'lines', econPreviewRow: 'line', econRow: 'Row', econColumn: 'column',
    econPasteEmpty: 'Paste at least one row from Excel.', econPasteErrors: 'Correct the rows with errors before saving',
    econErrorOne: 'error', econErrorMany: 'errors', econHeaderFound: 'The first row is a header and is not saved.',
    econSetLine: 'Add or change a line', econLineId: 'The line\'s id', econAmountKr: 'Amount in DKK',
    econReferenceKr: 'MOLIO reference price in DKK', econRemoveLine: 'Remove a line',
    econWithdraw: 'Withdraw the budget', econWithdrawHint: 'The submitted budget goes back to draft so its lines can be changed; submit it again afterwards.',
    econReopen: 'Reopen the budget', econReopenHint: 'The approved budget goes back to draft so its lines can be changed; it is submitted and approved again afterwards.',
    econWithdrawn: 'The budget is withdrawn and a draft again.', econReopened: 'The budget is reopened and a draft again.',
    econSubmit: 'Submit the budget', econApprove: 'Approve the budget', econApproveBHint: 'Approving a Skema B closes the price.',
    econClosePrice: 'Close the price', econClosePriceHint: 'The price is normally closed when Skema B is approved. Use this when the price was closed outside trin.',
    econReference2: 'Reference', econReferenceHint: 'E.g. the approved Skema B\'s id',
    econSavingRow: 'Saving row', econRemoving: 'Removing line',
    econBadNumber: 'is not an amount (write e.g. 1.234,50)', econNegative: 'must not be negative',
    econRequired: 'is missing', econBadCategory: 'is not a category; use one of', econBadId: 'is not an id (letters, digits and . _ - :, at most 64 characters)',
    econDuplicate: 'is also in row', econRefCraft: 'a MOLIO reference belongs to craft costs only',
    econTooManyCells: 'has more cells than columns', econBadQuote: 'has a quote that is not closed',
    econTooLong: 'is too long; at most', econBytes: 'characters (bytes)', econSavedBefore: 'The rows before it are saved; correct the row and paste it all again.',
  },
});

const ECON_CATEGORIES = ['craft', 'advisor_fees', 'early_advice', 'management_fee', 'risk_pool', 'margin', 'fees_other', 'financing'];
Object.assign(TERMS.da, {
  lineCategory: { craft: 'Håndværkerudgifter', advisor_fees: 'Rådgiverhonorar', early_advice: 'Tidlig rådgivning (timer)',
    management_fee: 'Styringsgage', risk_pool: 'Risikopulje', margin: 'Dækningsgrad', fees_other: 'Gebyrer og øvrige omkostninger',
    financing: 'Finansiering' },
  econColumn: { id: 'Nr.', category: 'Kategori', building_part: 'Bygningsdel', description: 'Beskrivelse', amount: 'Beløb', molio: 'MOLIO-reference' },
});
Object.assign(TERMS.en, {
  lineCategory: { craft: 'Craft costs (håndværkerudgifter)', advisor_fees: 'Advisor fees (rådgiverhonorar)',
    early_advice: 'Early advice (hours)', management_fee: 'Management fee (styringsgage)', risk_pool: 'Risk pool (risikopulje)',
    margin: 'Margin (dækningsgrad)', fees_other: 'Fees and other costs', financing: 'Financing' },
  econColumn: { id: 'No.', category: 'Category', building_part: 'Building part', description: 'Description', amount: 'Amount', molio: 'MOLIO reference' },
});

// What the section remembers across the page being shown again (after a
// save, a live update): the budgets whose lines are open.
const econ = { open: new Set() };

// ---------------------------------------------------------------- reading a paste

// Excel's text/plain: rows of cells; quoted cells may hold tabs, newlines
// and doubled quotes. Each row keeps the number of the line it starts on, so
// an error names the row the person sees in the sheet they copied.
function econSplitSheet(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let badQuote = 0;
  const s = String(text).replace(/\r\n?/g, '\n');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false;
      else { if (c === '\n') line++; cell += c; }
    } else if (c === '"' && cell === '') {
      quoted = true;
    } else if (c === '\t') {
      row.push(cell); cell = '';
    } else if (c === '\n') {
      row.push(cell); rows.push({ n: rowLine, cells: row });
      row = []; cell = ''; line++; rowLine = line;
    } else cell += c;
  }
  if (quoted) badQuote = rowLine;
  if (cell !== '' || row.length) { row.push(cell); rows.push({ n: rowLine, cells: row }); }
  return { rows: rows.filter((r) => r.cells.some((x) => x.trim() !== '')), badQuote };
}

// A cell's amount -> øre as a decimal string, or {error}. Danish format is
// always read ("1.234.567,89", "-1.234,50", "1.234,-", "1234,5",
// "kr. 1.234"); the English UI also reads "1,234,567.89". Half øre and
// beyond are refused, not rounded: a budget line is what the sheet says.
function econAmount(text, lang = state.lang) {
  let s = String(text).replace(/[\s\u00a0\u202f']/g, '').replace(/\u2212/g, '-');
  s = s.replace(/^(kr\.?|dkk)/i, '').replace(/(kr\.?|dkk)$/i, '');
  let neg = false;
  if (/^[-+]/.test(s)) { neg = s[0] === '-'; s = s.slice(1); }
  s = s.replace(/^(kr\.?|dkk)/i, '');
  if (/^\d+(?:\.\d{3})*,-{1,2}$/.test(s)) s = s.replace(/,-+$/, '');
  let whole = null;
  let frac = '';
  let m;
  if ((m = /^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$/.exec(s))) {
    whole = m[1].replace(/\./g, ''); frac = m[2] || '';
  } else if (lang === 'en' && (m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(s))) {
    whole = m[1].replace(/,/g, ''); frac = m[2] || '';
  }
  if (whole === null) return { error: 'number' };
  const ore = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
  return { ore: (neg && ore !== 0n ? -ore : ore).toString() };
}

// Header names (lower case, punctuation left out) -> column.
const ECON_HEADS = {
  id: ['nr', 'nummer', 'id', 'linje', 'linjenr', 'løbenr', 'post', 'no', 'number', 'line'],
  category: ['kategori', 'category', 'art', 'omkostningsart', 'type'],
  building_part: ['bygningsdel', 'bygningsdele', 'buildingpart', 'part', 'sfb', 'bygdel'],
  description: ['beskrivelse', 'tekst', 'text', 'description', 'ydelse', 'arbejde'],
  amount: ['beløb', 'belob', 'amount', 'pris', 'price', 'beløbkr', 'kr', 'dkk', 'amountdkk', 'budget'],
  molio: ['molio', 'molioreference', 'moliopris', 'referencepris', 'reference', 'molioreferencepris'],
};
const ECON_DEFAULT_COLUMNS = {
  2: ['description', 'amount'],
  3: ['category', 'description', 'amount'],
  4: ['category', 'building_part', 'description', 'amount'],
  5: ['id', 'category', 'building_part', 'description', 'amount'],
  6: ['id', 'category', 'building_part', 'description', 'amount', 'molio'],
};
function econHeadKey(cell) {
  const h = cell.toLowerCase().replace(/[\s.:()_\-/]/g, '');
  for (const [k, names] of Object.entries(ECON_HEADS)) if (names.includes(h)) return k;
  return null;
}

function econCategory(text) {
  const s = text.trim().toLowerCase();
  if (s === '') return 'craft';
  for (const c of ECON_CATEGORIES) {
    if (s === c || s === TERMS.da.lineCategory[c].toLowerCase() || s === TERMS.en.lineCategory[c].toLowerCase()) return c;
    const da = TERMS.da.lineCategory[c].toLowerCase().replace(/ \(.*\)$/, '');
    const en = TERMS.en.lineCategory[c].toLowerCase().replace(/ \(.*\)$/, '');
    if (s === da || s === en) return c;
  }
  const short = { håndværker: 'craft', håndværk: 'craft', entreprise: 'craft', rådgiver: 'advisor_fees', rådgivning: 'advisor_fees',
                  honorar: 'advisor_fees', styring: 'management_fee', risiko: 'risk_pool', dækningsbidrag: 'margin',
                  gebyrer: 'fees_other', øvrige: 'fees_other', finansiering: 'financing' };
  return short[s] || null;
}

// The pasted text -> {lines: [{n, line}], errors: [{n, column, text}],
// header}. `taken` are ids already in the budget (for "add" mode: new
// lines get ids after them); ids are L1, L2, ... when the paste has none.
function econReadPaste(text, taken = []) {
  const { rows, badQuote } = econSplitSheet(text);
  const errors = [];
  const lines = [];
  if (badQuote) errors.push({ n: badQuote, column: null, text: t('econBadQuote') });
  if (!rows.length) return { lines, errors, header: false };
  let columns = null;
  let header = false;
  const first = rows[0].cells.map(econHeadKey);
  if (first.filter(Boolean).length >= 2 || (first.includes('amount') && first.length === 1)) {
    columns = first;
    header = true;
  }
  const body = header ? rows.slice(1) : rows;
  if (!columns) {
    const width = Math.max(...body.map((r) => r.cells.length));
    columns = ECON_DEFAULT_COLUMNS[Math.min(Math.max(width, 2), 6)];
  }
  const used = new Map();
  let next = 1;
  for (const id of taken) { const m = /^L(\d+)$/.exec(id); if (m) next = Math.max(next, Number(m[1]) + 1); }
  for (const r of body) {
    const cell = (k) => { const i = columns.indexOf(k); return i >= 0 && i < r.cells.length ? r.cells[i].trim() : ''; };
    const bad = (k, what) => errors.push({ n: r.n, column: k, text: what });
    const before = errors.length;
    if (r.cells.length > columns.length && r.cells.slice(columns.length).some((x) => x.trim() !== ''))
      bad(null, t('econTooManyCells'));
    const category = econCategory(cell('category'));
    if (!category) bad('category', `«${cell('category')}» ${t('econBadCategory')}: ${ECON_CATEGORIES.map((c) => term('lineCategory', c)).join(', ')}`);
    let amount = null;
    if (cell('amount') === '') bad('amount', t('econRequired'));
    else {
      const a = econAmount(cell('amount'));
      if (a.error) bad('amount', `«${cell('amount')}» ${t('econBadNumber')}`);
      else if (a.ore.startsWith('-')) bad('amount', `«${cell('amount')}» ${t('econNegative')}`);
      else amount = a.ore;
    }
    let molio = '0';
    if (cell('molio') !== '') {
      const a = econAmount(cell('molio'));
      if (a.error) bad('molio', `«${cell('molio')}» ${t('econBadNumber')}`);
      else if (a.ore.startsWith('-')) bad('molio', `«${cell('molio')}» ${t('econNegative')}`);
      else if (a.ore !== '0' && category && category !== 'craft') bad('molio', t('econRefCraft'));
      else molio = a.ore;
    }
    for (const [k, max] of [['building_part', 200], ['description', 2000]]) {
      if (new TextEncoder().encode(cell(k)).length > max) bad(k, `${t('econTooLong')} ${max} ${t('econBytes')}`);
    }
    let id = cell('id');
    if (id === '') {
      // none given: the next free L<n>, skipping ids written in the paste
      do { id = `L${next++}`; } while (body.some((x) => x.cells[columns.indexOf('id')] === id));
    } else if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(id)) {
      bad('id', `«${id}» ${t('econBadId')}`);
    }
    if (used.has(id)) bad('id', `«${id}» ${t('econDuplicate')} ${used.get(id)}`);
    else used.set(id, r.n);
    if (errors.length === before) {
      lines.push({ n: r.n, line: { id, category, building_part: cell('building_part'), description: cell('description'),
                                   amount_ore: amount, molio_reference_ore: molio } });
    }
  }
  return { lines, errors, header };
}

function econCount(n, one, many) { const k = Number(n || 0); return `${number(k)} ${k === 1 ? t(one) : t(many)}`; }
function econRowLabel(n) { return `${t('econRow')} ${n}`; }
function econErrorText(e) {
  const col = e.column ? `, ${t('econColumn')} «${term('econColumn', e.column)}»` : '';
  return `${econRowLabel(e.n)}${col}: ${e.text}`;
}
function econSum(lines) { return lines.reduce((s, x) => s + BigInt(x.line.amount_ore), 0n).toString(); }

// ---------------------------------------------------------------- the section

addProjectSection('economy', (c) => econSection(c));

async function econSection(c) {
  const p = c.p;
  const list = c.budgets && c.budgets.ok ? (c.budgets.data.budgets || []) : [];
  const [economy, model] = await Promise.all([
    api('GET', `/projects/${encodeURIComponent(c.id)}/economy`),
    p.partnership_id ? api('GET', `/partnerships/${encodeURIComponent(p.partnership_id)}/economic-model`) : null,
  ]);
  const ec = economy.ok && economy.data ? economy.data : null;
  const point = model && model.ok && model.data && model.data.model ? model.data.model.price_closing_point : '';
  const kids = [el('h2', { id: 'h-economy' }, t('budgets'))];
  if (ec && ec.figures) kids.push(econFigures(ec, p, point));
  kids.push(el('h3', { id: 'h-econ-budgets' }, t('budgetList')));
  if (!c.budgets || !c.budgets.ok) {
    kids.push(el('p', {}, `${t('budgetList')}: ${t('notAvailable')}`,
      c.budgets && c.budgets.data && c.budgets.data.detail ? ` (${c.budgets.data.detail})` : ''));
  } else if (!list.length) kids.push(el('p', {}, t('noBudgets')));
  else {
    kids.push(table(null, ['Id', t('kind'), t('date'), t('status'), t('total')],
      list.map((b) => ({ attrs: { id: `budget-${b.id}` }, cells: [b.id, term('budgetKind', b.kind), date(b.date),
        [term('budgetStatus', b.status), b.approved_on ? ` ${date(b.approved_on)}` : b.submitted_on ? ` ${date(b.submitted_on)}` : ''],
        money(b.total_ore)] })), [4]));
    kids.push(el('div', { class: 'econ-budgets' }, list.map((b) => econBudgetLines(p, b, list))));
  }
  if (may('budget/CreateBudget', p.client_org)) kids.push(econFormCreate(p, list));
  kids.push(econMolioPart(ec));
  kids.push(econDriftPart(c.drift, ec));
  if (!p.price_closed && may('lifecycle/ClosePrice', p.client_org)) kids.push(econFormClosePrice(p, list));
  return el('section', { 'aria-labelledby': 'h-economy', id: 'economy' }, kids);
}

function econFigures(ec, p, point) {
  const f = ec.figures;
  const known = (v) => v && v !== '0';
  const fc = ec.forecast;
  return facts([
    [t('econBudgetA'), known(f.budget_a_ore) ? money(f.budget_a_ore) : '—'],
    [t('econBudgetB'), known(f.budget_b_ore) ? money(f.budget_b_ore) : '—'],
    [t('econBudgetC'), known(f.budget_c_ore) ? money(f.budget_c_ore) : '—'],
    fc && known(fc.at_completion_ore) ? [t('econForecast'), money(fc.at_completion_ore)] : null,
    known(f.costs_to_date_ore) ? [t('econCosts'), money(f.costs_to_date_ore)] : null,
    ec.molio ? [t('econMolio'), f.molio_compliant ? `✓ ${t('econMolioOk')}`
      : `⚠ ${econCount(f.molio_failing_lines, 'econMolioBadOne', 'econMolioBad')}`] : null,
    // the lifecycle hears of a price closed by Skema B's approval a moment
    // after the budget service: either one saying so is enough here
    [t('econPriceClosing'), [p.price_closed || f.price_closed ? `${t('priceClosed')} ${date(p.price_closed_on || f.price_closed_on)}` : t('priceOpen'),
      point ? ` (${t('priceClosing').toLowerCase()}: ${term('priceClosing', point)})` : '']],
  ]);
}

// A budget's lines, read when opened (the list carries none); a draft's
// forms come with them, since they need its lines.
function econBudgetLines(p, b, list) {
  const body = el('div', { class: 'econ-lines-body' }, el('p', {}, t('loading')));
  const d = el('details', { class: 'econ-lines', id: `lines-${b.id}`, 'data-budget': b.id },
    el('summary', {}, `${t('econLinesOf')} ${term('budgetKind', b.kind)} ${b.id} (${term('budgetStatus', b.status)})`), body);
  let loaded = false;
  d.addEventListener('toggle', () => {
    if (d.open) econ.open.add(b.id); else econ.open.delete(b.id);
    if (d.open && !loaded) { loaded = true; econLoadLines(p, b, body, d, list); }
  });
  if (econ.open.has(b.id)) d.open = true;
  return d;
}

async function econLoadLines(p, b, body, d, list) {
  const id = encodeURIComponent(b.id);
  const [g, m] = await Promise.all([api('GET', `/budgets/${id}`), api('GET', `/budgets/${id}/molio`)]);
  if (!g.ok || !g.data || !g.data.budget) {
    body.replaceChildren(el('p', { class: 'error' }, `${t('econLoadFailed')}: ${(g.data && g.data.detail) || `HTTP ${g.status}`}`));
    return;
  }
  const full = g.data.budget;
  const lines = full.lines || [];
  const molio = new Map();
  if (m.ok && m.data) for (const x of m.data.lines || []) molio.set(x.line_id, x);
  const kids = [];
  if (!lines.length) kids.push(el('p', {}, t('econNoLines')));
  else {
    const molioCell = (l) => {
      const x = molio.get(l.id);
      if (!x) return '—';
      return x.passes ? `✓ ${t('econWithin')} (${t('econLimit').toLowerCase()} ${money(x.limit_ore)})`
        : el('span', { class: 'econ-over' }, `⚠ ${t('econOver')} ${money(x.excess_ore)}`);
    };
    kids.push(table(`${t('econLinesOf')} ${term('budgetKind', full.kind)} ${full.id}: ${lines.length} ${t('econLines')}, ${t('total').toLowerCase()} ${money(full.total_ore)}`,
      [t('econLine'), t('econCategory'), t('econPart'), t('description'), t('amount'), t('econReference'), t('econMolio')],
      lines.map((l) => ({ attrs: { 'data-line': l.id }, cells: [l.id, term('lineCategory', l.category), l.building_part || '—',
        l.description || '—', money(l.amount_ore), l.molio_reference_ore && l.molio_reference_ore !== '0' ? money(l.molio_reference_ore) : '—',
        molioCell(l)] })), [4, 5]));
  }
  const client = p.client_org;
  if (full.status === 'draft') {
    if (may('budget/SetBudgetLine', client)) kids.push(econFormPaste(p, full), econFormLine(p, full));
    if (lines.length && may('budget/RemoveBudgetLine', client)) kids.push(econFormRemove(p, full));
    if (may('budget/SubmitBudget', client)) kids.push(econFormSubmit(p, full));
  } else if (full.status === 'submitted' && econApprovable(full, list) && may('budget/ApproveBudget', client)) kids.push(econFormApprove(p, full));
  if (full.status === 'submitted' && may('budget/WithdrawBudget', client)) kids.push(econFormBack(p, full, 'withdraw'));
  if (full.status === 'approved' && econReopenable(p, full, list) && may('budget/ReopenBudget', client)) kids.push(econFormBack(p, full, 'reopen'));
  body.replaceChildren(...kids);
  d.dataset.loaded = 'true';
}

function econMolioPart(ec) {
  const kids = [el('h3', { id: 'h-econ-molio' }, t('econMolioTitle'))];
  const m = ec && ec.molio;
  if (!m || !m.budget_id) { kids.push(el('p', {}, t('econMolioNoRef'))); return kids; }
  kids.push(el('p', { id: 'molio-summary' }, `${t('econMolioOf')} ${m.budget_id}: ${econCount(m.lines_checked, 'econMolioSummaryOne', 'econMolioSummary')}, `,
    `${econCount(m.lines_failing, 'econMolioBadOne', 'econMolioBad')}; ${percentBp(m.deduction_bp || 0)} ${t('econMolioDeduction')}.`));
  const failing = (m.lines || []).filter((x) => !x.passes);
  if (!failing.length) kids.push(el('p', {}, `✓ ${t('econMolioNone')}`));
  else {
    kids.push(table(`${t('econMolioTitle')} (${m.budget_id})`,
      [t('econLine'), t('econPart'), t('amount'), t('econReference'), t('econLimit'), t('econExcess')],
      failing.map((x) => ({ attrs: { id: `molio-${x.line_id}` }, cells: [x.line_id, x.building_part || '—', money(x.amount_ore),
        money(x.reference_ore), money(x.limit_ore), el('span', { class: 'econ-over' }, `⚠ ${money(x.excess_ore)}`)] })), [2, 3, 4, 5]));
    kids.push(el('p', {}, `${t('econExcessTotal')}: ${money(m.excess_ore)}`));
  }
  return kids;
}

// ---------------------------------------------------------------- drift

// Bars from a zero line, one for each part and one for the whole drift;
// the table beside it carries every number in words.
function econDriftChart(d) {
  const parts = [
    ['market', t('market'), Number(d.market_ore), '#5b8fc4'],
    ['scope', t('scope'), Number(d.scope_ore), '#0b2e4f'],
    ['unexplained', t('unexplained'), Number(d.unexplained_ore), '#c45100'],
    ['total', `${t('total')} A→B`, Number(d.total_ore), '#4d4d4d'],
  ];
  const W = 480; const L = 190; const R = 10; const rowH = 42; const H = parts.length * rowH + 10;
  const max = Math.max(1, ...parts.map((x) => Math.abs(x[2])));
  const mid = L + (W - L - R) / 2;
  const half = (W - L - R) / 2 - 2;
  const g = svg('svg', { class: 'chart econ-chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, 'aria-hidden': 'true', focusable: 'false' });
  parts.forEach(([key, name, v, colour], i) => {
    const y = 4 + i * rowH;
    const w = Math.max(v ? 2 : 0, (Math.abs(v) / max) * half);
    // the name and the amount on the left, so no label runs past a long bar
    g.append(svg('text', { x: 0, y: y + 14, 'font-weight': key === 'total' ? 700 : 400 }, name.length > 30 ? `${name.slice(0, 29)}…` : name));
    g.append(svg('text', { x: 0, y: y + 31 }, `${v > 0 ? '+' : ''}${money(String(v))}`));
    g.append(svg('rect', { x: v < 0 ? mid - w : mid, y: y + 8, width: w, height: 20, fill: colour,
                           stroke: '#1a1a1a', 'stroke-width': key === 'total' ? 1.5 : 0.5, 'data-part': key }));
  });
  g.append(svg('line', { x1: mid, y1: 2, x2: mid, y2: H - 4, stroke: '#1a1a1a', 'stroke-width': 1 }));
  return g;
}

function econDriftPart(drift, ec) {
  const kids = [el('h3', { id: 'h-econ-drift' }, t('driftTitle'))];
  let d = drift && drift.ok && drift.data ? (drift.data.drift || drift.data) : null;
  if ((!d || !d.skema_a_id) && ec && ec.drift) d = ec.drift;
  if (!d || !d.skema_a_id) {
    kids.push(el('p', {}, t('noDrift'), drift && !drift.ok && drift.data && drift.data.detail ? ` (${drift.data.detail})` : ''));
    return kids;
  }
  const idx = (pt) => (pt && pt.date ? ` — ${d.index_series || ''} ${number(Number(pt.value_x100) / 100, 2)} (${date(pt.date)})` : '');
  const tbl = table(`${t('econDriftChart')}: Skema A ${d.skema_a_id} → Skema B ${d.skema_b_id}`, ['', t('amount'), '%'], [
    { attrs: { 'data-part': 'a' }, cells: [['Skema A', idx(d.index_a)], money(d.skema_a_ore), ''] },
    { attrs: { 'data-part': 'b' }, cells: [['Skema B', idx(d.index_b)], money(d.skema_b_ore), ''] },
    { attrs: { 'data-part': 'market' }, cells: [t('market'), money(d.market_ore), percentBp(d.market_bp || 0)] },
    { attrs: { 'data-part': 'scope' }, cells: [t('scope'), money(d.scope_ore), percentBp(d.scope_bp || 0)] },
    { attrs: { 'data-part': 'unexplained' }, cells: [t('unexplained'), money(d.unexplained_ore), percentBp(d.unexplained_bp || 0)] },
    { attrs: { 'data-part': 'total' }, cells: [`${t('total')} A→B`, money(d.total_ore), percentBp(d.total_bp || 0)] },
  ], [1, 2]);
  kids.push(el('div', { class: 'econ-drift', id: 'drift' }, econDriftChart(d), tbl));
  return kids;
}

// ---------------------------------------------------------------- forms

const econKinds = () => ['skema_a', 'skema_b', 'skema_c', 'forecast'].map((k) => [k, term('budgetKind', k)]);
const econBid = (b) => encodeURIComponent(b.id);

function econFormCreate(p, list) {
  let n = list.length + 1;
  while (list.some((b) => b.id === `${p.id}-${n}`)) n++;
  return actionForm('form-budget-create', t('econCreate'), [
    field(t('econBudgetId'), 'budget.id', 'text', { required: true, value: `${p.id}-${n}`, hint: t('econBudgetIdHint') }),
    field(t('kind'), 'budget.kind', 'select', { required: true, options: econKinds(), value: 'skema_c' }),
    field(t('econPriceDate'), 'budget.date', 'date', { required: true, value: today() }),
  ], async (v) => {
    const r = await api('POST', '/budgets', { budget: { id: v('budget.id'), project_id: p.id, kind: v('budget.kind'), date: v('budget.date') } });
    if (r.ok) econ.open.add(v('budget.id'));
    return r;
  });
}

// The paste form: a textarea taking Excel's rows, a preview of exactly
// what will be saved, and each row's errors by row and column.
function econFormPaste(p, b) {
  const taken = (b.lines || []).map((l) => l.id);
  const preview = el('div', { class: 'econ-preview', 'aria-live': 'polite', id: `paste-preview-${b.id}` });
  const fields = [
    field(t('econPasteLabel'), 'paste', 'textarea', { required: true, hint: t('econPasteHint') }),
    field(t('econPasteMode'), 'mode', 'select', { required: true, options: [['replace', t('econReplace')], ['add', t('econAdd')]] }),
    preview,
  ];
  const ta = fields[0].querySelector('textarea');
  ta.classList.add('econ-paste');
  ta.rows = 6;
  ta.setAttribute('spellcheck', 'false');
  ta.setAttribute('wrap', 'off');
  const show = () => {
    const got = econReadPaste(ta.value, fields[1].querySelector('select').value === 'add' ? taken : []);
    econPreview(preview, got, b);
    // an error said on saving goes once the rows read without one
    const said = document.getElementById(`${ta.id}-error`);
    if (!got.errors.length && said) { said.textContent = ''; said.hidden = true; ta.removeAttribute('aria-invalid'); }
  };
  // A paste is put in as text whatever the clipboard also holds (Excel
  // adds HTML and an image); reading it here works for a paste event a
  // script sends too, which a browser would not insert by itself.
  ta.addEventListener('paste', (ev) => {
    const text = ev.clipboardData && ev.clipboardData.getData('text/plain');
    if (!text) return;
    ev.preventDefault();
    ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, 'end');
    show();
  });
  ta.addEventListener('input', show);
  fields[1].querySelector('select').addEventListener('change', show);
  return actionForm(`form-paste-${b.id}`, t('econPaste'), fields, async (v) => {
    const add = v('mode') === 'add';
    const got = econReadPaste(ta.value, add ? taken : []);
    show();
    if (got.errors.length) throw { field: 'paste', detail: `${t('econPasteErrors')}: ${got.errors.map(econErrorText).join('; ')}` };
    if (!got.lines.length) throw { field: 'paste', detail: t('econPasteEmpty') };
    let r = null;
    for (const { n, line } of got.lines) {
      announce(`${t('econSavingRow')} ${n}`);
      r = await api('POST', `/budgets/${econBid(b)}/lines`, { line });
      if (!r.ok) return econRowRefusal(r, n, n !== got.lines[0].n);
    }
    if (!add) {
      const keep = new Set(got.lines.map((x) => x.line.id));
      for (const id of taken.filter((x) => !keep.has(x))) {
        announce(`${t('econRemoving')} ${id}`);
        r = await api('DELETE', `/budgets/${econBid(b)}/lines/${encodeURIComponent(id)}`);
        if (!r.ok) return r;
      }
    }
    econ.open.add(b.id);
    return r;
  });
}

// A refusal of one row: said beside the paste, naming the row.
function econRowRefusal(r, n, savedBefore) {
  if (r.status === 412 || r.status === 0) return r;
  const d = r.data || {};
  const f = d.field || '';
  const col = ['amount', 'molio', 'category', 'building_part', 'description'].find((k) => f.includes(k)) || (/(^|\.)id$/.test(f) ? 'id' : null);
  const said = econErrorText({ n, column: col, text: d.detail || d.title || `HTTP ${r.status}` });
  return { status: r.status, ok: false, data: { ...d, field: 'paste', detail: savedBefore ? `${said}. ${t('econSavedBefore')}` : said } };
}

function econPreview(box, got, b) {
  const kids = [];
  if (got.header) kids.push(el('p', { class: 'muted' }, t('econHeaderFound')));
  if (got.errors.length) {
    kids.push(el('div', { class: 'econ-errors', id: `paste-errors-${b.id}` },
      el('p', { class: 'error' }, `${got.errors.length} ${got.errors.length === 1 ? t('econErrorOne') : t('econErrorMany')}`),
      el('ul', {}, got.errors.map((e) => el('li', { 'data-row': e.n }, econErrorText(e))))));
  }
  if (got.lines.length) {
    const total = econSum(got.lines);
    kids.push(table(`${t('econPreview')}: ${got.lines.length} ${got.lines.length === 1 ? t('econPreviewRow') : t('econPreviewRows')}, ${t('total').toLowerCase()} ${money(total)}`,
      [t('econRow'), t('econLine'), t('econCategory'), t('econPart'), t('description'), t('amount'), t('econReference')],
      got.lines.map(({ n, line }) => ({ attrs: { 'data-row': n }, cells: [String(n), line.id, term('lineCategory', line.category),
        line.building_part || '—', line.description || '—', money(line.amount_ore),
        line.molio_reference_ore !== '0' ? money(line.molio_reference_ore) : '—'] })), [0, 5, 6]));
  }
  box.replaceChildren(...kids);
}

function econFormLine(p, b) {
  return actionForm(`form-line-${b.id}`, t('econSetLine'), [
    field(t('econLineId'), 'line.id', 'text', { required: true, hint: (b.lines || []).map((l) => l.id).join(', ') || null }),
    field(t('econCategory'), 'line.category', 'select', { required: true, options: ECON_CATEGORIES.map((c) => [c, term('lineCategory', c)]) }),
    field(t('econPart'), 'line.building_part', 'text'),
    field(t('description'), 'line.description', 'text'),
    field(t('econAmountKr'), 'line.amount_ore', 'text', { required: true, hint: t('amountHint'), inputmode: 'decimal' }),
    field(t('econReferenceKr'), 'line.molio_reference_ore', 'text', { hint: t('amountHint'), inputmode: 'decimal' }),
  ], (v) => {
    const amount = econAmount(v('line.amount_ore'));
    if (amount.error || amount.ore.startsWith('-') || v('line.amount_ore') === '') throw { field: 'line.amount_ore', detail: t('amountBad') };
    const ref = v('line.molio_reference_ore') === '' ? { ore: '0' } : econAmount(v('line.molio_reference_ore'));
    if (ref.error || ref.ore.startsWith('-')) throw { field: 'line.molio_reference_ore', detail: t('amountBad') };
    econ.open.add(b.id);
    return api('POST', `/budgets/${econBid(b)}/lines`, { line: { id: v('line.id'), category: v('line.category'),
      building_part: v('line.building_part'), description: v('line.description'), amount_ore: amount.ore, molio_reference_ore: ref.ore } });
  });
}

function econFormRemove(p, b) {
  return actionForm(`form-remove-${b.id}`, t('econRemoveLine'), [
    field(t('econLine'), 'line_id', 'select', { required: true,
      options: (b.lines || []).map((l) => [l.id, `${l.id} — ${l.description || term('lineCategory', l.category)} (${money(l.amount_ore)})`]) }),
  ], (v) => { econ.open.add(b.id); return api('DELETE', `/budgets/${econBid(b)}/lines/${encodeURIComponent(v('line_id'))}`); });
}

function econFormSubmit(p, b) {
  return actionForm(`form-submit-${b.id}`, t('econSubmit'), [
    field(t('date'), 'date', 'date', { required: true, value: today() }),
  ], (v) => api('POST', `/budgets/${econBid(b)}/submit`, { date: v('date') }));
}

// What ApproveBudget would take (budget_rules): a Skema B after an approved
// Skema A and only one approved B; a Skema C after an approved B. The
// service still decides; this only leaves out what it would refuse.
function econApprovable(b, list) {
  const approved = (kind) => list.some((x) => x.kind === kind && x.status === 'approved');
  if (b.kind === 'skema_b') return approved('skema_a') && !approved('skema_b');
  if (b.kind === 'skema_c') return approved('skema_b');
  return true;
}

function econFormApprove(p, b) {
  return actionForm(`form-approve-${b.id}`, t('econApprove'), [
    field(t('date'), 'date', 'date', { required: true, value: today(), hint: b.kind === 'skema_b' ? t('econApproveBHint') : null }),
  ], (v) => api('POST', `/budgets/${econBid(b)}/approve`, { date: v('date') }));
}

// What ReopenBudget would take (budget_rules): never the approved Skema B
// (approving it closed the price), a Skema A only while the price is open;
// the service still decides.
function econReopenable(p, b, list) {
  if (b.kind === 'skema_b') return false;
  if (b.kind === 'skema_a') return !p.price_closed && !list.some((x) => x.kind === 'skema_b' && x.status === 'approved');
  return true;
}

// Back to draft with a reason (issue 19): withdraw (submitted, the
// calculator) or reopen (approved, the client's writer).
function econFormBack(p, b, how) {
  const title = t(how === 'withdraw' ? 'econWithdraw' : 'econReopen');
  return actionForm(`form-${how}-${b.id}`, title, [
    el('p', { class: 'hint' }, t(how === 'withdraw' ? 'econWithdrawHint' : 'econReopenHint')),
    field(t('why'), 'reason', 'textarea', { required: true, hint: t('whyHint') }),
  ], (v) => { econ.open.add(b.id); return api('POST', `/budgets/${econBid(b)}/${how}`, { reason: v('reason') }); },
  t(how === 'withdraw' ? 'econWithdrawn' : 'econReopened'));
}

function econFormClosePrice(p, list) {
  const b = list.find((x) => x.kind === 'skema_b' && x.status === 'approved');
  return actionForm('form-close-price', t('econClosePrice'), [
    el('p', { class: 'hint' }, t('econClosePriceHint')),
    field(t('date'), 'date', 'date', { required: true, value: today() }),
    field(t('econReference2'), 'reference', 'text', { value: b ? b.id : '', hint: t('econReferenceHint') }),
  ], (v) => api('POST', `/projects/${encodeURIComponent(p.id)}/price-closing`, { date: v('date'), reference: v('reference') },
    { ifMatch: state.etag }));
}
