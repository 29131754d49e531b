// trin — the project page's satisfaction section (issue 16): every survey of
// the project with each statement over ALL its rounds, by role — a table
// (the text) and a small line chart beside it (a drawing, hidden from
// assistive technology). A group the survey service suppresses (fewer
// respondents than the survey's min_respondents) is written as "skjult:
// færre end N svar", never as a number: the service sends no figures for it
// and this file never computes one. Alerts standing for the latest round are
// listed in words. People who may send answers (the partnership's resident
// committees and the client's writers: ImportResponses) get a form that
// reads a round's CSV file in the browser and sends it whole, as the
// survey tool exported it; the client's writers may open a new round with it
// (AddRound first). A refusal names the file's line and column beside the
// file field; nothing of a refused file is stored (the service's import is
// all or nothing).
//
// uploadForm() below is shared with benchmark.js (loaded after this file).
'use strict';

addWords({
  da: {
    svRounds: 'Runder', svRound: 'Runde', svPeriod: 'Periode', svAnswers: 'Besvarelser', svNoAnswers: 'ingen svar endnu',
    svScale: 'Skala', svMin: 'Mindst antal svar for at vise en gruppe', svBaseline: 'Basisrunder',
    svStatementOver: 'over runderne', svRole: 'Rolle', svTrendLatest: 'Udvikling',
    svHidden: 'skjult: færre end {n} svar', svHiddenNote: 'Grupper med færre end {n} besvarelser vises ikke, så ingen enkelt besvarelse kan genkendes.',
    svNotVisible: 'Resultaterne kan ikke vises for din rolle.', svAlerts: 'Advarsler i seneste runde',
    svAlertPrev: '{who}: gennemsnittet {mean} er faldet mere end {th} siden forrige runde ({ref}).',
    svAlertBase: '{who}: gennemsnittet {mean} ligger mere end {th} under basisniveauet ({ref}).',
    svAlertFloor: '{who}: gennemsnittet {mean} er under bundgrænsen {ref}.',
    svUpload: 'Indlæs en runde fra CSV', svUploadRound: 'Runde', svNewRound: 'Ny runde {n}',
    svExistingRound: 'Runde {n} ({from} – {to})', svOpens: 'Åbner', svCloses: 'Lukker',
    svDatesHint: 'Kun for en ny runde.', svFile: 'CSV-fil fra spørgeskemaværktøjet',
    svFileHint: 'UTF-8, komma eller semikolon. Kolonnerne respondent og role (rolle) og én kolonne pr. udsagn: {keys}. En tom celle betyder »ved ikke«. Hele filen indlæses, eller intet.',
    svFileMissing: 'Vælg en CSV-fil.', svFileRefused: 'Filen er afvist, og intet er gemt:',
    svRoundAddedOnly: 'Runde {n} er oprettet, men filen er afvist, og ingen svar er gemt. Ret filen, og indlæs den i runde {n}.',
    svImported: 'Runde {n}: {added} nye, {replaced} ændrede og {unchanged} uændrede besvarelser indlæst.',
    svSending: 'Sender …', svYes: 'ja',
    // corrections (issue 19) and acknowledging alerts
    svRemove: 'Fjern besvarelse', svRespondent: 'Respondentens id', svRespondentHint: 'Id\'et fra spørgeskemaværktøjet, som det blev indlæst.',
    svRemoved: 'Besvarelsen er fjernet fra runde {n} ({answers} svar). Runden har {left} besvarelser tilbage.',
    svClear: 'Ryd runde', svClearGo: 'Ryd runden',
    svClearConfirm: 'Alle {count} besvarelser i runde {n} fjernes. Runden bliver stående, tom, med sine datoer, og den rigtige fil kan indlæses i den igen.',
    svClearYes: 'Ja, ryd runde {n}', svCancel: 'Fortryd',
    svCleared: 'Runde {n} er ryddet: {responses} besvarelser fjernet. Runden kan indlæses igen.',
    svAck: 'Kvittér', svAckNote: 'Note', svAckHint: 'Hvad gøres der ved advarslen? Advarslen står, til en senere runde viser bedring.',
    svAcked: 'Kvitteret af {who} {when}: {note}', svNotAcked: 'Ikke kvitteret.', svAckSaved: 'Advarslen er kvitteret.',
  },
  en: {
    svRounds: 'Rounds', svRound: 'Round', svPeriod: 'Period', svAnswers: 'Responses', svNoAnswers: 'no answers yet',
    svScale: 'Scale', svMin: 'Fewest answers for a group to be shown', svBaseline: 'Baseline rounds',
    svStatementOver: 'over the rounds', svRole: 'Role', svTrendLatest: 'Trend',
    svHidden: 'hidden: fewer than {n} answers', svHiddenNote: 'Groups with fewer than {n} responses are not shown, so that no single response can be recognised.',
    svNotVisible: 'The results cannot be shown to your role.', svAlerts: 'Alerts in the latest round',
    svAlertPrev: '{who}: the mean {mean} fell by more than {th} since the previous round ({ref}).',
    svAlertBase: '{who}: the mean {mean} is more than {th} below the baseline ({ref}).',
    svAlertFloor: '{who}: the mean {mean} is below the floor of {ref}.',
    svUpload: 'Upload a round from CSV', svUploadRound: 'Round', svNewRound: 'New round {n}',
    svExistingRound: 'Round {n} ({from} – {to})', svOpens: 'Opens', svCloses: 'Closes',
    svDatesHint: 'Only for a new round.', svFile: 'CSV file from the survey tool',
    svFileHint: 'UTF-8, comma or semicolon separated. The columns respondent and role, and one column per statement: {keys}. An empty cell means "don\'t know". The whole file is stored, or nothing.',
    svFileMissing: 'Choose a CSV file.', svFileRefused: 'The file was refused and nothing was stored:',
    svRoundAddedOnly: 'Round {n} was added, but the file was refused and no answers were stored. Correct the file and upload it to round {n}.',
    svImported: 'Round {n}: {added} new, {replaced} changed and {unchanged} unchanged responses stored.',
    svSending: 'Sending …', svYes: 'yes',
    svRemove: 'Remove a response', svRespondent: 'The respondent\'s id', svRespondentHint: 'The id from the survey tool, as it was imported.',
    svRemoved: 'The response was removed from round {n} ({answers} answers). The round has {left} responses left.',
    svClear: 'Clear a round', svClearGo: 'Clear the round',
    svClearConfirm: 'All {count} responses of round {n} are removed. The round stays, empty, with its dates, and the right file can be imported into it again.',
    svClearYes: 'Yes, clear round {n}', svCancel: 'Cancel',
    svCleared: 'Round {n} is cleared: {responses} responses removed. The round can be imported again.',
    svAck: 'Acknowledge', svAckNote: 'Note', svAckHint: 'What is being done about the alert? The alert stands until a later round recovers.',
    svAcked: 'Acknowledged by {who} {when}: {note}', svNotAcked: 'Not acknowledged.', svAckSaved: 'The alert is acknowledged.',
  },
});

