// trin — live updates (issue 16): while someone is signed in, the app
// follows the gateway's GET /api/v1/stream (the status rows of the
// projects this person may see, as they change) and shows the open page
// again when a row concerning it arrives: the portfolio for any row, a
// project for its own, a partnership for its projects'. Someone in the
// middle of a form is not interrupted: a notice offers the new version.
//
// EventSource cannot send the Authorization header, and the token must stay
// in memory (never a cookie or the address), so the stream is read with
// fetch() and parsed here (text/event-stream: blocks separated by a blank
// line, "event:"/"data:" fields, ":" comments).
'use strict';

addWords({
  da: {
    liveUpdated: 'Siden er opdateret med de seneste ændringer.',
    liveChanged: 'Der er kommet ændringer, mens du har arbejdet på siden.',
    liveShow: 'Vis ændringerne',
  },
  en: {
    liveUpdated: 'The page has been updated with the latest changes.',
    liveChanged: 'Changes have come in while you were working on the page.',
    liveShow: 'Show the changes',
  },
});

const live = {
  token: null,      // the token the running stream was opened with
  abort: null,      // its AbortController
  retry: null,      // the timer of the next attempt
  wait: 1000,       // the next attempt's delay (doubles up to 30 s)
  pending: null,    // the timer that gathers rows arriving together
  auto: false,      // a refresh of its own is drawing the page (liveHold)
  held: false,      // ... and kept the page, for a form opened meanwhile
};

function liveStop() {
  if (live.abort) live.abort.abort();
  clearTimeout(live.retry);
  clearTimeout(live.pending);
  live.abort = live.retry = live.pending = null;
  live.token = null;
  delete document.documentElement.dataset.live;
}

function liveStart() {
  liveStop();
  live.token = state.token;
  const ctl = new AbortController();
  live.abort = ctl;
  liveFollow(live.token, ctl.signal).then((again) => {
    if (ctl.signal.aborted || live.abort !== ctl || !again) return;
    // the stream ended (the gateway restarted, a proxy timed out): read the
    // page again, since what changed meanwhile was not streamed, and follow
    live.retry = setTimeout(() => { liveRefresh(); liveStart(); }, live.wait);
    live.wait = Math.min(live.wait * 2, 30000);
  });
}

// Reads the stream until it ends; true when it is worth opening again.
async function liveFollow(token, signal) {
  let r;
  try {
    r = await fetch(`${API}/stream`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
                                       cache: 'no-store', signal });
  } catch {
    return true;
  }
  if (r.status === 401 || r.status === 403) return false; // the next request signs the person out
  if (!r.ok || !r.body) return r.status >= 500;
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) { delete document.documentElement.dataset.live; return true; }
      live.wait = 1000;
      buf += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        liveBlock(buf.slice(0, end));
        buf = buf.slice(end + 2);
      }
    }
  } catch {
    return !signal.aborted;
  }
}

function liveBlock(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    // the gateway says in a comment when it follows the rows (on <html
    // data-live>, for whoever needs to know: tests, a stylesheet)
    if (line.startsWith(': following')) document.documentElement.dataset.live = 'following';
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
  }
  if (event !== 'row' || !data.length) return;
  let row;
  try { row = JSON.parse(data.join('\n')); } catch { return; }
  if (liveConcerns(row)) {
    clearTimeout(live.pending);
    live.pending = setTimeout(liveRefresh, 200);
  }
}

// Does the open page show this row?
function liveConcerns(row) {
  const { parts } = route();
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'portfolio')) return true;
  if (parts.length === 2 && parts[0] === 'projects') return row.project_id === parts[1];
  if (parts.length === 2 && parts[0] === 'partnerships') return row.partnership_id === parts[1];
  return false;
}

// Someone typing, or with a form open, keeps what they have.
function liveBusy() {
  const main = document.getElementById('main');
  const a = document.activeElement;
  return Boolean(main.querySelector('details[open] form') ||
    (a && main.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName)));
}

// Says that the page has news, with a button to show it.
function liveNotice() {
  const main = document.getElementById('main');
  if (document.getElementById('live-notice')) return;
  const h1 = main.querySelector('h1');
  const notice = el('div', { class: 'banner', id: 'live-notice' }, el('p', {}, t('liveChanged')),
    el('button', { type: 'button', id: 'live-show', onclick: () => liveShow(true) }, t('liveShow')));
  if (h1) h1.after(notice); else main.prepend(notice);
}

async function liveRefresh() {
  live.pending = null;
  if (!state.token) return;
  if (liveBusy()) { liveNotice(); return; }
  await liveShow(false);
}

// A refresh fetches before it draws: a form opened (or a field typed in)
// meanwhile must not be drawn over. setMain asks this before it replaces
// the page; true = keep the page, with the notice instead.
function liveHold() {
  if (!live.auto || !liveBusy()) return false;
  live.held = true;
  liveNotice();
  return true;
}

async function liveShow(focus) {
  const y = window.scrollY;
  live.auto = !focus;
  live.held = false;
  try { await render(); } finally { live.auto = false; }
  if (live.held) return;
  window.scrollTo(0, y);
  announce(t('liveUpdated'));
  if (focus) focusMain();
}

// After every page: follow while signed in, with this token; stop otherwise.
onShown(() => {
  if (!state.token) liveStop();
  else if (live.token !== state.token) liveStart();
});
