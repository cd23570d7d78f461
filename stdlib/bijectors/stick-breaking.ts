/**
 * Stick-breaking onto the simplex: K-1 unconstrained reals -> K non-negative entries summing to 1
 * (Stan's and NumPyro's transform). With offsets so that u = 0 maps to the uniform vector,
 *   z_k = sigmoid(u_k - log(K-1-k)),   x_k = z_k * prod_{j<k} (1 - z_j),   x_{K-1} = prod_j (1 - z_j).
 * The map from u to the free coordinates x_0..x_{K-2} is triangular, so
 *   log |det J| = sum_k [log z_k + log(1 - z_k) + sum_{j<k} log(1 - z_j)].
 * Everything is computed in log space with an exclusive cumsum (no gather), then normalised so
 * the entries sum to 1 to float32 rounding (the normalisation is the identity on the simplex, so
 * it does not change the Jacobian).
 */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { softplus } from "../tensor/special.js";
import { type Bijector, makeBijector, sliceLast } from "./bijector.js";

/** log(K-1-k) for k = 0..K-2, as a constant of the unconstrained event size K-1. */
function offsets(km1: number): tf.Tensor {
  const o = new Float32Array(km1);
  for (let k = 0; k < km1; k++) o[k] = Math.log(km1 - k);
  return tf.tensor1d(o);
}

function forwardWithLogDet(u: tf.Tensor): { value: tf.Tensor; logDet: tf.Tensor } {
  const km1 = u.shape[u.rank - 1]!;
  const last = u.rank - 1;
  if (km1 === 0) {
    // K = 1: the only simplex is [1].
    return { value: tf.ones([...u.shape.slice(0, -1), 1]), logDet: tf.zeros(u.shape.slice(0, -1)) };
  }
  const t = tf.sub(u, offsets(km1));
  const logZ = tf.neg(softplus(tf.neg(t)));
  const log1mZ = tf.neg(softplus(t));
  const before = tf.cumsum(log1mZ, last, true); // sum_{j<k} log(1 - z_j)
  const rest = tf.sum(log1mZ, last, true);
  const logX = tf.concat([tf.add(logZ, before), rest], last);
  const x = tf.exp(logX);
  const value = tf.div(x, tf.sum(x, last, true));
  const logDet = tf.sum(tf.add(tf.add(logZ, log1mZ), before), last);
  return { value, logDet };
}

function inverse(x: tf.Tensor): tf.Tensor {
  const k = x.shape[x.rank - 1]!;
  const last = x.rank - 1;
  if (k < 1) throw new Error(`bijector stick_breaking: a simplex needs at least one entry, got shape [${x.shape.join(", ")}]`);
  // Remaining stick r_k = sum_{j>=k} x_j (a reverse cumsum is more accurate than 1 - cumsum).
  const r = tf.cumsum(x, last, false, true);
  const head = sliceLast(x, 0, k - 1);
  const rNext = sliceLast(r, 1, k - 1);
  // z_k = x_k / r_k and 1 - z_k = r_{k+1} / r_k, so logit z_k = log x_k - log r_{k+1}.
  return tf.add(tf.sub(tf.log(head), tf.log(rNext)), offsets(k - 1));
}

export function stickBreakingBijector(): Bijector {
  return makeBijector({
    name: "stick_breaking",
    constraint: constraints.simplex,
    unconstrainedEventRank: 1,
    eventRank: 1,
    forwardWithLogDet,
    inverse,
    forwardEventShape: (s) => [...s.slice(0, -1), s[s.length - 1]! + 1],
    inverseEventShape: (s) => [...s.slice(0, -1), s[s.length - 1]! - 1],
  });
}
