// gradlab playground: the page. It draws what the Python server sends over the WebSocket
// (docs/playground-protocol.md) and sends the learner's changes back; no training happens here.

import { CLASS_COLORS, WHITE, css, decodeBase64, diverging, paintBytes, paintHatch, paintMulticlass, pointColor,
  signedLut, unitLut } from './colors.js';
import { History, drawGradChart, drawLossChart, fitCanvas, gradientBlocks, layerColor } from './charts.js';
import { LANGUAGES, N_, _, format, known, language, safeHtml, setLanguage } from './i18n.js';
import { Network, normalizeFeatures } from './network.js';
import { PAGE_TEXTS } from './texts.js';
import * as customData from './customdata.js';

const $ = (id) => document.getElementById(id);
const clone = (o) => JSON.parse(JSON.stringify(o));
/** JSON with sorted keys, so equal configs compare equal whatever their key order. */
const stable = (v) => (v && typeof v === 'object'
  ? (Array.isArray(v) ? `[${v.map(stable).join(',')}]`
    : `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`)
  : JSON.stringify(v));
const same = (a, b) => stable(a) === stable(b);

// Everything the page knows, also exposed for debugging and the end-to-end tests.
const app = {
  ws: null,
  connected: false,
  session: null,
  options: null,
  limits: null,
  defaults: null, // the server's default config (from hello)
  config: null, // the config in force (from the server)
  data: null,
  state: null,
  running: false,
  history: new History(),
  errors: [], // every error message received
  counts: { messages: 0, states: 0, gradPoints: 0, lossPoints: 0, configs: 0, keepalives: 0 },
  latencyMs: null,
  lang: 'en', // the page's language (the address's ?lang=, else the server's default)
  // the unit shown in the output plot instead of the network's output (layer indexes
  // state.layers; null: none), whether it is pinned, and which of its grids: 'out' or 'pre'
  inspect: { layer: null, unit: null, pinned: false, mode: 'out' },
  readonly: false, // a small screen: the page only shows (see watchScreen)
};
window.__playground = app;

/* ------------------------------------------------------------------ language */

/** The language the address asks for (?lang=), or null. */
const addressLanguage = () => known(new URLSearchParams(location.search).get('lang'));

