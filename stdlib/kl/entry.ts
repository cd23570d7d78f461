/** What each file of analytic KLs exports: ordered pairs of names and their closed forms. */
import type * as tf from "@tensorflow/tfjs";
import type { Distribution } from "../distributions/core/distribution.js";
import type { KLFunction } from "./registry.js";

export interface KLEntry {
  readonly p: string;
  readonly q: string;
  readonly fn: KLFunction;
}

/** A parameter tensor by name (the definitions name them: Normal's "loc" and "scale"). */
export function param(d: Distribution, name: string): tf.Tensor {
  const t = d.params[name];
  if (!t) throw new Error(`internal: KL expected ${d.name} to have a parameter '${name}'`);
  return t;
}

/** The same closed form for every ordered pair of the given names (e.g. probs and logits forms). */
export function allPairs(names: readonly string[], fn: KLFunction): KLEntry[] {
  const out: KLEntry[] = [];
  for (const p of names) for (const q of names) out.push({ p, q, fn });
  return out;
}
