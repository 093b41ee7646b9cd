// rotor's status page: renders the status document the server pushes over
// server-sent events (/api/events) each time it changes. Everything is built
// with DOM calls and text nodes, so names from zone files are never markup.
'use strict';

const $ = (id) => document.getElementById(id);
let current;
const lastOrder = new Map();

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') el.className = v;
    else if (k.startsWith('data-') || k === 'title' || k === 'colspan') el.setAttribute(k, v);
    else el[k] = v;
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
  return el;
}

function ago(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

function uptime(iso) {
  let s = Math.floor((Date.now() - Date.parse(iso)) / 1000);
  const d = Math.floor(s / 86400); s %= 86400;
  const hr = Math.floor(s / 3600); s %= 3600;
  const m = Math.floor(s / 60); s %= 60;
  return 'up ' + (d ? `${d}d ${hr}h` : hr ? `${hr}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`);
}

function rate(n) {
  return n >= 100 ? Math.round(n).toLocaleString() : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function pill(el, text, kind) {
  el.textContent = text;
  el.className = `pill ${kind}`;
}

function policyText(set) {
  if (set.policy === 'cyclic') return `cyclic · answer #${set.served + 1} is next`;
  if (set.policy === 'random') return 'random · shuffled for every answer';
  return 'fixed order';
}

function renderMail(mail) {
  const box = $('mail-zones');
  if (mail.length === 0) {
    box.replaceChildren(h('p', { class: 'empty' }, 'No zone has MX records at its apex.'));
    return;
  }
  box.replaceChildren(...mail.map((z) => {
    const list = h('ol', { class: 'mx' }, z.mx.next.map((m, i) => h('li', { 'data-exchange': m.exchange },
      h('span', { class: 'pos' }, i + 1),
      h('span', { class: 'pref', title: 'preference' }, m.preference),
      h('span', { class: 'exchange' }, m.exchange),
      h('div', { class: 'addrs' }, m.addresses.map((set) => h('span', { class: 'addr-set', title: `${set.type} · ${policyText(set)}` },
        h('span', { class: 'addr-type' }, set.type),
        set.next.map((a, j) => h('span', { class: j === 0 && set.next.length > 1 ? 'addr first' : 'addr' }, a))))),
    )));
    // Flash the list when the order moved since the last update.
    const key = `${z.zone} ${z.worker ?? ''}`;
    const order = JSON.stringify(z.mx.next);
    if (lastOrder.has(key) && lastOrder.get(key) !== order) list.classList.add('changed');
    lastOrder.set(key, order);
    const first = z.mx.next[0];
    const lowest = Math.min(...z.mx.next.map((m) => m.preference));
    const note = first && first.preference > lowest
      ? h('p', { class: 'note warn' }, `The next answer starts with preference ${first.preference}, not ${lowest}: a client that takes the first record mails ${first.exchange}`)
      : h('p', { class: 'note muted' }, 'Highlighted: the first record of the next answer.');
    // With several workers each turns its own counters: the next answer depends on which one gets the query.
    const title = z.worker === undefined ? z.zone : `${z.zone} · worker ${z.worker}`;
    return h('div', { class: 'card', 'data-mail-zone': z.zone, 'data-worker': z.worker ?? '' },
      h('div', { class: 'card-head' }, h('h3', {}, title), h('span', { class: 'muted small' }, policyText(z.mx))),
      list, note);
  }));
}

function bars(el, rates, colour) {
  if (rates.length === 0) {
    el.replaceChildren(h('p', { class: 'empty' }, 'none'));
    return;
  }
  const max = Math.max(...rates.map((r) => r.count));
  el.replaceChildren(...rates.map((r) => {
    const fill = h('div', { class: `fill ${colour(r.name)}` });
    fill.style.width = `${(100 * r.count) / max}%`;
    return h('div', { class: 'row', 'data-name': r.name, title: `${r.count} in the window` },
      h('span', { class: 'name' }, r.name), h('div', { class: 'track' }, fill), h('span', { class: 'num' }, `${rate(r.perSecond)}/s`));
  }));
}

function rcodeColour(name) {
  if (name === 'NOERROR') return '';
  return name === 'NXDOMAIN' ? 'rc-warn' : 'rc-bad';
}

function renderQueries(q) {
  $('qps').textContent = rate(q.perSecond);
  $('total').textContent = q.total.toLocaleString();
  $('window').textContent = q.seconds >= 60 ? '— last minute' : `— last ${Math.round(q.seconds)} s`;
  const max = Math.max(1, ...q.history);
  const padded = [...new Array(Math.max(0, 60 - q.history.length)).fill(0), ...q.history];
  $('spark').replaceChildren(...padded.map((n) => {
    const bar = h('span', { title: `${n} queries` });
    bar.style.height = `${(100 * n) / max}%`;
    return bar;
  }));
  bars($('by-type'), q.byType, () => '');
  bars($('by-rcode'), q.byRcode, rcodeColour);
}

function renderZones(zones) {
  const rows = zones.flatMap((z) => {
    let state;
    if (!z.served) state = h('span', { class: 'pill bad' }, 'not served');
    else if (z.error) state = h('span', { class: 'pill warn' }, 'served · last edit rejected');
    else state = h('span', { class: 'pill ok' }, 'served');
    const row = h('tr', { 'data-zone': z.zone },
      h('td', { class: 'zone', 'data-label': 'zone' }, z.zone),
      h('td', { class: 'num', 'data-label': 'serial' }, z.serial ?? '—'),
      h('td', { class: 'num', 'data-label': 'records' }, z.records ?? '—'),
      h('td', { 'data-label': 'last load', title: z.loadedAt ?? '' }, z.loadedAt ? ago(z.loadedAt) : 'never'),
      h('td', { 'data-label': 'state' }, state));
    if (!z.error) return [row];
    const more = z.error.count > 1 ? ` (and ${z.error.count - 1} more)` : '';
    return [row, h('tr', { class: 'error', 'data-error-for': z.zone },
      h('td', { colspan: 5 }, h('div', { class: 'error-box', title: z.error.at }, `${z.error.text}${more} · ${ago(z.error.at)}`)))];
  });
  $('zone-rows').replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No zone files.'))]));
}

function render(doc) {
  current = doc;
  pill($('ready'), doc.ready ? 'ready' : 'not ready', doc.ready ? 'ok' : 'warn');
  $('waiting').hidden = doc.ready;
  $('waiting').textContent = doc.waiting.join('\n');
  $('uptime').textContent = uptime(doc.startedAt);
  renderMail(doc.mail);
  renderQueries(doc.queries);
  renderZones(doc.zones);
}

const events = new EventSource('/api/events');
events.onopen = () => pill($('live'), 'live', 'ok');
events.onerror = () => pill($('live'), 'reconnecting…', 'bad');
events.onmessage = (e) => render(JSON.parse(e.data));

// Relative times ("12 s ago", uptime) move on between updates.
setInterval(() => {
  if (!current) return;
  $('uptime').textContent = uptime(current.startedAt);
  renderZones(current.zones);
}, 1000);
