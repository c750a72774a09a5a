// "Your data": the learner's own points, drawn on the output plot or read from a CSV file
// (docs/playground-protocol.md, custom data). The page keeps the points; the server trains on
// the copy it is sent (`custom_data`, `upload`) and answers custom_data, config, data, state.
//
// The points travel in the shareable address too (at most HASH_MAX_POINTS of them), in a `d=`
// part after the config's JSON:  #<URL-encoded config JSON>&d=<task>;<x1>,<x2>,<y>;...
//   <task>  c (classification: y is a class 0..3) or r (regression: y a value in [-1, 1])
//   x1, x2  the coordinates in [-6, 6], at most 2 decimals (a pixel of the plot is ~0.04)
// e.g. `&d=c;1.5,-2,0;3.25,0.5,1`. The config's JSON is URL-encoded, so it never holds a raw
// `&`: the first `&d=` starts the points. A part that does not read exactly so (or holds more
// points than that, or a number out of range) is ignored with a toast; nothing of it ever goes
// into markup.

import { CLASS_COLORS, WHITE, css, diverging, pointColor } from './colors.js';
import { fitCanvas } from './charts.js';
import { N_, _, format } from './i18n.js';

/** The data set's name in the protocol. */
export const CUSTOM = 'custom';

/** At most this many points go into the address; more would make unwieldy links. */
export const HASH_MAX_POINTS = 300;

/** The page sends the drawn points at most this often (4 times a second). */
const SEND_EVERY_MS = 250;

/** Shift-click / right-click removes the nearest point within this distance (plane units). */
const REMOVE_RADIUS = 0.75;

const N_CLASSES = 4; // class labels 0..3 (the protocol's limit)
const PLANE = 6; // the plot spans [-PLANE, PLANE]²

const $ = (id) => document.getElementById(id);
const round2 = (v) => Math.round(v * 100) / 100;
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/* What the page knows of the learner's data; `ctx` holds playground.js's functions. */
const custom = {
  points: [], // [[x1, x2, y], ...] as the learner sees them (the server's copy after a reply)
  task: 'classification',
  cls: 0, // the class of the next drawn point
  value: 1, // the target of the next drawn point (regression)
  open: false, // the tools are shown
  drawing: false, // clicks on the plot add / remove points
  sessionHas: false, // this connection's session holds custom data (a custom_data reply came)
  edits: 0, // local changes so far; `sentEdits`: how many of them the last message carried
  sentEdits: 0,
  sentCount: 0, // points in the server's copy
  lastDataset: null, // the config's data set last seen (the tools close when it changes)
  fromHash: null, // points read from the address, waiting for the connection
  hashNote: false, // the address could not carry the points (too many)
};
let ctx = null;
let timer = null;
const uploads = new Map(); // message id -> file name, for the success note

/**
 * Wire the tools; `context` gives playground.js's state and functions:
 * { app, send, sendConfig, say, toast }.
 */
export function initCustomData(context) {
  ctx = context;
  ctx.app.custom = custom;
  const classes = $('custom-classes');
  for (let k = 0; k < N_CLASSES; k++) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'ct-class';
    b.dataset.class = String(k);
    b.style.setProperty('--class-color', css(CLASS_COLORS[k]));
    b.textContent = String(k);
    b.addEventListener('click', () => { custom.cls = k; showTools(); });
    classes.append(b);
  }
  for (const b of document.querySelectorAll('#custom-task button')) {
    b.addEventListener('click', () => {
      if (custom.points.length || b.dataset.task === custom.task) return;
      custom.task = b.dataset.task;
      showTools();
    });
  }
  $('custom-value').addEventListener('input', (ev) => {
    custom.value = clamp(Number(ev.target.value), -1, 1);
    showTools();
  });
  $('custom-draw').addEventListener('click', () => setDrawing(!custom.drawing));
  $('custom-clear').addEventListener('click', clearPoints);
  $('custom-upload').addEventListener('click', () => $('custom-file').click());
  $('custom-file').addEventListener('change', (ev) => {
    const file = ev.target.files && ev.target.files[0];
    ev.target.value = ''; // the same file again is a new choice
    if (file) uploadFile(file);
  });
  // every drawn point, under the server's (train/test) points: drawOverlay
  const overlay = document.createElement('canvas');
  overlay.id = 'custom-overlay';
  overlay.setAttribute('aria-hidden', 'true');
  $('points').before(overlay);
  const wrap = $('surface-wrap');
  wrap.addEventListener('click', (ev) => {
    if (!custom.drawing || ev.button !== 0) return;
    ev.preventDefault();
    pointerAt(ev, ev.shiftKey);
  });
  wrap.addEventListener('contextmenu', (ev) => {
    if (!custom.drawing) return;
    ev.preventDefault();
    pointerAt(ev, true);
  });
  window.addEventListener('resize', drawOverlay);
  showTools();
}