// A file's bytes as base64 (the API's JSON form of a proto `bytes` field).
// The bytes are sent as they are, not decoded here: a file saved as
// Latin-1 is refused by the service with the line and column of the first
// bad byte, rather than silently turned into replacement characters.
async function fileBase64(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// A form inside <details> like app.js's actionForm, for uploads: send(form)
// returns the last API reply (or throws {field, detail} for what the app
// itself can tell is wrong); done(reply) runs on success. A refusal is shown
// beside the field it names, the file's refusal led by the words saying
// nothing was stored.
//
// confirm(form), when given, is a step before sending: it returns {text,
// yes} — what will happen, and the button that does it — shown in place of
// the form's button until the person says yes or cancels.
function uploadForm(id, title, fields, send, done, confirm, label) {
  const err = el('p', { class: 'error form-error', role: 'alert', hidden: true });
  const button = el('button', { type: 'submit' }, label || title);
  const form = el('form', { id, novalidate: true }, err, fields, button);
  let confirmed = false;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (button.disabled) return;
    clearErrors(form);
    if (confirm && !confirmed) {
      const c = confirm(form);
      const box = el('div', { class: 'banner confirm', id: `${id}-confirm` }, el('p', { id: `${id}-confirm-text` }, c.text));
      const cancel = () => { box.remove(); button.hidden = false; button.focus(); };
      box.append(el('button', { type: 'button', class: 'confirm-yes', 'aria-describedby': `${id}-confirm-text`,
                                onclick: () => { confirmed = true; box.remove(); button.hidden = false; form.requestSubmit(); } }, c.yes),
        ' ', el('button', { type: 'button', class: 'confirm-no', onclick: cancel }, t('svCancel')));
      button.hidden = true;
      button.after(box);
      box.querySelector('.confirm-yes').focus();
      return;
    }
    confirmed = false;
    button.disabled = true;
    button.textContent = t('svSending');
    let r;
    try {
      r = await send(form);
    } catch (e) {
      if (e instanceof SignedOut) return;
      if (e && e.field) { showProblem(form, { status: 422, data: e }); return; }
      throw e;
    } finally {
      button.disabled = false;
      button.textContent = label || title;
    }
    if (r.ok) { await done(r); return; }
    const d = r.data || {};
    if (d.field === 'csv') r = { ...r, data: { ...d, detail: `${t('svFileRefused')} ${d.detail || d.title || ''}` } };
    showProblem(form, r);
  });
  return el('details', { class: 'action' }, el('summary', {}, title), form);
}

