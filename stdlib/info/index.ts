/**
 * Information theory: entropy, cross-entropy, KL divergence, joint and conditional entropy and
 * mutual information, in nats (default), bits or any base.
 *
 * Each function takes either
 * - discrete probability tables (nested arrays or tensors, one axis per variable, non-negative,
 *   summing to 1): the result is a plain number; or
 * - distributions: the result is an `InfoEstimate` (a tensor of the batch shape, its unit, and
 *   whether it is a closed form or a Monte Carlo estimate with its draws and standard error).
 * Mutual information also takes a MultivariateNormal (between blocks of coordinates, from the
 * covariance) and any `SampleScoreJoint` (by Monte Carlo).
 *
 *   entropy([0.5, 0.5], { base: "bits" })        // 1
 *   entropy(Bernoulli(0.9), { base: "bits" })    // { value: 0.469, method: "analytic", ... }
 */
import * as tf from "@tensorflow/tfjs";
import { Distribution, NoClosedFormError } from "../distributions/core/distribution.js";
import { DEFAULT_MC_SAMPLES, type MonteCarloOptions, analyticKL, checkSamples, drawFrom, hasAnalyticKL } from "../kl/index.js";
import { type InfoEstimate, analyticEstimate, meanAndStandardError, monteCarloEstimate } from "../kl/result.js";
import { matmul } from "../tensor/matmul.js";
import { type GaussianBlocks, gaussianMutualInformationNats } from "./gaussian.js";
import { type SampleScoreJoint, isSampleScoreJoint } from "./monte-carlo.js";
import {
  type MutualInformationOptions,
  type ProbabilityTable,
  type TableOptions,
  isProbabilityTable,
  tableCrossEntropy,
  tableEntropy,
  tableMutualInformation,
} from "./tables.js";
import { type InfoOptions, natsPerUnit, unitName } from "./units.js";

export { klDivergence, analyticKL, hasAnalyticKL, monteCarloKL, registerKL, registeredKLPairs } from "../kl/index.js";
export type { KLOptions, MonteCarloOptions, InfoEstimate, InfoMethod, KLFunction, DistributionKey } from "../kl/index.js";
export { conditionalEntropy, jointEntropy, TABLE_TOLERANCE } from "./tables.js";
export type { ConditionalEntropyOptions, MutualInformationOptions, ProbabilityTable, TableOptions } from "./tables.js";
export type { InfoBase, InfoOptions } from "./units.js";
export type { GaussianBlocks } from "./gaussian.js";
export type { SampleScoreJoint } from "./monte-carlo.js";

export interface EstimateOptions extends MonteCarloOptions {
  /** "auto" (default): the closed form where there is one, else Monte Carlo. */
  readonly method?: "auto" | "analytic" | "monte-carlo";
}

function checkMethod(m: unknown, owner: string): "auto" | "analytic" | "monte-carlo" {
  const method = m ?? "auto";
  if (method !== "auto" && method !== "analytic" && method !== "monte-carlo") {
    throw new RangeError(`${owner}: option 'method' must be "auto", "analytic" or "monte-carlo", got ${String(m)}`);
  }
  return method;
}

/** The closed-form entropy in nats, or undefined when the distribution has none. */
function closedFormEntropy(p: Distribution): tf.Tensor | undefined {
  try {
    return p.entropy();
  } catch (e) {
    if (e instanceof NoClosedFormError) return undefined;
    throw e;
  }
}

/**
 * H(p) = -E_p[log p(x)]. A table gives a number (all axes jointly); a distribution gives an
 * `InfoEstimate` (closed form, else a Monte Carlo estimate). Default unit: nats.
 */
export function entropy(p: ProbabilityTable, options?: TableOptions): number;
export function entropy(p: Distribution, options?: EstimateOptions): InfoEstimate;
export function entropy(p: ProbabilityTable | Distribution, options: EstimateOptions & TableOptions = {}): number | InfoEstimate {
  if (isProbabilityTable(p)) return tableEntropy(p, options);
  if (!(p instanceof Distribution)) throw new TypeError("entropy: argument 'p' must be a distribution or a probability table");
  const method = checkMethod(options.method, "entropy");
  const scale = natsPerUnit(options.base, "entropy");
  const unit = unitName(options.base);
  if (method !== "monte-carlo") {
    const h = closedFormEntropy(p);
    if (h) {
      const value = tf.tidy(() => tf.div(h, scale));
      h.dispose();
      return analyticEstimate(value, unit);
    }
    if (method === "analytic") throw new NoClosedFormError(p.name, "entropy", 'use { method: "monte-carlo" } or "auto"');
  }
  const n = checkSamples(options.samples ?? DEFAULT_MC_SAMPLES, "entropy");
  const { mean, se } = tf.tidy(() => {
    const x = drawFrom(p, n, options.seed ?? 0);
    return meanAndStandardError(tf.neg(p.logProb(x)), scale);
  });
  return monteCarloEstimate(mean, se, n, unit);
}

/**
 * H(p, q) = -E_p[log q(x)] = H(p) + KL(p || q). Tables give a number; distributions an
 * `InfoEstimate`: closed form when p's entropy and KL(p || q) both have one, else Monte Carlo
 * of -log q(x) over draws of p.
 */
