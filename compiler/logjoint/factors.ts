/**
 * One `~` term: the stdlib distribution by name, built from the evaluated arguments lined up
 * against the target, and the log density of the target summed over every axis but the sample
 * axis. Arguments broadcast against the target as the language says: each argument's batch axes
 * (its own axes minus its event axes) right-align with the target's batch axes; frame axes (S,
 * loop axes) stay in front. Supports that depend on the arguments (Uniform's bounds, the range
 * of a Categorical) are the distribution's business: its logProb is -Infinity outside.
 */
import * as tf from "@tensorflow/tfjs";
import { distributionFactories, unflatten, type Distribution, type DistributionFactory } from "../../stdlib/index.js";
import type { DistributionSignature } from "../lang.js";
import type { ConstantCache } from "./evaluator.js";
import type { SupportViolation } from "./support-checks.js";
import { asFloat, ownRank, sumToSample, type Value } from "./value.js";

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
 * The distribution of a factor, its arguments lined up for a target with `targetFrame` frame
 * axes and `targetRank` own axes: `frame` and `batch` say how the target must be padded to meet
 * it (see factorLogProb). Build inside a tidy.
 */
export function factorDistribution(
  sig: DistributionSignature,
  targetFrame: number,
  targetRank: number,
  args: readonly Value[],
  cache?: ConstantCache,
  owner?: object,
): { dist: Distribution; frame: number; batch: number } {
  const e = sig.eventRank;
  let frame = targetFrame;
  let batch = Math.max(0, targetRank - e);
  args.forEach((a, i) => {
    frame = Math.max(frame, a.frame);
    batch = Math.max(batch, ownRank(a) - (sig.params[i]?.eventRank ?? 0));
  });
  const ps = sig.params.map((p, i) => floatOf(args[i]!, padFramed(args[i]!, p.eventRank, frame, batch), cache));
  // No broadcasting here: the distribution broadcasts its parameters against each other (by
  // adding zeros) and its log density against the target, so x-only work (support checks on
  // data) stays at the data's shape and a latent parameter of shape [S, 1] meets [N] data in
  // the arithmetic itself.
  const named: Record<string, tf.Tensor> = {};
  sig.params.forEach((p, i) => {
    named[p.name] = ps[i]!;
  });
  const factory = factoryOf(sig.name);
  // A prior with constant arguments (Beta(1, 1), Gamma(2, 0.5)) is built once, so its normaliser
  // is computed once rather than on every call.
  const constant = cache && owner && args.every((a) => a.persistent && a.frame === 0);
  const dist = constant
    ? cache.distribution(owner, `${sig.name}|${ps.map((t) => t.id).join(",")}`, () => factory.create(named as never, { validate: false, constantParams: true }))
    : factory.create(named as never, { validate: false });
  return { dist, frame, batch };
}

function floatOf(v: Value, t: tf.Tensor, cache?: ConstantCache): tf.Tensor {
  return v.persistent && cache && t === v.t ? cache.float(t) : asFloat(t);
}

/**
 * log p(target | args) element by element, as a value: frame axes first (if any value is
 * framed), then the broadcast batch axes.
 */
export function factorLogProb(sig: DistributionSignature, target: Value, args: readonly Value[], cache?: ConstantCache, owner?: object): Value {
  const { dist, frame, batch } = factorDistribution(sig, target.frame, ownRank(target), args, cache, owner);
  const x0 = floatOf(target, padFramed(target, sig.eventRank, frame, batch), cache);
  // Observed data in a support that depends on no parameter is checked once (support-checks.ts):
  // every later evaluation skips the support mask and its -Infinity select over [S, ...].
  const trusted = !!cache && !!owner && target.persistent === true && target.frame === 0 && dist.fixedSupport && cache.supports.inSupport(owner, target.t, () => outsideSupport(dist, x0));
  // Trusted data is also the same tensor at every call: terms of it alone are computed once.
  return { t: dist.logProb(x0, trusted ? { trustedSupport: true, valueTerms: cache.valueTerms(owner, target.t) } : {}), frame };
}

/** Where `x` falls outside `dist`'s support, as `logProb` decides it: the first element, its value and how many; null when none does. */
export function outsideSupport(dist: Distribution, x: tf.Tensor): SupportViolation | null {
  const m = dist.supportMask(x);
  const ok = m.dataSync();
  const shape = m.shape;
  m.dispose();
  let first = -1;
  let count = 0;
  for (let i = 0; i < ok.length; i++) {
    if (ok[i]) continue;
    if (first < 0) first = i;
    count++;
  }
  if (first < 0) return null;
  const index = unflatten(first, shape);
  // The value itself where the mask is element by element (not per event, as a simplex's).
  const sameShape = shape.length === x.rank && shape.every((n, i) => n === x.shape[i]);
  const value = sameShape ? (x.dataSync()[first] ?? NaN) : null;
  return { index, value, count, size: ok.length };
}

/** The factor's term: log p summed over all axes but the sample axis ([S or 1], or a scalar). */
export function factorTerm(sig: DistributionSignature, target: Value, args: readonly Value[], cache?: ConstantCache, owner?: object): tf.Tensor {
  const lp = factorLogProb(sig, target, args, cache, owner);
  return sumToSample(lp.t, lp.frame);
}

/** A `factor(e)` term: e summed the same way. */
export function potentialTerm(v: Value): tf.Tensor {
  return sumToSample(asFloat(v.t), v.frame);
}
