// bench_webapp, the browser half (started by tests/bench/bench_webapp.c, which
// has every service and trin-gateway running, a portfolio of PROJECTS
// projects visible to one person and that person's personal token in
// TRIN_BENCH_TOKEN). It measures and never judges: the figures go as JSON to
// OUT_JSON, progress to stderr; exit 1 only when it could not measure.
//
//   1. waits until the aggregator's GetRows (through the gateway, with the
//      token) returns all PROJECTS rows;
//   2. the app's assets: index.html as the gateway serves it and every file it
//      references (scripts, style sheets, icons): raw, as the gateway sends
//      them (its own gzip where it uses one), gzipped as served (the
//      gateway's gzip, else zlib level 9 here) and all at zlib level 9; the
//      served index.html is compared with the one in WEB_DIR;
//   3. RUNS times, each in a fresh browser context (empty cache):
//      - cold portfolio: load #/; the app starts signed out (its token lives
//        in memory only), so the sign-in form is filled and submitted by an
//        init script the moment it exists; marks, relative to
//        performance.timeOrigin (navigation start): the first `tr#row-…`
//        in the DOM and painted (the next animation frame has run), every
//        row in the DOM, and "interactive": from when every row is in the
//        DOM (and painted), the end of the last long task (Long Tasks API)
//        until a 50 ms window without one;
//      - in app, same tab, signed in: #/projects/ID and then #/ by a hash
//        change (as from the menu), timed from the change;
//      - cold project page: load #/projects/ID (sign-in as above): its h1
//        and sections in the DOM (the app sets them together) and painted.
//
// With TRIN_BENCH_SHOTS=DIR, screenshots of both pages go there (not timed);
// with TRIN_BENCH_PROFILE=DIR, a trace and a CPU profile of one in-app
// portfolio render go there, summed up on stderr (not timed either).
//
//   node bench.mjs APP_URL CHROMIUM PROJECTS RUNS PROJECT_ID WEB_DIR OUT_JSON
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { brotliDecompressSync, constants as zc, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const [base, executablePath, projectsArg, runsArg, projectId, webDir, outPath] = process.argv.slice(2);
if (!base || !executablePath || !projectsArg || !runsArg || !projectId || !webDir || !outPath) {
  console.error('usage: node bench.mjs APP_URL CHROMIUM PROJECTS RUNS PROJECT_ID WEB_DIR OUT_JSON');
  process.exit(2);
}
const token = process.env.TRIN_BENCH_TOKEN;
if (!token) { console.error('bench.mjs: TRIN_BENCH_TOKEN is not set'); process.exit(2); }
const PROJECTS = Number(projectsArg);
const RUNS = Number(runsArg);
const WAIT_MS = 120000; // an upper bound for one measurement, not a speed requirement
const log = (m) => console.error(`bench.mjs: ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function within(ms, what, promise) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s`)), ms); });
  try { return await Promise.race([promise, limit]); } finally { clearTimeout(timer); }
}

function stat(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return { n: 0, median: null, min: null, max: null, values: [] };
  const m = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { n: v.length, median: m, min: v[0], max: v[v.length - 1], values };
}

// ---------------------------------------------------------------- 1. the rows

async function countRows() {
  let since = '0';
  let n = 0;
  for (let page = 0; page < 1000; page++) {
    const r = await fetch(new URL('../api/v1/aggregator/GetRows', base), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ since_seq: since, limit: 500 }),
    });
    if (!r.ok) return { n: -1, why: `GetRows: HTTP ${r.status} ${await r.text()}` };
    const rows = (await r.json()).rows || [];
    n += rows.length;
    if (rows.length < 500) break;
    since = rows[rows.length - 1].seq;
  }
  return { n };
}

async function waitForRows() {
  const t0 = performance.now();
  let last = null;
  for (;;) {
    last = await countRows();
    if (last.n >= PROJECTS) return performance.now() - t0;
    if (performance.now() - t0 > 300000) {
      throw new Error(`the aggregator has ${last.n} of ${PROJECTS} rows after 300 s${last.why ? `: ${last.why}` : ''}`);
    }
    await sleep(250);
  }
}

// ---------------------------------------------------------------- 2. the assets

