/**
 * Observed data checked once against each `~`'s support. A distribution whose support depends on
 * no parameter (Bernoulli's {0, 1}, Poisson's counts, Gamma's positives) puts the same data in or
 * out of it at every evaluation, so the answer is computed on first use and kept: in-support data
 * then takes the trusted log-density path (no mask, no -Infinity select over [S, ...]); data out
 * of it is recorded as a violation, which the build reports (errors.ts, dataOutsideSupport).
 *
 * Only data tensors are checked (a stable tensor, made once at build): under minibatching a batch
 * is a slice of the full data, so it inherits the full tensor's answer; a slice of data not yet
 * checked whole is not trusted.
 */
import type * as tf from "@tensorflow/tfjs";

/** Where observed data leave a support: the first element (of the mask: events for a simplex), its value, and how many. */
export interface SupportViolation {
  readonly index: readonly number[];
  /** The offending element, or null where the support is checked per event (simplex). */
  readonly value: number | null;
  readonly count: number;
  /** Elements (or events) checked. */
  readonly size: number;
}

export class SupportChecks {
  private readonly results = new Map<object, Map<tf.Tensor, SupportViolation | null>>();
  /** Violations found so far, with the factor (`owner`) they belong to, in order of discovery. */
  readonly violations: { readonly owner: object; readonly violation: SupportViolation }[] = [];

  /** @param origin the full data tensor behind a data tensor (itself, or the tensor a minibatch slice was gathered from); undefined for anything else. */
  constructor(private readonly origin: (t: tf.Tensor) => tf.Tensor | undefined) {}

  /**
   * Whether `x` (the target of factor `owner`) is data known to lie in the factor's support:
   * `check` runs on the first evaluation of each factor and data variable (null: in support).
   */
  inSupport(owner: object, x: tf.Tensor, check: () => SupportViolation | null): boolean {
    const full = this.origin(x);
    if (!full) return false;
    let byData = this.results.get(owner);
    if (!byData) this.results.set(owner, (byData = new Map()));
    if (!byData.has(full)) {
      if (full !== x) return false;
      const v = check();
      byData.set(full, v);
      if (v) this.violations.push({ owner, violation: v });
    }
    return byData.get(full) === null;
  }
}
