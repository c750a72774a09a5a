// The network diagram: feature column, hidden-layer columns with a heatmap per unit, output
// nodes, and the links between them (SVG paths: blue for positive weights, orange for
// negative, width by |weight|; hovering one shows its value).

import { BLUE, ORANGE, CLASS_COLORS, css, decodeBase64, paintBytes, paintFunction, unitLut } from './colors.js';
import { _, format } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

/** What each input feature computes, for its heatmap (drawn here, not sent by the server). */
export const FEATURE_FUNCTIONS = {
  x1: (a, b) => a,
  x2: (a, b) => b,
  x1sq: (a, b) => a * a,
  x2sq: (a, b) => b * b,
  x1x2: (a, b) => a * b,
  sinx1: (a, b) => Math.sin(a),
  sinx2: (a, b) => Math.sin(b),
};
const FEATURE_LABELS = {
  x1: 'X₁', x2: 'X₂', x1sq: 'X₁²', x2sq: 'X₂²', x1x2: 'X₁X₂', sinx1: 'sin(X₁)', sinx2: 'sin(X₂)',
};

/** options.features as [{name, label}], whether the server sends names, objects or a map. */
export function normalizeFeatures(features) {
  if (Array.isArray(features)) {
    return features.map((f) => (typeof f === 'string'
      ? { name: f, label: FEATURE_LABELS[f] || f }
      : { name: f.name, label: f.label || FEATURE_LABELS[f.name] || f.name }));
  }
  return Object.entries(features || {}).map(([name, v]) => ({
    name, label: (typeof v === 'string' ? v : v && v.label) || FEATURE_LABELS[name] || name,
  }));
}

/**
 * The server's activation formulas are LaTeX; tooltips show them as plain text:
 * \frac{a}{b} -> (a)/(b), \begin{cases} a & x > 0 \\ b & x \le 0 \end{cases} -> "a if x > 0; b if x ≤ 0"
 * (the "if" in the page's language).
 */
export function latexToText(tex) {
  if (!tex) return '';
  let s = String(tex);
  const SYM = { '\\le': '≤', '\\ge': '≥', '\\sigma': 'σ', '\\lambda': 'λ', '\\alpha': 'α',
    '\\Phi': 'Φ', '\\cdot': '·', '\\infty': '∞', '\\log': 'log', '\\tanh': 'tanh',
    '\\max': 'max', '\\min': 'min', '\\exp': 'exp', '\\sqrt': '√', '\\left': '', '\\right': '' };
  s = s.replace(/\\tfrac(\d)(\d)/g, '$1/$2');
  for (let i = 0; i < 4; i++) {
    s = s.replace(/\\[td]?frac\{([^{}]*)\}\{([^{}]*)\}/g, (m, a, b) => `${wrap(a)}/${wrap(b)}`);
    s = s.replace(/\\sqrt\{([^{}]*)\}/g, '√($1)');
    s = s.replace(/\\(?:mathrm|text|operatorname)\{([^{}]*)\}/g, '$1');
    s = s.replace(/\^\{([^{}]*)\}/g, (m, a) => (a.length > 1 ? `^(${a})` : `^${a}`));
  }
  s = s.replace(/\\begin\{cases\}(.*?)\\end\{cases\}/g, (m, body) => body.split('\\\\')
    .map((row) => row.split('&').map((x) => x.trim()))
    .map(([v, c]) => (c ? format(_('{value} if {condition}'), { value: v, condition: c }) : v)).join('; '));
  for (const [k, v] of Object.entries(SYM)) {
    s = s.replace(new RegExp(k.replace(/\\/g, '\\\\') + '(?![a-zA-Z])', 'g'), v);
  }
  s = s.replace(/\\[,;: ]/g, ' ');
  s = s.replace(/[{}]/g, '').replace(/\\/g, '').replace(/\s+/g, ' ').trim();
  return s;
}
const wrap = (a) => (/^[\w.]+$/.test(a.trim()) ? a.trim() : `(${a.trim()})`);

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const fmt = (v, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : String(v));