// One GET as the gateway answers it, not decoded by the client: the bytes on
// the wire, the Content-Encoding, and the decoded body.
function get(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => {
        const wire = Buffer.concat(parts);
        const enc = (res.headers['content-encoding'] || '').toLowerCase();
        let body = wire;
        if (enc === 'gzip') body = gunzipSync(wire);
        else if (enc === 'deflate') body = inflateSync(wire);
        else if (enc === 'br') body = brotliDecompressSync(wire);
        resolve({ status: res.statusCode, type: res.headers['content-type'] || '', enc, wire, body });
      });
    });
    req.on('error', reject);
  });
}

// The files an index.html loads: script src, link href (style sheets,
// icons, manifest), img src; only the app's own (relative) ones.
function referenced(html) {
  const out = [];
  const add = (u) => {
    if (!u || /^([a-z]+:|\/\/|#|data:)/i.test(u)) return;
    if (!out.includes(u)) out.push(u);
  };
  for (const m of html.matchAll(/<script\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/gi)) add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*?\bhref\s*=\s*["']([^"']+)["']/gi)) add(m[1]);
  for (const m of html.matchAll(/<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/gi)) add(m[1]);
  return out;
}

async function assets(extraPaths) {
  const notes = [];
  const files = [];
  const index = await get(base);
  if (index.status !== 200) throw new Error(`GET ${base}: HTTP ${index.status}`);
  const html = index.body.toString('utf8');
  let source = null;
  try { source = readFileSync(join(webDir, 'index.html'), 'utf8'); } catch { /* not here: say nothing */ }
  if (source !== null && source !== html) {
    notes.push('the index.html the gateway serves differs from services/gateway/web/index.html: ' +
               'the figures are of the built trin-gateway (rebuild it, re-running cmake for new files)');
  }
  const list = [['index.html', base]];
  for (const u of referenced(html)) list.push([u, new URL(u, base).href]);
  for (const p of extraPaths) {
    const href = new URL(p, base).href;
    if (!list.some(([, h]) => h === href)) {
      list.push([p, href]);
      notes.push(`${p} was loaded by the page though index.html does not name it`);
    }
  }
  let gatewayEncoding = '';
  for (const [name, href] of list) {
    const r = await get(href);
    if (r.status !== 200) {
      notes.push(`${name}: HTTP ${r.status} (left out)`);
      continue;
    }
    if (r.enc) gatewayEncoding = r.enc;
    const gzip9 = gzipSync(r.body, { level: zc.Z_BEST_COMPRESSION }).length;
    // gzipped as served: the gateway's own gzip where it sends one, level 9
    // for a file it sends plain (it leaves small bodies alone)
    const gzip = r.enc === 'gzip' ? r.wire.length : gzip9;
    files.push({ path: name, type: r.type, raw: r.body.length, wire: r.wire.length, encoding: r.enc, gzip, gzip9 });
  }
  // files in the source folder that index.html does not load (dead weight
  // or not wired yet): named, not counted
  try {
    const named = new Set(files.map((f) => f.path.replace(/^\.\//, '')));
    const idle = readdirSync(webDir).filter((f) => !named.has(f));
    if (idle.length) notes.push(`in services/gateway/web but not loaded by index.html: ${idle.join(', ')}`);
  } catch { /* no source folder: nothing to say */ }
  return {
    files,
    total_raw: files.reduce((a, f) => a + f.raw, 0),
    total_gzip: files.reduce((a, f) => a + f.gzip, 0),
    total_gzip9: files.reduce((a, f) => a + f.gzip9, 0),
    total_wire: files.reduce((a, f) => a + f.wire, 0),
    gateway_encoding: gatewayEncoding,
    note: notes.join('; '),
  };
}

// ---------------------------------------------------------------- 3. the browser

// Runs in the page before any of the app's scripts (addInitScript). Signs in
// with the token the moment the form is there and times what `watch` asks
// for: {kind: 'portfolio', rows} or {kind: 'project', id}, from t0 (0 =
// navigation start). window.__bench.done resolves with the marks.
function instrument({ tok, watch }) {
  const B = { marks: {}, longtasks: [], watch: null, errors: [] };
  window.__bench = B;
  let po = null;
  const take = (list) => { for (const e of list) B.longtasks.push([e.startTime, e.startTime + e.duration]); };
  try {
    po = new PerformanceObserver((l) => take(l.getEntries()));
    po.observe({ type: 'longtask', buffered: true });
  } catch (e) { B.errors.push(`no Long Tasks API: ${e}`); }
  const takePending = () => { if (po) take(po.takeRecords()); };
  // after the next frame: rAF runs just before the frame is painted, the
  // task after it once the frame has been handed to the compositor
  const afterPaint = (fn) => requestAnimationFrame(() => setTimeout(() => fn(performance.now()), 0));
  // The end of the last long task from `from` on that is followed by 50 ms
  // without one (from itself when none came).
  const quiet = (from, done) => {
    const step = () => {
      takePending();
      let t = from;
      for (let changed = true; changed;) {
        changed = false;
        for (const [s, e] of B.longtasks) if (e > t && s <= t + 50) { t = e; changed = true; }
      }
      const now = performance.now();
      if (now >= t + 50) done(t); else setTimeout(step, t + 50 - now + 1);
    };
    setTimeout(step, 51);
  };
  const finish = (w) => {
    if (w.finished) return;
    w.finished = true;
    takePending();
    const longest = B.longtasks.filter(([s]) => s >= w.t0).reduce((m, [s, e]) => Math.max(m, e - s), 0);
    // the page's API answers (fetch) between t0 and the DOM mark: the last
    // one's arrival splits the time into waiting for data and building
    const dom = w.res.first_row_dom ?? w.res.ready_dom ?? Infinity;
    const answers = performance.getEntriesByType('resource')
      .filter((e) => e.initiatorType === 'fetch' && e.startTime >= w.t0 && e.responseEnd <= dom);
    if (answers.length) w.res.data_in = Math.max(...answers.map((e) => e.responseEnd));
    const rel = { requests: answers.length,
                  answers: answers.map((e) => [decodeURIComponent(new URL(e.name).pathname).replace(/^.*\/api\/v1/, ''),
                                               Math.round(e.startTime - w.t0), Math.round(e.responseEnd - w.t0)]) };
    for (const [k, v] of Object.entries(w.res)) rel[k] = typeof v === 'number' && k !== 'rows' && k !== 'sections' ? v - w.t0 : v;
    const shown = w.res.first_row ?? w.res.ready;
    if (w.res.data_in !== undefined && shown !== undefined) rel.built = shown - w.res.data_in;
    if (w.t0 === 0) {
      if (B.marks.signinSubmitted !== undefined) rel.signin_submitted = B.marks.signinSubmitted;
      if (B.marks.signedIn !== undefined) rel.signed_in = B.marks.signedIn;
    }
    rel.longest_task = longest;
    w.resolve(rel);
  };
  const check = () => {
    const input = document.getElementById('token');
    if (input && input.form && B.marks.signinSubmitted === undefined) {
      input.value = tok;
      B.marks.signinSubmitted = performance.now();
      input.form.requestSubmit();
    }
    if (B.marks.signinSubmitted !== undefined && B.marks.signedIn === undefined && document.getElementById('whoami')) {
      B.marks.signedIn = performance.now();
    }
    const w = B.watch;
    if (!w || w.finished) return;
    if (w.kind === 'portfolio') {
      if (w.res.first_row_dom === undefined) {
        if (!document.querySelector('main tr[id^="row-"]')) return;
        w.res.first_row_dom = performance.now();
        afterPaint((t) => { w.res.first_row = t; });
      }
      if (w.res.all_rows_dom === undefined) {
        const n = document.querySelectorAll('main tr[id^="row-"]').length;
        if (n < w.rows) return;
        w.res.all_rows_dom = performance.now();
        w.res.rows = n;
        afterPaint((painted) => quiet(painted, (t) => {
          w.res.interactive = Math.max(t, painted);
          finish(w);
        }));
      }
    } else if (w.kind === 'project') {
      if (w.res.ready_dom !== undefined) return;
      const h1 = document.querySelector('main h1');
      if (!h1 || !h1.textContent.startsWith(`${w.id} `)) return;
      const sections = document.querySelectorAll('main > section').length;
      if (!sections) return;
      w.res.ready_dom = performance.now();
      w.res.sections = sections;
      afterPaint((t) => { w.res.ready = t; finish(w); });
    }
  };
  B.start = (spec, t0) => new Promise((resolve) => {
    B.watch = { ...spec, t0, res: {}, resolve, finished: false };
    check();
  });
  B.done = watch ? B.start(watch, 0) : null;
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
}

// A hash change inside the signed-in app, timed from the change.
async function inApp(page, spec, hash) {
  return within(WAIT_MS, `in app ${hash}`, page.evaluate(([s, h]) => {
    const p = window.__bench.start(s, performance.now());
    location.hash = h;
    return p;
  }, [spec, hash]));
}

async function coldPage(browser, hash, watch, seen) {
  const ctx = await browser.newContext({ locale: 'da-DK', viewport: { width: 1200, height: 900 } });
  await ctx.addInitScript(instrument, { tok: token, watch });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  if (seen) {
    const origin = new URL(base).origin;
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.origin === origin && u.pathname.startsWith(new URL(base).pathname) && r.resourceType() !== 'fetch' &&
          r.resourceType() !== 'xhr' && r.resourceType() !== 'document') seen.add(u.pathname);
    });
  }
  await page.goto(`${base}${hash}`, { waitUntil: 'commit' });
  const res = await within(WAIT_MS, `loading ${hash}`, page.evaluate(() => window.__bench.done));
  const benchErrors = await page.evaluate(() => window.__bench.errors);
  for (const e of [...errors, ...benchErrors]) log(`on ${hash}: ${e}`);
  return { ctx, page, res };
}

