// Colours and heatmap painting shared by every canvas of the page.
// Values below zero (and class 0) are orange, above zero (and class 1) blue, as in
// TensorFlow Playground; classes 2 and 3 are green and purple.

import { fitCanvas } from './charts.js';

export const ORANGE = [245, 147, 34];
export const BLUE = [8, 119, 189];
export const WHITE = [236, 238, 239];
export const CLASS_COLORS = [ORANGE, BLUE, [46, 160, 67], [150, 80, 200]];

/** CSS colour string from an [r, g, b] triple. */
export const css = (c, alpha = 1) => `rgba(${c[0] | 0},${c[1] | 0},${c[2] | 0},${alpha})`;

/** Linear mix of two colours, t in [0, 1]. */
export function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Diverging colour for t in [-1, 1]: orange, white, blue. */
export function diverging(t) {
  t = Math.max(-1, Math.min(1, t));
  return t < 0 ? mix(WHITE, ORANGE, -t) : mix(WHITE, BLUE, t);
}

/**
 * A 256-entry RGBA look-up table for bytes that encode values lo + byte/255*(hi-lo).
 * Each value is divided by max(|lo|, |hi|), so a unit's own range fills the colour scale
 * while keeping the sign: negative orange, positive blue, zero white.
 */
export function unitLut(lo, hi) {
  const lut = new Uint8ClampedArray(256 * 4);
  const scale = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let k = 0; k < 256; k++) {
    const c = diverging((lo + (k / 255) * (hi - lo)) / scale);
    lut.set([c[0], c[1], c[2], 255], k * 4);
  }
  return lut;
}

/**
 * LUT for bytes that encode t in [-1, 1] as (t+1)/2*255; discrete: only the sign.
 * `strength` < 1 makes the colours paler (a background for points).
 */
export function signedLut(discrete, strength = 1) {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let k = 0; k < 256; k++) {
    let t = (k / 255) * 2 - 1;
    if (discrete) t = t > 0 ? 1 : t < 0 ? -1 : 0;
    const c = diverging(t * strength);
    lut.set([c[0], c[1], c[2], 255], k * 4);
  }
  return lut;
}

/** Bytes of a base64 string. */
export function decodeBase64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The canvas's reusable G×G ImageData (the canvas is resized to G×G pixels). */
function imageFor(canvas, G) {
  if (canvas.width !== G || canvas.height !== G || !canvas._img) {
    canvas.width = G;
    canvas.height = G;
    canvas._img = canvas.getContext('2d').createImageData(G, G);
  }
  return canvas._img;
}

/** Paint G×G bytes through a LUT onto a canvas (CSS scales it up, smoothly). */
export function paintBytes(canvas, bytes, lut, G) {
  const img = imageFor(canvas, G);
  const d = img.data;
  const n = Math.min(G * G, bytes.length);
  for (let i = 0; i < n; i++) {
    const k = bytes[i] * 4;
    const p = i * 4;
    d[p] = lut[k];
    d[p + 1] = lut[k + 1];
    d[p + 2] = lut[k + 2];
    d[p + 3] = 255;
  }
  canvas.getContext('2d').putImageData(img, 0, 0);
}

/**
 * Paint a multi-class output: `classes` holds the argmax class per point, `prob` the max
 * probability*255. The colour is the class's, paler the less sure the net is (1/K = white).
 */
export function paintMulticlass(canvas, prob, classes, K, G, discrete, strength = 1) {
  const img = imageFor(canvas, G);
  const d = img.data;
  const floor = 1 / K;
  for (let i = 0; i < G * G; i++) {
    const p = prob[i] / 255;
    const s = strength * (discrete ? 1 : Math.max(0, Math.min(1, (p - floor) / (1 - floor))));
    const c = mix(WHITE, CLASS_COLORS[classes[i] % CLASS_COLORS.length], s);
    const q = i * 4;
    d[q] = c[0];
    d[q + 1] = c[1];
    d[q + 2] = c[2];
    d[q + 3] = 255;
  }
  canvas.getContext('2d').putImageData(img, 0, 0);
}

/** Paint a function of (x1, x2) over [-6, 6]², row 0 at x2 = +6; values divided by max |f|. */
export function paintFunction(canvas, f, G) {
  const vals = new Float64Array(G * G);
  let m = 0;
  for (let r = 0; r < G; r++) {
    const x2 = 6 - (12 * r) / (G - 1);
    for (let c = 0; c < G; c++) {
      const v = f(-6 + (12 * c) / (G - 1), x2);
      vals[r * G + c] = v;
      m = Math.max(m, Math.abs(v));
    }
  }
  const img = imageFor(canvas, G);
  for (let i = 0; i < G * G; i++) {
    const c = diverging(vals[i] / (m || 1));
    img.data.set([c[0], c[1], c[2], 255], i * 4);
  }
  canvas.getContext('2d').putImageData(img, 0, 0);
}

/** Point colour: class index, or regression target in [-1, 1]. */
export function pointColor(y, task) {
  if (task === 'regression') return diverging(y);
  return CLASS_COLORS[y % CLASS_COLORS.length];
}

/**
 * Hatch the cells of a G×G mask (1 = hatched; row 0 at x2 = +6, as the heatmaps) over a
 * canvas, at the canvas's own CSS size (sharp lines, unlike the G×G heatmaps under it). An
 * empty or absent mask clears it. Returns the number of hatched cells.
 */
export function paintHatch(canvas, mask, G) {
  const [ctx, w, h] = fitCanvas(canvas);
  if (!mask) return 0;
  const cw = w / G;
  const ch = h / G;
  const region = new Path2D();
  let cells = 0;
  for (let r = 0; r < G; r++) {
    let c = 0;
    while (c < G) {
      if (!mask[r * G + c]) { c++; continue; }
      const start = c;
      while (c < G && mask[r * G + c]) c++;
      cells += c - start;
      region.rect(start * cw, r * ch, (c - start) * cw, ch + 0.5); // runs of a row, overlapping rows
    }
  }
  if (!cells) return 0;
  ctx.save();
  ctx.clip(region);
  ctx.fillStyle = 'rgba(60, 60, 60, 0.28)';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = 'rgba(25, 25, 25, 0.7)';
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  for (let x = -h; x < w; x += 7) {
    ctx.moveTo(x, h);
    ctx.lineTo(x + h, 0);
  }
  ctx.stroke();
  ctx.restore();
  return cells;
}
