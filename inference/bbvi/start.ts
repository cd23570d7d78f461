/**
 * Where black-box VI starts. A zero start is symmetric for exchangeable components (a mixture's
 * unordered means all at 0): every component sees the same gradient, and stochastic steps break
 * the tie badly (measured on examples/gmm_conjugate: one component left empty, two clusters
 * merged, ELBO -1220 against CAVI's -1039). The start here does what EM and CAVI implementations
 * do (scikit-learn's GaussianMixture starts from k-means; CAVI restarts from random
 * responsibilities):
 *
 *  1. Clustered start: a categorical latent whose elements each own a row of observed data (its
 *     Markov blanket has an observed child element by element along its plate, as `x[n]` for
 *     `z[n]`) starts from a k-means++ clustering of those rows (standardised columns, several
 *     seeded restarts, the smallest within-cluster sum of squares kept), the clusters numbered
 *     by their centre's first coordinate, so that an `ordered` location lines up with them.
 *  2. Continuous start: the Laplace approximation of the continuous latents (init.ts) given the
 *     discrete latents at their starting values (the clusters, else the factor's mode).
 *  3. Discrete start: each finite discrete latent whose signal is element by element takes its
 *     conditional q(z_j) ∝ exp(blanket terms at z_j), enumerated at that continuous mode (one
 *     E-step); others keep their prior start.
 */
import * as tf from "@tensorflow/tfjs";
import type { BoundData, GraphIR, IrNode } from "../../compiler/index.js";
import type { Rng } from "../../stdlib/index.js";
import type { DiscreteFactor } from "../guide/index.js";
import { laplaceInit, zeroInit, type InitResult } from "../init.js";
import type { ResolvedOptions } from "../options.js";
import type { LatentLayout, LogJoint } from "../target.js";
import { disposeValues, type LatentTransform } from "../transform.js";
import { elementsOf, type TermUse } from "./rao-blackwell.js";

/** k-means++ restarts (the lowest within-cluster sum of squares is kept) and Lloyd iterations per restart. */
export const KMEANS_RESTARTS = 8;
const LLOYD_ITERATIONS = 50;
/** Probability the clustered start gives a point's own cluster. */
const CLUSTER_CONFIDENCE = 0.9;
/** Floor of a start log-probability below its element's best (keeps every value reachable). */
const MIN_LOG_ODDS = -12;
/** Rounds of (continuous mode given the discrete modes, discrete conditionals at that mode). */
const START_ROUNDS = 2;

export interface BbviStart {
  readonly init: InitResult;
  /** What was done, for the fit's report. */
  readonly how: string;
}

function latentNode(graph: GraphIR, name: string): IrNode | undefined {
  for (const n of graph.nodes.values()) if (!n.inGuide && n.name === name && n.kind === "latent") return n;
  return undefined;
}

/** The observed rows, [N, D] (columns standardised), that element n of a one-axis latent owns; null if none. */
export function ownedRows(graph: GraphIR, data: BoundData, l: LatentLayout): { rows: Float64Array; d: number } | null {
  const node = latentNode(graph, l.name);
  if (!node || l.shape.length !== 1) return null;
  const plate = node.axisPlates[0];
  const blanket = graph.analyses.markovBlankets.get(node.id);
  if (!plate || !blanket) return null;
  const n = l.shape[0]!;
  // Only a label: the latent indexes something in the observation's factor (`mu[z]`), so its
  // values are exchangeable names of clusters, not counts (`y ~ Normal(k, s)` is not clustered).
  const indexedIn = (id: string): boolean => graph.nodes.get(id)!.factors.some((f) => graph.factors.get(f)?.uses.some((u) => u.node === node.id && u.edge === "index") ?? false);
  const cols: Float64Array[] = [];
  for (const child of blanket.children) {
    const c = graph.nodes.get(child.node);
    if (!c || c.kind !== "observed" || child.scope !== "element" || c.axisPlates[0] !== plate || !indexedIn(c.id)) continue;
    const v = data.variables.get(c.name);
    if (!v || v.shape[0] !== n) continue;
    const d = v.values.length / n;
    for (let k = 0; k < d; k++) cols.push(Float64Array.from({ length: n }, (_, i) => v.values[i * d + k]!));
  }
  if (cols.length === 0) return null;
  const d = cols.length;
  const rows = new Float64Array(n * d);
  cols.forEach((col, k) => {
    let m = 0;
    for (const x of col) m += x;
    m /= n;
    let v = 0;
    for (const x of col) v += (x - m) ** 2;
    const sd = Math.sqrt(v / n) || 1;
    col.forEach((x, i) => (rows[i * d + k] = (x - m) / sd));
  });
  return { rows, d };
}

