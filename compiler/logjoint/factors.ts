/**
 * One `~` term: the stdlib distribution by name, built from the evaluated arguments lined up
 * against the target, and the log density of the target summed over every axis but the sample
 * axis. Arguments broadcast against the target as the language says: each argument's batch axes
 * (its own axes minus its event axes) right-align with the target's batch axes; frame axes (S,
 * loop axes) stay in front. Supports that depend on the arguments (Uniform's bounds, the range
 * of a Categorical) are the distribution's business: its logProb is -Infinity outside.
 */
import * as tf from "@tensorflow/tfjs";
import { distributionFactories, type DistributionFactory } from "../../stdlib/index.js";
import type { DistributionSignature } from "../lang.js";
import type { ConstantCache } from "./evaluator.js";
import { asFloat, broadcastIfNeeded, broadcastShape, ownRank, sumToSample, type Value } from "./value.js";

/** The factory of a distribution name; throws for a name the stdlib lacks. */
export function factoryOf(name: string): DistributionFactory {
  const f = distributionFactories.get(name);
  if (!f) throw new Error(`distribution '${name}' has no run-time implementation`);
  return f;
}

const ones = (n: number): number[] => Array.from({ length: Math.max(0, n) }, () => 1);

/** `t` of a framed value padded to `frame` frame axes and `batch` batch axes before its own axes. */
function padFramed(v: Value, eventRank: number, frame: number, batch: number): tf.Tensor {
  if (v.frame === 0) return v.t;
  const own = ownRank(v);
  const b = own - eventRank;
  if (v.frame === frame && b === batch) return v.t;
  const s = v.t.shape;
  return tf.reshape(v.t, [...s.slice(0, v.frame), ...ones(frame - v.frame), ...ones(batch - b), ...s.slice(v.frame)]);
}

/**
 * log p(target | args) element by element, as a value: frame axes first (if any value is
 * framed), then the broadcast batch axes.
 */
export function factorLogProb(sig: DistributionSignature, target: Value, args: readonly Value[], cache?: ConstantCache): Value {
  const e = sig.eventRank;
  let frame = target.frame;
  let batch = Math.max(0, ownRank(target) - e);
  args.forEach((a, i) => {
    frame = Math.max(frame, a.frame);
    batch = Math.max(batch, ownRank(a) - (sig.params[i]?.eventRank ?? 0));
  });
  const float = (v: Value, t: tf.Tensor) => (v.persistent && cache && t === v.t ? cache.float(t) : asFloat(t));
  const x0 = float(target, padFramed(target, e, frame, batch));
  const ps = sig.params.map((p, i) => float(args[i]!, padFramed(args[i]!, p.eventRank, frame, batch)));
  let batchShape: number[] = x0.shape.slice(0, x0.rank - e);
  ps.forEach((t, i) => (batchShape = broadcastShape(batchShape, t.shape.slice(0, t.rank - sig.params[i]!.eventRank))));
  // Values are broadcast to the full batch shape here, by adding zeros: the stdlib would use
  // tf.broadcastTo (Tile), whose gradient costs one Slice and one Add per repetition, and whose
  // wasm kernel is slow (135 ms for [200, 784] -> [8, 200, 784]). Small data and constants, which
  // carry no gradient, are left to the distribution.
  const batchSize = batchShape.reduce((p, n) => p * n, 1);
  const full = (v: Value, t: tf.Tensor, eventRank: number) =>
    v.persistent && batchSize <= 4096 ? t : broadcastIfNeeded(t, [...batchShape, ...t.shape.slice(t.rank - eventRank)]);
  const named: Record<string, tf.Tensor> = {};
  sig.params.forEach((p, i) => {
    named[p.name] = full(args[i]!, ps[i]!, p.eventRank);
  });
  const x = full(target, x0, e);
  const dist = factoryOf(sig.name).create(named as never, { validate: false });
  return { t: dist.logProb(x), frame };
}

/** The factor's term: log p summed over all axes but the sample axis ([S or 1], or a scalar). */
export function factorTerm(sig: DistributionSignature, target: Value, args: readonly Value[], cache?: ConstantCache): tf.Tensor {
  const lp = factorLogProb(sig, target, args, cache);
  return sumToSample(lp.t, lp.frame);
}

/** A `factor(e)` term: e summed the same way. */
export function potentialTerm(v: Value): tf.Tensor {
  return sumToSample(asFloat(v.t), v.frame);
}