export function crossEntropy(p: ProbabilityTable, q: ProbabilityTable, options?: TableOptions): number;
export function crossEntropy(p: Distribution, q: Distribution, options?: EstimateOptions): InfoEstimate;
export function crossEntropy(
  p: ProbabilityTable | Distribution,
  q: ProbabilityTable | Distribution,
  options: EstimateOptions & TableOptions = {},
): number | InfoEstimate {
  if (isProbabilityTable(p) && isProbabilityTable(q)) return tableCrossEntropy(p, q, options);
  if (!(p instanceof Distribution) || !(q instanceof Distribution)) {
    throw new TypeError("crossEntropy: arguments 'p' and 'q' must both be distributions or both be probability tables");
  }
  const method = checkMethod(options.method, "crossEntropy");
  const scale = natsPerUnit(options.base, "crossEntropy");
  const unit = unitName(options.base);
  if (method !== "monte-carlo" && hasAnalyticKL(p.name, q.name)) {
    const h = closedFormEntropy(p);
    if (h) {
      const value = tf.tidy(() => tf.div(tf.add(h, analyticKL(p, q)), scale));
      h.dispose();
      return analyticEstimate(value, unit);
    }
  }
  if (method === "analytic") throw new Error(`crossEntropy: no closed form for H(${p.name}, ${q.name}); use { method: "monte-carlo" } or "auto"`);
  const n = checkSamples(options.samples ?? DEFAULT_MC_SAMPLES, "crossEntropy");
  const { mean, se } = tf.tidy(() => {
    const x = drawFrom(p, n, options.seed ?? 0);
    return meanAndStandardError(tf.neg(q.logProb(x)), scale);
  });
  return monteCarloEstimate(mean, se, n, unit);
}

export interface GaussianMutualInformationOptions extends GaussianBlocks, InfoOptions {}

/**
 * I(X; Y) between blocks of coordinates of a Gaussian with covariance `cov` ([..., k, k]), as a
 * tensor of the batch shape. Differentiable in `cov`.
 */
export function gaussianMutualInformation(cov: tf.Tensor, options: GaussianMutualInformationOptions = {}): tf.Tensor {
  const scale = natsPerUnit(options.base, "gaussianMutualInformation");
  return tf.tidy(() => tf.div(gaussianMutualInformationNats(cov, options, "gaussianMutualInformation"), scale));
}

/**
 * I(X; Y) = H(X) + H(Y) - H(X, Y), never negative, symmetric.
 * - a joint probability table: between axis groups `x` (default [0]) and `y` (default the
 *   rest), or I(X; Y | Z) with `given`; a number;
 * - a MultivariateNormal: between coordinate blocks `x` (default [0]) and `y` (default the
 *   rest), in closed form from the covariance; an `InfoEstimate`;
 * - a `SampleScoreJoint`: by Monte Carlo, E[log p(x, y) - log p(x) - log p(y)]; an `InfoEstimate`.
 */
export function mutualInformation(table: ProbabilityTable, options?: MutualInformationOptions): number;
export function mutualInformation(gaussian: Distribution, options?: GaussianMutualInformationOptions): InfoEstimate;
export function mutualInformation(joint: SampleScoreJoint, options?: MonteCarloOptions): InfoEstimate;
export function mutualInformation(
  arg: ProbabilityTable | Distribution | SampleScoreJoint,
  opts: MutualInformationOptions | GaussianMutualInformationOptions | MonteCarloOptions = {},
): number | InfoEstimate {
  const owner = "mutualInformation";
  if (isProbabilityTable(arg)) return tableMutualInformation(arg, opts as MutualInformationOptions);
  const options = opts as GaussianMutualInformationOptions & MonteCarloOptions;
  const scale = natsPerUnit(options.base, owner);
  const unit = unitName(options.base);
  if (arg instanceof Distribution) {
    const L = arg.params["scale_tril"];
    if (arg.eventShape.length !== 1 || !L || !("loc" in arg.params)) {
      throw new TypeError(
        `${owner}: the closed form needs a MultivariateNormal (got ${arg.name}); for other joints pass a SampleScoreJoint (sample, logJoint, logMarginalX, logMarginalY)`,
      );
    }
    const value = tf.tidy(() => {
      const cov = matmul(L, L, { transposeB: true });
      return tf.div(gaussianMutualInformationNats(cov, options, owner), scale);
    });
    return analyticEstimate(value, unit);
  }
  if (isSampleScoreJoint(arg)) {
    const n = checkSamples(options.samples ?? DEFAULT_MC_SAMPLES, owner);
    const { mean, se } = tf.tidy(() => {
      const { x, y } = arg.sample(n, options.seed ?? 0);
      const terms = tf.sub(arg.logJoint(x, y), tf.add(arg.logMarginalX(x), arg.logMarginalY(y)));
      return meanAndStandardError(terms, scale);
    });
    return monteCarloEstimate(mean, se, n, unit);
  }
  throw new TypeError(`${owner}: expected a probability table, a MultivariateNormal or a SampleScoreJoint`);
}
