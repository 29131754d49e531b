// trin — key figures (nøgletal) and benchmarking (issue 16), from the
// benchmark service through the gateway:
//   - the project page's "keyfigures" section: the portfolio key figures of
//     the project's client organisation (the benchmark service ranks
//     organisations, not single projects) with its rank among the
//     organisations that have a value — where the service shows it;
//   - the page #/benchmark (?figure=&year=&type=&size_band=): one figure's
//     distribution as a box plot with every organisation as a dot and the
//     viewer's own organisation marked by shape and the word "you", the
//     table that says the same in text, the viewer's rank history over the
//     years, and for portfolio figures projects inside against outside
//     partnerships.
// What the service withholds stays withheld, and the page says why in
// words: a group below the minimum (default 5 organisations, or projects
// for the partnership comparison) shows no distribution and no one else's
// value; another organisation appears by name only when both it and the
// viewer agreed to open benchmarking — otherwise "anonymous #k". The viewer
// is the signed-in person's organisation, decided by the service, never
// sent from here.
//
// The operator (ImportCsv: admin only) uploads key figures' CSV
// (properties or measures, docs/benchmark.md) on the page; uploadForm()
// and fileBase64() come from survey.js.
'use strict';

addWords({
  da: {
    bmNav: 'Nøgletal', bmTitle: 'Nøgletal og benchmark', bmKeyFigures: 'Nøgletal og placering',
    bmProjectIntro: 'Nøgletallene gælder bygherren {client}s projekter under ét: benchmark sammenligner organisationer, ikke enkelte projekter. Placering 1 er bedst.',
    bmFigure: 'Nøgletal', bmValue: 'Værdi', bmRank: 'Placering', bmRankOf: '{rank} af {n}', bmMedian: 'Median', bmWhy: 'Bemærkning',
    bmPercentile: 'Percentil', bmOrg: 'Organisation', bmProperties: 'Ejendomme/projekter', bmYear: 'År', bmCurrent: 'Nu (aktuelle værdier)',
    bmPeerType: 'Ejendomstype', bmSizeBand: 'Størrelse', bmAny: 'Alle', bmShow: 'Vis', bmChoose: 'Vælg nøgletal',
    bmWhySuppressed: 'Vises ikke: færre end {min} organisationer har en værdi, og med så få kunne tallet føres tilbage til den enkelte.',
    bmWhyOwnOnly: 'Jeres egen værdi; placering og median vises først, når mindst {min} organisationer har en værdi.',
    bmWhyAnonymous: 'Vises ikke: {client} vises kun anonymt for jer. Navne vises kun, når både {client} og jeres organisation har sagt ja til åben benchmarking.',
    bmWhyNoValue: '{client} har ingen værdi for dette nøgletal.', bmWhyRefused: 'Ikke tilgængeligt: {detail}',
    bmNoFigures: 'Nøgletallene er ikke tilgængelige.', bmMore: 'Se fordelingen og udviklingen på siden Nøgletal',
    bmLower: 'Lavere er bedre.', bmHigher: 'Højere er bedre.', bmYou: 'jer', bmYouLong: 'jeres organisation', bmAnonymous: 'anonym #{k}',
    bmDistribution: 'Fordeling', bmStats: 'Fordelingen i tal', bmEntries: 'Organisationerne, bedste først',
    bmN: 'Organisationer', bmMin: 'Mindste', bmQ1: 'Nedre kvartil', bmQ3: 'Øvre kvartil', bmMax: 'Største', bmMean: 'Gennemsnit',
    bmSuppressedPage: 'Fordelingen vises ikke: færre end {min} organisationer har en værdi {when}. Med så få kunne tallene føres tilbage til den enkelte organisation.',
    bmYourValue: 'Jeres værdi: {value}.', bmNoOwnValue: 'Jeres organisation har ingen værdi {when}.',
    bmNoData: 'Ingen organisation har en værdi {when}.', bmWhenNow: 'lige nu', bmWhenYear: 'i {year}',
    bmHistory: 'Jeres placering over årene', bmHistoryNone: 'Jeres organisation har ingen værdier i årene {from}–{to}.',
    bmHistoryHidden: 'skjult: færre end {min} organisationer', bmNoValue: 'ingen værdi',
    bmCompare: 'Projekter i og uden for partnerskaber', bmInside: 'I partnerskaber', bmOutside: 'Uden for partnerskaber',
    bmProjects: 'Projekter med værdi', bmDifference: 'Forskel (i − uden for)',
    bmSideHidden: 'Vises ikke: {p} projekter har en værdi – færre end de {min}, der skal til.',
    bmSideHidden1: 'Vises ikke: 1 projekt har en værdi – færre end de {min}, der skal til.',
    bmAnonNote: 'Andre organisationer vises med navn, når både de og jeres organisation har sagt ja til åben benchmarking; ellers som »anonym«.',
    bmUpload: 'Indlæs nøgletal fra CSV', bmKind: 'Indhold', bmKindProperties: 'Ejendomme (stamdata)', bmKindMeasures: 'Målinger pr. år',
    bmFile: 'CSV-fil', bmFileHint: 'UTF-8, komma eller semikolon, med overskriftslinje; kolonnerne står i docs/benchmark.md. Hele filen indlæses, eller intet.',
    bmImported: '{rows} rækker indlæst ({properties} ejendomme).', bmGroupProperty: 'Ejendomme', bmGroupPortfolio: 'Projektporteføljen',
  },
  en: {
    bmNav: 'Key figures', bmTitle: 'Key figures and benchmark', bmKeyFigures: 'Key figures and rank',
    bmProjectIntro: 'The key figures are those of the client {client}\'s projects taken together: the benchmark compares organisations, not single projects. Rank 1 is best.',
    bmFigure: 'Key figure', bmValue: 'Value', bmRank: 'Rank', bmRankOf: '{rank} of {n}', bmMedian: 'Median', bmWhy: 'Note',
    bmPercentile: 'Percentile', bmOrg: 'Organisation', bmProperties: 'Properties/projects', bmYear: 'Year', bmCurrent: 'Now (current values)',
    bmPeerType: 'Property type', bmSizeBand: 'Size', bmAny: 'All', bmShow: 'Show', bmChoose: 'Choose a key figure',
    bmWhySuppressed: 'Not shown: fewer than {min} organisations have a value, and with so few the figure could be traced to one of them.',
    bmWhyOwnOnly: 'Your own value; rank and median are shown once at least {min} organisations have a value.',
    bmWhyAnonymous: 'Not shown: {client} is shown to you only anonymously. Names are shown only when both {client} and your organisation have agreed to open benchmarking.',
    bmWhyNoValue: '{client} has no value for this key figure.', bmWhyRefused: 'Not available: {detail}',
    bmNoFigures: 'The key figures are not available.', bmMore: 'See the distribution and the years on the Key figures page',
    bmLower: 'Lower is better.', bmHigher: 'Higher is better.', bmYou: 'you', bmYouLong: 'your organisation', bmAnonymous: 'anonymous #{k}',
    bmDistribution: 'Distribution', bmStats: 'The distribution in figures', bmEntries: 'The organisations, best first',
    bmN: 'Organisations', bmMin: 'Lowest', bmQ1: 'Lower quartile', bmQ3: 'Upper quartile', bmMax: 'Highest', bmMean: 'Mean',
    bmSuppressedPage: 'The distribution is not shown: fewer than {min} organisations have a value {when}. With so few, the figures could be traced to a single organisation.',
    bmYourValue: 'Your value: {value}.', bmNoOwnValue: 'Your organisation has no value {when}.',
    bmNoData: 'No organisation has a value {when}.', bmWhenNow: 'at present', bmWhenYear: 'in {year}',
    bmHistory: 'Your rank over the years', bmHistoryNone: 'Your organisation has no values in {from}–{to}.',
    bmHistoryHidden: 'hidden: fewer than {min} organisations', bmNoValue: 'no value',
    bmCompare: 'Projects inside and outside partnerships', bmInside: 'Inside partnerships', bmOutside: 'Outside partnerships',
    bmProjects: 'Projects with a value', bmDifference: 'Difference (inside − outside)',
    bmSideHidden: 'Not shown: {p} projects have a value — fewer than the {min} needed.',
    bmSideHidden1: 'Not shown: 1 project has a value — fewer than the {min} needed.',
    bmAnonNote: 'Other organisations are named when both they and your organisation have agreed to open benchmarking; otherwise "anonymous".',
    bmUpload: 'Upload key figures from CSV', bmKind: 'Contents', bmKindProperties: 'Properties (master data)', bmKindMeasures: 'Yearly measures',
    bmFile: 'CSV file', bmFileHint: 'UTF-8, comma or semicolon separated, with a header line; the columns are in docs/benchmark.md. The whole file is stored, or nothing.',
    bmImported: '{rows} rows stored ({properties} properties).', bmGroupProperty: 'Properties', bmGroupPortfolio: 'Project portfolio',
  },
});