export class Network {
  /**
   * @param area   the container (#netarea), position: relative
   * @param svg    the <svg> inside it for the links
   * @param tooltip a floating <div>
   * @param on     callbacks: toggleFeature(name), setUnits(layer, n), setActivation(layer, name)
   */
  constructor(area, svg, tooltip, on) {
    this.area = area;
    this.svg = svg;
    this.tooltip = tooltip;
    this.on = on;
    this.links = [];
    this.hover = null;
    this.key = '';
    // the links follow the nodes whenever the area's size changes (window, fonts, columns)
    new ResizeObserver(() => this.layoutLinks()).observe(area);
  }

  /** Rebuild the columns when the structure changed (features, layers, output units). */
  build(spec) {
    const key = JSON.stringify([spec.features.map((f) => f.name), spec.active, spec.layers,
      spec.outUnits, spec.outKind, spec.activations.length]);
    if (key === this.key) return false;
    this.key = key;
    this.spec = spec;
    for (const c of [...this.area.querySelectorAll('.ncol')]) c.remove();
    this.hideTip();

    // feature column: every offered feature, the active ones linked
    const fcol = this.column('features', _('Inputs'));
    this.featureNodes = {};
    for (const f of spec.features) {
      const on = spec.active.includes(f.name);
      const node = el('div', 'fnode' + (on ? '' : ' off'));
      node.dataset.feature = f.name;
      node.title = format(on ? _('{feature}: click to stop feeding this feature into the network')
        : _('{feature}: click to feed this feature into the network'), { feature: f.label });
      const lab = el('span', 'flabel', f.label);
      const cv = el('canvas', 'thumb');
      const fn = FEATURE_FUNCTIONS[f.name];
      if (fn) paintFunction(cv, fn, 40);
      node.append(lab, cv);
      node.addEventListener('click', () => this.on.toggleFeature(f.name));
      fcol.nodes.append(node);
      this.featureNodes[f.name] = cv;
    }

    // hidden layers
    this.layerCols = spec.layers.map((layer, li) => {
      const col = this.column('layer', null);
      col.root.dataset.layer = li;
      const pm = el('div', 'pm-row');
      const plus = el('button', 'pm small', '+');
      plus.title = format(_('Add a neuron to layer {layer} (at most {max}).'), { layer: li + 1, max: spec.maxUnits });
      plus.disabled = layer.units >= spec.maxUnits;
      plus.addEventListener('click', () => this.on.setUnits(li, layer.units + 1));
      const minus = el('button', 'pm small', '−');
      minus.title = format(_('Remove a neuron from layer {layer} (at least 1).'), { layer: li + 1 });
      minus.disabled = layer.units <= 1;
      minus.addEventListener('click', () => this.on.setUnits(li, layer.units - 1));
      pm.append(plus, minus);
      const units = el('div', 'units-label',
        format(layer.units === 1 ? _('{n} neuron') : _('{n} neurons'), { n: layer.units }));
      const sel = el('select', 'act');
      sel.dataset.field = `layers[${li}].activation`;
      for (const a of spec.activations) {
        const o = el('option', null, a.label || a.name);
        o.value = a.name;
        o.title = latexToText(a.formula) || a.name;
        sel.append(o);
      }
      sel.value = layer.activation;
      const formula = (spec.activations.find((a) => a.name === layer.activation) || {}).formula;
      sel.title = format(_('Activation of layer {layer}: the function each of its units applies to its weighted sum.'), { layer: li + 1 })
        + (formula ? '\n' + format(_('Now: {formula}'), { formula: latexToText(formula) }) : '');
      sel.addEventListener('change', () => this.on.setActivation(li, sel.value));
      const badges = el('div', 'badges');
      const dead = el('span', 'badge dead-count');
      dead.title = _('Dead units in this layer: their activation has slope 0 on every training point.');
      const sat = el('span', 'badge sat-count');
      sat.title = _('Units saturated on more than half of the training points (slope < 1% of its max).');
      badges.append(dead, sat);
      col.head.append(pm, units, sel, badges);
      const nodes = [];
      for (let j = 0; j < layer.units; j++) {
        const node = el('div', 'node');
        const cv = el('canvas', 'thumb');
        const ring = el('div', 'ring');
        node.append(cv, ring);
        node.addEventListener('mouseenter', (ev) => this.showTip(ev, () => this.unitText(li, j)));
        node.addEventListener('mousemove', (ev) => this.moveTip(ev));
        node.addEventListener('mouseleave', () => this.hideTip());
        col.nodes.append(node);
        nodes.push({ node, cv, ring });
      }
      return { ...col, nodes, dead, sat, li };
    });

    // output nodes
    const ocol = this.column('output', _('Output'));
    this.outNodes = [];
    for (let j = 0; j < spec.outUnits; j++) {
      const node = el('div', 'onode');
      let colour = BLUE;
      let label = 'ŷ';
      if (spec.outKind === 'multiclass') { colour = CLASS_COLORS[j % 4]; label = format(_('class {k}'), { k: j }); }
      else if (spec.outKind === 'binary') label = 'p(1)';
      node.style.background = css(colour, 0.85);
      node.textContent = label;
      node.addEventListener('mouseenter', (ev) => this.showTip(ev, () => this.outText(j)));
      node.addEventListener('mousemove', (ev) => this.moveTip(ev));
      node.addEventListener('mouseleave', () => this.hideTip());
      ocol.nodes.append(node);
      this.outNodes.push(node);
    }
    this.makeLinks();
    return true;
  }

