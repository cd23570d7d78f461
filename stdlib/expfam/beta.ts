/**
 * Beta(a, b) as an exponential family over p in (0, 1): sufficient statistics
 * [log p, log(1 - p)], natural parameters [a - 1, b - 1]. Plain float64 (CAVI's arithmetic).
 */
import { specialJs } from "../tensor/index.js";

const { digamma, lbeta } = specialJs;

/** E[log p] and E[log(1 - p)] under Beta(a, b). */
export function betaExpectedStats(a: number, b: number): [number, number] {
  const s = digamma(a + b);
  return [digamma(a) - s, digamma(b) - s];
}

/** Differential entropy of Beta(a, b), nats. */
export function betaEntropy(a: number, b: number): number {
  return lbeta(a, b) - (a - 1) * digamma(a) - (b - 1) * digamma(b) + (a + b - 2) * digamma(a + b);
}

/** E_q[log Beta(p | a0, b0)] from q's expected statistics. */
export function betaExpectedLogDensity(a0: number, b0: number, eLogP: number, eLog1mP: number): number {
  return (a0 - 1) * eLogP + (b0 - 1) * eLog1mP - lbeta(a0, b0);
}