/** Put every text of index.html in the current language (see texts.js). */
function applyPageTexts() {
  const text = (key) => {
    if (!(key in PAGE_TEXTS)) {
      console.error(`texts.js has no text "${key}"`);
      return '';
    }
    return _(PAGE_TEXTS[key]);
  };
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = text(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-html]')) el.innerHTML = safeHtml(text(el.dataset.i18nHtml));
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = text(el.dataset.i18nTitle);
  $('lang-switch').setAttribute('aria-label', _('Language'));
  for (const b of document.querySelectorAll('#lang-switch button')) {
    const on = b.dataset.lang === app.lang;
    b.classList.toggle('selected', on);
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
  // the CSS marks dead units with this word (playground.css: .node.dead::after)
  document.body.style.setProperty('--dead-label', JSON.stringify(_('dead')));
}

/** Redraw everything that shows text, in the language now in effect. */
function relabel() {
  applyPageTexts();
  showStatus();
  relabelToasts();
  if (app.options) {
    buildControls();
    syncControls();
    if (network) network.relabel();
    rebuildNetwork();
    if (app.data) drawDatasetThumb(app.config && app.config.dataset, app.data);
    customData.showTools();
  }
  const dv = $('diverged');
  dv.dataset.text = '';
  closeWeightEditor();
  markDirty('state', 'legend', 'charts');
}

/**
 * Switch the page to `lang` without reloading: every text changes at once, the session keeps
 * training (the server is told, so that its messages follow), and the address keeps the choice
 * (?lang=, next to the config in the hash) so that a shared link opens in it.
 */
async function switchLanguage(lang) {
  const want = known(lang);
  if (!want) return;
  try {
    app.lang = await setLanguage(want);
  } catch (err) {
    say(N_('The {language} texts could not be loaded ({error}).'), { language: LANGUAGES[want], error: err.message || err });
    return;
  }
  const params = new URLSearchParams(location.search);
  params.set('lang', app.lang);
  history.replaceState(null, '', `${location.pathname}?${params}${location.hash}`);
  if (app.ws && app.ws.readyState === WebSocket.OPEN) send({ type: 'language', lang: app.lang });
  relabel();
}
app.switchLanguage = switchLanguage;

/* ------------------------------------------------------------------ connection */

let nextId = 1;
const sentAt = new Map(); // id -> performance.now(), to measure round trips
let retryMs = 1000;
let retryTimer = null;

function connect() {
  clearTimeout(retryTimer);
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${proto}://${location.host}/ws?lang=${encodeURIComponent(app.lang)}`);
  app.ws = ws;
  setStatus('connecting', N_('connecting…'));
  ws.onopen = () => { retryMs = 1000; };
  ws.onmessage = (ev) => {
    let msg;
    try { msg = JSON.parse(ev.data); } catch { say(N_('The server sent something that is not JSON.')); return; }
    app.counts.messages++;
    handle(msg);
  };
  ws.onclose = (ev) => {
    if (app.ws !== ws) return;
    app.connected = false;
    app.running = false;
    document.body.dataset.connected = '0';
    updatePlayButton();
    stopKeepalive();
    if (ev.code === 1001) {
      setStatus('closed', N_('session closed (idle)'), {}, true);
      say(N_('The server closed this session after a long idle time. Press “Reconnect” to start a new one.'), {}, 'info');
    } else if (ev.code === 1008) {
      // refused by the server's access rule (this page's origin); retrying would not help.
      // The reason is the server's, for whoever runs it (it names its command-line options).
      setStatus('closed', N_('refused by the server'), {}, true);
      if (ev.reason) say(N_('The server refused the connection: {reason}'), { reason: ev.reason });
      else say(N_('The server refused the connection (policy violation).'));
    } else if (ev.code === 1013) {
      setStatus('closed', N_('server full'), {}, true);
      say(N_('The server has no room for another session right now. Try “Reconnect” later.'));
    } else {
      setStatus('closed', N_('disconnected; retrying in {seconds} s'), { seconds: Math.round(retryMs / 1000) }, true);
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    }
  };
}

/* The keepalive: while the page is in view it pings every `limits.keepalive_s`, so the
   server's idle timeout (`limits.idle_timeout_s` without a message) only ends sessions that
   nobody has in view: a closed, hidden or sleeping tab stops pinging. */
let keepaliveTimer = null;

function keepalive() {
  if (document.visibilityState === 'visible' && app.ws && app.ws.readyState === WebSocket.OPEN) {
    send({ type: 'ping' });
    app.counts.keepalives++;
  }
}

function startKeepalive(seconds) {
  stopKeepalive();
  if (seconds > 0) keepaliveTimer = setInterval(keepalive, seconds * 1000);
}

function stopKeepalive() {
  clearInterval(keepaliveTimer);
  keepaliveTimer = null;
}

document.addEventListener('visibilitychange', keepalive); // back in view: tell the server now

/** Send one message; returns its id. */
function send(msg) {
  if (!app.ws || app.ws.readyState !== WebSocket.OPEN) {
    say(N_('Not connected to the server: the change was not sent.'));
    return null;
  }
  const id = nextId++;
  sentAt.set(id, performance.now());
  app.ws.send(JSON.stringify({ ...msg, id }));
  return id;
}
app.send = send;

const sendConfig = (partial) => send({ type: 'config', config: partial });

const status = { kind: 'connecting', msgid: N_('connecting…'), params: {}, button: false };

/** The connection status: `msgid` (marked with N_) filled with `params`, in the page's language. */
function setStatus(kind, msgid, params = {}, showButton = false) {
  Object.assign(status, { kind, msgid, params, button: showButton });
  showStatus();
}

function showStatus() {
  $('status').dataset.state = status.kind;
  $('status-text').textContent = format(_(status.msgid), status.params);
  $('reconnect').hidden = !status.button;
}

/* ------------------------------------------------------------------ messages */

function handle(msg) {
  if (typeof msg.id === 'number' && sentAt.has(msg.id)) {
    app.latencyMs = performance.now() - sentAt.get(msg.id);
    sentAt.delete(msg.id);
  }
  switch (msg.type) {
    case 'hello': return onHello(msg);
    case 'config': return onConfig(msg.config);
    case 'data': return onData(msg);
    case 'state': return onState(msg);
    case 'pong': return undefined;
    case 'error': return onError(msg);
    case 'custom_data': return customData.onCustomData(msg);
    default: return undefined;
  }
}

function onHello(msg) {
  app.connected = true;
  app.session = msg.session;
  app.options = msg.options;
  app.limits = msg.limits || {};
  app.defaults = msg.config;
  startKeepalive(app.limits.keepalive_s || Math.min(60, (app.limits.idle_timeout_s || 900) / 3));
  resetInspect(); // a new session inspects nothing
  document.body.dataset.connected = '1';
  setStatus('ok', N_('connected'));
  buildControls();
  onConfig(msg.config, true);
  // a config in the address (a shared link, or this tab's before a reconnect) is applied now
  // (the learner's own points, from this tab or the address, follow the config: customdata.js)
  customData.onHello();
  customData.applyAddress(readHash());
}

function onConfig(config, initial = false) {
  app.config = config;
  app.counts.configs++;
  document.body.dataset.config = JSON.stringify(config);
  syncControls();
  customData.onConfig(config);
  rebuildNetwork();
  keepInspectValid();
  if (!initial) writeHash();
  markDirty('points', 'legend');
}

function onData(msg) {
  app.data = msg;
  drawDatasetThumb(app.config && app.config.dataset, msg);
  markDirty('points', 'legend');
}

function onState(st) {
  app.state = st;
  app.running = !!st.running;
  app.counts.states++;
  if (app.history.add(st) || app.history.length === 1) {
    app.counts.lossPoints = app.history.length;
  }
  app.counts.gradPoints = app.history.grads.reduce((s, a) => s + a.length, 0);
  // divergence: shown over the decision surface (the server also sends an `error`, toasted)
  markDirty('state', 'charts');
}

function onError(msg) {
  app.errors.push(msg);
  const where = msg.field && !String(msg.message).includes(msg.field) ? ` (${msg.field})` : '';
  toast(`${msg.message}${where}`, 'error', msg.field);
  if (msg.field) markField(msg.field);
  syncControls(); // back to the values in force
}

/* ------------------------------------------------------------------ controls */

const NUMBER_FIELDS = ['learning_rate', 'reg_rate', 'init_scale', 'dropout', 'seed', 'n_samples'];
const SLIDER_FIELDS = ['train_ratio', 'noise', 'batch_size'];
const SELECT_FIELDS = ['regularization', 'initializer'];

/** A typed number, or the raw text when it is not one (the server then explains the error). */
function parseNumber(text) {
  const t = String(text).trim();
  const v = Number(t);
  return t !== '' && Number.isFinite(v) ? v : t;
}

let controlsBuilt = false;
let network = null;

function buildControls() {
  const o = app.options;
  // presets
  const ps = $('preset');
  ps.replaceChildren(new Option(_(PAGE_TEXTS.presetChoose), ''));
  for (const p of o.presets || []) {
    const opt = new Option(p.title ? _(p.title) : p.name, p.name);
    opt.title = p.description ? _(p.description) : '';
    ps.append(opt);
  }
  // optimizers and initializers (the server's English labels, translated here)
  const os = $('optimizer');
  os.replaceChildren(...Object.entries(o.optimizers || {}).map(([name, v]) => new Option(v.label ? _(v.label) : name, name)));
  const is = $('initializer');
  is.replaceChildren(...(o.initializers || []).map((i) => {
    const name = typeof i === 'string' ? i : i.name;
    return new Option((typeof i === 'string' ? i : i.label || i.name).replace(/_/g, ' '), name);
  }));
  // data set thumbnails
  const ds = $('datasets');
  ds.replaceChildren();
  for (const [name, info] of Object.entries(o.datasets || {})) {
    const b = document.createElement('button');
    b.className = 'dataset';
    b.dataset.dataset = name;
    const label = datasetLabel(name);
    const task = (info.task || 'classification') === 'regression' ? _('regression') : _('classification');
    b.title = info.classes && info.classes.length
      ? format(_('{label} ({task}, {classes} classes): click to use this data set'), { label, task, classes: info.classes.join('/') })
      : format(_('{label} ({task}): click to use this data set'), { label, task });
    const cv = document.createElement('canvas');
    cv.width = cv.height = 60;
    const cap = document.createElement('span');
    cap.textContent = label;
    b.append(cv, cap);
    b.addEventListener('click', () => chooseDataset(name));
    ds.append(b);
    drawDatasetThumb(name, null);
  }
  if (!controlsBuilt) wireControls();
  controlsBuilt = true;
  if (!network) {
    network = new Network($('netarea'), $('links'), $('tooltip'), {
      toggleFeature,
      setUnits: (li, n) => { const l = clone(app.config.layers); l[li].units = n; sendConfig({ layers: l }); },
      setActivation: (li, a) => { const l = clone(app.config.layers); l[li].activation = a; sendConfig({ layers: l }); },
      hoverUnit,
      pinUnit,
      editWeight: openWeightEditor,
    });
    network.readonly = app.readonly;
  }
}

/** Event handlers of the static controls (once). */
function wireControls() {
  $('play').addEventListener('click', () => {
    app.running = !app.running;
    send({ type: app.running ? 'play' : 'pause' });
    updatePlayButton();
  });
  $('step').addEventListener('click', () => send({ type: 'step' }));
  $('reset').addEventListener('click', () => send({ type: 'reset' }));
  $('regenerate').addEventListener('click', () => send({ type: 'regenerate' }));
  $('regenerate-top').addEventListener('click', () => send({ type: 'regenerate' }));
  $('reconnect').addEventListener('click', connect);
  $('preset').addEventListener('change', (ev) => {
    const name = ev.target.value;
    if (name) send({ type: 'preset', name });
  });
  for (const f of NUMBER_FIELDS) $(f).addEventListener('change', (ev) => sendConfig({ [f]: parseNumber(ev.target.value) }));
  for (const f of SELECT_FIELDS) $(f).addEventListener('change', (ev) => sendConfig({ [f]: ev.target.value }));
  for (const f of SLIDER_FIELDS) {
    $(f).addEventListener('input', (ev) => { $(`${f}-val`).textContent = ev.target.value; });
    $(f).addEventListener('change', (ev) => sendConfig({ [f]: Number(ev.target.value) }));
  }
  $('batchnorm').addEventListener('change', (ev) => sendConfig({ batchnorm: ev.target.checked }));
  $('residual').addEventListener('change', (ev) => sendConfig({ residual: ev.target.checked }));
  wireInspect();
  $('clip_on').addEventListener('change', (ev) => {
    const v = parseNumber($('clip_norm').value);
    sendConfig({ clip_norm: ev.target.checked ? (typeof v === 'number' && v > 0 ? v : 1) : null });
  });
  $('clip_norm').addEventListener('change', (ev) => sendConfig({ clip_norm: parseNumber(ev.target.value) }));
  $('optimizer').addEventListener('change', (ev) => sendConfig({ optimizer: { name: ev.target.value } }));
  $('add-layer').addEventListener('click', () => {
    const layers = clone(app.config.layers);
    const last = layers[layers.length - 1] || (app.defaults.layers || [])[0] || { units: 4, activation: 'tanh' };
    layers.push({ units: last.units, activation: last.activation });
    sendConfig({ layers });
  });
  $('remove-layer').addEventListener('click', () => sendConfig({ layers: app.config.layers.slice(0, -1) }));
  $('show-test').addEventListener('change', () => markDirty('points', 'legend'));
  $('discretize').addEventListener('change', () => markDirty('state'));
  window.addEventListener('hashchange', () => {
    const cfg = readHash();
    if (app.connected) customData.applyAddress(cfg);
  });
  window.addEventListener('resize', () => markDirty('charts', 'points'));
}

/** A data set's label in the page's language (the server sends English ones). */
function datasetLabel(name) {
  const info = ((app.options && app.options.datasets) || {})[name] || {};
  return info.label ? _(info.label) : String(name).replace(/_/g, ' ');
}

function chooseDataset(name) {
  if (name === customData.CUSTOM) return customData.choose(); // the drawing tools first
  const info = app.options.datasets[name] || {};
  const partial = { dataset: name };
  if (info.classes && info.classes.length) {
    partial.classes = info.classes.includes(app.config.classes) ? app.config.classes : info.classes[0];
  }
  sendConfig(partial);
}

function toggleFeature(name) {
  const on = new Set(app.config.features);
  if (on.has(name)) on.delete(name); else on.add(name);
  const order = normalizeFeatures(app.options.features).map((f) => f.name);
  sendConfig({ features: order.filter((f) => on.has(f)) });
}

/** Show the config in force in every control. */
function syncControls() {
  const c = app.config;
  if (!c) return;
  for (const f of NUMBER_FIELDS) $(f).value = c[f] ?? '';
  for (const f of SELECT_FIELDS) $(f).value = c[f];
  for (const f of SLIDER_FIELDS) { $(f).value = c[f]; $(`${f}-val`).textContent = c[f]; }
  $('batchnorm').checked = !!c.batchnorm;
  $('residual').checked = !!c.residual;
  $('clip_on').checked = c.clip_norm !== null && c.clip_norm !== undefined;
  $('clip_norm').disabled = !$('clip_on').checked;
  if ($('clip_on').checked) $('clip_norm').value = c.clip_norm;
  else if (!$('clip_norm').value) $('clip_norm').value = 1;
  $('reg_rate').disabled = c.regularization === 'none';
  // optimizer and its hyperparameters
  const opt = c.optimizer || { name: 'sgd' };
  $('optimizer').value = opt.name;
  buildOptimizerParams(opt);
  // data set, classes, problem type
  for (const b of document.querySelectorAll('.dataset')) b.classList.toggle('selected', b.dataset.dataset === c.dataset);
  const info = (app.options.datasets || {})[c.dataset] || {};
  const task = info.task || 'classification';
  $('problem').textContent = task === 'regression' ? _('Regression') : _('Classification');
  $('problem').dataset.task = task;
  const cls = $('classes');
  cls.replaceChildren();
  const allowed = info.classes || [];
  $('classes-row').classList.toggle('disabled', allowed.length <= 1);
  for (const k of [2, 3, 4]) {
    const b = document.createElement('button');
    b.textContent = k;
    b.className = 'segbtn' + (c.classes === k && task !== 'regression' ? ' selected' : '');
    b.disabled = !allowed.includes(k);
    b.title = b.disabled
      ? format(_('The {dataset} data set cannot have {k} classes.'), { dataset: datasetLabel(c.dataset), k })
      : format(_('Use {k} classes.'), { k });
    b.addEventListener('click', () => sendConfig({ classes: k }));
    cls.append(b);
  }
  const nl = c.layers.length;
  $('layers-title').textContent = format(nl === 1 ? _('{n} hidden layer') : _('{n} hidden layers'), { n: nl });
  $('add-layer').disabled = c.layers.length >= (app.limits.max_layers || 6);
  $('remove-layer').disabled = c.layers.length === 0;
  // the preset menu shows a preset only while the config is exactly it
  const match = (app.options.presets || []).find((p) => same({ ...app.defaults, ...p.config }, c)
    || same(normalizeLoose({ ...app.defaults, ...p.config }), normalizeLoose(c)));
  $('preset').value = match ? match.name : '';
  $('preset-desc').textContent = match
    ? format(_('{title}: {description}'), { title: _(match.title), description: match.description ? _(match.description) : '' })
    : '';
}

/** Configs compared without the optimizer's default hyperparameters. */
function normalizeLoose(c) {
  const o = clone(c);
  if (o.optimizer) o.optimizer = { name: o.optimizer.name };
  return o;
}

let builtOptParams = '';
function buildOptimizerParams(opt) {
  const spec = ((app.options.optimizers || {})[opt.name] || {}).params || {};
  const box = $('opt-params');
  const key = opt.name + JSON.stringify(Object.keys(spec));
  if (key !== builtOptParams) {
    builtOptParams = key;
    box.replaceChildren();
    for (const [p, s] of Object.entries(spec)) {
      const wrap = document.createElement('div');
      wrap.className = 'eb-field';
      const lab = document.createElement('label');
      lab.textContent = PARAM_LABELS[p] ? _(PARAM_LABELS[p]) : p;
      lab.htmlFor = `opt-${p}`;
      const inp = document.createElement('input');
      inp.type = 'number';
      inp.id = `opt-${p}`;
      inp.step = s.step ?? 'any';
      if (s.min !== undefined) inp.min = s.min;
      if (s.max !== undefined) inp.max = s.max;
      inp.dataset.field = `optimizer.${p}`;
      inp.title = format(_('{help} ({min} to {max}, default {default})'),
        { help: PARAM_HELP[p] ? _(PARAM_HELP[p]) : p, min: s.min, max: s.max, default: s.default });
      inp.addEventListener('change', () => {
        const cur = { ...app.config.optimizer };
        cur[p] = parseNumber(inp.value);
        sendConfig({ optimizer: cur });
      });
      wrap.append(lab, inp);
      box.append(wrap);
    }
  }
  for (const [p, s] of Object.entries(spec)) $(`opt-${p}`).value = opt[p] ?? s.default;
}
const PARAM_LABELS = { momentum: N_('Momentum'), alpha: 'α', beta1: 'β₁', beta2: 'β₂', eps: 'ε' };
const PARAM_HELP = {
  momentum: N_('Momentum: the fraction of the previous step kept in the next one'),
  alpha: N_('α: how slowly RMSProp forgets the average of squared gradients'),
  beta1: N_('β₁: how slowly Adam forgets the average gradient'),
  beta2: N_('β₂: how slowly Adam forgets the average squared gradient'),
  eps: N_('ε: a small number added to the denominator so it is never 0'),
};

/** Highlight the control that a server error names, e.g. config.layers[1].activation. */
function markField(field) {
  const path = field.replace(/^config\./, '');
  let target = document.querySelector(`[data-field="${CSS.escape(path)}"]`);
  const m = path.match(/^layers\[(\d+)\]/);
  if (!target && m) target = document.querySelector(`.ncol.layer[data-layer="${m[1]}"] .ncol-head`);
  if (!target) target = document.querySelector(`[data-field="${CSS.escape(path.split(/[.[]/)[0])}"]`);
  if (!target) return;
  target.classList.add('invalid');
  setTimeout(() => target.classList.remove('invalid'), 4000);
}

function rebuildNetwork() {
  const c = app.config;
  if (!network || !c) return;
  const info = (app.options.datasets || {})[c.dataset] || {};
  const task = info.task || 'classification';
  const outKind = task === 'regression' ? 'regression' : c.classes > 2 ? 'multiclass' : 'binary';
  const changed = network.build({
    features: normalizeFeatures(app.options.features),
    active: c.features,
    layers: c.layers,
    outUnits: outKind === 'multiclass' ? c.classes : 1,
    outKind,
    activations: app.options.activations || [],
    maxUnits: app.limits.max_units || 8,
  });
  if (changed) network.setInspected(app.inspect.layer, app.inspect.unit, app.inspect.pinned);
  if (changed && app.state) markDirty('state');
}

const ICON_PLAY = '<svg viewBox="0 0 24 24" class="icon"><path d="M8 5v14l11-7z"/></svg>';
const ICON_PAUSE = '<svg viewBox="0 0 24 24" class="icon"><path d="M6 5h4v14H6zM14 5h4v14h-4z"/></svg>';
function updatePlayButton() {
  const b = $('play');
  b.innerHTML = app.running ? ICON_PAUSE : ICON_PLAY;
  b.classList.toggle('playing', app.running);
  b.dataset.running = app.running ? '1' : '0';
  $('step').disabled = app.running;
}

/* ------------------------------------------------------------------ URL hash */

/** The config fields that differ from the defaults, as compact JSON in the hash. */
function writeHash() {
  const diff = {};
  for (const [k, v] of Object.entries(app.config)) if (!same(v, app.defaults[k])) diff[k] = v;
  // the learner's own points follow the config (`&d=...`: customdata.js)
  const hash = (Object.keys(diff).length ? '#' + encodeURIComponent(JSON.stringify(diff)) : '') + customData.hashPart();
  if (hash !== location.hash && !(hash === '' && location.hash === '')) {
    history.replaceState(null, '', location.pathname + location.search + hash);
  }
}

function readHash() {
  const h = customData.splitHash(location.hash.slice(1)); // without the points (customdata.js)
  if (!h) return null;
  try {
    const cfg = JSON.parse(decodeURIComponent(h));
    if (cfg && typeof cfg === 'object' && !Array.isArray(cfg)) return cfg;
  } catch { /* reported below */ }
  say(N_('The config in the address could not be read (it should be URL-encoded JSON); using the defaults.'));
  return null;
}

/* ------------------------------------------------------------------ drawing */

const dirty = new Set();
let framePending = false;
function markDirty(...parts) {
  for (const p of parts) dirty.add(p);
  if (!framePending) {
    framePending = true;
    requestAnimationFrame(render);
  }
}

/** One frame: redraw only the parts that changed since the last one. */
function render() {
  framePending = false;
  const parts = new Set(dirty);
  dirty.clear();
  if (parts.has('state') && app.state) drawState(app.state);
  if (parts.has('points')) drawPoints();
  if (parts.has('legend')) drawLegends();
  if (parts.has('charts') || parts.has('legend')) drawCharts(); // the legend shows the latest values
}

// the server sends a non-finite loss as null
const fmtLoss = (v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toFixed(3);
};
const fmtAcc = (v) => (typeof v === 'number' && Number.isFinite(v)
  ? format(_('({percent}% right)'), { percent: (v * 100).toFixed(1) }) : '');

// the decision surface is paler than the points on it, so that they stand out
const SURFACE_STRENGTH = 0.72;

function drawState(st) {
  $('epoch').textContent = String(st.epoch).padStart(6, '0').replace(/(\d{3})$/, ',$1');
  document.body.dataset.epoch = st.epoch;
  $('train-loss').textContent = fmtLoss(st.train_loss);
  $('test-loss').textContent = fmtLoss(st.test_loss);
  $('train-acc').textContent = fmtAcc(st.train_accuracy);
  $('test-acc').textContent = fmtAcc(st.test_accuracy);
  updatePlayButton();
  const dv = $('diverged');
  dv.hidden = !st.diverged;
  if (st.diverged && dv.dataset.text !== st.diverged) {
    dv.dataset.text = st.diverged;
    dv.innerHTML = `<b></b> <span></span><p></p><small></small>`;
    dv.querySelector('b').textContent = _('Training diverged');
    dv.querySelector('span').textContent = _('(the numbers overflowed to ∞ or NaN)');
    dv.querySelector('p').textContent = st.diverged;
    dv.querySelector('small').textContent = _('Change a setting (a smaller learning rate, gradient clipping…) or press ↺ reset.');
  }
  network.update(st);
  const out = st.heatmaps && st.heatmaps.output;
  const unit = inspected(st);
  if (unit) drawInspected(unit, (st.heatmaps && st.heatmaps.grid) || 50);
  else if (app.inspect.layer === null && out && out.data) {
    // (a unit chosen but not in this state yet: the plot waits for the server's grids)
    const G = st.heatmaps.grid || 50;
    const discrete = $('discretize').checked;
    const cv = $('surface');
    paintHatch($('inspect-flat'), null, G);
    if (out.kind === 'multiclass' && out.classes) {
      const K = (app.data && app.data.n_classes) || app.config.classes || 3;
      paintMulticlass(cv, decodeBase64(out.data), decodeBase64(out.classes), K, G, discrete, SURFACE_STRENGTH);
    } else {
      paintBytes(cv, decodeBase64(out.data), signedLut(discrete, SURFACE_STRENGTH), G);
    }
  }
  drawCaption(unit);
  const compute = format(_('server compute {ms} ms per update · {steps} steps'),
    { ms: Number(st.compute_ms || 0).toFixed(1), steps: st.steps ?? 0 });
  $('latency').textContent = app.latencyMs !== null
    ? format(_('round trip {ms} ms · {rest}'), { ms: app.latencyMs.toFixed(0), rest: compute }) : compute;
}

/** Data points over the decision surface: train filled, test outlined in black. */
function drawPoints() {
  const cv = $('points');
  const [ctx, w, h] = fitCanvas(cv);
  const d = app.data;
  if (!d) return;
  const X = (x) => ((x + 6) / 12) * w;
  const Y = (y) => ((6 - y) / 12) * h;
  const dot = (p, test) => {
    ctx.beginPath();
    ctx.arc(X(p[0]), Y(p[1]), test ? 3.2 : 3, 0, 2 * Math.PI);
    ctx.fillStyle = css(pointColor(p[2], d.task));
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = test ? '#111' : '#fff';
    ctx.stroke();
  };
  for (const p of d.train) dot(p, false);
  if ($('show-test').checked) for (const p of d.test) dot(p, true);
}

function drawLegends() {
  const box = $('out-legend');
  box.replaceChildren();
  const c = app.config;
  if (!c) return;
  const task = (app.data && app.data.task) || ((app.options.datasets || {})[c.dataset] || {}).task;
  const add = (html, title) => {
    const s = document.createElement('span');
    s.innerHTML = html;
    if (title) s.title = title;
    box.append(s);
  };
  if (task === 'regression') {
    add(`<span class="barbox"><i class="bar"></i><span class="bar-labels"><span>−1</span><span>0</span><span>+1</span></span></span>`,
      _('Colour = predicted value (background) or target value (points), from −1 (orange) to +1 (blue).'));
  } else {
    const K = (app.data && app.data.n_classes) || c.classes;
    for (let k = 0; k < K; k++) {
      const name = format(_('class {k}'), { k });
      add(`<i class="sw" style="background:${css(CLASS_COLORS[k])}"></i>${esc(name)}`);
    }
    const paler = _('paler = less sure');
    add(`<span class="hint">${esc(paler)}</span>`,
      _('The background is the class the network predicts; the paler, the less confident (closer to a coin flip).'));
  }
  const train = _('train');
  const test = _('test');
  add(`<i class="dot train"></i>${esc(train)}`, _('Training points (white outline): the optimizer sees these.'));
  if ($('show-test').checked) add(`<i class="dot test"></i>${esc(test)}`, _('Test points (black outline): never trained on.'));
  // gradient-flow legend: one entry per layer (hidden layers, then output)
  const gl = $('grad-legend');
  gl.replaceChildren();
  const n = c.layers.length + 1;
  for (let i = 0; i < n; i++) {
    const s = document.createElement('span');
    const name = i < n - 1 ? format(_('layer {layer} ({activation})'), { layer: i + 1, activation: c.layers[i].activation }) : _('output');
    s.innerHTML = `<i class="ln" style="border-color:${layerColor(i, n)}${i === n - 1 ? ';border-top-style:dashed' : ''}"></i>${esc(name)} <b class="gval" data-layer="${i}"></b>`;
    s.title = i === 0 ? _('The layer nearest the inputs: the last to receive the backpropagated gradient.') : '';
    gl.append(s);
  }
}

function drawCharts() {
  drawLossChart($('loss-chart'), app.history);
  const gc = $('grad-chart');
  drawGradChart(gc, app.history);
  gc.dataset.points = app.counts.gradPoints;
  drawGradNote();
  // latest value of each layer's gradient norm in the legend
  const layers = (app.state && app.state.layers) || [];
  for (const b of document.querySelectorAll('#grad-legend .gval')) {
    const L = layers[Number(b.dataset.layer)];
    const v = L && L.grad_norm;
    b.textContent = v === 0 ? '0' : typeof v === 'number' && Number.isFinite(v) ? v.toExponential(1) : L ? String(v) : '';
  }
}

/* ------------------------------------------------------------------ inspecting a unit */

// The output plot can show one unit instead of the network's output: hovering a unit in the
// drawing shows it, clicking pins it (a second click, ✕ or Esc unpins). The server sends the
// unit's grids with every state (`state.inspect`, docs/playground-protocol.md) while one is
// chosen. Hover changes are debounced, so a sweep of the mouse sends one message, not one per
// unit it crosses.
const INSPECT_DEBOUNCE_MS = 100;
let inspectTimer = null;
let inspectSent = 'null'; // the choice the server has, as a key

const inspectKey = (layer, unit) => (layer === null ? 'null' : `${layer}:${unit}`);

/** Tell the server the choice now in force, unless it has it already. */
function flushInspect() {
  clearTimeout(inspectTimer);
  inspectTimer = null;
  const { layer, unit } = app.inspect;
  const key = inspectKey(layer, unit);
  if (key === inspectSent || !app.ws || app.ws.readyState !== WebSocket.OPEN) return;
  inspectSent = key;
  send(layer === null ? { type: 'inspect', layer: null } : { type: 'inspect', layer, unit });
}

/** Show unit `unit` of layer `layer` (null: the network's output); `now`: no debounce. */
function chooseUnit(layer, unit, pinned, now = false) {
  Object.assign(app.inspect, { layer, unit: layer === null ? null : unit, pinned: layer !== null && pinned });
  if (network) network.setInspected(app.inspect.layer, app.inspect.unit, app.inspect.pinned);
  clearTimeout(inspectTimer);
  if (now) flushInspect();
  else inspectTimer = setTimeout(flushInspect, INSPECT_DEBOUNCE_MS);
  markDirty('state', 'legend');
}

/** The pointer entered a unit (layer null: it left it); a pinned unit stays. */
function hoverUnit(layer, unit) {
  if (!app.inspect.pinned) chooseUnit(layer, unit, false);
}

/** A click on a unit: pin it, or unpin it when it is the pinned one. */
function pinUnit(layer, unit) {
  const same = app.inspect.layer === layer && app.inspect.unit === unit;
  chooseUnit(layer, unit, !(app.inspect.pinned && same), true);
}

function unpinUnit() {
  chooseUnit(null, null, false, true);
}

/** A new session knows no choice. */
function resetInspect() {
  clearTimeout(inspectTimer);
  Object.assign(app.inspect, { layer: null, unit: null, pinned: false });
  inspectSent = 'null';
}

/** After a config: a unit that no longer exists is forgotten (the server forgets it too). */
function keepInspectValid() {
  const { layer, unit } = app.inspect;
  if (layer === null || !app.config) return;
  const hidden = app.config.layers;
  const units = layer < hidden.length ? hidden[layer].units
    : layer === hidden.length && network && network.spec ? network.spec.outUnits : 0;
  if (unit < units) return;
  inspectSent = 'null';
  chooseUnit(null, null, false, true);
}

/** The state's inspected unit when it is the one the page shows, else null. */
function inspected(st) {
  const q = st && st.inspect;
  const { layer, unit } = app.inspect;
  return q && layer !== null && q.layer === layer && q.unit === unit ? q : null;
}

/** Paint the unit's output (or pre-activation, its flat part hatched) over the plane. */
function drawInspected(q, G) {
  const pre = app.inspect.mode === 'pre';
  const grid = pre ? q.pre : q.out;
  if (grid && grid.data) paintBytes($('surface'), decodeBase64(grid.data), unitLut(grid.min, grid.max), G);
  paintHatch($('inspect-flat'), pre && q.flat ? decodeBase64(q.flat) : null, G);
}

/** The plot's caption (what it shows) and, for a unit, its colour scale and flat share. */
function drawCaption(q) {
  const { layer, unit, pinned, mode } = app.inspect;
  const cap = $('plot-caption');
  const on = layer !== null;
  cap.classList.toggle('inspecting', on);
  cap.dataset.layer = on ? layer : '';
  cap.dataset.unit = on ? unit : '';
  cap.dataset.pinned = pinned ? '1' : '0';
  cap.dataset.mode = mode;
  cap.dataset.shown = q ? `${q.layer}:${q.unit}` : '';
  $('inspect-tools').hidden = !pinned;
  $('inspect-out').classList.toggle('selected', mode === 'out');
  $('inspect-pre').classList.toggle('selected', mode === 'pre');
  let title;
  if (!on) {
    title = app.readonly ? _("the network's output · tap a unit to see its own")
      : _("the network's output · hover a unit to see its own, click to pin it");
  } else {
    const hidden = app.config ? app.config.layers.length : 0;
    const template = layer < hidden
      ? (mode === 'pre' ? _('layer {layer}, unit {unit}: pre-activation') : _('layer {layer}, unit {unit}: output'))
      : (mode === 'pre' ? _('output layer, unit {unit}: pre-activation') : _('output layer, unit {unit}: output'));
    title = format(template, { layer: layer + 1, unit: unit + 1 });
    if (!pinned) title += ' · ' + (app.readonly ? _('tap again to pin') : _('click to pin'));
  }
  $('plot-title').textContent = title;
  // the legend: the unit's colour scale, and in pre-activation mode what is hatched
  const legend = $('inspect-legend');
  legend.hidden = !q;
  $('out-legend').hidden = !!q;
  if (!q) return;
  const grid = mode === 'pre' ? q.pre : q.out;
  const scale = grid ? Math.max(Math.abs(grid.min), Math.abs(grid.max)) : 0;
  const num = (v) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : v.toFixed(Math.abs(v) >= 100 ? 0 : 2));
  const parts = [`<span class="barbox"><i class="bar unit"></i><span class="bar-labels unit"><span>${esc(num(-scale))}</span><span>0</span><span>${esc(num(scale))}</span></span></span>`];
  if (grid) {
    parts.push(`<span class="range">${esc(format(_('values {low} … {high}'), { low: num(grid.min), high: num(grid.max) }))}</span>`);
  }
  legend.dataset.health = q.health || '';
  if (mode === 'pre') {
    const percent = Math.round((q.flat_fraction || 0) * 100);
    const text = q.health === 'inactive' ? format(_('hatched: inactive, {percent}% of the plane'), { percent })
      : q.health === 'saturated' ? format(_('hatched: saturated, {percent}% of the plane'), { percent })
        : _('no flat region: this activation has none');
    const tip = q.health === 'inactive'
      ? _('Where the unit is inactive: its rectifier is on the flat side (slope under 1% of its maximum), so it passes no gradient for points there.')
      : q.health === 'saturated'
        ? _('Where the unit is saturated: its activation is flat (slope under 1% of its maximum), so it passes almost no gradient for points there.')
        : '';
    parts.push(`<span class="flat" title="${esc(tip)}">${q.health ? '<i class="hatch"></i>' : ''}${esc(text)}</span>`);
  }
  legend.innerHTML = parts.join(' ');
}

