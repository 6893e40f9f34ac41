// The dashboard page: the session list, the open session's diagram (live while it runs, replayable once done) and,
// when the server can run scenarios, a button per scenario. Data comes from the JSON API and the event stream;
// drawing is diagramView.js. Text from the server goes into the page as text only.
/* global document, window, EventSource */
import { el, formatMs, renderRow, renderVerdict } from './diagramView.js';

const $ = (id) => document.getElementById(id);

const ui = {
  list: $('session-list'),
  empty: $('no-sessions'),
  title: $('session-title'),
  description: $('session-description'),
  diagram: $('diagram'),
  rows: $('rows'),
  final: $('final'),
  replay: $('replay'),
  follow: $('follow'),
  connection: $('connection'),
  launcher: $('launcher'),
  scenarioButtons: $('scenario-buttons'),
  launchStatus: $('launch-status'),
};

const state = {
  /** id → session summary, in the order the sessions started */
  sessions: new Map(),
  /** The open session: its id, summary and rows as far as known. */
  open: null,
  /** A replay under way: { cancelled } */
  replay: null,
  /** Bumped on every open, so that a late answer for an earlier one is dropped. */
  openSeq: 0,
  /** A session being fetched: { id, rows, session } received from the stream meanwhile. */
  pending: null,
};

const sleep = (ms) => new Promise((resolve) => window.setTimeout(resolve, ms));

async function getJson(url, init) {
  const res = await window.fetch(url, { ...init, headers: { accept: 'application/json', ...(init?.headers ?? {}) } });
  const type = res.headers.get('content-type') ?? '';
  const body = type.startsWith('application/json') ? await res.json() : null;
  return { status: res.status, body };
}

function setConnection(s, text) {
  ui.connection.dataset.state = s;
  ui.connection.textContent = text;
}

// --- session list -------------------------------------------------------------------------------------------------

function outcomeText(s) {
  if (s.verdict.state === 'running') return 'running…';
  return s.verdict.outcome;
}

function renderSessionItem(s) {
  const item = el('li', 'session');
  item.dataset.sessionId = s.id;
  item.dataset.state = s.state;
  if (s.verdict.state === 'done') item.dataset.ok = String(s.verdict.ok);
  if (state.open?.id === s.id) item.setAttribute('aria-current', 'true');
  const button = el('button', 'session-button');
  button.type = 'button';
  button.title = s.description;
  const badge = s.verdict.state === 'running' ? el('span', 'badge running', 'running') : el('span', `badge ${s.verdict.ok ? 'ok' : 'fail'}`, s.verdict.ok ? '✓ ok' : '✗ not ok');
  const meta = el('span', 'session-meta');
  meta.append(el('span', 'session-outcome', outcomeText(s)));
  if (s.verdict.state === 'done') meta.append(el('span', 'session-ms', formatMs(s.verdict.ms)));
  button.append(el('span', 'session-name', s.name), badge, meta);
  button.addEventListener('click', () => {
    ui.follow.checked = false;
    void openSession(s.id);
  });
  item.append(button);
  return item;
}

function renderList() {
  // Newest first. The map holds sessions in the order they started (the server's order, then the stream's).
  const items = [...state.sessions.values()].reverse().map(renderSessionItem);
  ui.list.replaceChildren(...items);
  ui.empty.hidden = items.length > 0;
}

// --- the open session -----------------------------------------------------------------------------------------------

function cancelReplay() {
  if (state.replay) state.replay.cancelled = true;
  state.replay = null;
  delete ui.diagram.dataset.replaying;
}

function updateHeader() {
  const open = state.open;
  if (!open) {
    ui.title.textContent = 'No session selected';
    ui.description.textContent = '';
    ui.replay.disabled = true;
    ui.diagram.dataset.state = 'empty';
    return;
  }
  ui.title.textContent = open.session.name;
  ui.description.textContent = open.session.description;
  ui.diagram.dataset.state = open.session.state;
  ui.diagram.dataset.sessionId = open.id;
  ui.replay.disabled = open.session.state !== 'done' || state.replay !== null;
}

function drawAll() {
  const open = state.open;
  ui.rows.replaceChildren(...(open ? open.rows.map((r) => renderRow(r, false)) : []));
  ui.final.replaceChildren(...(open ? [renderVerdict(open.session.verdict)] : []));
}

function scrollToEnd(element) {
  if (ui.follow.checked) element.scrollIntoView({ block: 'nearest' });
}

async function openSession(id) {
  cancelReplay();
  const seq = ++state.openSeq;
  // What the stream says about this session while its fetch is under way is kept and joined afterwards.
  state.pending = { id, rows: [], session: null };
  const { status, body } = await getJson(`/api/sessions/${encodeURIComponent(id)}`);
  if (seq !== state.openSeq) return;
  const pending = state.pending;
  state.pending = null;
  if (status !== 200) {
    // Dropped by the server (it keeps the latest sessions) or never there.
    state.sessions.delete(id);
    if (state.open?.id === id) state.open = null;
    renderList();
    updateHeader();
    drawAll();
    return;
  }
  const session = pending.session?.state === 'done' ? pending.session : body.session;
  const rows = [...body.rows];
  for (const row of pending.rows.sort((a, b) => a.index - b.index)) if (row.index === rows.length) rows.push(row);
  state.sessions.set(id, session);
  state.open = { id, session, rows };
  renderList();
  updateHeader();
  drawAll();
  if (ui.follow.checked && ui.rows.lastElementChild) ui.rows.lastElementChild.scrollIntoView({ block: 'nearest' });
}