// With TRIN_BENCH_SHOTS set: the two pages as measured, to look at (taken
// outside the measurements, in their own context).
const shots = process.env.TRIN_BENCH_SHOTS || '';
async function pictures(browser) {
  mkdirSync(shots, { recursive: true });
  const a = await coldPage(browser, '#/', { kind: 'portfolio', rows: PROJECTS }, null);
  await a.page.screenshot({ path: join(shots, 'bench-portfolio.png') });
  await inApp(a.page, { kind: 'project', id: projectId }, `#/projects/${projectId}`);
  await a.page.screenshot({ path: join(shots, 'bench-project.png') });
  await a.ctx.close();
  log(`screenshots in ${shots}`);
}

// With TRIN_BENCH_PROFILE=DIR: where one in-app portfolio render's time
// goes, not timed — a Chromium trace (trace.json, open in
// chrome://tracing or Perfetto) and a JavaScript CPU profile
// (portfolio.cpuprofile, open in DevTools), summed up on stderr: the main
// thread's time by kind of work and the functions that took longest (self).
const profileDir = process.env.TRIN_BENCH_PROFILE || '';
async function profile(browser) {
  mkdirSync(profileDir, { recursive: true });
  const a = await coldPage(browser, '#/', { kind: 'portfolio', rows: PROJECTS }, null);
  await inApp(a.page, { kind: 'project', id: projectId }, `#/projects/${projectId}`);
  await sleep(300);
  const cdp = await a.ctx.newCDPSession(a.page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  const tracePath = join(profileDir, 'trace.json');
  await browser.startTracing(a.page, { path: tracePath, screenshots: false });
  await cdp.send('Profiler.start');
  const res = await inApp(a.page, { kind: 'portfolio', rows: PROJECTS }, '#/');
  const { profile: prof } = await cdp.send('Profiler.stop');
  await browser.stopTracing();
  await a.ctx.close();
  writeFileSync(join(profileDir, 'portfolio.cpuprofile'), JSON.stringify(prof));
  log(`profile of one in-app portfolio (${res.first_row.toFixed(0)} ms to the first row, profiled): ${profileDir}`);
  // the renderer's main thread, by kind of work (these may nest: a forced
  // layout inside a script counts in both)
  const trace = JSON.parse(readFileSync(tracePath, 'utf8'));
  const events = trace.traceEvents || trace;
  const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args && e.args.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`));
  const kinds = {
    'scripts (FunctionCall, microtasks, timers)': ['FunctionCall', 'RunMicrotasks', 'TimerFire', 'EventDispatch', 'FireAnimationFrame'],
    'style (UpdateLayoutTree)': ['UpdateLayoutTree'],
    'layout (Layout)': ['Layout'],
    'paint (PrePaint, Paint, Layerize)': ['PrePaint', 'Paint', 'Layerize'],
    'garbage collection': ['MinorGC', 'MajorGC', 'V8.GC_SCAVENGER', 'V8.GC_MARK_COMPACTOR'],
    'parsing JSON / HTML (ParseHTML, v8.parseOnBackground)': ['ParseHTML'],
  };
  const sum = {};
  for (const e of events) {
    if (e.ph !== 'X' || !mains.has(`${e.pid}:${e.tid}`)) continue;
    for (const [k, names] of Object.entries(kinds)) if (names.includes(e.name)) sum[k] = (sum[k] || 0) + e.dur / 1000;
    if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') sum['main thread busy (every task)'] = (sum['main thread busy (every task)'] || 0) + e.dur / 1000;
  }
  for (const [k, v] of Object.entries(sum)) log(`  ${k}: ${v.toFixed(0)} ms`);
  // JavaScript self time by function
  const self = new Map();
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  prof.samples.forEach((id, i) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) || 0) + (prof.timeDeltas[i] || 0) / 1000);
  });
  const top = [...self].filter(([k]) => k !== '(idle)').sort((x, y) => y[1] - x[1]).slice(0, 15);
  log('  JavaScript self time, top functions:');
  for (const [k, v] of top) log(`    ${v.toFixed(1).padStart(7)} ms  ${k}`);
}

const figures = {
  portfolio_cold: {}, portfolio_app: {}, project_cold: {}, project_app: {},
};
const push = (group, res) => {
  for (const [k, v] of Object.entries(res)) {
    if (typeof v !== 'number') continue;
    (figures[group][k] ||= []).push(v);
  }
};

let status = 0;
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-background-timer-throttling',
         '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
});
const out = { browser: browser.version(), projects: PROJECTS, runs: RUNS, project_id: projectId };
try {
  log(`waiting until the aggregator has ${PROJECTS} rows`);
  out.rows_wait_ms = await waitForRows();
  log(`rows there after ${(out.rows_wait_ms / 1000).toFixed(1)} s`);
  const seen = new Set();
  const appPath = new URL(base).pathname;
  let rowsSeen = 0;
  let sectionsSeen = 0;
  for (let i = 0; i < RUNS; i++) {
    const a = await coldPage(browser, '#/', { kind: 'portfolio', rows: PROJECTS }, i === 0 ? seen : null);
    push('portfolio_cold', a.res);
    rowsSeen = a.res.rows;
    await sleep(200);
    const pa = await inApp(a.page, { kind: 'project', id: projectId }, `#/projects/${projectId}`);
    push('project_app', pa);
    sectionsSeen = pa.sections;
    await sleep(200);
    const pf = await inApp(a.page, { kind: 'portfolio', rows: PROJECTS }, '#/');
    push('portfolio_app', pf);
    await a.ctx.close();
    const b = await coldPage(browser, `#/projects/${projectId}`, { kind: 'project', id: projectId }, null);
    push('project_cold', b.res);
    await b.ctx.close();
    if (shots && i === 0) await pictures(browser);
    if (i === 0) {
      // the API requests of each in-app page, started and answered (ms)
      for (const [what, r] of [['project page', pa], ['portfolio', pf]]) {
        log(`${what}, in app, its API requests (started-answered, ms from the hash change):`);
        for (const [path, s0, e0] of r.answers) log(`  ${String(s0).padStart(5)}-${String(e0).padEnd(5)} ${path}`);
      }
    }
    log(`run ${i + 1}/${RUNS}: portfolio cold first row ${a.res.first_row.toFixed(0)} ms, interactive ` +
        `${a.res.interactive.toFixed(0)} ms; project cold ${b.res.ready.toFixed(0)} ms, in app ${pa.ready.toFixed(0)} ms`);
  }
  out.rows_seen = rowsSeen;
  out.sections_seen = sectionsSeen;
  for (const [g, byFigure] of Object.entries(figures)) {
    out[g] = {};
    for (const [k, v] of Object.entries(byFigure)) out[g][k] = stat(v);
  }
  if (profileDir) await profile(browser);
  const extra = [...seen].map((p) => (p.startsWith(appPath) ? p.slice(appPath.length) : p)).filter((p) => p);
  out.assets = await assets(extra);
  log(`assets: ${out.assets.files.length} files, ${out.assets.total_raw} B raw, ${out.assets.total_gzip} B gzipped`);
  writeFileSync(outPath, JSON.stringify(out, null, 2));
} catch (e) {
  console.error(`bench.mjs: could not measure: ${e.stack || e}`);
  status = 1;
} finally {
  await browser.close();
}
process.exit(status);