  /** A column: a header (fixed height, aligned over all columns) and a list of nodes. */
  column(kind, title) {
    const root = el('div', `ncol ${kind}`);
    const head = el('div', 'ncol-head');
    if (title) head.append(el('div', 'col-title', title));
    const nodes = el('div', 'nodes');
    root.append(head, nodes);
    this.area.append(root);
    return { root, head, nodes };
  }

  /** One SVG path per weight (+ a wide transparent one to hover). */
  makeLinks() {
    this.svg.replaceChildren();
    this.links = [];
    const activeCv = this.spec.active.map((f) => this.featureNodes[f]).filter(Boolean);
    const columns = [activeCv.map((cv) => cv), ...this.layerCols.map((c) => c.nodes.map((n) => n.cv)),
      this.outNodes];
    const names = [this.spec.active.map((f) => (this.spec.features.find((x) => x.name === f) || {}).label || f),
      ...this.layerCols.map((c, li) => c.nodes.map((n, j) => format(_('layer {layer} unit {unit}'), { layer: li + 1, unit: j + 1 }))),
      this.outNodes.map((n, j) => (this.outNodes.length > 1 ? format(_('output {k}'), { k: j }) : _('output')))];
    for (let l = 0; l + 1 < columns.length; l++) {
      columns[l].forEach((src, i) => {
        columns[l + 1].forEach((dst, j) => {
          const path = document.createElementNS(SVG, 'path');
          path.setAttribute('class', 'link');
          const hit = document.createElementNS(SVG, 'path');
          hit.setAttribute('class', 'link-hit');
          const link = { path, hit, src, dst, l, i, j, w: null, shown: null,
            label: `${names[l][i]} → ${names[l + 1][j]}` };
          hit.addEventListener('mouseenter', (ev) => {
            path.classList.add('hover');
            this.showTip(ev, () => format(_('weight {value}'), { value: fmt(link.w) }) + '\n' + link.label);
          });
          hit.addEventListener('mousemove', (ev) => this.moveTip(ev));
          hit.addEventListener('mouseleave', () => { path.classList.remove('hover'); this.hideTip(); });
          this.svg.append(path, hit);
          this.links.push(link);
        });
      });
    }
    this.layoutLinks();
  }

  /** Recompute the links' geometry from the nodes' positions (after build and resize). */
  layoutLinks() {
    if (!this.links.length) return;
    const base = this.area.getBoundingClientRect();
    this.svg.setAttribute('width', this.area.scrollWidth);
    this.svg.setAttribute('height', this.area.scrollHeight);
    const box = new Map();
    const rect = (e) => {
      if (!box.has(e)) box.set(e, e.getBoundingClientRect());
      return box.get(e);
    };
    for (const k of this.links) {
      const a = rect(k.src);
      const b = rect(k.dst);
      const x1 = a.right - base.left;
      const y1 = a.top + a.height / 2 - base.top;
      const x2 = b.left - base.left;
      const y2 = b.top + b.height / 2 - base.top;
      const mx = (x1 + x2) / 2;
      const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
      k.path.setAttribute('d', d);
      k.hit.setAttribute('d', d);
    }
  }