// A file field (the app's field() with type file) and its input.
function fileField(label, name, hint) {
  const f = field(label, name, 'file', { required: true, hint });
  const input = f.querySelector('input');
  input.setAttribute('accept', '.csv,.txt,text/csv,text/plain');
  input.removeAttribute('autocomplete');
  return { f, input };
}

// ---------------------------------------------------------------- reading

// Every round's results of one survey: round number -> RoundResults, or
// null for a round without answers; `denied` when the role may not read
// results (residents answer, they do not read).
async function surveyRounds(sv, latest) {
  const out = new Map();
  let denied = false;
  await Promise.all((sv.rounds || []).map(async (rd) => {
    if (!rd.respondents) { out.set(rd.number, null); return; }
    if (latest && latest.round === rd.number) { out.set(rd.number, latest); return; }
    const r = await api('GET', `/surveys/${encodeURIComponent(sv.id)}/results?round=${rd.number}`);
    if (r.status === 403 || r.status === 404) denied = true;
    out.set(rd.number, r.ok ? r.data : null);
  }));
  return { byRound: out, denied };
}

const mean2 = (x100) => number(x100 / 100, 2);

// ---------------------------------------------------------------- drawing

// A role's line: a dash pattern, a marker shape and a colour, so that lines
// differ in more than colour (the legend shows all three).
const SV_STYLE = {
  all: { color: '#0b2e4f', dash: '', shape: 'circle' },
  resident_committee: { color: '#a14a00', dash: '6 3', shape: 'square' },
  residents: { color: '#14632c', dash: '2 3', shape: 'triangle' },
  client: { color: '#6a1b9a', dash: '8 3 2 3', shape: 'diamond' },
  advisor: { color: '#0b6b78', dash: '4 4', shape: 'cross' },
  contractor: { color: '#7a1f1f', dash: '1 2', shape: 'circle-open' },
};

function marker(shape, x, y, color) {
  const s = 4;
  switch (shape) {
    case 'square': return svg('rect', { x: x - s, y: y - s, width: 2 * s, height: 2 * s, fill: color });
    case 'triangle': return svg('path', { d: `M${x} ${y - s - 1}L${x + s + 1} ${y + s}L${x - s - 1} ${y + s}Z`, fill: color });
    case 'diamond': return svg('path', { d: `M${x} ${y - s - 1}L${x + s + 1} ${y}L${x} ${y + s + 1}L${x - s - 1} ${y}Z`, fill: color });
    case 'cross': return svg('path', { d: `M${x - s} ${y - s}L${x + s} ${y + s}M${x - s} ${y + s}L${x + s} ${y - s}`, stroke: color, 'stroke-width': 2 });
    case 'circle-open': return svg('circle', { cx: x, cy: y, r: s, fill: '#fff', stroke: color, 'stroke-width': 2 });
    default: return svg('circle', { cx: x, cy: y, r: s, fill: color });
  }
}

