/**
 * Binds the conjugacy analysis to the data: one q factor per latent (Normal latents sharing a
 * linear predictor in one Gaussian block), and for every factor, term by term, which unit of
 * which q each argument reads. Index maps come from probing the argument expressions with the
 * float64 evaluator: a latent is replaced by an array holding its unit numbers (and, under a
 * discrete selector, the selector's element too), so whatever indexing and broadcasting the
 * expression does, the result says which unit each term reads. A linear predictor's
 * coefficients come from evaluating it at zero and at each unit vector of its block.
 */
import { printExpr, type Expr, type Span } from "../../language/index.js";
import type { ArgForm, BoundData, Conjugacy, GraphIR, IrNode } from "../../compiler/index.js";
import { broadcastIndex, broadcastTo, Float64Evaluator, type Arr } from "./eval.js";
import { BetaQ, CategoricalQ, DirichletQ, GammaQ, GaussQ, type QFactor } from "./q.js";

export interface ConstSlot {
  readonly kind: "const";
  /** Per term, `width` values (a row for a vector parameter). */
  readonly v: Float64Array;
  readonly width: number;
}

export interface UseSlot {
  readonly kind: "use";
  readonly q: QFactor;
  /** Unit read by each term (category 0 under a selector; add k * stride for category k). */
  readonly unit: Int32Array;
  readonly stride: number;
  /** A Normal's sd written from a precision (`1 / sqrt(tau)`). */
  readonly precision: boolean;
  /** Per term, the precision's constant multiplier c of `1 / sqrt(c * tau)` (null: 1). */
  readonly mult: Float64Array | null;
}