/** Controls of the caption, and Esc (closes the weight editor, else unpins). */
function wireInspect() {
  for (const b of [$('inspect-out'), $('inspect-pre')]) {
    b.addEventListener('click', () => { app.inspect.mode = b.dataset.mode; markDirty('state'); });
  }
  $('inspect-close').addEventListener('click', unpinUnit);
  $('inspect-bias').addEventListener('click', (ev) => {
    if (network && app.inspect.layer !== null) network.editBias(app.inspect.layer, app.inspect.unit, ev);
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') return;
    if (!$('weight-editor').hidden) closeWeightEditor();
    else if (app.inspect.pinned) unpinUnit();
  });
  // the weight editor
  $('we-ok').addEventListener('click', submitWeight);
  $('we-cancel').addEventListener('click', closeWeightEditor);
  $('we-value').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') { ev.preventDefault(); submitWeight(); }
  });
  document.addEventListener('mousedown', (ev) => {
    const box = $('weight-editor');
    if (!box.hidden && !box.contains(ev.target)) closeWeightEditor();
  });
}

/* ------------------------------------------------------------------ editing a weight */

let editing = null; // the weight or bias the editor is open for: { layer, param, row, col }

/**
 * Open the editor for one weight (param "W": row = input, col = unit) or bias (param "b",
 * row 0) of layer `layer`, next to the pointer; Enter or ✓ sends the `weight` message,
 * Esc closes. The server's refusal (a bad value) comes back as an error toast.
 */
