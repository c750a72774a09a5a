// The network diagram: feature column, hidden-layer columns with a heatmap per unit, output
// nodes, and the links between them (SVG paths: blue for positive weights, orange for
// negative, width by |weight|; hovering one shows its value, clicking one edits it).
// A unit can be inspected (hover: shown in the output plot; click: pinned there), its bias
// edited (the small square at its corner), and each skip connection is an arc under its layer.

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

/**
 * A layer's badge counts the units flat on more than this share of the training points: half
 * for a bounded activation (a saturated sigmoid learns slowly), but 90% for a rectifier (a
 * ReLU is off on about half of the points in a healthy net).
 */
const MOSTLY_SATURATED = 0.5;
const MOSTLY_INACTIVE = 0.9;

/**
 * Which flat side a layer's units can sit on (the state's `health`): "inactive" for the
 * rectifier family (a ReLU outputs a constant on its negative side: it is off, not saturated),
 * "saturated" for bounded activations, null for none. A server without `health` means saturated.
 */
export const flatKind = (L) => (L && L.health !== undefined ? L.health : 'saturated');

/** Share of training points on which unit j of layer L sits on its flat side. */
export function flatShare(L, j) {
  const kind = flatKind(L);
  const arr = kind === 'inactive' ? L.inactive : kind === 'saturated' ? L.saturated : null;
  const v = arr && arr[j];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export class Network {
  /**
   * @param area   the container (#netarea), position: relative
   * @param svg    the <svg> inside it for the links
   * @param tooltip a floating <div>
   * @param on     callbacks: toggleFeature(name), setUnits(layer, n), setActivation(layer, name),
   *   hoverUnit(layer, unit) (layer null: the pointer left the unit), pinUnit(layer, unit),
   *   editWeight({layer, param, row, col, value, title}, event). `layer` indexes
   *   state.layers: the hidden layers, then the output layer.
   */
  constructor(area, svg, tooltip, on) {
    this.area = area;
    this.svg = svg;
    this.tooltip = tooltip;
    this.on = on;
    this.links = [];
    this.arcs = [];
    this.hover = null;
    this.key = '';
    this.readonly = false; // a phone: nothing edits (see playground.js)
    // the links follow the nodes whenever the area's size changes (window, fonts, columns)
    new ResizeObserver(() => this.layoutLinks()).observe(area);
    area.addEventListener('scroll', () => this.layoutLinks());
  }

  /** "layer 2 unit 3", or "output" / "output 1" for the output layer's units. */
  unitName(li, j) {
    if (li < this.spec.layers.length) return format(_('layer {layer} unit {unit}'), { layer: li + 1, unit: j + 1 });
    return this.spec.outUnits > 1 ? format(_('output {k}'), { k: j }) : _('output');
  }

  /** Open the bias editor of unit j of layer li (hidden layers, then the output layer). */
  editBias(li, j, ev) {
    const L = this.state && this.state.layers && this.state.layers[li];
    this.on.editWeight({
      layer: li, param: 'b', row: 0, col: j, value: L && L.b ? L.b[j] : null,
      title: format(_('bias of {unit}'), { unit: this.unitName(li, j) }),
    }, ev);
  }

  /** Highlight the link whose weight the editor is open for (null: none). */
  markEditing(info) {
    for (const k of this.links) {
      k.path.classList.toggle('editing', !!info && info.param === 'W' && k.l === info.layer
        && k.i === info.row && k.j === info.col);
    }
  }

  /** Mark the inspected unit (layer null: none); pinned units get a stronger outline. */
  setInspected(layer, unit, pinned) {
    const all = [...this.layerCols.map((c) => c.nodes.map((n) => n.node)), this.outNodes];
    all.forEach((nodes, li) => nodes.forEach((node, j) => {
      const on = layer === li && unit === j;
      node.classList.toggle('inspected', on && !pinned);
      node.classList.toggle('pinned', on && !!pinned);
    }));
  }

  /** Events of a unit's node: hover inspects, click pins, the corner square edits the bias. */
  wireUnit(node, li, j, tip) {
    node.dataset.layer = li;
    node.dataset.unit = j;
    node.addEventListener('mouseenter', (ev) => { this.showTip(ev, tip); this.on.hoverUnit(li, j); });
    node.addEventListener('mousemove', (ev) => this.moveTip(ev));
    node.addEventListener('mouseleave', () => { this.hideTip(); this.on.hoverUnit(null, null); });
    node.addEventListener('click', () => this.on.pinUnit(li, j));
    const bias = el('div', 'bias');
    bias.addEventListener('mouseenter', (ev) => {
      ev.stopPropagation();
      this.showTip(ev, () => {
        const L = this.state && this.state.layers && this.state.layers[li];
        return format(_('bias {value}'), { value: fmt(L && L.b ? L.b[j] : null) }) + '\n' + _('click to edit the bias');
      });
    });
    bias.addEventListener('mouseleave', (ev) => { ev.stopPropagation(); this.showTip(ev, tip); });
    bias.addEventListener('click', (ev) => {
      ev.stopPropagation();
      if (!this.readonly) this.editBias(li, j, ev);
    });
    node.append(bias);
    return bias;
  }

  /** Rebuild the columns when the structure changed (features, layers, output units). */
  build(spec) {
    const key = JSON.stringify([spec.features.map((f) => f.name), spec.active, spec.layers,
      spec.outUnits, spec.outKind, spec.activations.length, this.readonly]);
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
      node.addEventListener('click', () => { if (!this.readonly) this.on.toggleFeature(f.name); });
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
      sel.disabled = this.readonly;
      sel.addEventListener('change', () => this.on.setActivation(li, sel.value));
      const badges = el('div', 'badges');
      const dead = el('span', 'badge dead-count');
      dead.title = _('Dead units in this layer: their activation has slope 0 on every training point.');
      const sat = el('span', 'badge sat-count');
      sat.title = _('Units saturated on more than half of the training points (slope < 1% of its max).');
      const block = el('span', 'badge block');
      block.title = _('Every unit of this layer is dead: no gradient flows back through it, so the layers before it do not learn.');
      badges.append(dead, sat, block);
      col.head.append(pm, units, sel, badges);
      const nodes = [];
      for (let j = 0; j < layer.units; j++) {
        const node = el('div', 'node');
        const cv = el('canvas', 'thumb');
        const ring = el('div', 'ring');
        node.append(cv, ring);
        const bias = this.wireUnit(node, li, j, () => this.unitText(li, j));
        col.nodes.append(node);
        nodes.push({ node, cv, ring, bias });
      }
      return { ...col, nodes, dead, sat, block, li };
    });

    // output nodes
    const ocol = this.column('output', _('Output'));
    this.outNodes = [];
    this.outBias = [];
    for (let j = 0; j < spec.outUnits; j++) {
      const node = el('div', 'onode');
      let colour = BLUE;
      let label = 'ŷ';
      if (spec.outKind === 'multiclass') { colour = CLASS_COLORS[j % 4]; label = format(_('class {k}'), { k: j }); }
      else if (spec.outKind === 'binary') label = 'p(1)';
      node.style.background = css(colour, 0.85);
      node.textContent = label;
      const bias = this.wireUnit(node, spec.layers.length, j, () => this.outText(j));
      ocol.nodes.append(node);
      this.outNodes.push(node);
      this.outBias.push(bias);
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
      ...this.layerCols.map((c, li) => c.nodes.map((n, j) => this.unitName(li, j))),
      this.outNodes.map((n, j) => this.unitName(this.layerCols.length, j))];
    for (let l = 0; l + 1 < columns.length; l++) {
      columns[l].forEach((src, i) => {
        columns[l + 1].forEach((dst, j) => {
          const path = document.createElementNS(SVG, 'path');
          path.setAttribute('class', 'link');
          const hit = document.createElementNS(SVG, 'path');
          hit.setAttribute('class', 'link-hit');
          const link = { path, hit, src, dst, l, i, j, w: null, shown: null,
            label: `${names[l][i]} → ${names[l + 1][j]}`, from: names[l][i], to: names[l + 1][j] };
          hit.dataset.layer = l;
          hit.dataset.row = i;
          hit.dataset.col = j;
          hit.addEventListener('mouseenter', (ev) => {
            path.classList.add('hover');
            this.showTip(ev, () => format(_('weight {value}'), { value: fmt(link.w) }) + '\n' + link.label
              + (this.readonly ? '' : '\n' + _('click to edit the weight')));
          });
          hit.addEventListener('mousemove', (ev) => this.moveTip(ev));
          hit.addEventListener('mouseleave', () => { path.classList.remove('hover'); this.hideTip(); });
          hit.addEventListener('click', (ev) => {
            if (this.readonly) return;
            this.on.editWeight({
              layer: l, param: 'W', row: i, col: j, value: link.w,
              title: format(_('weight from {source} to {target}'), { source: link.from, target: link.to }),
            }, ev);
          });
          this.svg.append(path, hit);
          this.links.push(link);
        });
      });
    }
    // one arc per hidden layer for its skip connection, shown when the state says it has one
    this.arcs = this.layerCols.map((col, li) => {
      const arc = document.createElementNS(SVG, 'path');
      arc.setAttribute('class', 'shortcut');
      arc.dataset.layer = li;
      const head = document.createElementNS(SVG, 'path');
      head.setAttribute('class', 'shortcut-head');
      for (const e of [arc, head]) e.style.display = 'none';
      arc.addEventListener('mouseenter', (ev) => {
        arc.classList.add('hover');
        this.showTip(ev, () => format(_('skip connection around layer {layer}: its input is added to its output (y = x + f(x)), so the gradient also flows around it'), { layer: li + 1 }));
      });
      arc.addEventListener('mousemove', (ev) => this.moveTip(ev));
      arc.addEventListener('mouseleave', () => { arc.classList.remove('hover'); this.hideTip(); });
      this.svg.append(arc, head);
      return { arc, head, nodes: col.nodes, shown: false };
    });
    this.layoutLinks();
  }

  /** Recompute the links' geometry from the nodes' positions (after build and resize). */
  layoutLinks() {
    if (!this.links.length && !this.arcs.length) return;
    const base0 = this.area.getBoundingClientRect();
    // positions inside the area's scrolled content (a deep net scrolls inside #netarea)
    const base = { left: base0.left - this.area.scrollLeft, top: base0.top - this.area.scrollTop };
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
    // a skip connection: a U under the layer's units, from its left side to its right side
    for (const a of this.arcs) {
      if (!a.shown || !a.nodes.length) continue;
      const first = rect(a.nodes[0].cv);
      const last = rect(a.nodes[a.nodes.length - 1].cv);
      const xl = first.left - base.left - 12;
      const xr = first.right - base.left + 12;
      const y0 = last.top + last.height / 2 - base.top;
      const yb = last.bottom - base.top + 22;
      a.arc.setAttribute('d', `M${xl},${y0} C${xl},${yb} ${xr},${yb} ${xr},${y0 + 6}`);
      a.head.setAttribute('d', `M${xr - 4.5},${y0 + 9} L${xr},${y0} L${xr + 4.5},${y0 + 9} Z`);
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
    // the layers that block the gradient (every unit dead), as the server names them
    const blockers = new Set(layers.map((L) => L.blocked_by).filter((j) => typeof j === 'number'));
    this.layerCols.forEach((col, li) => {
      const L = layers[li];
      if (!L) return;
      const kind = flatKind(L);
      let dead = 0;
      let flat = 0;
      col.nodes.forEach((n, j) => {
        const isDead = !!(L.dead && L.dead[j]);
        const s = flatShare(L, j);
        dead += isDead;
        flat += !isDead && s > (kind === 'inactive' ? MOSTLY_INACTIVE : MOSTLY_SATURATED);
        n.node.classList.toggle('dead', isDead);
        n.ring.classList.toggle('inactive', kind === 'inactive');
        n.ring.style.opacity = isDead ? 0 : s.toFixed(2);
        this.paintBias(n.bias, L.b && L.b[j]);
      });
      col.dead.textContent = dead ? format(_('{n} dead'), { n: dead }) : '';
      col.sat.classList.toggle('inactive', kind === 'inactive');
      col.sat.textContent = !flat ? '' : kind === 'inactive'
        ? format(_('{n} mostly inactive'), { n: flat }) : format(_('{n} saturated'), { n: flat });
      col.sat.title = kind === 'inactive'
        ? _('Units inactive on more than 90% of the training points: on the flat side of their rectifier (slope < 1% of its max), where they pass no gradient. Off on about half of the points is normal for a ReLU.')
        : _('Units saturated on more than half of the training points (slope < 1% of its max).');
      const blocking = blockers.has(li);
      col.root.classList.toggle('blocking', blocking);
      col.block.textContent = blocking ? _('blocks the gradient') : '';
      col.root.dataset.dead = dead;
      col.root.dataset.saturated = kind === 'inactive' ? 0 : flat;
      col.root.dataset.inactive = kind === 'inactive' ? flat : 0;
      col.root.dataset.blocking = blocking ? '1' : '0';
    });
    const out = layers[this.layerCols.length];
    if (out) this.outBias.forEach((b, j) => this.paintBias(b, out.b && out.b[j]));
    // skip connections: an arc for each hidden layer that has one
    let arcs = 0;
    let changed = false;
    this.arcs.forEach((a, li) => {
      const on = !!(layers[li] && layers[li].residual);
      arcs += on;
      if (on !== a.shown) {
        a.shown = on;
        changed = true;
        for (const e of [a.arc, a.head]) e.style.display = on ? '' : 'none';
      }
    });
    this.area.classList.toggle('has-shortcuts', arcs > 0);
    if (changed) this.layoutLinks();
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

  /** The bias marker's colour: blue for a positive bias, orange for a negative one. */
  paintBias(marker, b) {
    if (!marker) return;
    marker.style.background = typeof b === 'number' && Number.isFinite(b)
      ? css(b >= 0 ? BLUE : ORANGE, Math.min(1, 0.3 + Math.abs(b))) : '#c00';
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
      const percent = Math.round(flatShare(L, j) * 100);
      const kind = flatKind(L);
      if (kind === 'inactive') lines.push(format(_('inactive on {percent}% of training points'), { percent }));
      else if (kind === 'saturated') lines.push(format(_('saturated on {percent}% of training points'), { percent }));
      if (L.dead[j]) lines.push(_('DEAD: slope 0 on every training point, it cannot learn'));
      if (L.residual) lines.push(_('has a skip connection around it'));
    }
    lines.push(this.readonly ? _('tap: show it in the output plot') : _('click: pin it in the output plot'));
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
    return head + (L ? '\n' + format(_('bias {value}'), { value: fmt(L.b[j]) }) : '')
      + '\n' + (this.readonly ? _('tap: show it in the output plot') : _('click: pin it in the output plot'));
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