const BM_NAMES = {
  da: {
    cost_per_m2: 'Udgifter pr. m²', energy_per_m2: 'Energiforbrug pr. m²', electricity_per_m2: 'Elforbrug pr. m²',
    heat_per_m2: 'Varmeforbrug pr. m²', water_per_m2: 'Vandforbrug pr. m²', weighted_maintenance_grade: 'Vedligeholdelsesstand (vægtet karakter)',
    indoor_climate_class: 'Indeklimaklasse', anvendelsesgrad: 'Anvendelsesgrad', udnyttelsesgrad: 'Udnyttelsesgrad',
    understoettelsesgrad: 'Understøttelsesgrad', budget_drift_pct: 'Budgetafvigelse Skema A→B',
    market_adjusted_drift_pct: 'Budgetafvigelse renset for markedsudvikling', schedule_variance_days: 'Tidsafvigelse ved aflevering',
    latest_satisfaction: 'Seneste tilfredshed', open_disputes: 'Åbne tvister pr. projekt', defects_per_dwelling: 'Åbne fejl og mangler pr. bolig',
  },
  en: {
    cost_per_m2: 'Cost per m²', energy_per_m2: 'Energy per m²', electricity_per_m2: 'Electricity per m²',
    heat_per_m2: 'Heat per m²', water_per_m2: 'Water per m²', weighted_maintenance_grade: 'Maintenance condition (weighted grade)',
    indoor_climate_class: 'Indoor climate class', anvendelsesgrad: 'Use rate (anvendelsesgrad)', udnyttelsesgrad: 'Utilisation (udnyttelsesgrad)',
    understoettelsesgrad: 'Support rate (understøttelsesgrad)', budget_drift_pct: 'Budget drift Skema A→B',
    market_adjusted_drift_pct: 'Market-adjusted budget drift', schedule_variance_days: 'Schedule variance at handover (aflevering)',
    latest_satisfaction: 'Latest satisfaction', open_disputes: 'Open disputes (tvister) per project', defects_per_dwelling: 'Open defects (fejl og mangler) per dwelling',
  },
};
const BM_UNITS = {
  da: { 'DKK/m2': 'kr./m²', 'kWh/m2': 'kWh/m²', 'l/m2': 'l/m²', grade: '', class: '', '%': '%', days: 'dage', points: 'point', 'per project': '', 'per dwelling': '' },
  en: { 'DKK/m2': 'DKK/m²', 'kWh/m2': 'kWh/m²', 'l/m2': 'l/m²', grade: '', class: '', '%': '%', days: 'days', points: 'points', 'per project': '', 'per dwelling': '' },
};
const BM_TYPES = ['school', 'day_care', 'administration', 'housing_department', 'other'];
const BM_BANDS = ['small', 'medium', 'large', 'very_large'];
const BM_TERMS = {
  da: { school: 'Skole', day_care: 'Daginstitution', administration: 'Administration', housing_department: 'Boligafdeling', other: 'Andet',
        small: 'Under 1.000 m²', medium: '1.000–4.999 m²', large: '5.000–19.999 m²', very_large: '20.000 m² og derover' },
  en: { school: 'School', day_care: 'Day care', administration: 'Administration', housing_department: 'Housing department', other: 'Other',
        small: 'Under 1,000 m²', medium: '1,000–4,999 m²', large: '5,000–19,999 m²', very_large: '20,000 m² and above' },
};