function openWeightEditor(info, ev) {
  if (app.readonly) return;
  editing = { layer: info.layer, param: info.param, row: info.row, col: info.col };
  const box = $('weight-editor');
  box.dataset.layer = info.layer;
  box.dataset.param = info.param;
  box.dataset.row = info.row;
  box.dataset.col = info.col;
  $('we-title').textContent = info.title;
  const input = $('we-value');
  input.value = typeof info.value === 'number' && Number.isFinite(info.value) ? String(Number(info.value.toPrecision(6))) : '';
  box.hidden = false;
  const x = ev && Number.isFinite(ev.clientX) ? ev.clientX : innerWidth / 2;
  const y = ev && Number.isFinite(ev.clientY) ? ev.clientY : innerHeight / 2;
  box.style.left = `${Math.max(8, Math.min(x + 12, innerWidth - box.offsetWidth - 8))}px`;
  box.style.top = `${Math.max(8, Math.min(y + 12, innerHeight - box.offsetHeight - 8))}px`;
  if (network) { network.hideTip(); network.markEditing(editing); }
  input.focus();
  input.select();
}
app.editWeight = openWeightEditor;

function closeWeightEditor() {
  $('weight-editor').hidden = true;
  editing = null;
  if (network) network.markEditing(null);
}

function submitWeight() {
  if (!editing) return;
  send({ type: 'weight', ...editing, value: parseNumber($('we-value').value) });
  closeWeightEditor();
}