  /** Apply a `state`: unit heatmaps, dead/saturated marks, link weights. */
  update(state) {
    this.state = state;
    const layers = state.layers || [];
    const heat = state.heatmaps || {};
    const G = heat.grid || 50;
    (heat.neurons || []).forEach((units, li) => {
      const col = this.layerCols[li];
      if (!col) return;
      units.forEach((u, j) => {
        const n = col.nodes[j];
        if (n && u && u.data) paintBytes(n.cv, decodeBase64(u.data), unitLut(u.lo, u.hi), G);
      });
    });
    this.layerCols.forEach((col, li) => {
      const L = layers[li];
      if (!L) return;
      let dead = 0;
      let sat = 0;
      col.nodes.forEach((n, j) => {
        const isDead = !!(L.dead && L.dead[j]);
        const s = (L.saturated && L.saturated[j]) || 0;
        dead += isDead;
        sat += !isDead && s > 0.5;
        n.node.classList.toggle('dead', isDead);
        n.ring.style.opacity = isDead ? 0 : s.toFixed(2);
      });
      col.dead.textContent = dead ? format(_('{n} dead'), { n: dead }) : '';
      col.sat.textContent = sat ? format(_('{n} saturated'), { n: sat }) : '';
      col.root.dataset.dead = dead;
      col.root.dataset.saturated = sat;
    });
    for (const k of this.links) {
      const W = layers[k.l] && layers[k.l].W;
      const w = W && W[k.i] ? W[k.i][k.j] : null;
      k.w = w;
      if (typeof w !== 'number' || !Number.isFinite(w)) {
        if (k.shown !== 'nan') { k.path.style.stroke = '#c00'; k.path.style.strokeWidth = 1; k.shown = 'nan'; }
        continue;
      }
      const r = Math.round(w * 50) / 50; // redraw only visible changes
      if (r === k.shown) continue;
      k.shown = r;
      k.path.style.stroke = css(w >= 0 ? BLUE : ORANGE, 0.8);
      k.path.style.strokeWidth = Math.min(8, 0.5 + Math.abs(w) * 2).toFixed(2);
    }
    if (this.hover) this.tooltip.textContent = this.hover();
  }

  unitText(li, j) {
    const L = this.state && this.state.layers && this.state.layers[li];
    const u = this.state && this.state.heatmaps && this.state.heatmaps.neurons[li]
      && this.state.heatmaps.neurons[li][j];
    const lines = [format(L ? _('Layer {layer}, unit {unit} ({activation})') : _('Layer {layer}, unit {unit}'),
      { layer: li + 1, unit: j + 1, activation: L && L.activation })];
    if (u) lines.push(format(_('output over the plane: {low} … {high}'), { low: fmt(u.lo), high: fmt(u.hi) }));
    if (L) {
      lines.push(format(_('bias {value}'), { value: fmt(L.b[j]) }));
      lines.push(format(_('saturated on {percent}% of training points'), { percent: Math.round((L.saturated[j] || 0) * 100) }));
      if (L.dead[j]) lines.push(_('DEAD: slope 0 on every training point, it cannot learn'));
    }
    return lines.join('\n');
  }

  outText(j) {
    const layers = this.state && this.state.layers;
    const L = layers && layers[layers.length - 1];
    const kind = this.spec.outKind;
    const what = kind === 'multiclass' ? format(_('probability of class {k} (softmax)'), { k: j })
      : kind === 'binary' ? _('probability of class 1 (sigmoid)') : _('predicted value (linear)');
    const head = this.outNodes.length > 1 ? format(_('Output {k}: {what}'), { k: j, what })
      : format(_('Output: {what}'), { what });
    return head + (L ? '\n' + format(_('bias {value}'), { value: fmt(L.b[j]) }) : '');
  }

  /** Make the next build redo every column (its texts are in the language now in effect). */
  relabel() {
    this.key = '';
  }

  showTip(ev, textFn) {
    this.hover = textFn;
    this.tooltip.textContent = textFn();
    this.tooltip.hidden = false;
    this.moveTip(ev);
  }
  moveTip(ev) {
    const t = this.tooltip;
    const x = Math.min(ev.clientX + 14, window.innerWidth - t.offsetWidth - 8);
    t.style.left = `${x + window.scrollX}px`;
    t.style.top = `${ev.clientY + 14 + window.scrollY}px`;
  }
  hideTip() {
    this.hover = null;
    this.tooltip.hidden = true;
  }
}