/* ------------------------------------------------------------------ the connection */

/** A new session (hello): it holds no custom data yet. */
export function onHello() {
  custom.sessionHas = false;
  custom.sentCount = 0;
  clearTimeout(timer);
  timer = null;
}

/**
 * Apply the address's config (from readHash, or null), then its points: a config naming
 * the custom data set is sent without `dataset` and `classes` (the server has no custom data
 * yet), and the points follow as a `custom_data` message, which selects the set. The points are
 * this tab's own when it has some (a reconnect), else the address's.
 */
export function applyAddress(config) {
  const cfg = config && typeof config === 'object' ? { ...config } : {};
  const wantsCustom = cfg.dataset === CUSTOM;
  if (wantsCustom) {
    delete cfg.dataset;
    delete cfg.classes;
  }
  if (Object.keys(cfg).length) ctx.sendConfig(cfg);
  const hashed = custom.fromHash;
  custom.fromHash = null;
  if (hashed && !(hashed.task === custom.task && samePoints(hashed.points, custom.points))) {
    custom.points = hashed.points; // another address (this tab's own points are finer: 4 decimals)
    custom.task = hashed.task;
    custom.edits++;
  }
  if (custom.points.length && (wantsCustom || hashed)) {
    custom.open = true;
    sendPoints();
  } else if (wantsCustom) {
    ctx.say(N_('The address chose your own data, but its points are not in it (links carry at most {max} points); the default data set is used instead.'),
      { max: HASH_MAX_POINTS }, 'info');
  }
  showTools();
}

/** The same points, up to the address's 2 decimals. */
function samePoints(a, b) {
  return a.length === b.length && a.every((p, i) => p.every((v, j) => Math.abs(v - b[i][j]) <= 0.0051));
}

/** The server's `custom_data` reply: its copy of the points (rescaled after an upload). */
export function onCustomData(msg) {
  custom.sessionHas = true;
  custom.sentCount = msg.points.length;
  custom.task = msg.task === 'regression' ? 'regression' : 'classification';
  const upload = msg.source === 'upload';
  // adopt the server's copy unless the learner drew more since it was sent
  if (upload || (!timer && custom.edits === custom.sentEdits)) {
    custom.points = msg.points.map((p) => [p[0], p[1], p[2]]);
    if (upload) {
      clearTimeout(timer);
      timer = null;
      custom.sentEdits = custom.edits;
    }
  }
  custom.open = true;
  describeTask(msg.task, msg.points);
  if (upload) {
    const name = uploads.get(msg.id) || '';
    uploads.delete(msg.id);
    const params = { n: msg.points.length, name };
    if (msg.rescaled) ctx.say(N_('{n} points from {name} (rescaled to the plane)'), params, 'info');
    else ctx.say(N_('{n} points from {name}'), params, 'info');
  }
  showTools();
}

/**
 * The options' entry of the custom data set gets the task and class count of the points, so
 * that the page's controls and network (which read the task from options.datasets) follow
 * them. The server's `config` that comes next uses them.
 */
function describeTask(task, points) {
  const datasets = (ctx.app.options && ctx.app.options.datasets) || {};
  const info = datasets[CUSTOM];
  if (!info) return;
  info.task = task;
  if (task === 'regression') info.classes = [];
  else info.classes = [Math.max(2, 1 + points.reduce((m, p) => Math.max(m, p[2] | 0), 0))];
}