/* ------------------------------------------------------------------ gradient note, small screens */

/** Under the gradient chart: which layers get no gradient, and the layer that stops it. */
function drawGradNote() {
  const note = $('grad-note');
  const blocks = gradientBlocks(app.state && app.state.layers);
  note.replaceChildren(...blocks.map(({ blocker, layers }) => {
    const line = document.createElement('div');
    line.dataset.blocker = blocker;
    line.textContent = layers.length === 1
      ? format(_('no gradient reaches layer {layer}: layer {blocker} has no live unit'), { layer: layers[0] + 1, blocker: blocker + 1 })
      : format(_('no gradient reaches layers {layers}: layer {blocker} has no live unit'),
        { layers: layers.map((i) => i + 1).join(', '), blocker: blocker + 1 });
    return line;
  }));
  note.hidden = !blocks.length;
}

/**
 * A phone (narrower than 700 px): the page only shows: the output plot, the losses, the
 * network and the run buttons; the controls that edit are hidden (playground.css) and the
 * drawing ignores clicks that would edit. A window resized across the limit switches.
 */
function watchScreen() {
  const small = window.matchMedia('(max-width: 699px)');
  const apply = () => {
    app.readonly = small.matches;
    document.body.classList.toggle('readonly', app.readonly);
    if (app.readonly) closeWeightEditor();
    if (network && network.readonly !== app.readonly) {
      network.readonly = app.readonly;
      rebuildNetwork();
    }
    markDirty('state');
  };
  small.addEventListener('change', apply);
  apply();
}