const bmName = (def) => BM_NAMES[state.lang][def.name] || def.name;
const bmTerm = (v) => BM_TERMS[state.lang][v] || v;
// an integer at the figure's scale, in the reader's format with its unit
function bmValue(def, v) {
  if (v === null || v === undefined || v === '') return '—';
  const unit = BM_UNITS[state.lang][def.unit] ?? def.unit;
  const s = number(Number(v) / 10 ** def.scale, def.scale);
  return unit ? `${s} ${unit}` : s;
}
function bmLabel(e) {
  const m = /^anonymous #(\d+)$/.exec(e.label || '');
  if (m) return tf('bmAnonymous', { k: m[1] });
  return e.label || e.org_id || '—';
}
const bmYearName = (y) => (Number(y) ? String(y) : t('bmCurrent'));
const thisYear = () => new Date().getUTCFullYear();

let bmFiguresCache = null;
async function bmFigures() {
  if (bmFiguresCache) return { ok: true, figures: bmFiguresCache };
  const r = await api('GET', '/benchmark/figures');
  if (!r.ok || !r.data) return { ok: false, r };
  bmFiguresCache = r.data.figures || [];
  return { ok: true, figures: bmFiguresCache };
}

// ---------------------------------------------------------------- project section

async function sectionKeyFigures(c) {
  const p = c.p;
  const client = p.client_org;
  const kids = [el('h2', { id: 'h-keyfigures' }, t('bmKeyFigures'))];
  const got = await bmFigures();
  if (!got.ok) {
    kids.push(el('p', {}, t('bmNoFigures'), got.r.data && got.r.data.detail ? ` (${got.r.data.detail})` : ''));
    return el('section', { 'aria-labelledby': 'h-keyfigures' }, kids);
  }
  const portfolio = got.figures.filter((f) => f.kind === 'portfolio');
  const reports = await Promise.all(portfolio.map((f) => api('POST', '/benchmark/QueryFigure', { figure: f.name, year: 0 })));
  const mine = state.me && state.me.organisation === client;
  const rows = portfolio.map((def, i) => {
    const r = reports[i];
    const name = link('/benchmark', { figure: def.name }, bmName(def));
    if (!r.ok || !r.data) return { attrs: { 'data-figure': def.name }, cells: [name, '—', '—', '—', tf('bmWhyRefused', { detail: (r.data && r.data.detail) || `HTTP ${r.status}` })] };
    const rep = r.data;
    const min = rep.min_group || 5;
    if (rep.suppressed) {
      const own = mine && rep.viewer;
      return { attrs: { 'data-figure': def.name }, cells: [name, own ? bmValue(def, rep.viewer.value) : '—', '—', '—',
        own ? tf('bmWhyOwnOnly', { min }) : tf('bmWhySuppressed', { min })] };
    }
    const entries = rep.entries || [];
    const n = (rep.distribution && rep.distribution.n) || entries.length;
    const median = rep.distribution ? bmValue(def, rep.distribution.median) : '—';
    const e = entries.find((x) => (x.org_id && x.org_id === client) || (mine && x.you));
    if (e) return { attrs: { 'data-figure': def.name }, cells: [name, bmValue(def, e.value), tf('bmRankOf', { rank: e.rank, n }), median, ''] };
    const why = entries.some((x) => !x.named && !x.you) ? tf('bmWhyAnonymous', { client: orgName(client) }) : tf('bmWhyNoValue', { client: orgName(client) });
    return { attrs: { 'data-figure': def.name }, cells: [name, '—', '—', median, why] };
  });
  kids.push(el('p', {}, tf('bmProjectIntro', { client: orgName(client) })),
    table(`${t('bmKeyFigures')} — ${orgName(client)}`, [t('bmFigure'), t('bmValue'), t('bmRank'), t('bmMedian'), t('bmWhy')], rows, [1, 2, 3]),
    el('p', {}, link('/benchmark', {}, t('bmMore'))));
  return el('section', { 'aria-labelledby': 'h-keyfigures', id: 'keyfigures' }, kids);
}

