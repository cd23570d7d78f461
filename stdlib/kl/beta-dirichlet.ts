/** KLs of Beta(a, b) and Dirichlet(alpha) (a Beta is the two-category Dirichlet). */
import * as tf from "@tensorflow/tfjs";
import { digamma, lbeta, lgamma } from "../tensor/special.js";
import { type KLEntry, param } from "./entry.js";

/**
 * KL(Beta(a1, b1) || Beta(a2, b2)) = lbeta(a2, b2) - lbeta(a1, b1) + (a1 - a2) digamma(a1)
 *   + (b1 - b2) digamma(b1) + (a2 - a1 + b2 - b1) digamma(a1 + b1).
 */
function betaKL(a1: tf.Tensor, b1: tf.Tensor, a2: tf.Tensor, b2: tf.Tensor): tf.Tensor {
  const t0 = tf.sub(lbeta(a2, b2), lbeta(a1, b1));
  const t1 = tf.mul(tf.sub(a1, a2), digamma(a1));
  const t2 = tf.mul(tf.sub(b1, b2), digamma(b1));
  const t3 = tf.mul(tf.sub(tf.add(a2, b2), tf.add(a1, b1)), digamma(tf.add(a1, b1)));
  return tf.add(tf.add(t0, t1), tf.add(t2, t3));
}

/**
 * KL(Dir(a) || Dir(b)) = lgamma(a0) - sum lgamma(a) - lgamma(b0) + sum lgamma(b)
 *   + sum (a - b)(digamma(a) - digamma(a0)), a0 = sum a, b0 = sum b.
 */
function dirichletKL(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const a0 = tf.sum(a, -1);
  const b0 = tf.sum(b, -1);
  const norm = tf.sub(tf.sub(lgamma(a0), lgamma(b0)), tf.sum(tf.sub(lgamma(a), lgamma(b)), -1));
  const cross = tf.sum(tf.mul(tf.sub(a, b), tf.sub(digamma(a), tf.expandDims(digamma(a0), -1))), -1);
  return tf.add(norm, cross);
}

export const betaDirichletKLs: readonly KLEntry[] = [
  { p: "Beta", q: "Beta", fn: (p, q) => betaKL(param(p, "a"), param(p, "b"), param(q, "a"), param(q, "b")) },
  { p: "Dirichlet", q: "Dirichlet", fn: (p, q) => dirichletKL(param(p, "alpha"), param(q, "alpha")) },
];
