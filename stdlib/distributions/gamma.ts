import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { digamma, lgamma } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { clampPositive, drawEach, inSupport, mask, safeWhere, valuesAt, valueTerm } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const GammaDefinition = defineDistribution({
  name: "Gamma",
  params: [
    { name: "shape", constraint: constraints.positive, eventRank: 0 },
    { name: "rate", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  // Needs implicit reparameterisation gradients, which tfjs does not have; guides use a
  // Gaussian through a bijector instead.
  reparameterizable: false,
  expfam: true,
  doc: "Gamma(shape, rate): the gamma with shape shape and rate rate, mean shape / rate (Stan's gamma(alpha, beta)).",
});

export class GammaDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(GammaDefinition, args, options);
    const self = this;
    // T(x) = (log x, x), eta = (shape - 1, -rate), A = lgamma(shape) - shape log rate.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0, 0],
      naturalParams: () => tf.tidy(() => [tf.sub(self.shape, 1), tf.neg(self.rate)]),
      sufficientStats: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return [tf.log(safeWhere(tf.greater(xt, 0), xt, 1)), tf.clone(xt)];
      }),
      logNormalizer: () => tf.tidy(() => tf.sub(lgamma(self.shape), tf.mul(self.shape, tf.log(self.rate)))),
      expectedSufficientStats: () => tf.tidy(() => [tf.sub(digamma(self.shape), tf.log(self.rate)), tf.div(self.shape, self.rate)]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(tf.greater(xt, 0), tf.zerosLike(xt));
      }),
    };
  }

  get shape(): tf.Tensor {
    return this.param("shape");
  }
  get rate(): tf.Tensor {
    return this.param("rate");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const a = this.shape;
    const b = this.rate;
    const ok = mask(() => tf.greater(x, 0));
    const xs = valueTerm("x+", () => clampPositive(x));
    // a log b - lgamma(a): parameters only (kept across calls for constant parameters).
    const norm = this.constant("norm", () => tf.sub(tf.mul(a, tf.log(b)), lgamma(a)));
    const am1 = this.constant("a-1", () => tf.sub(a, 1));
    const lp = tf.sub(tf.add(norm, tf.mul(am1, valueTerm("log x", () => tf.log(xs)))), tf.mul(b, xs));
    return inSupport(ok, lp);
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const full = this.drawShape(shape);
    const a = valuesAt(this.shape, full);
    const b = valuesAt(this.rate, full);
    return drawEach(full, (i) => Math.exp(rng.nextLogGamma(a[i]!) - Math.log(b[i]!)));
  }
  protected meanImpl(): tf.Tensor {
    return tf.div(this.shape, this.rate);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.div(this.shape, tf.square(this.rate));
  }
  protected override entropyImpl(): tf.Tensor {
    // a - log b + lgamma(a) + (1 - a) psi(a)
    const a = this.shape;
    return tf.add(tf.sub(a, tf.log(this.rate)), tf.add(lgamma(a), tf.mul(tf.sub(1, a), digamma(a))));
  }
}

export const Gamma = distributionFactory(GammaDefinition, (args, options) => new GammaDistribution(args, options));