addProjectSection('keyfigures', sectionKeyFigures, 'survey');

// ---------------------------------------------------------------- drawings

// Box plot (whiskers min–max, box Q1–Q3, a bar at the median) with every
// organisation as a dot; the viewer is a triangle with the word "you" above
// it — shape and word, not colour alone. Lower values to the left.
function bmBoxPlot(def, rep) {
  const d = rep.distribution;
  const entries = rep.entries || [];
  const stack = new Map();
  for (const e of entries) stack.set(String(e.value), (stack.get(String(e.value)) || 0) + 1);
  const deepest = Math.max(1, ...stack.values());
  const W = 720; const L = 110; const R = 110; const mid = 78; const H = mid + 40 + deepest * 9 + 10;
  const lo = Math.min(Number(d.min), ...entries.map((e) => Number(e.value)));
  const hi = Math.max(Number(d.max), ...entries.map((e) => Number(e.value)));
  // everyone equal: one point in the middle
  const x = (v) => (hi === lo ? W / 2 : L + ((Number(v) - lo) / (hi - lo)) * (W - L - R));
  const g = svg('svg', { class: 'chart bm-box', viewBox: `0 0 ${W} ${H}`, width: W, height: H, 'aria-hidden': 'true', focusable: 'false' });
  g.append(svg('line', { x1: x(d.min), y1: mid, x2: x(d.max), y2: mid, stroke: '#4d4d4d', 'stroke-width': 1.5 }));
  for (const v of [d.min, d.max]) g.append(svg('line', { x1: x(v), y1: mid - 12, x2: x(v), y2: mid + 12, stroke: '#4d4d4d', 'stroke-width': 1.5 }));
  g.append(svg('rect', { x: x(d.q1), y: mid - 20, width: Math.max(1, x(d.q3) - x(d.q1)), height: 40, fill: '#dbe7f3', stroke: '#0b4f8a', 'stroke-width': 1.5 }));
  g.append(svg('line', { x1: x(d.median), y1: mid - 20, x2: x(d.median), y2: mid + 20, stroke: '#0b2e4f', 'stroke-width': 3 }));
  // dots of equal value stack downwards
  const seen = new Map();
  for (const e of entries) {
    const k = String(e.value);
    const i = seen.get(k) || 0;
    seen.set(k, i + 1);
    if (e.you) continue;
    g.append(svg('circle', { cx: x(e.value), cy: mid + 34 + i * 9, r: 4, fill: '#4d4d4d' }));
  }
  const you = entries.find((e) => e.you) || rep.viewer;
  if (you && (you.value !== undefined)) {
    const xv = x(you.value);
    g.append(svg('path', { d: `M${xv - 8} ${mid - 40}L${xv + 8} ${mid - 40}L${xv} ${mid - 26}Z`, fill: '#c45100', stroke: '#1a1a1a' }));
    g.append(svg('text', { x: xv, y: mid - 46, 'text-anchor': 'middle', 'font-weight': '700' }, `▼ ${t('bmYou')}: ${bmValue(def, you.value)}`));
    g.append(svg('line', { x1: xv, y1: mid - 26, x2: xv, y2: mid + 24, stroke: '#c45100', 'stroke-width': 2, 'stroke-dasharray': '3 2' }));
  }
  g.append(svg('text', { x: x(d.min), y: mid + 4, dx: -8, 'text-anchor': 'end' }, bmValue(def, d.min)));
  if (hi !== lo) g.append(svg('text', { x: x(d.max), y: mid + 4, dx: 8, 'text-anchor': 'start' }, bmValue(def, d.max)));
  return g;
}