export interface LinearSlot {
  readonly kind: "linear";
  readonly q: GaussQ;
  readonly offset: Float64Array;
  /** CSR rows per term over the block's units. */
  readonly ptr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

export type Slot = ConstSlot | UseSlot | LinearSlot;

export type BoundTarget =
  | { readonly kind: "observed"; readonly v: Float64Array; readonly width: number }
  | { readonly kind: "latent"; readonly q: QFactor; readonly offset: number };

export interface BoundFactor {
  readonly id: string;
  readonly family: string;
  readonly text: string;
  readonly span: Span;
  /** Number of terms (the target's batch elements). */
  readonly terms: number;
  readonly target: BoundTarget;
  readonly slots: readonly Slot[];
  /** The distribution's parameter names, one per slot. */
  readonly slotNames: readonly string[];
  readonly selector: { readonly q: CategoricalQ; readonly unit: Int32Array } | null;
  /** The q factors this factor sends messages to. */
  readonly touches: readonly QFactor[];
}

export interface BoundModel {
  /** q factors in dependency order. */
  readonly qs: readonly QFactor[];
  /** The q factor and offset (in units) of each latent. */
  readonly latentQ: ReadonlyMap<string, { readonly q: QFactor; readonly offset: number; readonly shape: readonly number[] }>;
  readonly factors: readonly BoundFactor[];
}

const prod = (s: readonly number[]): number => s.reduce((p, x) => p * x, 1);
const EVENT_RANK: Record<string, number> = { Beta: 0, Gamma: 0, Normal: 0, Dirichlet: 1, Categorical: 0 };

export function bindModel(graph: GraphIR, data: BoundData | undefined, conj: Conjugacy = graph.analyses.conjugacy): BoundModel {
  const ev = new Float64Evaluator(graph, data);
  const lets = (name: string): Expr | undefined => {
    const n = graph.nodes.get(name);
    if (!n || n.kind !== "deterministic" || n.definitions.length !== 1) return undefined;
    return graph.definitions.get(n.definitions[0]!)!.expr;
  };
  const shapeOf = (n: IrNode): number[] => {
    if (!n.shape.concrete) throw new Error(`CAVI: the shape of '${n.id}' is not known (bind the data first)`);
    return [...n.shape.concrete];
  };
  const order = graph.analyses.order.nodes.filter((id) => conj.latents.has(id));

  // Gaussian blocks: offsets of their nodes.
  const blockOf = new Map<string, { nodes: string[]; offsets: Map<string, number>; units: number }>();
  for (const nodes of conj.blocks) {
    const offsets = new Map<string, number>();
    let units = 0;
    for (const id of nodes) {
      offsets.set(id, units);
      units += prod(shapeOf(graph.nodes.get(id)!));
    }
    const b = { nodes: [...nodes], offsets, units };
    for (const id of nodes) blockOf.set(id, b);
  }

  // Non-Gaussian q factors now; Gaussian ones once we know whether a block is coupled (dense).
  const latentQ = new Map<string, { q: QFactor; offset: number; shape: number[] }>();
  for (const id of order) {
    const n = graph.nodes.get(id)!;
    const fam = conj.latents.get(id)!.family;
    const shape = shapeOf(n);
    const er = EVENT_RANK[fam ?? ""] ?? 0;
    const k = er === 1 ? shape[shape.length - 1]! : 1;
    const units = prod(shape) / k;
    if (fam === "Beta") latentQ.set(id, { q: new BetaQ([id], units), offset: 0, shape });
    else if (fam === "Gamma") latentQ.set(id, { q: new GammaQ([id], units), offset: 0, shape });
    else if (fam === "Dirichlet") latentQ.set(id, { q: new DirichletQ([id], units, k), offset: 0, shape });
    else if (fam === "Categorical") {
      const prior = conj.factors.get(n.factors.find((f) => conj.factors.has(f))!)!;
      const kz = categoriesOf(prior.args[0]!, ev, lets, graph, shapeOf);
      latentQ.set(id, { q: new CategoricalQ([id], units, kz), offset: 0, shape });
    }
  }

  const selectorProbes = new Map<string, { fake: Float64Array; zCodes: Float64Array }>();
  /** The unit map of a `use` argument: per term, the unit read (and the stride per category). */
  const probeUse = (form: Extract<ArgForm, { kind: "use" }>, termShape: readonly number[], paramEventRank: number) => {
    const n = graph.nodes.get(form.node)!;
    const shape = shapeOf(n);
    const fam = conj.latents.get(form.node)!.family ?? "";
    const er = EVENT_RANK[fam] ?? 0;
    const eSize = er === 1 ? shape[shape.length - 1]! : 1;
    const over = new Map<string, Arr>();
    let rest = 0;
    if (form.selector) {
      const z = graph.nodes.get(form.selector)!;
      const zs = shapeOf(z);
      const nz = prod(zs);
      rest = prod(shape) / eSize / shape[0]!;
      // The probe arrays depend only on the shapes: latents of one shape under one selector
      // (`mu[z]`, `tau[z]`) share them (they are N-sized; the evaluator never writes into them).
      const key = `${shape.join(",")}|${eSize}|${zs.join(",")}`;
      let probe = selectorProbes.get(key);
      if (!probe) {
        const fake = new Float64Array(nz * prod(shape.slice(1)));
        const per = prod(shape.slice(1));
        if (eSize === 1) for (let zi = 0, o = 0; zi < nz; zi++) for (let j = 0; j < per; j++) fake[o++] = zi * rest + j;
        else for (let zi = 0; zi < nz; zi++) for (let j = 0; j < per; j++) fake[zi * per + j] = zi * rest + Math.floor(j / eSize);
        const zCodes = new Float64Array(nz);
        for (let i = 0; i < nz; i++) zCodes[i] = i;
        probe = { fake, zCodes };
        selectorProbes.set(key, probe);
      }
      over.set(form.node, { shape: [nz, ...shape.slice(1)], data: probe.fake });
      over.set(form.selector, { shape: zs, data: probe.zCodes });
    } else {
      const fake = new Float64Array(prod(shape));
      for (let i = 0; i < fake.length; i++) fake[i] = Math.floor(i / eSize);
      over.set(form.node, { shape, data: fake });
    }
    const v = ev.eval(form.expr, over, lets);
    const vEvent = prod(v.shape.slice(v.shape.length - paramEventRank));
    const vBatch = v.shape.slice(0, v.shape.length - paramEventRank);
    // One code per term: the value itself when it already has the terms' shape (no broadcasting).
    const identity = vEvent === 1 && prod(vBatch) === prod(termShape) && vBatch.length <= termShape.length && vBatch.every((d, i) => d === termShape[termShape.length - vBatch.length + i]);
    let codes = v.data;
    if (!identity) {
      const idx = broadcastIndex(vBatch, termShape);
      codes = new Float64Array(idx.length);
      for (let t = 0; t < idx.length; t++) codes[t] = v.data[idx[t]! * vEvent]!;
    }
    const block = blockOf.get(form.node);
    const base = block ? block.offsets.get(form.node)! : 0;
    const unit = new Int32Array(codes.length);
    if (!form.selector) {
      for (let t = 0; t < codes.length; t++) unit[t] = codes[t]! + base;
      return { unit, stride: 0, zUnit: null };
    }
    // Codes are small non-negative integers: integer division and remainder.
    const zUnit = new Int32Array(codes.length);
    for (let t = 0; t < codes.length; t++) {
      const c = codes[t]! | 0;
      const zi = (c / rest) | 0;
      zUnit[t] = zi;
      unit[t] = c - zi * rest + base;
    }
    return { unit, stride: rest, zUnit };
  };

  const probeLinear = (form: Extract<ArgForm, { kind: "linear" }>, termShape: readonly number[]) => {
    const block = blockOf.get(form.nodes[0]!)!;
    const zeros = new Map<string, Arr>();
    for (const id of block.nodes) {
      const s = shapeOf(graph.nodes.get(id)!);
      zeros.set(id, { shape: s, data: new Float64Array(prod(s)) });
    }
    const t = prod(termShape);
    const base = ev.eval(form.expr, zeros, lets);
    const offset = broadcastTo(base, termShape);
    const cols: { col: number; v: Float64Array }[] = [];
    for (const id of form.nodes) {
      const s = shapeOf(graph.nodes.get(id)!);
      const size = prod(s);
      for (let u = 0; u < size; u++) {
        const one = new Float64Array(size);
        one[u] = 1;
        const over = new Map(zeros);
        over.set(id, { shape: s, data: one });
        const v = broadcastTo(ev.eval(form.expr, over, lets), termShape);
        for (let i = 0; i < t; i++) v[i]! -= offset[i]!;
        cols.push({ col: block.offsets.get(id)! + u, v });
      }
    }
    const ptr = new Int32Array(t + 1);
    for (let i = 0; i < t; i++) {
      let c = 0;
      for (const x of cols) if (x.v[i] !== 0) c++;
      ptr[i + 1] = ptr[i]! + c;
    }
    const col = new Int32Array(ptr[t]!);
    const val = new Float64Array(ptr[t]!);
    for (let i = 0; i < t; i++) {
      let p = ptr[i]!;
      for (const x of cols) {
        if (x.v[i] === 0) continue;
        col[p] = x.col;
        val[p++] = x.v[i]!;
      }
    }
    return { offset, ptr, col, val };
  };

  // First pass over the factors: probes, and whether each block is coupled.
  interface Pending {
    id: string;
    family: string;
    termShape: number[];
    target: { kind: "observed"; v: Float64Array; width: number } | { kind: "latent"; node: string };
    slots: ({ kind: "const"; v: Float64Array; width: number } | { kind: "use"; node: string; unit: Int32Array; stride: number; precision: boolean; mult: Float64Array | null } | { kind: "linear"; node: string; offset: Float64Array; ptr: Int32Array; col: Int32Array; val: Float64Array })[];
    selector: { node: string; unit: Int32Array } | null;
  }
  const pending: Pending[] = [];
  const dense = new Set<string>();
  for (const cf of conj.factors.values()) {
    const f = graph.factors.get(cf.factor)!;
    const sig = f.signature!;
    const tn = graph.nodes.get(cf.target.node)!;
    const tshape = shapeOf(tn);
    const termShape = tshape.slice(0, tshape.length - sig.eventRank);
    const width = prod(tshape.slice(tshape.length - sig.eventRank));
    let target: Pending["target"];
    if (cf.target.kind === "observed") {
      const v = ev.value(tn.id);
      if (!v) throw new Error(`CAVI: no data for '${tn.id}'`);
      target = { kind: "observed", v: v.data, width };
    } else target = { kind: "latent", node: tn.id };
    let selector: Pending["selector"] = null;
    const slots: Pending["slots"] = cf.args.map((form, i) => {
      const pe = sig.params[i]!.eventRank;
      if (form.kind === "const") {
        const v = ev.eval(form.expr, new Map(), lets);
        const eshape = pe > 0 ? v.shape.slice(v.shape.length - pe) : [];
        return { kind: "const" as const, v: broadcastTo(v, [...termShape, ...eshape]), width: prod(eshape) };
      }
      if (form.kind === "use") {
        const p = probeUse(form, termShape, pe);
        if (form.selector && p.zUnit) selector = { node: form.selector, unit: p.zUnit };
        const mult = form.multiplier ? broadcastTo(ev.eval(form.multiplier, new Map(), lets), termShape) : null;
        return { kind: "use" as const, node: form.node, unit: p.unit, stride: p.stride, precision: form.precision, mult };
      }
      const p = probeLinear(form, termShape);
      for (let t = 0; t < p.ptr.length - 1; t++) if (p.ptr[t + 1]! - p.ptr[t]! > 1) dense.add(blockOf.get(form.nodes[0]!)!.nodes[0]!);
      return { kind: "linear" as const, node: form.nodes[0]!, ...p };
    });
    pending.push({ id: f.id, family: cf.family, termShape, target, slots, selector });
  }

  const madeBlocks = new Map<object, GaussQ>();
  for (const id of order) {
    const b = blockOf.get(id);
    if (!b) continue;
    let q = madeBlocks.get(b);
    if (!q) {
      q = new GaussQ(b.nodes, b.offsets, b.units, dense.has(b.nodes[0]!));
      madeBlocks.set(b, q);
    }
    latentQ.set(id, { q, offset: b.offsets.get(id)!, shape: shapeOf(graph.nodes.get(id)!) });
  }

  const qOf = (id: string) => latentQ.get(id)!;
  const factors: BoundFactor[] = pending.map((p) => {
    const f = graph.factors.get(p.id)!;
    const target: BoundTarget = p.target.kind === "observed" ? p.target : { kind: "latent", q: qOf(p.target.node).q, offset: qOf(p.target.node).offset };
    const slots: Slot[] = p.slots.map((s) =>
      s.kind === "const" ? s : s.kind === "use" ? { kind: "use", q: qOf(s.node).q, unit: s.unit, stride: s.stride, precision: s.precision, mult: s.mult } : { kind: "linear", q: qOf(s.node).q as GaussQ, offset: s.offset, ptr: s.ptr, col: s.col, val: s.val },
    );
    const selector = p.selector ? { q: qOf(p.selector.node).q as CategoricalQ, unit: p.selector.unit } : null;
    const touches = new Set<QFactor>();
    if (target.kind === "latent") touches.add(target.q);
    for (const s of slots) if (s.kind !== "const") touches.add(s.q);
    if (selector) touches.add(selector.q);
    return {
      id: p.id,
      family: p.family,
      text: `${f.targetExpr ? printExpr(f.targetExpr) : "?"} ~ ${f.distribution}(${f.args.map(printExpr).join(", ")})`,
      span: f.span,
      terms: prod(p.termShape),
      target,
      slots,
      slotNames: f.signature!.params.map((x) => x.name),
      selector,
      touches: [...touches],
    };
  });
  const qs: QFactor[] = [];
  for (const id of order) {
    const q = qOf(id).q;
    if (!qs.includes(q)) qs.push(q);
  }
  return { qs, latentQ: new Map(order.map((id) => [id, latentQ.get(id)!])), factors };
}

/** K of a Categorical prior: the length of its probs argument's last axis. */
function categoriesOf(form: ArgForm, ev: Float64Evaluator, lets: (n: string) => Expr | undefined, graph: GraphIR, shapeOf: (n: IrNode) => number[]): number {
  if (form.kind === "const") {
    const v = ev.eval(form.expr, new Map(), lets);
    return v.shape[v.shape.length - 1]!;
  }
  const node = form.kind === "use" ? form.node : form.nodes[0]!;
  const s = shapeOf(graph.nodes.get(node)!);
  return s[s.length - 1]!;
}
