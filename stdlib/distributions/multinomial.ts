import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { lgamma, xlogy } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { broadcastTo, inSupport, safeWhere, valuesAt } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const MultinomialDefinition = defineDistribution({
  name: "Multinomial",
  params: [
    { name: "n", constraint: constraints.nonnegativeInteger, eventRank: 0, integer: true },
    { name: "probs", constraint: constraints.simplex, eventRank: 1 },
  ],
  // Per element: a count from 0 to n (and the counts of one draw sum to n).
  support: constraints.integer(0, { param: "n" }),
  eventRank: 1,
  eventShapeFrom: "probs",
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Multinomial(n, probs): counts of n draws over the K categories of probs' last axis (Stan's multinomial(theta) with the total n made explicit).",
});

/** No closed-form entropy: `entropy()` throws `NoClosedFormError` (use `entropyEstimate`). */
export class MultinomialDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(MultinomialDefinition, args, options);
    const self = this;
    // T(x) = x (a vector), eta = log probs, A = n log sum probs (= 0), h(x) = n! / prod x_k!.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [1],
      naturalParams: () => tf.tidy(() => [tf.log(self.probs)]),
      sufficientStats: (x) => tf.tidy(() => [tf.clone(toFloat(x))]),
      logNormalizer: () => tf.tidy(() => tf.mul(self.n, tf.log(tf.sum(self.probs, -1)))),
      expectedSufficientStats: () => tf.tidy(() => [tf.mul(tf.expandDims(self.n, -1), self.probs)]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        const ok = self.valid(xt);
        return inSupport(ok, self.logCoefficient(safeWhere(tf.expandDims(ok, -1), xt, 0)));
      }),
    };
  }

  get n(): tf.Tensor {
    return this.param("n");
  }
  get probs(): tf.Tensor {
    return this.param("probs");
  }

  /** Per event: non-negative integer counts summing to n. */
  private valid(x: tf.Tensor): tf.Tensor {
    const ints = tf.all(tf.logicalAnd(tf.equal(tf.floor(x), x), tf.greaterEqual(x, 0)), -1);
    return tf.logicalAnd(ints, tf.equal(tf.sum(x, -1), this.n));
  }

  /** log n! - sum log x_k!. */
  private logCoefficient(x: tf.Tensor): tf.Tensor {
    return tf.sub(lgamma(tf.add(this.n, 1)), tf.sum(lgamma(tf.add(x, 1)), -1));
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = this.valid(x);
    const xs = safeWhere(tf.expandDims(ok, -1), x, 0);
    return inSupport(ok, tf.add(this.logCoefficient(xs), tf.sum(xlogy(xs, this.probs), -1)));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    // Sequential binomials: x_j ~ Binomial(n - sum_{i<j} x_i, p_j / sum_{i>=j} p_i).
    const full = this.drawShape(shape);
    const k = this.eventShape[0]!;
    const p = valuesAt(this.probs, full);
    const n = valuesAt(broadcastTo(tf.expandDims(this.n, -1), [...this.batchShape, k]), full);
    const out = new Float32Array(p.length);
    for (let e = 0; e < p.length; e += k) {
      let left = n[e]!;
      let mass = 0;
      for (let j = 0; j < k; j++) mass += p[e + j]!;
      for (let j = 0; j < k && left > 0; j++) {
        const q = j === k - 1 || mass <= 0 ? 1 : Math.min(1, Math.max(0, p[e + j]! / mass));
        const x = rng.nextBinomial(left, q);
        out[e + j] = x;
        left -= x;
        mass -= p[e + j]!;
      }
    }
    return tf.tensor(out, full, "float32");
  }
  protected meanImpl(): tf.Tensor {
    return tf.mul(tf.expandDims(this.n, -1), this.probs);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.mul(tf.mul(tf.expandDims(this.n, -1), this.probs), tf.sub(1, this.probs));
  }
}

export const Multinomial = distributionFactory(MultinomialDefinition, (args, options) => new MultinomialDistribution(args, options));
