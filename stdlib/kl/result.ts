/**
 * The result of an information quantity of distributions (KL, entropy, cross-entropy, mutual
 * information): a tensor of the batch shape, its unit, how it was obtained and, for a Monte Carlo
 * estimate, how many draws it used and its standard error.
 *
 * One type for both methods, so that callers never branch on the result's shape: analytic
 * values have `method: "analytic"`, `samples: 0` and `standardError: null`. The tensors belong
 * to the caller; `dispose()` frees them.
 */
import * as tf from "@tensorflow/tfjs";

export type InfoMethod = "analytic" | "monte-carlo";

export interface InfoEstimate {
  /** The value in `unit`, shape = the (broadcast) batch shape. Differentiable where the inputs are. */
  readonly value: tf.Tensor;
  /** "nats", "bits", "hartleys" or "base-b units". */
  readonly unit: string;
  readonly method: InfoMethod;
  /** Monte Carlo draws used; 0 for a closed form. */
  readonly samples: number;
  /** Standard error of a Monte Carlo estimate (same shape and unit as `value`); null when exact. */
  readonly standardError: tf.Tensor | null;
  /** Frees `value` and `standardError`. */
  dispose(): void;
}

export function analyticEstimate(value: tf.Tensor, unit: string): InfoEstimate {
  return {
    value,
    unit,
    method: "analytic",
    samples: 0,
    standardError: null,
    dispose: () => value.dispose(),
  };
}

export function monteCarloEstimate(value: tf.Tensor, standardError: tf.Tensor, samples: number, unit: string): InfoEstimate {
  return {
    value,
    unit,
    method: "monte-carlo",
    samples,
    standardError,
    dispose: () => tf.dispose([value, standardError]),
  };
}

/**
 * Mean over axis 0 of `terms` ([n, ...]) and its standard error sqrt(s^2 / n), both divided by
 * `scale` (ln base). Returns new tensors; `terms` is not disposed.
 */
export function meanAndStandardError(terms: tf.Tensor, scale: number): { mean: tf.Tensor; se: tf.Tensor } {
  const n = terms.shape[0]!;
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(terms, 0);
    const se = tf.sqrt(tf.div(tf.mul(variance, n / (n - 1)), n));
    return { mean: tf.div(mean, scale), se: tf.div(se, scale) };
  });
}
