// The loss chart and the gradient-flow chart, and the history of values they plot.

import { _, format } from './i18n.js';

/** Colours of the layers' lines in the gradient-flow chart (hidden layers, then output). */
export const LAYER_COLORS = ['#1b6ca8', '#2ca02c', '#9467bd', '#d62728', '#8c564b', '#e377c2', '#222'];
export const layerColor = (i, n) => (i === n - 1 ? '#111' : LAYER_COLORS[i % (LAYER_COLORS.length - 1)]);

/** Values of each update since epoch 0; thinned to every other point past `max`. */
export class History {
  constructor(max = 1200) {
    this.max = max;
    this.clear();
  }
  clear() {
    this.epoch = [];
    this.train = [];
    this.test = [];
    this.grads = []; // grads[layer][k]
    this.nLayers = 0;
  }
  get length() {
    return this.epoch.length;
  }
  /** Add one `state`; returns false when it only replaced the last point (same epoch). */
  add(state) {
    const layers = state.layers || [];
    const last = this.epoch.length - 1;
    if (layers.length !== this.nLayers || (last >= 0 && state.epoch < this.epoch[last])) {
      this.clear();
      this.nLayers = layers.length;
      this.grads = layers.map(() => []);
    }
    const k = this.epoch.length - 1;
    const replace = k >= 0 && this.epoch[k] === state.epoch;
    const put = (arr, v) => (replace ? (arr[arr.length - 1] = v) : arr.push(v));
    put(this.epoch, state.epoch);
    put(this.train, state.train_loss);
    put(this.test, state.test_loss);
    layers.forEach((l, i) => put(this.grads[i], l.grad_norm));
    if (this.epoch.length > this.max) this.thin();
    return !replace;
  }
  thin() {
    const keep = (a) => a.filter((v, i) => i % 2 === 0 || i === a.length - 1);
    this.epoch = keep(this.epoch);
    this.train = keep(this.train);
    this.test = keep(this.test);
    this.grads = this.grads.map(keep);
  }
}

/** Size a canvas's pixel buffer to its CSS box (HiDPI aware); returns [ctx, width, height]. */
export function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 300;
  const h = canvas.clientHeight || 100;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return [ctx, w, h];
}

const finite = (v) => typeof v === 'number' && Number.isFinite(v);

