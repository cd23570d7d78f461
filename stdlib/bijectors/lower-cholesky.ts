/**
 * Onto lower-triangular matrices with a positive diagonal (constraint `lower_cholesky`):
 * a vector of n(n+1)/2 reals fills the lower triangle row by row ((0,0), (1,0), (1,1), (2,0), …)
 * and the diagonal entries go through exp. log |det J| (onto the lower-triangle coordinates) is
 * the sum of the unconstrained diagonal entries.
 *
 * The placement is a product with constant 0/1 matrices (no gather, so it differentiates on
 * wasm); the diagonal and off-diagonal parts are placed separately so that exp never sees an
 * off-diagonal entry (exp(big) * 0 would be NaN).
 */
import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import {
  type Bijector,
  applyConstant,
  flattenMatrix,
  lowerPositions,
  makeBijector,
  squareSide,
  transposed,
  triangularSide,
  unflattenMatrix,
} from "./bijector.js";

/** Constant maps for side n: which unconstrained entries are diagonal, and where each goes. */
export interface CholeskyLayout {
  readonly n: number;
  /** n(n+1)/2 */
  readonly m: number;
  /** [m, n*n]: unconstrained entry -> flat position, off-diagonal entries only. */
  readonly placeOff: Float32Array;
  /** [m, n]: unconstrained entry -> diagonal index, diagonal entries only. */
  readonly pickDiag: Float32Array;
  /** [n, n*n]: diagonal index -> flat position. */
  readonly placeDiag: Float32Array;
  /** [m]: 1 for the diagonal entries. */
  readonly diagMask: Float32Array;
}

export function choleskyLayout(n: number): CholeskyLayout {
  const pos = lowerPositions(n, false);
  const m = pos.length;
  const placeOff = new Float32Array(m * n * n);
  const pickDiag = new Float32Array(m * n);
  const placeDiag = new Float32Array(n * n * n);
  const diagMask = new Float32Array(m);
  pos.forEach((p, k) => {
    const i = Math.floor(p / n);
    const j = p % n;
    if (i === j) {
      pickDiag[k * n + i] = 1;
      diagMask[k] = 1;
    } else {
      placeOff[k * n * n + p] = 1;
    }
  });
  for (let i = 0; i < n; i++) placeDiag[i * n * n + i * n + i] = 1;
  return { n, m, placeOff, pickDiag, placeDiag, diagMask };
}

/** u [..., m] -> L [..., n, n] and the unconstrained diagonal [..., n]. */
export function choleskyFromVector(u: tf.Tensor, owner: string): { L: tf.Tensor; diag: tf.Tensor; layout: CholeskyLayout } {
  const m = u.shape[u.rank - 1]!;
  const n = triangularSide(m, owner, false);
  const lay = choleskyLayout(n);
  const diag = applyConstant(u, lay.pickDiag, m, n);
  const flat = tf.add(applyConstant(u, lay.placeOff, m, n * n), applyConstant(tf.exp(diag), lay.placeDiag, n, n * n));
  return { L: unflattenMatrix(flat, n), diag, layout: lay };
}

/** L [..., n, n] (lower, positive diagonal) -> u [..., m]. */
export function vectorFromCholesky(L: tf.Tensor, owner: string): tf.Tensor {
  const n = squareSide(L, owner);
  const lay = choleskyLayout(n);
  const flat = flattenMatrix(L);
  const diag = applyConstant(flat, transposed(lay.placeDiag, n, n * n), n * n, n);
  const off = applyConstant(flat, transposed(lay.placeOff, lay.m, n * n), n * n, lay.m);
  return tf.add(off, applyConstant(tf.log(diag), transposed(lay.pickDiag, lay.m, n), n, lay.m));
}

function sideFromVector(s: readonly number[]): number {
  return triangularSide(s[s.length - 1]!, "lower_cholesky", false);
}

export function lowerCholeskyBijector(): Bijector {
  return makeBijector({
    name: "lower_cholesky",
    constraint: constraints.lowerCholesky,
    unconstrainedEventRank: 1,
    eventRank: 2,
    forwardWithLogDet: (u) => {
      const { L, diag } = choleskyFromVector(u, "lower_cholesky");
      return { value: L, logDet: tf.sum(diag, -1) };
    },
    inverse: (x) => vectorFromCholesky(x, "lower_cholesky"),
    forwardEventShape: (s) => {
      const n = sideFromVector(s);
      return [...s.slice(0, -1), n, n];
    },
    inverseEventShape: (s) => {
      const n = s[s.length - 1]!;
      return [...s.slice(0, -2), (n * (n + 1)) / 2];
    },
  });
}
