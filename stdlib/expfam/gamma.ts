/**
 * Gamma(shape, rate) as an exponential family over x > 0: sufficient statistics [log x, x],
 * natural parameters [shape - 1, -rate]. Plain float64.
 */
import { specialJs } from "../tensor/index.js";

const { digamma, lgamma } = specialJs;

/** E[log x] and E[x] under Gamma(shape, rate). */
export function gammaExpectedStats(shape: number, rate: number): [number, number] {
  return [digamma(shape) - Math.log(rate), shape / rate];
}

/** Differential entropy of Gamma(shape, rate), nats. */
export function gammaEntropy(shape: number, rate: number): number {
  return shape - Math.log(rate) + lgamma(shape) + (1 - shape) * digamma(shape);
}

/** E_q[log Gamma(x | shape, rate)] for a constant shape, from E[log x], E[x], E[log rate], E[rate]. */
export function gammaExpectedLogDensity(shape: number, eLogRate: number, eRate: number, eLogX: number, eX: number): number {
  return shape * eLogRate + (shape - 1) * eLogX - eRate * eX - lgamma(shape);
}