/**
 * k-means++ (Arthur & Vassilvitskii, 2007) with Lloyd iterations, best of `restarts` seeded runs.
 * Returns each row's cluster, clusters numbered by their centre's first coordinate.
 */
export function kmeans(rows: Float64Array, d: number, k: number, rng: Rng, restarts = KMEANS_RESTARTS): Int32Array {
  const n = rows.length / d;
  const dist2 = (i: number, c: Float64Array, j: number): number => {
    let s = 0;
    for (let a = 0; a < d; a++) s += (rows[i * d + a]! - c[j * d + a]!) ** 2;
    return s;
  };
  let best: { labels: Int32Array; centres: Float64Array; sse: number } | null = null;
  for (let r = 0; r < restarts; r++) {
    const centres = new Float64Array(k * d);
    const near = new Float64Array(n).fill(Infinity);
    let pick = Math.min(n - 1, Math.floor(rng.nextUniform() * n));
    for (let j = 0; j < k; j++) {
      for (let a = 0; a < d; a++) centres[j * d + a] = rows[pick * d + a]!;
      let total = 0;
      for (let i = 0; i < n; i++) {
        near[i] = Math.min(near[i]!, dist2(i, centres, j));
        total += near[i]!;
      }
      // Next centre with probability proportional to the squared distance to the nearest one.
      let u = rng.nextUniform() * total;
      pick = n - 1;
      for (let i = 0; i < n; i++) {
        u -= near[i]!;
        if (u < 0) {
          pick = i;
          break;
        }
      }
    }
    const labels = new Int32Array(n);
    let sse = 0;
    for (let it = 0; it < LLOYD_ITERATIONS; it++) {
      let moved = false;
      sse = 0;
      for (let i = 0; i < n; i++) {
        let bj = 0;
        let bd = Infinity;
        for (let j = 0; j < k; j++) {
          const dd = dist2(i, centres, j);
          if (dd < bd) [bd, bj] = [dd, j];
        }
        if (it === 0 || labels[i] !== bj) moved = true;
        labels[i] = bj;
        sse += bd;
      }
      const count = new Float64Array(k);
      const sum = new Float64Array(k * d);
      for (let i = 0; i < n; i++) {
        count[labels[i]!]! += 1;
        for (let a = 0; a < d; a++) sum[labels[i]! * d + a]! += rows[i * d + a]!;
      }
      for (let j = 0; j < k; j++) if (count[j]! > 0) for (let a = 0; a < d; a++) centres[j * d + a] = sum[j * d + a]! / count[j]!;
      if (!moved && it > 0) break;
    }
    if (!best || sse < best.sse) best = { labels, centres, sse };
  }
  const order = [...Array(k).keys()].sort((a, b) => best!.centres[a * d]! - best!.centres[b * d]!);
  const rank = new Int32Array(k);
  order.forEach((j, r) => (rank[j] = r));
  return best!.labels.map((j) => rank[j]!);
}

