/**
 * Onto Cholesky factors of correlation matrices (constraint `corr_cholesky`): n(n-1)/2 reals ->
 * [n, n] lower-triangular, positive diagonal, rows of unit length (Stan's transform, LKJ's
 * natural space). Each u goes through tanh to a partial correlation z in (-1, 1); row i is then
 * built by stick-breaking on the squared length:
 *   s_ij = prod_{k<j} (1 - z_ik^2),   x_ij = z_ij sqrt(s_ij) (j < i),   x_ii = sqrt(s_ii).
 * The map onto the coordinates below the diagonal is triangular, so
 *   log |det J| = sum_{j<i} [log(1 - z_ij^2) + log(s_ij) / 2],
 * with log(1 - tanh(u)^2) = log 4 - 2u - 2 softplus(-2u), finite for every u.
 */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { softplus } from "../tensor/special.js";
import {
  type Bijector,
  applyConstant,
  flattenMatrix,
  lowerPositions,
  makeBijector,
  placementMatrix,
  squareSide,
  transposed,
  triangularSide,
  unflattenMatrix,
} from "./bijector.js";

function strictMask(n: number): Float32Array {
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) m[i * n + j] = 1;
  return m;
}

function eye(n: number): Float32Array {
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

function forwardWithLogDet(u: tf.Tensor): { value: tf.Tensor; logDet: tf.Tensor } {
  const m = u.shape[u.rank - 1]!;
  const n = triangularSide(m, "corr_cholesky", true);
  const last = u.rank; // the column axis of the [..., n, n] matrices
  const U = unflattenMatrix(applyConstant(u, placementMatrix(lowerPositions(n, true), n), m, n * n), n);
  const mask = tf.tensor2d(strictMask(n), [n, n]);
  const z = tf.add(tf.tanh(U), tf.tensor2d(eye(n), [n, n]));
  const log1mZ2 = tf.mul(tf.sub(tf.sub(Math.log(4), tf.mul(U, 2)), tf.mul(softplus(tf.mul(U, -2)), 2)), mask);
  const logS = tf.cumsum(log1mZ2, last, true);
  const value = tf.mul(z, tf.exp(tf.mul(logS, 0.5)));
  const logDet = tf.sum(tf.mul(tf.add(log1mZ2, tf.mul(logS, 0.5)), mask), [last - 1, last]);
  return { value, logDet };
}

function inverse(x: tf.Tensor): tf.Tensor {
  const n = squareSide(x, "corr_cholesky");
  const last = x.rank - 1;
  const mask = tf.tensor2d(strictMask(n), [n, n]);
  // s_ij = 1 - sum_{k<j} x_ik^2 = sum_{k>=j} x_ik^2 (rows have unit length): a reverse cumsum.
  const s = tf.cumsum(tf.square(x), last, false, true);
  // Off the strict lower triangle the ratio is 0 / 1, so atanh stays finite there.
  const z = tf.div(tf.mul(x, mask), tf.sqrt(tf.add(tf.mul(s, mask), tf.sub(1, mask))));
  const u = tf.atanh(z);
  const pos = lowerPositions(n, true);
  return applyConstant(flattenMatrix(u), transposed(placementMatrix(pos, n), pos.length, n * n), n * n, pos.length);
}

export function corrCholeskyBijector(): Bijector {
  return makeBijector({
    name: "corr_cholesky",
    constraint: constraints.corrCholesky,
    unconstrainedEventRank: 1,
    eventRank: 2,
    forwardWithLogDet,
    inverse,
    forwardEventShape: (s) => {
      const n = triangularSide(s[s.length - 1]!, "corr_cholesky", true);
      return [...s.slice(0, -1), n, n];
    },
    inverseEventShape: (s) => {
      const n = s[s.length - 1]!;
      return [...s.slice(0, -2), (n * (n - 1)) / 2];
    },
  });
}