/** Small loss chart: training loss (blue) and test loss (dark) over the epochs. */
export function drawLossChart(canvas, hist) {
  const [ctx, w, h] = fitCanvas(canvas);
  const pad = { l: 30, r: 4, t: 6, b: 4 };
  ctx.strokeStyle = '#ddd';
  ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
  const n = hist.length;
  if (n < 1) return;
  let hi = 0;
  for (const a of [hist.train, hist.test]) for (const v of a) if (finite(v)) hi = Math.max(hi, v);
  hi = hi || 1;
  const e0 = hist.epoch[0];
  const e1 = Math.max(hist.epoch[n - 1], e0 + 1);
  const X = (e) => pad.l + ((e - e0) / (e1 - e0)) * (w - pad.l - pad.r);
  const Y = (v) => pad.t + (1 - v / hi) * (h - pad.t - pad.b);
  ctx.fillStyle = '#888';
  ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText(hi < 1e4 ? hi.toPrecision(2) : hi.toExponential(1), pad.l - 4, 3);
  ctx.textBaseline = 'bottom';
  ctx.fillText('0', pad.l - 4, h - 2);
  for (const [arr, colour] of [[hist.train, '#2a8fd6'], [hist.test, '#333']]) {
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < n; i++) {
      if (!finite(arr[i])) { pen = false; continue; }
      const x = X(hist.epoch[i]);
      const y = Y(arr[i]);
      if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
}

const SUP = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
/** "10⁻³" for d = -3. */
export const decade = (d) => '10' + String(d).split('').map((ch) => SUP[ch]).join('');

/**
 * Gradient-flow chart: per layer, the kernel-gradient norm over the epochs, log10 y axis
 * with a grid line per decade. Zero or non-finite values leave a gap in the line.
 */
export function drawGradChart(canvas, hist) {
  const [ctx, w, h] = fitCanvas(canvas);
  const pad = { l: 40, r: 10, t: 8, b: 22 };
  const n = hist.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const series of hist.grads) {
    for (const v of series) {
      if (finite(v) && v > 0) {
        const l = Math.log10(v);
        lo = Math.min(lo, l);
        hi = Math.max(hi, l);
      }
    }
  }
  if (!Number.isFinite(lo)) { lo = -4; hi = 0; }
  lo = Math.floor(lo);
  hi = Math.ceil(hi);
  if (hi - lo < 2) { lo -= 1; hi += 1; }
  // an exactly-zero gradient (dead layer) has no logarithm: it is drawn on a "0" row below
  let zeros = false;
  for (const series of hist.grads) for (const v of series) if (v === 0) zeros = true;
  const pw = w - pad.l - pad.r;
  const ph = h - pad.t - pad.b - (zeros ? 16 : 0);
  const Y = (l) => (l === -Infinity ? pad.t + ph + 12 : pad.t + (1 - (l - lo) / (hi - lo)) * ph);
  // decade grid and labels (every k-th label when there are many decades)
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  const every = Math.ceil((hi - lo) / 8);
  for (let d = lo; d <= hi; d++) {
    const y = Math.round(Y(d)) + 0.5;
    ctx.strokeStyle = d % every === 0 ? '#d8d8d8' : '#eee';
    ctx.beginPath();
    ctx.moveTo(pad.l, y);
    ctx.lineTo(w - pad.r, y);
    ctx.stroke();
    if ((d - lo) % every === 0) {
      ctx.fillStyle = '#555';
      ctx.fillText(decade(d), pad.l - 5, y);
    }
  }
  if (zeros) {
    ctx.fillStyle = '#b00';
    ctx.fillText('0', pad.l - 5, Y(-Infinity));
  }
  // x axis: first and last epoch
  const axisY = pad.t + ph + (zeros ? 16 : 0);
  ctx.strokeStyle = '#999';
  ctx.setLineDash(zeros ? [2, 2] : []);
  ctx.beginPath();
  ctx.moveTo(pad.l, pad.t + ph + 0.5);
  ctx.lineTo(w - pad.r, pad.t + ph + 0.5);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = '#555';
  ctx.textBaseline = 'top';
  if (n === 0) {
    ctx.textAlign = 'center';
    ctx.fillText(_('press ▶ or ⏭ to train: one point per update'), pad.l + pw / 2, pad.t + ph / 2);
    return;
  }
  const e0 = hist.epoch[0];
  const e1 = Math.max(hist.epoch[n - 1], e0 + 1);
  const X = (e) => pad.l + ((e - e0) / (e1 - e0)) * pw;
  ctx.textAlign = 'left';
  ctx.fillText(format(_('epoch {n}'), { n: e0 }), pad.l, axisY + 5);
  ctx.textAlign = 'right';
  ctx.fillText(format(_('epoch {n}'), { n: hist.epoch[n - 1] }), w - pad.r, axisY + 5);
  const L = hist.grads.length;
  hist.grads.forEach((series, li) => {
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < series.length; i++) {
      const v = series[i];
      if (!(finite(v) && v >= 0)) { pen = false; continue; }
      const x = X(hist.epoch[i]);
      const y = Y(v === 0 ? -Infinity : Math.log10(v));
      if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      pen = true;
      if (series.length === 1) ctx.arc(x, y, 2, 0, 2 * Math.PI);
    }
    ctx.strokeStyle = layerColor(li, L);
    ctx.lineWidth = li === L - 1 ? 2 : 1.6;
    ctx.setLineDash(li === L - 1 ? [5, 3] : []);
    ctx.stroke();
  });
  ctx.setLineDash([]);
}

/**
 * Why some layers get no gradient: the state's `blocked_by` (per layer, the index of a later
 * hidden layer with no live unit, or null), kept only where the layer's gradient is (near) zero
 * — at most a millionth of the largest layer's — so the note never contradicts the chart.
 * Returns one entry per blocking layer: `{ blocker, layers }` (indices into state.layers).
 */
export function gradientBlocks(layers) {
  const norms = (layers || []).map((l) => (finite(l.grad_norm) ? l.grad_norm : 0));
  const top = Math.max(0, ...norms);
  const byBlocker = new Map();
  (layers || []).forEach((l, i) => {
    const j = l.blocked_by;
    if (typeof j !== 'number' || !(norms[i] <= Math.max(1e-12, 1e-6 * top))) return;
    if (!byBlocker.has(j)) byBlocker.set(j, []);
    byBlocker.get(j).push(i);
  });
  return [...byBlocker].sort((a, b) => a[0] - b[0]).map(([blocker, ls]) => ({ blocker, layers: ls }));
}
