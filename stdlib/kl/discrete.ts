/**
 * KLs of discrete distributions: Poisson, Geometric, Bernoulli and Categorical. The logits forms
 * (BernoulliLogit, CategoricalLogit) share their probs forms' closed form: each side is first
 * turned into probabilities and log-probabilities, from logits without ever taking log(0).
 * 0 log 0 = 0, and p > 0 where q = 0 gives +Infinity; the masks keep gradients finite.
 */
import * as tf from "@tensorflow/tfjs";
import type { Distribution } from "../distributions/core/distribution.js";
import { softplus } from "../tensor/special.js";
import { type KLEntry, allPairs, param } from "./entry.js";

/** sum over outcomes of p (log p - log q), where p = 0 contributes 0 (value and gradient). */
function plogpq(p: tf.Tensor, logp: tf.Tensor, logq: tf.Tensor): tf.Tensor {
  const shape = tf.broadcast_util.assertAndGetBroadcastShape(tf.broadcast_util.assertAndGetBroadcastShape(p.shape, logp.shape), logq.shape);
  const pb = tf.broadcastTo(p, shape);
  const zero = tf.equal(pb, 0);
  const z = tf.zeros(shape);
  const lp = tf.where(zero, z, tf.broadcastTo(logp, shape));
  const lq = tf.where(zero, z, tf.broadcastTo(logq, shape));
  return tf.where(zero, z, tf.mul(pb, tf.sub(lp, lq)));
}

interface BinaryLogs {
  readonly p: tf.Tensor;
  readonly logp: tf.Tensor;
  readonly log1mp: tf.Tensor;
}

function bernoulliLogs(d: Distribution): BinaryLogs {
  if (d.name === "BernoulliLogit") {
    const l = param(d, "logit");
    return { p: tf.sigmoid(l), logp: tf.neg(softplus(tf.neg(l))), log1mp: tf.neg(softplus(l)) };
  }
  const p = param(d, "p");
  return { p, logp: tf.log(p), log1mp: tf.log1p(tf.neg(p)) };
}

function bernoulliKL(p: Distribution, q: Distribution): tf.Tensor {
  const a = bernoulliLogs(p);
  const b = bernoulliLogs(q);
  return tf.add(plogpq(a.p, a.logp, b.logp), plogpq(tf.sub(1, a.p), a.log1mp, b.log1mp));
}

function categoricalLogs(d: Distribution): { p: tf.Tensor; logp: tf.Tensor } {
  if (d.name === "CategoricalLogit") {
    const logp = tf.logSoftmax(param(d, "logits"));
    return { p: tf.exp(logp), logp };
  }
  const p = param(d, "probs");
  return { p, logp: tf.log(p) };
}

function categoricalKL(p: Distribution, q: Distribution): tf.Tensor {
  const a = categoricalLogs(p);
  const b = categoricalLogs(q);
  if (a.p.shape[a.p.rank - 1] !== b.p.shape[b.p.rank - 1]) {
    throw new Error(`klDivergence: ${p.name} has ${a.p.shape[a.p.rank - 1]} categories but ${q.name} has ${b.p.shape[b.p.rank - 1]}`);
  }
  return tf.sum(plogpq(a.p, a.logp, b.logp), -1);
}

/** l1 (log l1 - log l2) - l1 + l2. */
function poissonKL(p: Distribution, q: Distribution): tf.Tensor {
  const l1 = param(p, "rate");
  const l2 = param(q, "rate");
  return tf.add(tf.mul(l1, tf.sub(tf.log(l1), tf.log(l2))), tf.sub(l2, l1));
}

/** Geometric (failures before the first success): log(p1/p2) + (1 - p1)/p1 log((1 - p1)/(1 - p2)). */
function geometricKL(p: Distribution, q: Distribution): tf.Tensor {
  const p1 = param(p, "p");
  const p2 = param(q, "p");
  const q1 = tf.sub(1, p1);
  const tail = plogpq(tf.div(q1, p1), tf.log(q1), tf.log1p(tf.neg(p2)));
  return tf.add(tf.sub(tf.log(p1), tf.log(p2)), tail);
}

export const discreteKLs: readonly KLEntry[] = [
  { p: "Poisson", q: "Poisson", fn: poissonKL },
  { p: "Geometric", q: "Geometric", fn: geometricKL },
  ...allPairs(["Bernoulli", "BernoulliLogit"], bernoulliKL),
  ...allPairs(["Categorical", "CategoricalLogit"], categoricalKL),
];
