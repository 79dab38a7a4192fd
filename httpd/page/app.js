// sluice's page: polls /api/v1/streams and /api/v1/history every two
// seconds and draws them. Plain DOM, no framework; every name from the
// server goes in through textContent, never as HTML.
'use strict';
(() => {
  const POLL_MS = 2000;
  const SPAN_MS = 15 * 60 * 1000;
  const $ = (sel) => document.querySelector(sel);
  const state = { q: '', offset: 0, limit: 20, matched: 0, prev: new Map(), points: [], since: 0, busy: false };

  // el builds an element: attrs may hold class, text, title, colspan and data (an object).
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'data') for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = dv;
      else e.setAttribute(k, v);
    }
    for (const kid of kids) if (kid != null) e.append(kid);
    return e;
  }

  function num(n) {
    if (n == null) return '–';
    const a = Math.abs(n);
    if (a >= 1e9) return (n / 1e9).toFixed(1) + 'G';
    if (a >= 1e6) return (n / 1e6).toFixed(1) + 'M';
    if (a >= 1e4) return (n / 1e3).toFixed(1) + 'k';
    return String(Math.round(n * 10) / 10);
  }
  function bytes(n) {
    if (n == null) return '–';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + ' ' + u[i];
  }
  function dur(ms) {
    if (ms == null) return '–';
    const s = ms / 1000;
    if (s < 1) return ms + 'ms';
    if (s < 120) return Math.round(s) + 's';
    if (s < 7200) return Math.round(s / 60) + 'm';
    if (s < 172800) return Math.round(s / 3600) + 'h';
    return Math.round(s / 86400) + 'd';
  }

  async function get(url) {
    const r = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
    if (!r.ok) throw new Error(r.status + ' ' + (await r.text()).trim());
    return r.json();
  }

  function streamsURL() {
    const p = new URLSearchParams({ offset: state.offset, limit: state.limit });
    if (state.q) p.set('q', state.q);
    return '/api/v1/streams?' + p;
  }

  async function tick() {
    if (state.busy) return;
    state.busy = true;
    try {
      const [s, h] = await Promise.all([get(streamsURL()), get('/api/v1/history?since=' + state.since)]);
      renderServer(s);
      renderStreams(s);
      addPoints(h.points, s.now);
      renderCharts(s.now);
      $('#updated').textContent = 'updated ' + new Date(s.now).toLocaleTimeString();
    } catch (e) {
      const b = $('#ready');
      b.textContent = 'unreachable';
      b.className = 'badge bad';
      b.title = String(e.message || e);
    } finally {
      state.busy = false;
    }
  }

  function renderServer(s) {
    const b = $('#ready');
    b.textContent = s.ready ? 'ready' : 'not ready';
    b.className = 'badge ' + (s.ready ? 'ok' : 'bad');
    b.title = s.not_ready || '';
    const items = [
      ['streams', num(s.streams)], ['keys', num(s.keys)], ['clients', num(s.connected_clients)],
      ['blocked', num(s.blocked_clients)], ['lag', num(s.totals.lag)], ['pending', num(s.totals.pending)],
      ['dead-lettered', num(s.totals.dead_lettered)], ['memory', bytes(s.used_memory_bytes)],
      ['log', bytes(s.log.bytes)], ['snapshot', dur(s.snapshot.age_seconds * 1000) + ' ago'],
      ['uptime', dur(s.uptime_seconds * 1000)],
    ];
    if (s.log.failing) items.push(['log failing', s.log.failing]);
    $('#server').replaceChildren(...items.map(([k, v]) => el('div', {}, el('dt', { text: k }), el('dd', { text: v }))));
  }

  function renderStreams(s) {
    state.matched = s.matched;
    $('#matched').textContent = s.matched === 0 ? '' :
      `${s.offset + 1}–${s.offset + s.list.length} of ${num(s.matched)}${s.q ? ' matching' : ''}, longest first`;
    $('#prev').disabled = s.offset === 0;
    $('#next').disabled = s.offset + s.list.length >= s.matched;
    $('#empty').hidden = s.list.length > 0;
    const prev = state.prev;
    const next = new Map();
    const rows = [];
    for (const st of s.list) {
      const id = st.db + '\u0000' + st.key;
      const p = prev.get(id);
      let rate = null;
      if (p && s.now > p.now) rate = Math.max(0, (st.entries_added - p.added) * 1000 / (s.now - p.now));
      next.set(id, { added: st.entries_added, now: s.now });
      rows.push(el('tr', { class: 'stream', data: { key: st.key, db: String(st.db) } },
        el('td', { class: 'name', text: st.key }),
        el('td', { text: String(st.db) }),
        el('td', { class: 'n length', text: num(st.length) }),
        el('td', { class: 'n rate', text: rate == null ? '…' : num(rate) }),
        el('td', { class: 'n', text: num(st.entries_added) }),
        el('td', { class: 'n', text: bytes(st.bytes) }),
        el('td', { class: 'n', text: st.last_entry_age_ms == null ? '–' : dur(st.last_entry_age_ms) + ' ago' }),
        el('td', { class: 'n', text: String(st.groups_total) })));
      if (st.groups.length) rows.push(el('tr', { class: 'groups' }, el('td', { colspan: '8' }, groupTable(st))));
    }
    state.prev = next;
    $('#streams tbody').replaceChildren(...rows);
  }

  function groupTable(st) {
    const head = el('tr', {}, ...['group', 'lag', 'pending', 'oldest pending', 'consumers (idle)', 'delivered', 'acked', 'dead-lettered']
      .map((h, i) => el('th', { class: i > 0 && i !== 4 ? 'n' : '', text: h })));
    const body = [];
    for (const g of st.groups) {
      const consumers = el('td', { class: 'consumers' });
      for (const c of g.consumer_list) {
        consumers.append(el('span', { title: `${c.pending} pending` }, c.name + ' ', el('span', { class: 'idle', text: dur(c.idle_ms) })));
      }
      if (g.consumers > g.consumer_list.length) consumers.append(el('span', { class: 'muted', text: `+${g.consumers - g.consumer_list.length} more` }));
      const lagClass = 'n lag' + (g.lag != null && g.lag >= 1000 ? ' high' : '');
      body.push(el('tr', { class: 'group', data: { group: g.name } },
        el('td', { text: g.name }),
        el('td', { class: lagClass, data: { group: g.name }, text: g.lag == null ? 'unknown' : String(g.lag) }),
        el('td', { class: 'n pending', text: String(g.pending) }),
        el('td', { class: 'n', text: g.oldest_pending_age_ms == null ? '–' : dur(g.oldest_pending_age_ms) }),
        consumers,
        el('td', { class: 'n', text: num(g.delivered) }),
        el('td', { class: 'n', text: num(g.acked) }),
        el('td', { class: 'n', text: num(g.dead_lettered) })));
      if (g.dead_letter_key) body.push(el('tr', { class: 'dlq-row' }, el('td', { colspan: '8' }, deadLetters(st, g))));
    }
    return el('table', { class: 'groups' }, el('thead', {}, head), el('tbody', {}, ...body));
  }

  function deadLetters(st, g) {
    const box = el('div', { class: 'dlq', data: { key: g.dead_letter_key } });
    box.append(el('span', { class: 'title', text: `dead letters → ${g.dead_letter_key}: ` }),
      el('span', { class: 'depth', text: `${g.dead_letter_length} in the stream` }), ' ');
    if (g.dead_letters.length) {
      const btn = el('button', { type: 'button', class: 'redrive', text: 'Redrive' });
      const out = el('span', { class: 'muted' });
      btn.addEventListener('click', () => redrive(st, g, btn, out));
      box.append(btn, ' ', out);
      box.append(el('ol', {}, ...g.dead_letters.map((d) => el('li', {}, d.id + '  ',
        ...d.fields.flatMap(([f, v]) => [el('span', { class: 'f', text: f + '=' }), v + '  '])))));
    }
    return box;
  }

  async function redrive(st, g, btn, out) {
    if (!window.confirm(`Move up to 100 dead letters of group "${g.name}" back to stream "${st.key}"?`)) return;
    btn.disabled = true;
    try {
      const r = await fetch('/api/v1/redrive', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Sluice-Request': '1' },
        body: JSON.stringify({ db: st.db, key: st.key, group: g.name }),
      });
      const body = await r.json().catch(() => ({ error: r.statusText }));
      out.textContent = r.ok ? `moved ${body.moved}` : `failed: ${body.error}`;
    } catch (e) {
      out.textContent = 'failed: ' + e.message;
    }
    btn.disabled = false;
    tick();
  }

  function addPoints(points, now) {
    for (const p of points) {
      if (p.t > state.since) { state.points.push(p); state.since = p.t; }
    }
    const from = now - SPAN_MS;
    while (state.points.length && state.points[0].t < from) state.points.shift();
  }

  const W = 600, H = 160, PAD = 14;
  function renderCharts(now) {
    chart($('#rates'), now, [['produced', 'produced_per_sec'], ['acked', 'acked_per_sec'], ['dead', 'dead_lettered_per_sec']]);
    chart($('#lag'), now, [['lag', 'lag'], ['pending', 'pending']]);
  }

  // chart draws series (class, field) of the points as polylines on a
  // shared scale from 0, over the last 15 minutes or, until the server has
  // that much history, over what it has (a minute at least).
  function chart(svg, now, series) {
    const ns = 'http://www.w3.org/2000/svg';
    const mk = (tag, attrs) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      return e;
    };
    const pts = state.points;
    let top = 0;
    for (const p of pts) for (const [, f] of series) top = Math.max(top, p[f]);
    top = top > 0 ? top * 1.1 : 1;
    const span = Math.min(SPAN_MS, Math.max(60000, pts.length ? now - pts[0].t : 0));
    const x = (t) => ((t - (now - span)) / span) * W;
    const y = (v) => H - PAD - (v / top) * (H - 2 * PAD);
    const kids = [];
    for (const f of [0, 0.5, 1]) {
      kids.push(mk('line', { class: 'grid', x1: 0, x2: W, y1: y(top * f), y2: y(top * f) }));
    }
    const label = (text, attrs) => { const t = mk('text', attrs); t.textContent = text; return t; };
    kids.push(label(num(top), { x: 4, y: PAD - 2 }), label('-' + dur(span), { x: 4, y: H - 2 }), label('now', { x: W - 26, y: H - 2 }));
    for (const [cls, f] of series) {
      if (pts.length < 2) continue;
      kids.push(mk('polyline', { class: cls, points: pts.map((p) => `${x(p.t).toFixed(1)},${y(p[f]).toFixed(1)}`).join(' ') }));
    }
    svg.replaceChildren(...kids);
  }

  let typing;
  $('#q').addEventListener('input', (e) => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.q = e.target.value; state.offset = 0; tick(); }, 300);
  });
  $('#prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - state.limit); tick(); });
  $('#next').addEventListener('click', () => {
    if (state.offset + state.limit < state.matched) { state.offset += state.limit; tick(); }
  });
  tick();
  setInterval(tick, POLL_MS);
})();
