/**
 * Onto symmetric positive-definite matrices (constraint `positive_definite`): n(n+1)/2 reals ->
 * L (the lower_cholesky bijector) -> X = L Lᵀ. On the lower-triangle coordinates of X,
 *   log |det J| = n log 2 + sum_i (n - i + 1) log L_ii   (i = 0..n-1),
 * the Cholesky map's 2^n prod_i L_ii^(n-i) times the exp on the diagonal. The inverse factors X
 * with the differentiable Cholesky of tensor/linalg.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { matmul, transposeLast2 } from "../tensor/matmul.js";
import { cholesky } from "../tensor/linalg.js";
import { type Bijector, makeBijector, squareSide, triangularSide } from "./bijector.js";
import { choleskyFromVector, vectorFromCholesky } from "./lower-cholesky.js";

function forwardWithLogDet(u: tf.Tensor): { value: tf.Tensor; logDet: tf.Tensor } {
  const { L, diag, layout } = choleskyFromVector(u, "positive_definite");
  const n = layout.n;
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = n - i + 1;
  const prod = matmul(L, L, { transposeB: true });
  // Symmetrise so that X equals Xᵀ bit for bit, whatever order the kernel summed in.
  const value = tf.mul(tf.add(prod, transposeLast2(prod)), 0.5);
  const logDet = tf.add(tf.sum(tf.mul(diag, tf.tensor1d(w)), -1), n * Math.LN2);
  return { value, logDet };
}

function inverse(x: tf.Tensor): tf.Tensor {
  squareSide(x, "positive_definite");
  const L = cholesky(x);
  // cholesky gives NaN for a matrix that is not positive definite: say which one.
  const bad = tf.tidy(() => tf.any(tf.isNaN(L)).dataSync()[0]);
  if (bad) {
    const flags = tf.tidy(() => Array.from(tf.any(tf.reshape(tf.isNaN(L), [-1, L.shape[L.rank - 1]! * L.shape[L.rank - 1]!]), 1).dataSync()));
    throw new Error(`bijector positive_definite: argument 'x' is not positive definite (matrix ${flags.indexOf(1)} of shape [${x.shape.join(", ")}])`);
  }
  return vectorFromCholesky(L, "positive_definite");
}

export function positiveDefiniteBijector(): Bijector {
  return makeBijector({
    name: "positive_definite",
    constraint: constraints.positiveDefinite,
    unconstrainedEventRank: 1,
    eventRank: 2,
    forwardWithLogDet,
    inverse,
    forwardEventShape: (s) => {
      const n = triangularSide(s[s.length - 1]!, "positive_definite", false);
      return [...s.slice(0, -1), n, n];
    },
    inverseEventShape: (s) => {
      const n = s[s.length - 1]!;
      return [...s.slice(0, -2), (n * (n + 1)) / 2];
    },
  });
}
