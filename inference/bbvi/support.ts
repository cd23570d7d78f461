/**
 * The values each element of a discrete latent can take. The declared type does not always say
 * (`int<lower=0, upper=K-1>` keeps only the lower bound when K is a data size), so the prior says:
 * its term is evaluated element by element with every element set to lo, lo+1, ..., lo+W-1 (one
 * batched call, a draw per value) at the continuous latents' starting point, and the values with a
 * finite prior density are the support. A support still finite at the window's top is taken as
 * unbounded above. The same probe gives the prior probabilities the discrete factors start from.
 */
import * as tf from "@tensorflow/tfjs";
import type { GraphIR } from "../../compiler/index.js";
import type { LatentSupport } from "../guide/index.js";
import type { LatentLayout, LogJoint } from "../target.js";
import { elementsOf, priorFactorIndex } from "./rao-blackwell.js";

/** Width of the probe window. */
export const PROBE_WIDTH = 64;

/** The prior term of `l` element by element with every element at lo, lo+1, .. lo+width-1 (one draw per value), [width * E]. */
function priorAt(lj: LogJoint, graph: GraphIR, l: LatentLayout, start: ReadonlyMap<string, tf.Tensor>, prior: number, lo: number, width: number): Float32Array {
  const values = new Map<string, tf.Tensor>();
  for (const [k, t] of start) values.set(k, k === l.name ? tf.tidy(() => tf.add(tf.reshape(tf.range(lo, lo + width, 1, "float32"), [width, ...l.shape.map(() => 1)]), tf.zeros([width, ...l.shape]))) : tf.tidy(() => tf.tile(t, [width, ...t.shape.slice(1).map(() => 1)])));
  try {
    const terms = lj.logJointTermsByElement!(values);
    const mine = tf.tidy(() => elementsOf(terms[prior]!, l, graph, true));
    for (const t of terms) t.t.dispose();
    const out = mine.dataSync() as Float32Array;
    mine.dispose();
    return out;
  } finally {
    for (const t of values.values()) t.dispose();
  }
}

/** What the declared constraint alone says. */
export function declaredBounds(l: LatentLayout): { lower: number | null; upper: number | null } {
  const c = l.constraint;
  if (c.kind === "boolean") return { lower: 0, upper: 1 };
  if (c.kind === "integer") return { lower: typeof c.lower === "number" ? c.lower : null, upper: typeof c.upper === "number" ? c.upper : null };
  return { lower: null, upper: null };
}

/**
 * The support of discrete latent `l`; `start` holds a value for every latent (the continuous ones
 * at their starting point, [1, ...shape]). Returns a reason string when it cannot be found.
 */
export function probeSupport(lj: LogJoint, graph: GraphIR | undefined, l: LatentLayout, start: ReadonlyMap<string, tf.Tensor>): LatentSupport | string {
  const decl = declaredBounds(l);
  const e = l.size;
  if (decl.lower !== null && decl.upper !== null && (!lj.logJointTermsByElement || !graph)) {
    return { lower: Array(e).fill(decl.lower), upper: Array(e).fill(decl.upper) };
  }
  const lo = decl.lower ?? 0;
  const width = decl.upper !== null ? Math.min(PROBE_WIDTH, decl.upper - lo + 1) : PROBE_WIDTH;
  const prior = graph ? priorFactorIndex(lj, graph, l.name) : -1;
  if (!lj.logJointTermsByElement || prior < 0) {
    if (decl.lower === null) return `its lowest value is not declared (declare it as int<lower=...>)`;
    return { lower: Array(e).fill(lo), upper: Array(e).fill(decl.upper ?? Infinity) };
  }
  let lp: Float32Array;
  try {
    lp = priorAt(lj, graph!, l, start, prior, lo, width);
  } catch {
    // Some value breaks the model's evaluation (an index out of range: `mu[z]` with z = K):
    // probe one value at a time, the first that fails ending the support.
    lp = new Float32Array(width * e).fill(-Infinity);
    for (let v = 0; v < width; v++) {
      try {
        lp.set(priorAt(lj, graph!, l, start, prior, lo + v, 1), v * e);
      } catch {
        break;
      }
    }
  }
  const lower: number[] = [];
  const upper: number[] = [];
  const priorLogProbs: number[][] = [];
  const priorMean: number[] = [];
  for (let j = 0; j < e; j++) {
    const row: number[] = [];
    for (let v = 0; v < width; v++) row.push(lp[v * e + j]!);
    const first = row.findIndex(Number.isFinite);
    if (first < 0) return `its prior gives no finite density to ${lo} .. ${lo + width - 1}`;
    let last = first;
    while (last + 1 < width && Number.isFinite(row[last + 1]!)) last++;
    lower.push(lo + first);
    const open = last === width - 1 && decl.upper === null;
    upper.push(open ? Infinity : lo + last);
    const kept = row.slice(first, last + 1);
    priorLogProbs.push(kept);
    const mx = Math.max(...kept);
    let z = 0;
    let m = 0;
    kept.forEach((x, v) => {
      z += Math.exp(x - mx);
      m += v * Math.exp(x - mx);
    });
    priorMean.push(m / z);
  }
  return { lower, upper, priorLogProbs, priorMean };
}