/** A config from the server: the tools close when the learner moves to another data set. */
export function onConfig(config) {
  const changed = config.dataset !== custom.lastDataset;
  custom.lastDataset = config.dataset;
  if (config.dataset === CUSTOM) custom.open = true;
  else if (changed && custom.open) {
    custom.open = false;
    custom.drawing = false;
  }
  // noise and the number of points do not apply to the learner's points
  for (const id of ['noise', 'n_samples']) {
    const el = $(id);
    if (el) el.disabled = config.dataset === CUSTOM;
  }
  showTools();
}

/** The learner chose "Your data". */
export function choose() {
  custom.open = true;
  if (custom.sessionHas && custom.edits === custom.sentEdits && custom.points.length) {
    ctx.sendConfig({ dataset: CUSTOM }); // the session still holds them
  } else if (custom.points.length) {
    sendPoints();
  } else {
    custom.drawing = true; // nothing to train on yet: start drawing
  }
  showTools();
}

/* ------------------------------------------------------------------ drawing */

function setDrawing(on) {
  custom.drawing = on;
  showTools();
}

/** Plane coordinates of a mouse event over the plot: x1 to the right, x2 up (as drawPoints). */
function planeAt(ev) {
  const r = $('points').getBoundingClientRect();
  const x1 = ((ev.clientX - r.left) / r.width) * 2 * PLANE - PLANE;
  const x2 = PLANE - ((ev.clientY - r.top) / r.height) * 2 * PLANE;
  return [x1, x2];
}

function pointerAt(ev, remove) {
  const [x1, x2] = planeAt(ev);
  if (Math.abs(x1) > PLANE || Math.abs(x2) > PLANE) return;
  if (remove) removeNear(x1, x2);
  else addPoint(round2(x1), round2(x2));
}

function addPoint(x1, x2) {
  const max = (ctx.app.limits && ctx.app.limits.max_samples) || 2000;
  if (custom.points.length >= max) {
    ctx.say(N_('At most {max} points: remove some before adding more.'), { max });
    return;
  }
  const y = custom.task === 'regression' ? round2(custom.value) : custom.cls;
  custom.points.push([x1, x2, y]);
  changed();
}

function removeNear(x1, x2) {
  let best = -1;
  let bestD = REMOVE_RADIUS;
  custom.points.forEach((p, i) => {
    const d = Math.hypot(p[0] - x1, p[1] - x2);
    if (d <= bestD) { best = i; bestD = d; }
  });
  if (best < 0) return;
  custom.points.splice(best, 1);
  changed();
}

/** Empty the plot; the server keeps its copy until a new point is drawn (it needs one). */
function clearPoints() {
  if (!custom.points.length) return;
  custom.points = [];
  changed();
}

/** A local change: redraw now, send within SEND_EVERY_MS (batched). */
function changed() {
  custom.edits++;
  showTools();
  if (!timer) timer = setTimeout(flush, SEND_EVERY_MS);
}

function flush() {
  timer = null;
  if (custom.edits !== custom.sentEdits) sendPoints();
}

/** Send the whole point list (nothing while it is empty: the protocol needs a point). */
function sendPoints() {
  clearTimeout(timer);
  timer = null;
  if (!custom.points.length) return;
  const id = ctx.send({ type: 'custom_data', task: custom.task, points: custom.points });
  if (id !== null) custom.sentEdits = custom.edits;
}

/* ------------------------------------------------------------------ upload */

/** Read a CSV file as text and send it; files over the server's limit never leave the page. */
function uploadFile(file) {
  const limit = (ctx.app.limits && ctx.app.limits.max_upload_bytes) || 60000;
  if (file.size > limit) {
    ctx.say(N_('{name} was not sent: it has {size} bytes, and a file can have at most {limit} bytes.'),
      { name: file.name, size: file.size, limit });
    return;
  }
  const reader = new FileReader();
  reader.onload = () => {
    // JSON writes a line end as 2 bytes (\n), CRLF as 4: send \n only; the message has a limit too
    const msg = { type: 'upload', csv: String(reader.result).replace(/\r\n?/g, '\n'), name: file.name };
    const size = new TextEncoder().encode(JSON.stringify(msg)).length + 16; // + the id
    const most = (ctx.app.limits && ctx.app.limits.max_message_bytes) || 65536;
    if (size > most) {
      ctx.say(N_('{name} was not sent: as a message it takes {size} bytes, and a message can have at most {limit} bytes (tabs and quotes take two bytes each).'),
        { name: file.name, size, limit: most });
      return;
    }
    const id = ctx.send(msg);
    if (id !== null) uploads.set(id, file.name);
  };
  reader.onerror = () => {
    ctx.say(N_('{name} could not be read ({error}).'), { name: file.name, error: String(reader.error && reader.error.message) });
  };
  reader.readAsText(file);
}