// Means of one statement over the rounds, one line per role; a hidden or
// missing group is a gap in its line, never a point.
function surveyChart(rounds, roles, lookup, scaleMin, scaleMax) {
  const W = 320; const H = 170; const L = 36; const R = 30; const T = 10; const B = 26;
  const g = svg('svg', { class: 'chart sv-chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, 'aria-hidden': 'true', focusable: 'false' });
  const x = (i) => (rounds.length === 1 ? L + (W - L - R) / 2 : L + (i / (rounds.length - 1)) * (W - L - R));
  const y = (v) => T + (1 - (v - scaleMin) / Math.max(1, scaleMax - scaleMin)) * (H - T - B);
  for (let v = scaleMin; v <= scaleMax; v++) {
    g.append(svg('line', { x1: L, y1: y(v), x2: W - R, y2: y(v), stroke: '#d9d9d9', 'stroke-width': 1 }));
    g.append(svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
  }
  rounds.forEach((n, i) => g.append(svg('text', { x: x(i), y: H - 6, 'text-anchor': 'middle' }, `${t('svRound')} ${n}`)));
  for (const role of roles) {
    const st = SV_STYLE[role] || SV_STYLE.all;
    let seg = [];
    const flush = () => {
      if (seg.length > 1) {
        g.append(svg('polyline', { points: seg.map(([a, b]) => `${a},${b}`).join(' '), fill: 'none', stroke: st.color,
                                   'stroke-width': role === 'all' ? 3 : 2, 'stroke-dasharray': st.dash || 'none' }));
      }
      seg = [];
    };
    rounds.forEach((n, i) => {
      const f = lookup(n, role);
      if (!f || f.suppressed || !f.count) { flush(); return; }
      seg.push([x(i), y(f.mean_x100 / 100)]);
    });
    flush();
    rounds.forEach((n, i) => {
      const f = lookup(n, role);
      if (f && !f.suppressed && f.count) g.append(marker(st.shape, x(i), y(f.mean_x100 / 100), st.color));
    });
  }
  return g;
}

function surveyLegend(roles) {
  return el('ul', { class: 'legend sv-legend', 'aria-hidden': 'true' }, roles.map((role) => {
    const st = SV_STYLE[role] || SV_STYLE.all;
    const sw = svg('svg', { width: 34, height: 12, viewBox: '0 0 34 12', focusable: 'false' },
      svg('line', { x1: 1, y1: 6, x2: 33, y2: 6, stroke: st.color, 'stroke-width': 2, 'stroke-dasharray': st.dash || 'none' }),
      marker(st.shape, 17, 6, st.color));
    return el('li', {}, sw, ' ', term('surveyRole', role));
  }));
}

// ---------------------------------------------------------------- the section

function surveyAlertText(a, sv) {
  const st = (sv.statements || []).find((s) => s.key === a.statement_key);
  const q = state.lang === 'da' ? ['»', '«'] : ['“', '”'];
  const who = `${t('svRound')} ${a.round}, ${q[0]}${st ? st.text : a.statement_key}${q[1]}, ${term('surveyRole', a.role)}`;
  const vars = { who, mean: mean2(a.mean_x100), ref: mean2(a.reference_x100), th: mean2(a.threshold_x100) };
  const key = { drop_from_previous: 'svAlertPrev', drop_from_baseline: 'svAlertBase', below_floor: 'svAlertFloor' }[a.kind];
  return key ? tf(key, vars) : `${who}: ${a.message}`;
}

async function surveyBlock(p, sv, latest) {
  const kids = [el('h3', { id: `sv-${sv.id}` }, sv.title)];
  const rounds = (sv.rounds || []).slice().sort((a, b) => a.number - b.number);
  const minN = (latest && latest.min_respondents) || sv.min_respondents || 5;
  kids.push(facts([
    [t('svScale'), `${sv.scale_min}–${sv.scale_max}`],
    [t('svMin'), number(minN)],
    (sv.baseline_rounds || []).length ? [t('svBaseline'), sv.baseline_rounds.join(', ')] : null,
  ]));
  if (rounds.length) {
    kids.push(table(t('svRounds'), [t('svRound'), t('svPeriod'), t('svAnswers')],
      rounds.map((rd) => ({ attrs: { id: `sv-${sv.id}-round-${rd.number}` }, cells: [
        String(rd.number), `${date(rd.opens)} – ${date(rd.closes)}`, rd.respondents ? number(rd.respondents) : t('svNoAnswers')] })), [2]));
  }
  const { byRound, denied } = await surveyRounds(sv, latest);
  const answered = rounds.filter((rd) => byRound.get(rd.number)).map((rd) => rd.number);
  if (denied && !answered.length) kids.push(el('p', {}, t('svNotVisible')));
  else if (!answered.length) kids.push(el('p', {}, t('noResults')));
  else {
    const lookup = (n, role, key) => {
      const res = byRound.get(n);
      return res && (res.figures || []).find((f) => f.statement_key === key && f.role === role);
    };
    const hidden = tf('svHidden', { n: minN });
    const cell = (f) => {
      if (!f) return '—';
      if (f.suppressed) return el('span', { class: 'sv-hidden' }, hidden);
      if (!f.count) return '—';
      const change = f.has_previous ? ` (${f.change_x100 >= 0 ? '+' : ''}${mean2(f.change_x100)})` : '';
      return `${mean2(f.mean_x100)}${change} · n=${f.count}`;
    };
    const trendWord = (f) => (f && !f.suppressed && f.trend ? { up: `↗ ${t('trendUp')}`, down: `↘ ${t('trendDown')}`, flat: `→ ${t('trendFlat')}` }[f.trend] : '—');
    const last = answered[answered.length - 1];
    kids.push(el('p', { class: 'muted' }, tf('svHiddenNote', { n: minN })));
    for (const st of sv.statements || []) {
      const roles = ['all', ...SURVEY_ROLES.filter((r) => r !== 'all')]
        .filter((r) => answered.some((n) => lookup(n, r, st.key)));
      if (!roles.length) continue;
      const rows = roles.map((r) => ({ attrs: { 'data-role': r }, cells: [term('surveyRole', r),
        ...answered.map((n) => cell(lookup(n, r, st.key))), trendWord(lookup(last, r, st.key))] }));
      const numeric = answered.map((_, i) => i + 1);
      // the drawing has the roles with a figure to draw; hidden ones only in the table
      const drawn = roles.filter((r) => answered.some((n) => { const f = lookup(n, r, st.key); return f && !f.suppressed && f.count; }));
      kids.push(el('div', { class: 'sv-statement', id: `sv-${sv.id}-${st.key}` },
        el('div', { class: 'sv-table' },
          table(`${st.text} — ${t('svStatementOver')}`, [t('svRole'), ...answered.map((n) => `${t('svRound')} ${n}`), t('svTrendLatest')], rows, numeric)),
        el('div', { class: 'sv-drawing' },
          surveyChart(answered, drawn, (n, r) => lookup(n, r, st.key), sv.scale_min, sv.scale_max), surveyLegend(drawn))));
    }
    const alerts = (byRound.get(last) || {}).alerts || [];
    if (alerts.length) {
      // each alert's life (who acknowledged it, the note) from ListAlerts
      const life = await api('POST', '/survey/ListAlerts', { survey_id: sv.id });
      const entries = (life.ok && life.data && life.data.alerts) || [];
      const same = (x, a) => x.round === a.round && x.statement_key === a.statement_key && x.role === a.role && x.kind === a.kind;
      const mayAck = may('survey/AcknowledgeAlert', p.client_org);
      kids.push(el('h4', {}, t('svAlerts')),
        el('ul', { class: 'sv-alerts' }, alerts.map((a, i) => {
          const e = entries.find((x) => x.alert && same(x.alert, a));
          return el('li', { id: `sv-${sv.id}-alert-${i}` }, el('span', { 'aria-hidden': 'true' }, '⚠ '), surveyAlertText(a, sv),
            e ? el('p', { class: 'muted sv-ack' }, e.acknowledged_by ? tf('svAcked', { who: byWhom(e.acknowledged_by),
              when: atUtc(e.acknowledged_at), note: e.note }) : t('svNotAcked')) : null,
            mayAck ? formAcknowledge(p, sv, a, i) : null);
        })));
    }
  }
  const answeredRounds = rounds.filter((rd) => rd.respondents);
  if (answeredRounds.length && may('survey/RemoveResponse', p.client_org)) kids.push(formRemoveResponse(p, sv, answeredRounds));
  if (answeredRounds.length && may('survey/ClearRound', p.client_org)) kids.push(formClearRound(p, sv, answeredRounds));
  if (may('survey/ImportResponses', p.client_org)) kids.push(formSurveyUpload(p, sv, rounds));
  return el('div', { class: 'sv-survey' }, kids);
}

// Upload a round's CSV: to a round that exists, or (the client's writers)
// to a new one, added first with its dates.
function formSurveyUpload(p, sv, rounds) {
  const maySetRound = may('survey/AddRound', p.client_org);
  const next = rounds.length ? rounds[rounds.length - 1].number + 1 : 1;
  const options = rounds.slice().reverse().map((rd) => [String(rd.number), tf('svExistingRound', { n: rd.number, from: date(rd.opens), to: date(rd.closes) })]);
  if (maySetRound) options.unshift(['new', tf('svNewRound', { n: next })]);
  if (!options.length) return null;
  const prevClose = rounds.length ? rounds[rounds.length - 1].closes : null;
  const dayAfter = (iso) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
  const opens = prevClose ? dayAfter(prevClose) : today();
  const closes = today() > opens ? today() : opens;
  const roundField = field(t('svUploadRound'), 'round', 'select', { required: true, options, value: options[0][0] });
  const opensField = field(t('svOpens'), 'round.opens', 'date', { required: true, value: opens, hint: t('svDatesHint') });
  const closesField = field(t('svCloses'), 'round.closes', 'date', { required: true, value: closes, hint: t('svDatesHint') });
  const keys = (sv.statements || []).map((s) => s.key).join(', ');
  const { f: csvField, input } = fileField(t('svFile'), 'csv', tf('svFileHint', { keys }));
  const select = roundField.querySelector('select');
  const showDates = () => { opensField.hidden = closesField.hidden = select.value !== 'new'; };
  select.addEventListener('change', showDates);
  showDates();
  const sid = encodeURIComponent(sv.id);
  let roundNo = null;
  const form = uploadForm(`form-survey-${sv.id}`, t('svUpload'), [roundField, opensField, closesField, csvField], async (f) => {
    const file = input.files && input.files[0];
    if (!file) throw { field: 'csv', detail: t('svFileMissing') };
    const csv = await fileBase64(file);
    roundNo = select.value === 'new' ? next : Number(select.value);
    if (select.value === 'new') {
      const v = (n) => f.querySelector(`[data-field="${n}"]`).value.trim();
      const added = await api('POST', `/surveys/${sid}/rounds`, { round: { number: roundNo, opens: v('round.opens'), closes: v('round.closes') } });
      if (!added.ok) return added;
      // the round exists now, whatever happens to the file: offer it as one
      select.replaceChildren(...[[String(roundNo), tf('svExistingRound', { n: roundNo, from: date(v('round.opens')), to: date(v('round.closes')) })],
        ...options.filter(([k]) => k !== 'new')].map(([k, txt]) => el('option', { value: k }, txt)));
      select.value = String(roundNo);
      showDates();
      const r = await api('POST', `/surveys/${sid}/responses`, { round: roundNo, csv });
      if (!r.ok && r.data && r.data.field === 'csv') {
        r.data = { ...r.data, detail: `${r.data.detail || ''} — ${tf('svRoundAddedOnly', { n: roundNo })}` };
      }
      return r;
    }
    return api('POST', `/surveys/${sid}/responses`, { round: roundNo, csv });
  }, async (r) => {
    const d = r.data || {};
    const said = tf('svImported', { n: roundNo, added: d.added || 0, replaced: d.replaced || 0, unchanged: d.unchanged || 0 });
    await pageProject(document.getElementById('main'), p.id, said);
    const h = document.getElementById(`sv-${sv.id}`);
    if (h) { h.setAttribute('tabindex', '-1'); h.focus(); }
  });
  return form;
}

// ---------------------------------------------------------------- corrections

// "2026-12-07T17:13:00Z" -> "7. december 2026 17:13 UTC"
function atUtc(iso) { return iso ? `${date(String(iso).slice(0, 10))} ${String(iso).slice(11, 16)} UTC` : ''; }

// After a correction: the project again, the message said, the focus on the survey.
async function surveyDone(p, sv, said) {
  await pageProject(document.getElementById('main'), p.id, said);
  const h = document.getElementById(`sv-${sv.id}`);
  if (h) { h.setAttribute('tabindex', '-1'); h.focus(); }
}

const roundOptions = (rounds) => rounds.slice().reverse().map((rd) => [String(rd.number),
  `${tf('svExistingRound', { n: rd.number, from: date(rd.opens), to: date(rd.closes) })}: ${number(rd.respondents)} ${t('respondents')}`]);
const formValue = (f, n) => f.querySelector(`[data-field="${n}"]`).value.trim();

function formRemoveResponse(p, sv, rounds) {
  return uploadForm(`form-remove-response-${sv.id}`, t('svRemove'), [
    field(t('svUploadRound'), 'round', 'select', { required: true, options: roundOptions(rounds) }),
    field(t('svRespondent'), 'respondent', 'text', { required: true, hint: t('svRespondentHint') }),
    field(t('why'), 'reason', 'textarea', { required: true, hint: t('whyHint') }),
  ], (f) => api('POST', '/survey/RemoveResponse', { survey_id: sv.id, round: Number(formValue(f, 'round')),
    respondent: formValue(f, 'respondent'), reason: formValue(f, 'reason') }),
  (r) => surveyDone(p, sv, tf('svRemoved', { n: r.data.round, answers: r.data.answers, left: r.data.respondents_left })));
}

// Clearing a round removes every answer in it: said first, in words, and
// done only when the person says yes.
function formClearRound(p, sv, rounds) {
  return uploadForm(`form-clear-round-${sv.id}`, t('svClear'), [
    field(t('svUploadRound'), 'round', 'select', { required: true, options: roundOptions(rounds) }),
    field(t('why'), 'reason', 'textarea', { required: true, hint: t('whyHint') }),
  ], (f) => api('POST', '/survey/ClearRound', { survey_id: sv.id, round: Number(formValue(f, 'round')), reason: formValue(f, 'reason') }),
  (r) => surveyDone(p, sv, tf('svCleared', { n: r.data.round, responses: r.data.responses })),
  (f) => {
    const n = Number(formValue(f, 'round'));
    const rd = rounds.find((x) => x.number === n);
    return { text: tf('svClearConfirm', { n, count: rd ? number(rd.respondents) : '?' }), yes: tf('svClearYes', { n }) };
  }, t('svClearGo'));
}

function formAcknowledge(p, sv, a, i) {
  return uploadForm(`form-ack-${sv.id}-${i}`, t('svAck'), [
    field(t('svAckNote'), 'note', 'textarea', { required: true, hint: t('svAckHint') }),
  ], (f) => api('POST', '/survey/AcknowledgeAlert', { survey_id: sv.id, round: a.round, statement_key: a.statement_key,
    role: a.role, kind: a.kind, note: formValue(f, 'note') }),
  () => surveyDone(p, sv, t('svAckSaved')));
}

async function sectionSurveyRounds(c) {
  const kids = [el('h2', { id: 'h-survey' }, t('survey'))];
  const row = c.row;
  if (row && row.has_satisfaction_x100) {
    const trend = { up: t('trendUp'), down: t('trendDown'), flat: t('trendFlat') }[row.satisfaction_trend] || '—';
    kids.push(facts([[t('mean'), mean2(row.satisfaction_x100)], [t('trend'), trend],
      [t('status'), rag(row.rag_satisfaction)], row.satisfaction_alert ? [t('alert'), `⚠ ${t('svYes')}`] : null]));
  }
  const surveys = c.surveys || [];
  kids.push(...await Promise.all(surveys.map(({ survey, results }) => surveyBlock(c.p, survey, results))));
  if (!(row && row.has_satisfaction_x100) && !surveys.length) kids.push(el('p', {}, t('noSurvey')));
  return el('section', { 'aria-labelledby': 'h-survey', class: 'sv' }, kids);
}

addProjectSection('survey', sectionSurveyRounds);