/* ------------------------------------------------------------------ data set thumbnails */

/** A small seeded random generator (mulberry32), so thumbnails look the same every time. */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sketches of the known data sets, shown until the real data of that set arrives. */
const SKETCHES = {
  circle: (r) => { const x = r() * 12 - 6; const y = r() * 12 - 6; return [x, y, Math.hypot(x, y) < 3.2 ? 1 : 0]; },
  xor: (r) => { const x = r() * 12 - 6; const y = r() * 12 - 6; return [x, y, x * y > 0 ? 1 : 0]; },
  gauss: (r) => { const k = r() < 0.5 ? 1 : 0; const c = k ? 2.5 : -2.5; return [c + (r() - 0.5) * 4, c + (r() - 0.5) * 4, k]; },
  spiral: (r) => { const k = r() < 0.5 ? 1 : 0; const t = r() * 5.5; return [t * Math.sin(t * 1.6 + k * Math.PI), t * Math.cos(t * 1.6 + k * Math.PI), k]; },
  plane: (r) => { const x = r() * 12 - 6; const y = r() * 12 - 6; return [x, y, (x + y) / 12]; },
  reg_gauss: (r) => { const x = r() * 12 - 6; const y = r() * 12 - 6; return [x, y, Math.exp(-((x - 2) ** 2 + (y - 2) ** 2) / 6) - Math.exp(-((x + 2) ** 2 + (y + 2) ** 2) / 6)]; },
};