/** A log joint with the discrete latents held at `fixed` ([1, ...shape] each, tiled to the draws). */
function withFixed(lj: LogJoint, fixed: ReadonlyMap<string, tf.Tensor>): LogJoint {
  const out = Object.create(lj) as LogJoint & { logJoint: LogJoint["logJoint"] };
  out.logJoint = (values) =>
    tf.tidy(() => {
      const s = values.values().next().value?.shape[0] ?? 1;
      const all = new Map(values);
      for (const [k, v] of fixed) all.set(k, tf.tile(v, [s, ...v.shape.slice(1).map(() => 1)]));
      return lj.logJoint(all);
    });
  return out;
}

/** Sets factor `f`'s parameters to its conditional at `values` (one value each, [1, ...]), by enumeration. */
function conditionalStart(lj: LogJoint, graph: GraphIR, f: DiscreteFactor, uses: readonly TermUse[], values: ReadonlyMap<string, tf.Tensor>): boolean {
  if (f.family !== "categorical" && f.family !== "bernoulli") return false;
  if (!lj.logJointTermsByElement || uses.some((u) => u === "whole")) return false;
  const st = f.state();
  const e = f.latent.size;
  const counts = st.counts ?? Array(e).fill(2);
  const k = Math.max(...counts);
  let separable = true;
  const lpT = tf.tidy((): tf.Tensor => {
    const vals = new Map<string, tf.Tensor>();
    for (const [name, v] of values) vals.set(name, tf.tile(v, [k, ...v.shape.slice(1).map(() => 1)]));
    const z = new Float32Array(k * e);
    for (let c = 0; c < k; c++) for (let j = 0; j < e; j++) z[c * e + j] = st.lower[j]! + Math.min(c, counts[j]! - 1);
    vals.set(f.latent.name, tf.tensor(z, [k, ...f.latent.shape], "float32"));
    const terms = lj.logJointTermsByElement!(vals);
    // Enumerating every element at once is the conditional of each only when each element has
    // terms of its own: every axis of the latent is a plate the used terms run over element by element.
    const node = latentNode(graph, f.latent.name);
    const plates = node?.axisPlates ?? [];
    const own = plates.length === f.latent.shape.length && plates.every((p) => p !== null);
    separable = own && uses.every((u, i) => {
      const axes = terms[i]!.axes;
      if (u === "target") return f.latent.shape.every((_, a) => axes.some((x) => x.targetAxis === a));
      if (u === "element") return plates.every((p) => axes.some((x) => x.plate === p));
      return true;
    });
    if (!separable) return tf.zeros([0]);
    let acc: tf.Tensor = tf.zeros([k, e]);
    uses.forEach((u, i) => {
      if (u === "target" || u === "element") acc = tf.add(acc, tf.reshape(elementsOf(terms[i]!, f.latent, graph, u === "target"), [k, e]));
    });
    return acc;
  });
  if (!separable) {
    lpT.dispose();
    return false;
  }
  const lp = lpT.dataSync();
  lpT.dispose();
  const params = new Float32Array(f.variable.size);
  for (let j = 0; j < e; j++) {
    let mx = -Infinity;
    for (let c = 0; c < counts[j]!; c++) mx = Math.max(mx, lp[c * e + j]!);
    if (!Number.isFinite(mx)) return false;
    const rel = (c: number): number => (Number.isFinite(lp[c * e + j]!) ? Math.max(MIN_LOG_ODDS, lp[c * e + j]! - mx) : MIN_LOG_ODDS);
    if (f.family === "bernoulli") params[j] = rel(1) - rel(0);
    else for (let c = 0; c < counts[j]!; c++) params[j * k + c] = rel(c);
  }
  tf.tidy(() => f.variable.assign(tf.tensor(params, f.variable.shape, "float32")));
  return true;
}