// Percentile over the years (100 = best at the top), each point labelled
// with its rank; a year without a rank is a gap.
function bmHistoryChart(points) {
  const W = 720; const H = 180; const L = 40; const R = 20; const T = 28; const B = 24;
  const g = svg('svg', { class: 'chart bm-history', viewBox: `0 0 ${W} ${H}`, width: W, height: H, 'aria-hidden': 'true', focusable: 'false' });
  const x = (i) => (points.length === 1 ? L + (W - L - R) / 2 : L + (i / (points.length - 1)) * (W - L - R));
  const y = (p100) => T + (1 - p100 / 10000) * (H - T - B);
  g.append(svg('text', { x: 0, y: 10 }, t('bmPercentile')));
  for (const v of [0, 5000, 10000]) {
    g.append(svg('line', { x1: L, y1: y(v), x2: W - R, y2: y(v), stroke: '#d9d9d9' }));
    g.append(svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, `${v / 100}`));
  }
  let seg = [];
  const flush = () => { if (seg.length > 1) g.append(svg('polyline', { points: seg.join(' '), fill: 'none', stroke: '#0b4f8a', 'stroke-width': 2 })); seg = []; };
  points.forEach((pt, i) => {
    g.append(svg('text', { x: x(i), y: H - 6, 'text-anchor': 'middle' }, String(pt.year)));
    if (!pt.has_value || pt.suppressed || !pt.rank) { flush(); return; }
    seg.push(`${x(i)},${y(pt.percentile_x100)}`);
  });
  flush();
  points.forEach((pt, i) => {
    if (!pt.has_value || pt.suppressed || !pt.rank) return;
    g.append(svg('circle', { cx: x(i), cy: y(pt.percentile_x100), r: 5, fill: '#0b4f8a' }));
    g.append(svg('text', { x: x(i), y: y(pt.percentile_x100) - 9, 'text-anchor': 'middle' }, `${pt.rank}/${pt.of}`));
  });
  return g;
}

