/**
 * Dirichlet(alpha) as an exponential family over the simplex: sufficient statistics log pi_k,
 * natural parameters alpha_k - 1. Plain float64; vectors are rows of a flat array.
 */
import { specialJs } from "../tensor/index.js";

const { digamma, lgamma } = specialJs;

/** log of the multivariate Beta function B(alpha) of row `off`, length k. */
export function logMultiBeta(alpha: ArrayLike<number>, off: number, k: number): number {
  let s = 0;
  let l = 0;
  for (let j = 0; j < k; j++) {
    const a = alpha[off + j]!;
    s += a;
    l += lgamma(a);
  }
  return l - lgamma(s);
}

/** E[log pi_k] of the row into `out` at the same offset. */
export function dirichletExpectedLog(alpha: ArrayLike<number>, off: number, k: number, out: Float64Array): void {
  let s = 0;
  for (let j = 0; j < k; j++) s += alpha[off + j]!;
  const ds = digamma(s);
  for (let j = 0; j < k; j++) out[off + j] = digamma(alpha[off + j]!) - ds;
}

/** Differential entropy of one Dirichlet row, nats. */
export function dirichletEntropy(alpha: ArrayLike<number>, off: number, k: number): number {
  let s = 0;
  let t = 0;
  for (let j = 0; j < k; j++) {
    const a = alpha[off + j]!;
    s += a;
    t += (a - 1) * digamma(a);
  }
  return logMultiBeta(alpha, off, k) + (s - k) * digamma(s) - t;
}
