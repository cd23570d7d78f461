import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { digamma, lgamma } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { clampPositive, inSupport, mask, safeWhere, valuesAt, valueTerm } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const DirichletDefinition = defineDistribution({
  name: "Dirichlet",
  params: [{ name: "alpha", constraint: constraints.positive, eventRank: 1 }],
  support: constraints.simplex,
  eventRank: 1,
  eventShapeFrom: "alpha",
  discrete: false,
  // Built from gammas: no implicit reparameterisation in tfjs.
  reparameterizable: false,
  expfam: true,
  doc: "Dirichlet(alpha): a distribution over simplexes of the size of alpha's last axis, concentrations alpha (Stan's dirichlet(alpha)).",
});

/** A value counts as a simplex when its entries are positive and sum to 1 within this (float32). */
const SUM_TOLERANCE = 1e-4;

export class DirichletDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(DirichletDefinition, args, options);
    const self = this;
    // T(x) = log x (a vector), eta = alpha - 1, A = sum lgamma(alpha) - lgamma(sum alpha).
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [1],
      naturalParams: () => tf.tidy(() => [tf.sub(self.alpha, 1)]),
      sufficientStats: (x) => tf.tidy(() => [tf.log(safeWhere(tf.greater(toFloat(x), 0), toFloat(x), 1))]),
      logNormalizer: () => tf.tidy(() => self.logNormalizer()),
      expectedSufficientStats: () => tf.tidy(() => [tf.sub(digamma(self.alpha), digamma(tf.sum(self.alpha, -1, true)))]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        const ok = self.onSimplex(xt);
        return inSupport(ok, tf.zeros(ok.shape));
      }),
    };
  }

  get alpha(): tf.Tensor {
    return this.param("alpha");
  }

  private logNormalizer(): tf.Tensor {
    return tf.sub(tf.sum(lgamma(this.alpha), -1), lgamma(tf.sum(this.alpha, -1)));
  }

  /** Per event: all entries positive and summing to 1 within the tolerance. */
  private onSimplex(x: tf.Tensor): tf.Tensor {
    const pos = tf.all(tf.greater(x, 0), -1);
    const sums = tf.lessEqual(tf.abs(tf.sub(tf.sum(x, -1), 1)), SUM_TOLERANCE);
    return tf.logicalAnd(pos, sums);
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = mask(() => this.onSimplex(x));
    const lx = valueTerm("log x", () => tf.log(clampPositive(x)));
    const am1 = this.constant("alpha-1", () => tf.sub(this.alpha, 1));
    const lp = tf.sub(tf.sum(tf.mul(am1, lx), -1), this.constant("norm", () => this.logNormalizer()));
    return inSupport(ok, lp);
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const full = this.drawShape(shape);
    const k = this.eventShape[0]!;
    const a = valuesAt(this.alpha, full);
    const out = new Float32Array(a.length);
    const lg = new Float64Array(k);
    // Normalise log-gamma draws in log space: small concentrations do not give 0 / 0.
    for (let e = 0; e < a.length; e += k) {
      let m = -Infinity;
      for (let j = 0; j < k; j++) {
        lg[j] = rng.nextLogGamma(a[e + j]!);
        if (lg[j]! > m) m = lg[j]!;
      }
      let s = 0;
      for (let j = 0; j < k; j++) s += Math.exp(lg[j]! - m);
      for (let j = 0; j < k; j++) out[e + j] = Math.exp(lg[j]! - m) / s;
    }
    return tf.tensor(out, full, "float32");
  }
  protected meanImpl(): tf.Tensor {
    return tf.div(this.alpha, tf.sum(this.alpha, -1, true));
  }
  protected varianceImpl(): tf.Tensor {
    const a0 = tf.sum(this.alpha, -1, true);
    return tf.div(tf.mul(this.alpha, tf.sub(a0, this.alpha)), tf.mul(tf.square(a0), tf.add(a0, 1)));
  }
  protected override entropyImpl(): tf.Tensor {
    // log B(alpha) + (a0 - K) psi(a0) - sum (alpha_k - 1) psi(alpha_k)
    const k = this.eventShape[0]!;
    const a0 = tf.sum(this.alpha, -1);
    return tf.sub(tf.add(this.logNormalizer(), tf.mul(tf.sub(a0, k), digamma(a0))), tf.sum(tf.mul(tf.sub(this.alpha, 1), digamma(this.alpha)), -1));
  }
}

export const Dirichlet = distributionFactory(DirichletDefinition, (args, options) => new DirichletDistribution(args, options));
