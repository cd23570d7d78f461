/**
 * KLs of the gamma family: Gamma(shape, rate), Exponential(rate) = Gamma(1, rate), and
 * InverseGamma(shape, scale), whose reciprocal is Gamma(shape, rate = scale) (KL is invariant
 * under the bijection 1/x). Mixed pairs of Gamma and Exponential are registered too.
 */
import * as tf from "@tensorflow/tfjs";
import type { Distribution } from "../distributions/core/distribution.js";
import { digamma, lgamma } from "../tensor/special.js";
import { type KLEntry, param } from "./entry.js";

/**
 * KL(Gamma(a1, b1) || Gamma(a2, b2)) = (a1 - a2) digamma(a1) - lgamma(a1) + lgamma(a2)
 *   + a2 (log b1 - log b2) + a1 (b2 - b1) / b1.
 */
function gammaKL(a1: tf.Tensor, b1: tf.Tensor, a2: tf.Tensor, b2: tf.Tensor): tf.Tensor {
  const t1 = tf.mul(tf.sub(a1, a2), digamma(a1));
  const t2 = tf.sub(lgamma(a2), lgamma(a1));
  const t3 = tf.mul(a2, tf.sub(tf.log(b1), tf.log(b2)));
  const t4 = tf.mul(a1, tf.sub(tf.div(b2, b1), 1));
  return tf.add(tf.add(t1, t2), tf.add(t3, t4));
}

/** (shape, rate) of a Gamma-family member. */
function shapeRate(d: Distribution): [tf.Tensor, tf.Tensor] {
  if (d.name === "Exponential") return [tf.onesLike(param(d, "rate")), param(d, "rate")];
  return [param(d, "shape"), param(d, "rate")];
}

const viaGamma = (p: Distribution, q: Distribution): tf.Tensor => {
  const [a1, b1] = shapeRate(p);
  const [a2, b2] = shapeRate(q);
  return gammaKL(a1, b1, a2, b2);
};

/** log(l1 / l2) + l2 / l1 - 1. */
function exponentialKL(p: Distribution, q: Distribution): tf.Tensor {
  const r = tf.div(param(q, "rate"), param(p, "rate"));
  return tf.sub(tf.sub(r, tf.log(r)), 1);
}

export const gammaFamilyKLs: readonly KLEntry[] = [
  { p: "Gamma", q: "Gamma", fn: viaGamma },
  { p: "Exponential", q: "Exponential", fn: exponentialKL },
  { p: "Exponential", q: "Gamma", fn: viaGamma },
  { p: "Gamma", q: "Exponential", fn: viaGamma },
  {
    p: "InverseGamma",
    q: "InverseGamma",
    fn: (p, q) => gammaKL(param(p, "shape"), param(p, "scale"), param(q, "shape"), param(q, "scale")),
  },
];