function addRow(sessionId, row) {
  if (state.pending?.id === sessionId) {
    state.pending.rows.push(row);
    return;
  }
  const open = state.open;
  if (!open || open.id !== sessionId) return;
  if (row.index < open.rows.length) return;
  if (row.index > open.rows.length) {
    // A row went missing (a stream reconnect): fetch the session again.
    void openSession(sessionId);
    return;
  }
  open.rows.push(row);
  // A replay draws from open.rows and picks up this row when it gets there.
  if (state.replay) return;
  const element = renderRow(row, true);
  ui.rows.append(element);
  scrollToEnd(element);
}

function updateSession(summary) {
  const known = state.sessions.has(summary.id);
  state.sessions.set(summary.id, summary);
  if (state.pending?.id === summary.id) state.pending.session = summary;
  renderList();
  if (state.open?.id === summary.id) {
    state.open.session = summary;
    updateHeader();
    if (!state.replay) ui.final.replaceChildren(renderVerdict(summary.verdict));
  } else if (!known && summary.state === 'running' && (ui.follow.checked || !state.open)) {
    void openSession(summary.id);
  }
}

async function replay() {
  const open = state.open;
  if (!open || open.session.state !== 'done' || state.replay) return;
  const token = { cancelled: false };
  state.replay = token;
  ui.diagram.dataset.replaying = 'true';
  ui.replay.disabled = true;
  ui.rows.replaceChildren();
  ui.final.replaceChildren();
  let previousT = 0;
  for (let i = 0; i < open.rows.length; i++) {
    const row = open.rows[i];
    // Paced by the session's own timing, but slow enough to follow and quick enough not to bore.
    await sleep(Math.min(450, Math.max(180, row.t - previousT)));
    if (token.cancelled) return;
    previousT = row.t;
    const element = renderRow(row, true);
    ui.rows.append(element);
    element.scrollIntoView({ block: 'nearest' });
  }
  await sleep(250);
  if (token.cancelled) return;
  const verdict = renderVerdict(open.session.verdict);
  ui.final.replaceChildren(verdict);
  verdict.scrollIntoView({ block: 'nearest' });
  state.replay = null;
  delete ui.diagram.dataset.replaying;
  updateHeader();
}

// --- sync and live stream -------------------------------------------------------------------------------------------

async function resync() {
  const { status, body } = await getJson('/api/sessions');
  if (status !== 200) return;
  state.sessions = new Map(body.sessions.map((s) => [s.id, s]));
  renderList();
  if (state.open) {
    await openSession(state.open.id);
  } else if (body.sessions.length > 0) {
    await openSession(body.sessions[body.sessions.length - 1].id);
  } else {
    updateHeader();
  }
}

function connect() {
  const stream = new EventSource('/api/stream');
  stream.addEventListener('open', () => {
    setConnection('live', 'live');
    // Whatever happened while the stream was down (or before it first opened) is read afresh.
    void resync();
  });
  stream.addEventListener('error', () => setConnection('reconnecting', 'reconnecting…'));
  stream.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'session') updateSession(message.session);
    else if (message.type === 'row') addRow(message.sessionId, message.row);
  });
}

// --- scenarios --------------------------------------------------------------------------------------------------------

async function launch(name, button) {
  ui.launchStatus.textContent = `starting ${name}…`;
  ui.launchStatus.dataset.state = 'pending';
  button.disabled = true;
  try {
    const { status, body } = await getJson('/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: name }) });
    if (status === 202) {
      ui.launchStatus.textContent = `${name} started`;
      ui.launchStatus.dataset.state = 'ok';
      ui.follow.checked = true;
      await openSession(body.id);
    } else {
      ui.launchStatus.textContent = status === 409 ? 'another scenario is running; wait for it to end' : `could not start ${name}: ${body?.message ?? `HTTP ${status}`}`;
      ui.launchStatus.dataset.state = 'error';
    }
  } catch (e) {
    // The request itself failed (the dashboard stopped): say so where the user looks.
    ui.launchStatus.textContent = `could not reach the dashboard: ${e instanceof Error ? e.message : String(e)}`;
    ui.launchStatus.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

async function loadScenarios() {
  const { status, body } = await getJson('/api/scenarios');
  if (status !== 200) return;
  const buttons = body.scenarios.map((s) => {
    const button = el('button', 'scenario-button', s.name);
    button.type = 'button';
    button.dataset.scenario = s.name;
    button.title = `${s.description} (expected: ${s.expected})`;
    button.addEventListener('click', () => void launch(s.name, button));
    return button;
  });
  ui.scenarioButtons.replaceChildren(...buttons);
  ui.launcher.hidden = false;
}

ui.replay.addEventListener('click', () => void replay());
updateHeader();
connect();
void loadScenarios();
