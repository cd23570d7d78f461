/**
 * Gaussian KLs: Normal, LogNormal (the same in log space: KL is invariant under the bijection
 * exp), HalfNormal, MultivariateNormal (through Cholesky factors), and Normal -> Laplace.
 */
import * as tf from "@tensorflow/tfjs";
import type { Distribution } from "../distributions/core/distribution.js";
import { erf } from "../tensor/special.js";
import { diagPart, triangularSolve } from "../tensor/linalg.js";
import { type KLEntry, param } from "./entry.js";

const HALF_LOG_2PI_E = 0.5 * Math.log(2 * Math.PI * Math.E);

/** log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2. */
function normalKL(m1: tf.Tensor, s1: tf.Tensor, m2: tf.Tensor, s2: tf.Tensor): tf.Tensor {
  const ratio = tf.div(s1, s2);
  const z = tf.div(tf.sub(m1, m2), s2);
  return tf.sub(tf.mul(tf.add(tf.square(ratio), tf.square(z)), 0.5), tf.add(tf.log(ratio), 0.5));
}

/**
 * KL(N(m1, L1 L1ᵀ) || N(m2, L2 L2ᵀ)) = 1/2 [ |L2⁻¹ L1|_F^2 + |L2⁻¹ (m2 - m1)|^2 - k ]
 *   + sum log diag L2 - sum log diag L1.
 */
function mvnKL(p: Distribution, q: Distribution): tf.Tensor {
  const m1 = param(p, "loc");
  const L1 = param(p, "scale_tril");
  const m2 = param(q, "loc");
  const L2 = param(q, "scale_tril");
  const k = m1.shape[m1.rank - 1]!;
  const M = triangularSolve(L2, L1);
  const trace = tf.sum(tf.square(M), [-2, -1]);
  const y = triangularSolve(L2, tf.expandDims(tf.sub(m2, m1), -1));
  const quad = tf.sum(tf.square(y), [-2, -1]);
  const logDet2 = tf.sum(tf.log(diagPart(L2)), -1);
  const logDet1 = tf.sum(tf.log(diagPart(L1)), -1);
  return tf.add(tf.mul(tf.sub(tf.add(trace, quad), k), 0.5), tf.sub(logDet2, logDet1));
}

/**
 * KL(Normal(m, s) || Laplace(mu, b)) = -H(Normal) + log(2b) + E|X - mu| / b with
 * E|X - mu| = s sqrt(2/pi) exp(-d^2 / 2s^2) + d erf(d / (s sqrt 2)), d = m - mu.
 */
function normalLaplaceKL(p: Distribution, q: Distribution): tf.Tensor {
  const m = param(p, "loc");
  const s = param(p, "scale");
  const mu = param(q, "loc");
  const b = param(q, "scale");
  const d = tf.sub(m, mu);
  const z = tf.div(d, s);
  const absMean = tf.add(
    tf.mul(tf.mul(s, Math.sqrt(2 / Math.PI)), tf.exp(tf.mul(tf.square(z), -0.5))),
    tf.mul(d, erf(tf.mul(z, Math.SQRT1_2))),
  );
  return tf.add(tf.sub(tf.log(tf.mul(b, 2)), tf.add(tf.log(s), HALF_LOG_2PI_E)), tf.div(absMean, b));
}

export const gaussianKLs: readonly KLEntry[] = [
  { p: "Normal", q: "Normal", fn: (p, q) => normalKL(param(p, "loc"), param(p, "scale"), param(q, "loc"), param(q, "scale")) },
  { p: "LogNormal", q: "LogNormal", fn: (p, q) => normalKL(param(p, "mu"), param(p, "sigma"), param(q, "mu"), param(q, "sigma")) },
  {
    p: "HalfNormal",
    q: "HalfNormal",
    fn: (p, q) => {
      const zero = tf.scalar(0);
      return normalKL(zero, param(p, "scale"), zero, param(q, "scale"));
    },
  },
  { p: "MultivariateNormal", q: "MultivariateNormal", fn: mvnKL },
  { p: "Normal", q: "Laplace", fn: normalLaplaceKL },
];
