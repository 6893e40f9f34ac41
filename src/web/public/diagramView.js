// Draws the server's diagram rows (src/web/sequenceDiagram.ts) as DOM. All layout decisions come with the rows; this
// module only maps them to elements and classes. Trace text comes from peers and can be hostile: it goes into the page
// through textContent (and the title attribute) only, never as markup.
/* global document */

/** An element with a class and, optionally, text. */
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** 0.4 ms, 12.3 ms, 1.25 s */
export function formatMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${Math.round(ms * 10) / 10} ms`;
}

function formatBytes(bytes) {
  return `${bytes.toLocaleString('en-US')} bytes`;
}

/** The date of an ISO 8601 time (2026-11-24T12:00:00.000Z → 2026-11-24); anything else as it is. */
function formatDate(iso) {
  return /^\d{4}-\d{2}-\d{2}T/.test(iso) ? iso.slice(0, 10) : iso;
}

function detailLine(row) {
  return row.detail ? el('div', 'detail', row.detail) : null;
}

function msBadge(ms) {
  return ms !== undefined ? el('span', 'ms', formatMs(ms)) : null;
}

/** A certificate chain, leaf first: subject, issuer, validity and DER size of each certificate. */
export function renderChain(certificates, leftOff, placement) {
  const box = el('div', `chain ${placement}`);
  box.dataset.chain = String(certificates.length);
  const total = certificates.reduce((sum, c) => sum + c.bytes, 0);
  const title = el('div', 'chain-title');
  title.append(el('span', 'chain-name', 'certificate chain'), el('span', 'chain-sum', `${certificates.length} certificates · ${formatBytes(total)}`));
  box.append(title);
  const list = el('ol', 'certs');
  certificates.forEach((c, i) => {
    const item = el('li', 'cert');
    item.title = `serial ${c.serialHex}`;
    const meta = el('span', 'cert-meta');
    meta.append(el('span', 'cert-issuer', `issued by ${c.issuer}`), el('span', 'cert-validity', `valid ${formatDate(c.notBefore)} → ${formatDate(c.notAfter)}`));
    item.append(el('span', 'cert-role', i === 0 ? 'leaf' : `CA ${i}`), el('span', 'cert-subject', c.subject), el('span', 'cert-size', formatBytes(c.bytes)), meta);
    list.append(item);
  });
  box.append(list);
  if (leftOff) box.append(el('div', 'chain-more', `… and ${leftOff} more`));
  return box;
}

function renderArrow(row) {
  const start = Math.min(row.fromColumn, row.toColumn);
  const span = Math.abs(row.toColumn - row.fromColumn);
  const arrow = el('div', `arrow start-${start} span-${span} to-${row.direction}`);
  arrow.dataset.from = row.from;
  arrow.dataset.to = row.to;
  const label = el('div', 'arrow-label');
  label.append(el('span', 'label', row.label));
  arrow.append(label, el('div', 'arrow-line'));
  if (row.detail || row.ms !== undefined) {
    const detail = el('div', 'arrow-detail');
    if (row.detail) detail.append(el('span', null, row.detail));
    const ms = msBadge(row.ms);
    if (ms) detail.append(ms);
    arrow.append(detail);
  }
  return arrow;
}

function renderBox(row) {
  const box = el('div', `box box-${row.kind} at-${row.column}`);
  box.dataset.lane = row.lane;
  const head = el('div', 'box-head');
  if (row.kind === 'check') {
    box.classList.add(row.ok ? 'pass' : 'fail');
    box.dataset.ok = String(row.ok);
    head.append(el('span', 'mark', row.ok ? '✓' : '✗'), el('span', 'name', row.name));
  } else if (row.kind === 'verdict') {
    head.append(el('span', 'mark', '⚑'), el('span', 'name', row.verdict));
  } else {
    box.classList.add('fail');
    head.append(el('span', 'mark', '!'), el('span', 'name', row.error));
  }
  const ms = msBadge(row.ms);
  if (ms) head.append(ms);
  box.append(head);
  const detail = detailLine(row);
  if (detail) box.append(detail);
  return box;
}

function renderNote(row) {
  const note = el('div', `note note-${row.of}`);
  if (row.ok !== undefined) {
    note.classList.add(row.ok ? 'pass' : 'fail');
    note.dataset.ok = String(row.ok);
  }
  const head = el('div', 'box-head');
  head.append(el('span', 'name', row.text));
  const ms = msBadge(row.ms);
  if (ms) head.append(ms);
  note.append(head);
  const detail = detailLine(row);
  if (detail) note.append(detail);
  return note;
}

/** One diagram row: a time gutter and a track over the five lanes. */
export function renderRow(row, animate) {
  const element = el('div', `row row-${row.kind}${animate ? ' enter' : ''}`);
  element.dataset.rowKind = row.kind;
  element.dataset.index = String(row.index);
  element.dataset.party = row.party;
  const track = el('div', 'track');
  let placement = 'center';
  if (row.kind === 'arrow') {
    track.append(renderArrow(row));
    placement = `at-${row.fromColumn}`;
  } else if (row.kind === 'note') {
    track.append(renderNote(row));
  } else {
    track.append(renderBox(row));
    placement = `at-${row.column}`;
  }
  if (row.certificates && row.certificates.length > 0) track.append(renderChain(row.certificates, row.certificatesLeftOff, placement));
  element.append(el('div', 't', `+${formatMs(row.t)}`), track);
  return element;
}

/** The session's final verdict: its outcome, the expected one and whether they agree. */
export function renderVerdict(verdict) {
  const box = el('div', 'final-verdict');
  box.dataset.state = verdict.state;
  if (verdict.state === 'running') {
    box.append(el('span', 'spinner'), el('span', 'final-text', 'running…'));
    return box;
  }
  box.dataset.verdict = verdict.outcome;
  box.dataset.ok = String(verdict.ok);
  box.classList.add(verdict.ok ? 'pass' : 'fail');
  const head = el('div', 'final-head');
  head.append(el('span', 'mark', verdict.ok ? '✓' : '✗'), el('span', 'final-outcome', verdict.outcome), el('span', 'ms', formatMs(verdict.ms)));
  box.append(head, el('div', 'final-expected', verdict.ok ? `as expected (${verdict.expected})` : `expected ${verdict.expected}`));
  return box;
}
