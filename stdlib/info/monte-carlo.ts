/**
 * Mutual information by Monte Carlo for anything that can sample (x, y) and score the joint and
 * both marginals: I(X; Y) = E[log p(x, y) - log p(x) - log p(y)].
 */
import type * as tf from "@tensorflow/tfjs";
import type { Seed } from "../distributions/core/distribution.js";

/** A joint of two variables that can sample and score (its marginals included). */
export interface SampleScoreJoint {
  /** n draws of (x, y); both tensors have a leading axis of size n. */
  sample(n: number, seed: Seed): { x: tf.Tensor; y: tf.Tensor };
  /** log p(x, y) per draw: shape [n] (or [n, ...batch]). */
  logJoint(x: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /** log p(x) per draw. */
  logMarginalX(x: tf.Tensor): tf.Tensor;
  /** log p(y) per draw. */
  logMarginalY(y: tf.Tensor): tf.Tensor;
}

export function isSampleScoreJoint(x: unknown): x is SampleScoreJoint {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return ["sample", "logJoint", "logMarginalX", "logMarginalY"].every((k) => typeof o[k] === "function");
}