// ---------------------------------------------------------------- the page

async function pageBenchmark(main, parts, params) {
  chrome('benchmark');
  document.title = `${t('bmTitle')} — trin`;
  const got = await bmFigures();
  if (!got.ok) {
    setMain(main, el('h1', {}, t('bmTitle')),
      el('p', { class: 'banner' }, got.r.status === 403 ? t('noAccess') : (got.r.data && got.r.data.detail) || `HTTP ${got.r.status}`));
    return;
  }
  const figures = got.figures;
  const def = figures.find((f) => f.name === params.get('figure')) || figures[0];
  if (!def) { setMain(main, el('h1', {}, t('bmTitle')), el('p', {}, t('bmNoFigures'))); return; }
  const portfolio = def.kind === 'portfolio';
  const peer = portfolio ? null : { type: params.get('type') || '', size_band: params.get('size_band') || '', region: '' };
  const me = state.me.organisation;
  const Y = thisYear();
  const from = Y - 9;
  const hist = await api('POST', '/benchmark/QueryHistory', { figure: def.name, org_id: me, from_year: from, to_year: Y, peer });
  const points = hist.ok && hist.data ? (hist.data.points || []) : [];
  let year;
  if (params.has('year')) year = Number(params.get('year')) || 0;
  else if (portfolio) year = 0;
  else {
    // the latest year the viewer has a value, else last year
    const withValue = points.filter((pt) => pt.has_value).map((pt) => pt.year);
    year = withValue.length ? Math.max(...withValue) : Y - 1;
  }
  const fr = await api('POST', '/benchmark/QueryFigure', { figure: def.name, year, peer });

  // the choice: a figure, a year, a peer group — kept in the address
  const sel = (id, label, options, value) => el('div', { class: 'field' }, el('label', { for: id }, label),
    el('select', { id, name: id }, options.map(([v, txt]) => el('option', { value: v, selected: String(v) === String(value) }, txt))));
  const years = [];
  if (portfolio) years.push(['0', t('bmCurrent')]);
  for (let y = Y; y >= from; y--) years.push([String(y), String(y)]);
  const groups = [['property', figures.filter((f) => f.kind === 'property')], ['portfolio', figures.filter((f) => f.kind === 'portfolio')]];
  const figSelect = el('select', { id: 'bm-figure', name: 'bm-figure' }, groups.map(([, fs]) =>
    el('optgroup', { label: fs.length && fs[0].kind === 'portfolio' ? t('bmGroupPortfolio') : t('bmGroupProperty') },
      fs.map((f) => el('option', { value: f.name, selected: f.name === def.name }, bmName(f))))));
  const form = el('form', { class: 'filters', id: 'bm-choose', 'aria-label': t('bmChoose') },
    el('div', { class: 'field' }, el('label', { for: 'bm-figure' }, t('bmFigure')), figSelect),
    sel('bm-year', t('bmYear'), years, String(year)),
    portfolio ? null : sel('bm-type', t('bmPeerType'), [['', t('bmAny')], ...BM_TYPES.map((v) => [v, bmTerm(v)])], peer.type),
    portfolio ? null : sel('bm-band', t('bmSizeBand'), [['', t('bmAny')], ...BM_BANDS.map((v) => [v, bmTerm(v)])], peer.size_band),
    el('div', { class: 'row-actions' }, el('button', { type: 'submit' }, t('bmShow'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const chosen = figures.find((f) => f.name === figSelect.value) || def;
    const sameKind = chosen.kind === def.kind;
    location.hash = href('/benchmark', {
      figure: chosen.name,
      year: sameKind ? form['bm-year'].value : (chosen.kind === 'portfolio' ? '0' : ''),
      type: chosen.kind === 'property' && form['bm-type'] ? form['bm-type'].value : '',
      size_band: chosen.kind === 'property' && form['bm-band'] ? form['bm-band'].value : '',
    }).slice(1);
  });

  const yearWord = bmYearName(year);
  const when = year ? tf('bmWhenYear', { year }) : t('bmWhenNow');
  const out = [el('h1', {}, t('bmTitle')), form,
    el('h2', { id: 'bm-h-figure' }, `${bmName(def)} — ${yearWord}`),
    el('p', {}, def.direction === 'higher_is_better' ? t('bmHigher') : t('bmLower'), ' ', t('bmAnonNote'))];

  // the distribution
  if (!fr.ok || !fr.data) {
    out.push(el('p', { class: 'banner', id: 'bm-refused' }, tf('bmWhyRefused', { detail: (fr.data && fr.data.detail) || `HTTP ${fr.status}` })));
  } else {
    const rep = fr.data;
    const min = rep.min_group || 5;
    out.push(el('h3', { id: 'bm-h-dist' }, t('bmDistribution')));
    if (rep.suppressed) {
      out.push(el('p', { id: 'bm-suppressed' }, tf('bmSuppressedPage', { min, when })),
        el('p', {}, rep.viewer ? tf('bmYourValue', { value: bmValue(def, rep.viewer.value) }) : tf('bmNoOwnValue', { when })));
    } else if (!rep.distribution || !rep.distribution.n) {
      out.push(el('p', {}, tf('bmNoData', { when })));
    } else {
      const d = rep.distribution;
      const you = (rep.entries || []).find((e) => e.you);
      out.push(el('p', { id: 'bm-you-said' }, you ? `${tf('bmYourValue', { value: bmValue(def, you.value) })} ${t('bmRank')}: ${tf('bmRankOf', { rank: you.rank, n: d.n })}.`
        : tf('bmNoOwnValue', { when })));
      out.push(el('div', { class: 'bm-plot' }, bmBoxPlot(def, rep)));
      out.push(el('div', { class: 'bm-tables' },
        table(t('bmStats'), ['', t('bmValue')], [
          [t('bmN'), number(d.n)], [t('bmMin'), bmValue(def, d.min)], [t('bmQ1'), bmValue(def, d.q1)], [t('bmMedian'), bmValue(def, d.median)],
          [t('bmQ3'), bmValue(def, d.q3)], [t('bmMax'), bmValue(def, d.max)], [t('bmMean'), bmValue(def, d.mean)]], [1]),
        table(t('bmEntries'), [t('bmRank'), t('bmOrg'), t('bmValue'), t('bmPercentile'), t('bmProperties')],
          (rep.entries || []).map((e) => ({ attrs: { class: e.you ? 'bm-you' : null, id: e.you ? 'bm-you' : null }, cells: [
            String(e.rank), e.you ? [el('strong', {}, `▼ ${bmLabel(e)}`), ` (${t('bmYouLong')})`] : bmLabel(e),
            bmValue(def, e.value), `${number(e.percentile_x100 / 100, 2)}`, number(e.properties)] })), [0, 2, 3, 4])));
    }
  }

  // the viewer's rank over the years
  out.push(el('h3', { id: 'bm-h-history' }, t('bmHistory')));
  // an organisation the service has no figures of (an operator's) has no history: say so, as for no values
  if (!hist.ok && hist.status !== 404) out.push(el('p', {}, tf('bmWhyRefused', { detail: (hist.data && hist.data.detail) || `HTTP ${hist.status}` })));
  else if (!points.some((pt) => pt.has_value)) out.push(el('p', {}, tf('bmHistoryNone', { from, to: Y })));
  else {
    const withValue = points.map((pt, i) => (pt.has_value ? i : -1)).filter((i) => i >= 0);
    const shown = points.slice(withValue[0], withValue[withValue.length - 1] + 1);
    const minGroup = (fr.ok && fr.data && fr.data.min_group) || 5;
    out.push(bmHistoryChart(shown),
      table(t('bmHistory'), [t('bmYear'), t('bmValue'), t('bmRank'), t('bmPercentile'), t('bmMedian')],
        shown.map((pt) => ({ attrs: { 'data-year': pt.year }, cells: [String(pt.year),
          pt.has_value ? bmValue(def, pt.value) : t('bmNoValue'),
          !pt.has_value ? '—' : pt.suppressed ? tf('bmHistoryHidden', { min: minGroup }) : (pt.rank ? tf('bmRankOf', { rank: pt.rank, n: pt.of }) : '—'),
          pt.rank && !pt.suppressed ? number(pt.percentile_x100 / 100, 2) : '—',
          pt.suppressed ? '—' : bmValue(def, pt.median)] })), [1, 2, 3, 4]));
  }

  // portfolio figures: inside against outside partnerships
  if (portfolio) {
    const cmp = await api('POST', '/benchmark/ComparePartnerships', { year });
    const row = cmp.ok && cmp.data ? (cmp.data.rows || []).find((x) => x.figure && x.figure.name === def.name) : null;
    if (row) {
      const min = (fr.ok && fr.data && fr.data.min_group) || 5;
      const side = (s) => (s.suppressed || !s.has_value ? tf(s.projects === 1 ? 'bmSideHidden1' : 'bmSideHidden', { p: s.projects, min }) : bmValue(def, s.value));
      out.push(el('h3', { id: 'bm-h-compare' }, t('bmCompare')),
        table(null, ['', t('bmProjects'), t('bmValue')], [
          [t('bmInside'), number(row.inside.projects), side(row.inside)],
          [t('bmOutside'), number(row.outside.projects), side(row.outside)],
          [t('bmDifference'), '', row.has_difference ? bmValue(def, row.difference) : '—']], [1, 2]));
    }
  }

  if (may('benchmark/ImportCsv')) out.push(formBenchmarkUpload());
  setMain(main, out);
}

function formBenchmarkUpload() {
  const kind = field(t('bmKind'), 'kind', 'select', { required: true, value: 'measures',
    options: [['properties', t('bmKindProperties')], ['measures', t('bmKindMeasures')]] });
  const { f: csvField, input } = fileField(t('bmFile'), 'csv', t('bmFileHint'));
  return uploadForm('form-benchmark-import', t('bmUpload'), [kind, csvField], async (f) => {
    const file = input.files && input.files[0];
    if (!file) throw { field: 'csv', detail: t('svFileMissing') };
    return api('POST', '/benchmark/ImportCsv', { kind: f.querySelector('[data-field="kind"]').value, csv: await fileBase64(file) });
  }, async (r) => {
    const d = r.data || {};
    bmFiguresCache = null;
    await render();
    announce(tf('bmImported', { rows: d.rows || 0, properties: d.properties || 0 }));
    focusMain();
  });
}

addPage((parts) => parts.length === 1 && parts[0] === 'benchmark', pageBenchmark);
addNav('bmNav', '/benchmark', 'benchmark');