function drawDatasetThumb(name, data) {
  const b = document.querySelector(`.dataset[data-dataset="${CSS.escape(name || '')}"]`);
  if (!b) return;
  if (name === customData.CUSTOM) { customData.drawThumb(); return; } // its points, or a pencil
  const cv = b.querySelector('canvas');
  const ctx = cv.getContext('2d');
  const s = cv.width;
  ctx.fillStyle = css(WHITE);
  ctx.fillRect(0, 0, s, s);
  const info = app.options.datasets[name] || {};
  let pts;
  let task = info.task || 'classification';
  if (data) { pts = data.train.concat(data.test); task = data.task; }
  else if (SKETCHES[name]) { const r = rng(7); pts = Array.from({ length: 160 }, () => SKETCHES[name](r)); }
  else {
    ctx.fillStyle = '#888';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(name, s / 2, s / 2);
    return;
  }
  const step = Math.max(1, Math.floor(pts.length / 250));
  for (let i = 0; i < pts.length; i += step) {
    const p = pts[i];
    ctx.fillStyle = css(task === 'regression' ? diverging(p[2]) : pointColor(p[2], task));
    ctx.fillRect(((p[0] + 6) / 12) * s - 1.5, ((6 - p[1]) / 12) * s - 1.5, 3, 3);
  }
}