/* ------------------------------------------------------------------ the address */

/**
 * Split the address's hash (without '#') into the config part, returned, and the points part,
 * kept for applyAddress. A malformed points part is ignored with a toast.
 */
export function splitHash(hash) {
  const at = hash.indexOf('&d=');
  const bare = hash.startsWith('d=');
  if (at < 0 && !bare) return hash;
  const part = bare ? hash.slice(2) : hash.slice(at + 3);
  const parsed = parsePointsPart(part);
  if (parsed) custom.fromHash = parsed;
  else ctx.say(N_('The points in the address could not be read (more than {max} points, or not in the form the page writes); they are ignored.'), { max: HASH_MAX_POINTS });
  return bare ? '' : hash.slice(0, at);
}

/** `&d=...` for the address when the custom data set is in use and small enough, else ''. */
export function hashPart() {
  custom.hashNote = false;
  const c = ctx.app.config;
  if (!c || c.dataset !== CUSTOM || !custom.points.length) return '';
  if (custom.points.length > HASH_MAX_POINTS) {
    custom.hashNote = true;
    showTools();
    return '';
  }
  showTools();
  const num = (v) => String(round2(v));
  const rows = custom.points.map((p) => `${num(p[0])},${num(p[1])},${custom.task === 'regression' ? num(p[2]) : p[2] | 0}`);
  return `&d=${custom.task === 'regression' ? 'r' : 'c'};${rows.join(';')}`;
}

const NUMBER = '-?\\d{1,3}(?:\\.\\d{1,4})?';
const ROW = new RegExp(`^(${NUMBER}),(${NUMBER}),(${NUMBER})$`);

