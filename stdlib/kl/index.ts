/**
 * KL divergence: a pair-keyed registry of closed forms with a Monte Carlo fallback.
 *
 *   klDivergence(Normal(0, 1), Normal(1, 2))            // { value, method: "analytic", ... }
 *   klDivergence(StudentT(3, 0, 1), Normal(0, 1))       // { method: "monte-carlo", samples, standardError }
 *   klDivergence([0.5, 0.5], [0.9, 0.1], { base: "bits" })   // a number, for probability tables
 *
 * For distributions the result is always an `InfoEstimate` (one shape whatever the method: the
 * value tensor, its unit, the method, and for Monte Carlo the number of draws and the standard
 * error), so that code reading it never branches on its type. `analyticKL(p, q)` gives the bare
 * tensor for ELBO code that needs the closed form.
 */
import * as tf from "@tensorflow/tfjs";
import { Distribution, type Seed } from "../distributions/core/distribution.js";
import { type ProbabilityTable, type TableOptions, isProbabilityTable, tableKL } from "../info/tables.js";
import { type InfoOptions, natsPerUnit, unitName } from "../info/units.js";
import { betaDirichletKLs } from "./beta-dirichlet.js";
import { discreteKLs } from "./discrete.js";
import { gammaFamilyKLs } from "./gamma-family.js";
import { gaussianKLs } from "./gaussian.js";
import { locationScaleKLs } from "./location-scale.js";
import { type DistributionKey, lookupKL, registerKL, registeredKLPairs } from "./registry.js";
import { type InfoEstimate, analyticEstimate, meanAndStandardError, monteCarloEstimate } from "./result.js";

export { registerKL, registeredKLPairs, type DistributionKey, type KLFunction } from "./registry.js";
export type { InfoEstimate, InfoMethod } from "./result.js";

// The built-in closed forms, registered once when the module loads (an explicit list).
for (const e of [...gaussianKLs, ...gammaFamilyKLs, ...betaDirichletKLs, ...discreteKLs, ...locationScaleKLs]) registerKL(e.p, e.q, e.fn);

/** Default number of draws of a Monte Carlo estimate. */
export const DEFAULT_MC_SAMPLES = 10_000;

export interface MonteCarloOptions extends InfoOptions {
  /** Draws for a Monte Carlo estimate; default 10 000. */
  readonly samples?: number;
  /** Seed of the draws (a number or an Rng); default 0. */
  readonly seed?: Seed;
}

export interface KLOptions extends MonteCarloOptions {
  /**
   * "auto" (default): the closed form when the pair is registered, else Monte Carlo.
   * "analytic": the closed form or an error. "monte-carlo": always estimate.
   */
  readonly method?: "auto" | "analytic" | "monte-carlo";
}

export function checkSamples(n: number, owner: string): number {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`${owner}: option 'samples' must be an integer of at least 2, got ${n}`);
  return n;
}

/** Draws from p: reparameterised when p allows (so a Monte Carlo value has gradients). */
export function drawFrom(p: Distribution, n: number, seed: Seed): tf.Tensor {
  return p.reparameterizable ? p.rsample([n], seed) : p.sample([n], seed);
}

/** Does the ordered pair have a closed-form KL? */
export function hasAnalyticKL(p: DistributionKey, q: DistributionKey): boolean {
  return lookupKL(p, q) !== undefined;
}

function noClosedForm(p: Distribution, q: Distribution): Error {
  const withP = registeredKLPairs()
    .filter(([a]) => a === p.name)
    .map(([, b]) => b);
  const known = withP.length > 0 ? `; ${p.name} has closed forms against ${withP.join(", ")}` : "";
  return new Error(`klDivergence: no closed-form KL(${p.name} || ${q.name}) is registered${known}; use { method: "monte-carlo" } or registerKL`);
}

/** The closed-form KL(p || q) in nats as a tensor of the broadcast batch shape; throws if none. */
export function analyticKL(p: Distribution, q: Distribution): tf.Tensor {
  const fn = lookupKL(p.name, q.name);
  if (!fn) throw noClosedForm(p, q);
  return tf.tidy(() => fn(p, q));
}

/**
 * KL(p || q) by Monte Carlo: the mean of log p(x) - log q(x) over `samples` seeded draws x ~ p,
 * with its standard error.
 */
export function monteCarloKL(p: Distribution, q: Distribution, options: MonteCarloOptions = {}): InfoEstimate {
  const n = checkSamples(options.samples ?? DEFAULT_MC_SAMPLES, "klDivergence");
  const scale = natsPerUnit(options.base, "klDivergence");
  const { mean, se } = tf.tidy(() => {
    const x = drawFrom(p, n, options.seed ?? 0);
    return meanAndStandardError(tf.sub(p.logProb(x), q.logProb(x)), scale);
  });
  return monteCarloEstimate(mean, se, n, unitName(options.base));
}

/**
 * KL(p || q) = E_p[log p(x) - log q(x)].
 *
 * - Two probability tables (nested arrays or tensors of the same shape): a number.
 * - Two distributions: an `InfoEstimate` with the broadcast batch shape — the registered closed
 *   form, or a Monte Carlo estimate that says how many draws it used and its standard error.
 *
 * Units: nats unless `base` says otherwise ("bits", "nats", "hartleys" or a number).
 */
export function klDivergence(p: ProbabilityTable, q: ProbabilityTable, options?: TableOptions): number;
export function klDivergence(p: Distribution, q: Distribution, options?: KLOptions): InfoEstimate;
export function klDivergence(p: ProbabilityTable | Distribution, q: ProbabilityTable | Distribution, options: KLOptions & TableOptions = {}): number | InfoEstimate {
  if (isProbabilityTable(p) && isProbabilityTable(q)) return tableKL(p, q, options);
  if (!(p instanceof Distribution) || !(q instanceof Distribution)) {
    throw new TypeError("klDivergence: arguments 'p' and 'q' must both be distributions or both be probability tables");
  }
  const method = options.method ?? "auto";
  if (method !== "auto" && method !== "analytic" && method !== "monte-carlo") {
    throw new RangeError(`klDivergence: option 'method' must be "auto", "analytic" or "monte-carlo", got ${String(method)}`);
  }
  const fn = method === "monte-carlo" ? undefined : lookupKL(p.name, q.name);
  if (fn) {
    const scale = natsPerUnit(options.base, "klDivergence");
    return analyticEstimate(
      tf.tidy(() => tf.div(fn(p, q), scale)),
      unitName(options.base),
    );
  }
  if (method === "analytic") throw noClosedForm(p, q);
  return monteCarloKL(p, q, options);
}