/** The most probable value of each element of `f` under its current parameters, [1, ...shape]. */
function modeOf(f: DiscreteFactor): tf.Tensor {
  const st = f.state();
  const e = f.latent.size;
  const out = new Float32Array(e);
  const p = st.params;
  if (f.family === "categorical") {
    const k = p.length / e;
    for (let j = 0; j < e; j++) {
      let b = 0;
      for (let c = 1; c < st.counts![j]!; c++) if (p[j * k + c]! > p[j * k + b]!) b = c;
      out[j] = st.lower[j]! + b;
    }
  } else if (f.family === "bernoulli") for (let j = 0; j < e; j++) out[j] = st.lower[j]! + (p[j]! > 0 ? 1 : 0);
  else for (let j = 0; j < e; j++) out[j] = st.lower[j]! + Math.floor(Math.exp(p[j]!));
  return tf.tensor(out, [1, ...f.latent.shape], "float32");
}

/**
 * Starts the discrete factors (in place) and returns the continuous guide's start. `data` and
 * `graph` are absent for hand-written log joints: then only the Laplace step runs.
 */
export function bbviStart(
  lj: LogJoint,
  graph: GraphIR | undefined,
  data: BoundData | undefined,
  transform: LatentTransform,
  factors: readonly DiscreteFactor[],
  uses: ReadonlyMap<string, readonly TermUse[]>,
  o: ResolvedOptions,
  rng: Rng,
): BbviStart {
  const notes: string[] = [];
  if (graph && data) {
    for (const f of factors) {
      if (f.family !== "categorical") continue;
      const st = f.state();
      const k = Math.max(...st.counts!);
      if (st.counts!.some((c) => c !== k)) continue;
      const owned = ownedRows(graph, data, f.latent);
      if (!owned || f.latent.size < k) continue;
      const labels = kmeans(owned.rows, owned.d, k, rng.fork(`kmeans/${f.latent.name}`));
      const hi = Math.log((CLUSTER_CONFIDENCE * (k - 1)) / (1 - CLUSTER_CONFIDENCE));
      const params = new Float32Array(f.variable.size);
      labels.forEach((c, j) => (params[j * k + c] = hi));
      tf.tidy(() => f.variable.assign(tf.tensor(params, f.variable.shape, "float32")));
      notes.push(`'${f.latent.name}' from k-means++ on its data rows (best of ${KMEANS_RESTARTS})`);
    }
  }
  const dim = transform.dim;
  let init: InitResult = zeroInit(dim, o.initScale, "zero start");
  let set: string[] = [];
  // Alternate the two (a hard EM from the clustered or prior start): the continuous mode given the
  // discrete modes, then the discrete conditionals at that mode; a second round once the
  // conditionals moved the discrete modes.
  for (let round = 0; round < START_ROUNDS && (round === 0 || set.length > 0); round++) {
    const fixed = new Map(factors.map((f) => [f.latent.name, modeOf(f)] as const));
    try {
      if (dim > 0 && o.init === "laplace") init = laplaceInit(factors.length > 0 ? withFixed(lj, fixed) : lj, transform, o.initScale);
      if (!graph) break;
      const values = new Map(fixed);
      const mean = tf.tensor(Float32Array.from(init.init.mean), [1, dim], "float32");
      const fwd = transform.forward(mean);
      mean.dispose();
      fwd.logDet.dispose();
      for (const [k, v] of fwd.values) values.set(k, v);
      set = [];
      try {
        for (const f of factors) {
          try {
            if (conditionalStart(lj, graph, f, uses.get(f.latent.name) ?? [], values)) set.push(`'${f.latent.name}'`);
          } catch {
            // A value the model cannot evaluate (an index past a table): keep this factor's start.
          }
        }
      } finally {
        disposeValues(fwd.values);
      }
    } finally {
      disposeValues(fixed);
    }
  }
  if (dim > 0) notes.push(init.how.startsWith("laplace") ? `continuous latents at their Laplace approximation given the discrete ones (${init.how.slice("laplace: ".length)})` : `continuous latents from a standard start (mean 0, sd ${o.initScale} in unconstrained space)`);
  if (set.length > 0) notes.push(`${set.join(", ")} at ${set.length > 1 ? "their" : "its"} conditional there`);
  return { init, how: notes.join("; ") || "discrete factors at their prior" };
}
