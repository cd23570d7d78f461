/**
 * The pair-keyed registry of analytic KL divergences (TFP's RegisterKL, NumPyro's kl_divergence
 * dispatch): one entry per ordered pair of distribution names. Facts about pairs live here and
 * nowhere else; the lookup never switches on names in code.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Distribution } from "../distributions/core/distribution.js";

/** KL(p || q) in nats, shape broadcast(p.batchShape, q.batchShape). Runs inside tf.tidy. */
export type KLFunction = (p: Distribution, q: Distribution) => tf.Tensor;

/** A distribution name, or anything carrying one (a factory such as `Normal`, a definition). */
export type DistributionKey = string | { readonly name: string };

const keyName = (k: DistributionKey): string => (typeof k === "string" ? k : k.name);
const pairKey = (p: string, q: string): string => `${p}\u0000${q}`;

const table = new Map<string, { readonly p: string; readonly q: string; readonly fn: KLFunction }>();

/**
 * Registers the analytic KL(P || Q). Replaces an existing entry for the same ordered pair and
 * returns it (so a test or a user can restore it).
 */
export function registerKL(P: DistributionKey, Q: DistributionKey, fn: KLFunction): KLFunction | undefined {
  const p = keyName(P);
  const q = keyName(Q);
  const key = pairKey(p, q);
  const prev = table.get(key)?.fn;
  table.set(key, { p, q, fn });
  return prev;
}

/** The analytic KL for the pair of names, if registered. */
export function lookupKL(P: DistributionKey, Q: DistributionKey): KLFunction | undefined {
  return table.get(pairKey(keyName(P), keyName(Q)))?.fn;
}

/** Every registered ordered pair, as [P, Q] names (for docs and tests). */
export function registeredKLPairs(): Array<[string, string]> {
  return [...table.values()].map((e) => [e.p, e.q]);
}