/* ------------------------------------------------------------------ toasts */

/** A message in the corner; errors stay 10 s, others 5 s; click to dismiss. Returns it. */
function toast(text, kind = 'error', field = null) {
  const box = $('toasts');
  for (const old of [...box.children]) if (old.textContent === text) old.remove(); // no duplicates
  const t = document.createElement('div');
  t.className = `toast ${kind}`;
  t.textContent = text;
  if (field) t.dataset.field = field;
  t.title = _('Click to dismiss');
  t.addEventListener('click', () => t.remove());
  box.append(t);
  while (box.children.length > 4) box.firstChild.remove();
  setTimeout(() => t.remove(), kind === 'error' ? 10000 : 5000);
  return t;
}
app.toast = toast;

/** The page's own message `msgid` (marked with N_) as a toast; it follows a language switch. */
const said = new WeakMap();
function say(msgid, params = {}, kind = 'error') {
  const t = toast(format(_(msgid), params), kind);
  said.set(t, { msgid, params });
}

/** The page's own toasts in the language now in effect (the server's stay as they came). */
function relabelToasts() {
  for (const t of $('toasts').children) {
    const s = said.get(t);
    if (s) t.textContent = format(_(s.msgid), s.params);
    t.title = _('Click to dismiss');
  }
}

/* ------------------------------------------------------------------ start */

/** Text for innerHTML. */
function esc(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Start: the language (the address's, else the server's default), then the session. */
async function start() {
  const root = document.documentElement;
  const want = addressLanguage() || known(root.dataset.defaultLang) || 'en';
  try {
    app.lang = await setLanguage(want);
  } catch (err) {
    app.lang = await setLanguage('en');
    say(N_('The {language} texts could not be loaded ({error}).'), { language: LANGUAGES[want], error: err.message || err });
  }
  applyPageTexts();
  root.classList.remove('i18n-loading');
  for (const b of document.querySelectorAll('#lang-switch button')) {
    b.addEventListener('click', () => switchLanguage(b.dataset.lang));
  }
  markDirty('charts');
  watchScreen();
  customData.initCustomData({ app, send, sendConfig, say, toast });
  connect();
}

start();
