// trin dashboard: the status rows from /api/v1/stream (Server-Sent Events:
// the first connection sends every row, then each change), drawn as a table
// with RAG colours and three small SVG charts. No libraries, no build step.
'use strict';
const params = new URLSearchParams(location.search);
const key = params.get('api_key') || '';
const q = key ? '?api_key=' + encodeURIComponent(key) : '';
const rows = new Map();           // project_id -> row
const STAGES = ['pre_study', 'trin1', 'trin2', 'trin1_2', 'trin3', 'handover',
                'inspection_1y', 'inspection_5y', 'closed'];
let changed = new Set();
let pending = false;

const $ = (id) => document.getElementById(id);
const text = (v) => (v === null || v === undefined ? '' : String(v));
const kr = (v) => (v === null ? '' : Number(v).toLocaleString('da-DK', {maximumFractionDigits: 0}));

function cell(tr, value, cls) {
  const td = document.createElement('td');
  td.textContent = value;
  if (cls) td.className = cls;
  tr.appendChild(td);
}
function rag(tr, v) { cell(tr, v || '–', 'rag rag-' + (v || 'none')); }

function visible(r) {
  const p = $('f-partnership').value, s = $('f-stage').value;
  return (!p || (p === '(none)' ? !r.partnership_id : r.partnership_id === p)) &&
         (!s || r.stage === s);
}

function fillFilters() {
  const ps = new Set(), ss = new Set();
  for (const r of rows.values()) { ps.add(r.partnership_id || '(none)'); if (r.stage) ss.add(r.stage); }
  for (const [id, values] of [['f-partnership', ps], ['f-stage', ss]]) {
    const sel = $(id), cur = sel.value, have = new Set([...sel.options].map((o) => o.value));
    for (const v of [...values].sort()) {
      if (have.has(v)) continue;
      const o = document.createElement('option');
      o.value = v; o.textContent = v; sel.appendChild(o);
    }
    sel.value = cur;
  }
}

function drawTable(list) {
  const body = document.querySelector('#rows tbody');
  body.textContent = '';
  for (const r of list) {
    const tr = document.createElement('tr');
    tr.id = 'row-' + r.project_id;
    tr.dataset.seq = r.seq;
    if (changed.has(r.project_id)) tr.className = 'changed';
    cell(tr, r.project_name ? r.project_id + ' ' + r.project_name : r.project_id);
    cell(tr, text(r.partnership_name || r.partnership_id));
    cell(tr, text(r.client_org));
    cell(tr, text(r.stage) + (r.paused ? ' (paused: ' + text(r.pause_reason) + ')' : ''));
    cell(tr, text(r.stage_since));
    cell(tr, text(r.forecast_handover));
    cell(tr, text(r.schedule_variance_days), 'num');
    cell(tr, kr(r.budget_a_dkk), 'num');
    cell(tr, kr(r.budget_b_dkk), 'num');
    cell(tr, text(r.drift_pct), 'num');
    cell(tr, r.molio_compliant === null ? '' : r.molio_compliant ? 'ok' : 'fails');
    cell(tr, text(r.satisfaction) + (r.satisfaction_alert ? ' !' : ''), 'num');
    cell(tr, r.open_disputes ? r.open_disputes + ' (lvl ' + r.max_dispute_level + ')' : text(r.open_disputes), 'num');
    cell(tr, text(r.open_defects), 'num');
    rag(tr, r.rag_time); rag(tr, r.rag_economy); rag(tr, r.rag_satisfaction); rag(tr, r.rag_overall);
    cell(tr, text(r.seq), 'num');
    body.appendChild(tr);
  }
}

const NS = 'http://www.w3.org/2000/svg';
function el(name, attrs, content) {
  const e = document.createElementNS(NS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (content !== undefined) e.textContent = content;
  return e;
}
// Vertical bars: items [{label, value, color}]; values may be negative.
function bars(svg, items) {
  svg.textContent = '';
  if (!items.length) { svg.appendChild(el('text', {x: 10, y: 80}, 'no data')); return; }
  const max = Math.max(1e-9, ...items.map((i) => Math.abs(i.value)));
  const neg = items.some((i) => i.value < 0);
  const base = neg ? 75 : 140, scale = (neg ? 65 : 125) / max;
  const w = Math.min(40, 300 / items.length);
  items.forEach((it, k) => {
    const h = Math.abs(it.value) * scale, x = 10 + k * w;
    svg.appendChild(el('rect', {x: x, y: it.value >= 0 ? base - h : base, width: Math.max(1, w - 3),
                                height: Math.max(0.5, h), fill: it.color || '#4a78c2'}));
    if (items.length <= 12) {
      svg.appendChild(el('text', {x: x, y: 155}, it.label.slice(0, 7)));
      svg.appendChild(el('text', {x: x, y: it.value >= 0 ? base - h - 2 : base + h + 9}, String(it.value)));
    }
  });
  svg.appendChild(el('line', {x1: 8, x2: 312, y1: base, y2: base, stroke: '#888'}));
}
const RAGC = {green: '#3aa757', amber: '#f0a500', red: '#d93025'};

function drawCharts(list) {
  const perStage = STAGES.map((s) => ({label: s, value: list.filter((r) => r.stage === s).length}))
    .filter((i) => i.value > 0);
  bars($('c-stage'), perStage);
  bars($('c-drift'), list.filter((r) => r.drift_pct !== null).slice(0, 60)
    .map((r) => ({label: r.project_id, value: Number(r.drift_pct), color: RAGC[r.rag_economy]})));
  bars($('c-sat'), list.filter((r) => r.satisfaction !== null).slice(0, 60)
    .map((r) => ({label: r.project_id, value: Number(r.satisfaction), color: RAGC[r.rag_satisfaction]})));
}

function redraw() {
  pending = false;
  fillFilters();
  const list = [...rows.values()].filter(visible)
    .sort((a, b) => (a.project_id < b.project_id ? -1 : a.project_id > b.project_id ? 1 : 0));
  drawTable(list);
  drawCharts(list);
  $('count').textContent = list.length + ' of ' + rows.size + ' projects';
  changed = new Set();
}
function schedule() { if (!pending) { pending = true; setTimeout(redraw, 100); } }

function connect() {
  const es = new EventSource('api/v1/stream' + q);
  es.addEventListener('open', () => { $('live').className = 'on'; $('live').textContent = 'live'; });
  es.addEventListener('error', () => { $('live').className = 'off'; $('live').textContent = 'reconnecting'; });
  es.addEventListener('status', (ev) => {
    const r = JSON.parse(ev.data);
    const old = rows.get(r.project_id);
    if (old && old.seq >= r.seq) return;
    if (old) changed.add(r.project_id);
    rows.set(r.project_id, r);
    schedule();
  });
}
$('f-partnership').addEventListener('change', redraw);
$('f-stage').addEventListener('change', redraw);
connect();