/** {task, points} from a `d=` part, or null when it is not exactly what hashPart writes. */
export function parsePointsPart(part) {
  let text;
  try { text = decodeURIComponent(part); } catch { return null; }
  if (text.length > 40 * HASH_MAX_POINTS + 4) return null;
  const fields = text.split(';');
  const task = { c: 'classification', r: 'regression' }[fields[0]];
  const rows = fields.slice(1);
  if (!task || !rows.length || rows.length > HASH_MAX_POINTS) return null;
  const points = [];
  for (const row of rows) {
    const m = ROW.exec(row);
    if (!m) return null;
    const [x1, x2, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (Math.abs(x1) > PLANE || Math.abs(x2) > PLANE) return null;
    if (task === 'classification' ? !(Number.isInteger(y) && y >= 0 && y < N_CLASSES) : Math.abs(y) > 1) return null;
    points.push([x1, x2, y]);
  }
  return { task, points };
}

/* ------------------------------------------------------------------ showing */

/** Bring the tools, the overlay and the thumbnail up to date. */
export function showTools() {
  const tools = $('custom-tools');
  if (!tools || !ctx) return;
  tools.hidden = !custom.open;
  document.body.classList.toggle('custom-drawing', custom.open && custom.drawing);
  const thumb = document.querySelector(`.dataset[data-dataset="${CUSTOM}"]`);
  if (thumb) thumb.classList.toggle('open', custom.open);
  const regression = custom.task === 'regression';
  for (const b of document.querySelectorAll('#custom-task button')) {
    const on = b.dataset.task === custom.task;
    b.classList.toggle('selected', on);
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    b.disabled = !on && custom.points.length > 0;
  }
  $('custom-classes').hidden = regression;
  $('custom-value-row').hidden = !regression;
  $('custom-hint-class').hidden = regression;
  $('custom-hint-value').hidden = !regression;
  for (const b of document.querySelectorAll('#custom-classes .ct-class')) {
    const on = Number(b.dataset.class) === custom.cls;
    b.classList.toggle('selected', on);
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    b.title = format(_('Draw points of class {k}'), { k: b.dataset.class });
  }
  $('custom-value').value = String(custom.value);
  $('custom-value-val').textContent = custom.value.toFixed(1);
  $('custom-value-val').style.background = css(diverging(custom.value));
  $('custom-value-val').style.color = Math.abs(custom.value) > 0.5 ? '#fff' : '#222';
  const draw = $('custom-draw');
  draw.classList.toggle('selected', custom.drawing);
  draw.setAttribute('aria-pressed', custom.drawing ? 'true' : 'false');
  $('custom-clear').disabled = !custom.points.length;
  relabel();
  drawOverlay();
  drawThumb();
}

/** The texts this module writes (after a language switch too). */
export function relabel() {
  if (!ctx || !$('custom-info')) return;
  const n = custom.points.length;
  let info = n === 1 ? _('{n} point') : _('{n} points');
  info = format(info, { n });
  if (n === 0 && custom.sessionHas) {
    info = format(_('No points: the network still trains on the previous {n} until you draw one.'), { n: custom.sentCount });
  }
  $('custom-info').textContent = info;
  const note = $('custom-note');
  note.hidden = !custom.hashNote;
  note.textContent = format(_('More than {max} points: the address does not carry them; a shared link opens without your data.'),
    { max: HASH_MAX_POINTS });
}

/** While drawing: every point the learner has (train and test alike), over the surface. */
function drawOverlay() {
  const cv = $('custom-overlay');
  if (!cv) return;
  const [g, w, h] = fitCanvas(cv);
  g.clearRect(0, 0, w, h);
  if (!(custom.open && custom.drawing)) return;
  for (const p of custom.points) {
    g.beginPath();
    g.arc(((p[0] + PLANE) / (2 * PLANE)) * w, ((PLANE - p[1]) / (2 * PLANE)) * h, 3.5, 0, 2 * Math.PI);
    g.fillStyle = css(pointColor(p[2], custom.task));
    g.fill();
    g.lineWidth = 1;
    g.strokeStyle = custom.task === 'regression' ? '#555' : '#fff';
    g.stroke();
  }
}

/** The thumbnail: the points, or a pencil while there are none. Returns true when drawn. */
export function drawThumb() {
  const b = document.querySelector(`.dataset[data-dataset="${CUSTOM}"]`);
  if (!b) return false;
  const cv = b.querySelector('canvas');
  const g = cv.getContext('2d');
  const s = cv.width;
  g.fillStyle = css(WHITE);
  g.fillRect(0, 0, s, s);
  if (!custom.points.length) {
    pencil(g, s);
    return true;
  }
  for (const p of custom.points) {
    g.fillStyle = css(custom.task === 'regression' ? diverging(p[2]) : pointColor(p[2], custom.task));
    g.fillRect(((p[0] + PLANE) / (2 * PLANE)) * s - 1.5, ((PLANE - p[1]) / (2 * PLANE)) * s - 1.5, 3, 3);
  }
  return true;
}

/** A pencil drawn across a canvas of side s. */
function pencil(g, s) {
  g.save();
  g.translate(s / 2, s / 2);
  g.rotate(-Math.PI / 4);
  const L = s * 0.62;
  const W = s * 0.16;
  g.fillStyle = '#f0b400'; // body
  g.fillRect(-L / 2, -W / 2, L * 0.72, W);
  g.fillStyle = '#e58e9a'; // eraser
  g.fillRect(-L / 2 - W * 0.7, -W / 2, W * 0.7, W);
  g.fillStyle = '#f3d9b1'; // wood
  g.beginPath();
  g.moveTo(-L / 2 + L * 0.72, -W / 2);
  g.lineTo(L / 2, 0);
  g.lineTo(-L / 2 + L * 0.72, W / 2);
  g.closePath();
  g.fill();
  g.fillStyle = '#333'; // lead
  g.beginPath();
  g.moveTo(L / 2 - W * 0.45, -W * 0.16);
  g.lineTo(L / 2, 0);
  g.lineTo(L / 2 - W * 0.45, W * 0.16);
  g.closePath();
  g.fill();
  g.restore();
}
