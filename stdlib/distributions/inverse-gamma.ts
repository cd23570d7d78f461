import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { digamma, lgamma } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { clampPositive, drawEach, inSupport, mask, safeWhere, valuesAt, valueTerm, where } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const InverseGammaDefinition = defineDistribution({
  name: "InverseGamma",
  params: [
    { name: "shape", constraint: constraints.positive, eventRank: 0 },
    { name: "scale", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  // 1 / Gamma(shape, scale): as Gamma, no implicit reparameterisation in tfjs.
  reparameterizable: false,
  expfam: true,
  doc: "InverseGamma(shape, scale): 1 / x for x ~ Gamma(shape, scale), mean scale / (shape - 1) (Stan's inv_gamma(alpha, beta)).",
});

/** Mean: Infinity for shape <= 1. Variance: Infinity for 1 < shape <= 2, NaN for shape <= 1. */
export class InverseGammaDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(InverseGammaDefinition, args, options);
    const self = this;
    // T(x) = (log x, 1 / x), eta = (-shape - 1, -scale), A = lgamma(shape) - shape log scale.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0, 0],
      naturalParams: () => tf.tidy(() => [tf.sub(tf.neg(self.shape), 1), tf.neg(self.scale)]),
      sufficientStats: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        const xs = safeWhere(tf.greater(xt, 0), xt, 1);
        return [tf.log(xs), tf.reciprocal(xs)];
      }),
      logNormalizer: () => tf.tidy(() => tf.sub(lgamma(self.shape), tf.mul(self.shape, tf.log(self.scale)))),
      expectedSufficientStats: () => tf.tidy(() => [tf.sub(tf.log(self.scale), digamma(self.shape)), tf.div(self.shape, self.scale)]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(tf.greater(xt, 0), tf.zerosLike(xt));
      }),
    };
  }

  get shape(): tf.Tensor {
    return this.param("shape");
  }
  get scale(): tf.Tensor {
    return this.param("scale");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const a = this.shape;
    const b = this.scale;
    const ok = mask(() => tf.greater(x, 0));
    const xs = valueTerm("x+", () => clampPositive(x));
    const norm = this.constant("norm", () => tf.sub(tf.mul(a, tf.log(b)), lgamma(a)));
    const ap1 = this.constant("a+1", () => tf.add(a, 1));
    const lp = tf.sub(norm, tf.add(tf.mul(ap1, valueTerm("log x", () => tf.log(xs))), tf.div(b, xs)));
    return inSupport(ok, lp);
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const full = this.drawShape(shape);
    const a = valuesAt(this.shape, full);
    const b = valuesAt(this.scale, full);
    return drawEach(full, (i) => Math.exp(Math.log(b[i]!) - rng.nextLogGamma(a[i]!)));
  }
  protected meanImpl(): tf.Tensor {
    const a = this.shape;
    return where(tf.greater(a, 1), tf.div(this.scale, tf.sub(a, 1)), Infinity);
  }
  protected varianceImpl(): tf.Tensor {
    const a = this.shape;
    const v = tf.div(tf.square(this.scale), tf.mul(tf.square(tf.sub(a, 1)), tf.sub(a, 2)));
    return where(tf.greater(a, 2), v, where(tf.greater(a, 1), Infinity, NaN));
  }
  protected override entropyImpl(): tf.Tensor {
    // a + log b + lgamma(a) - (1 + a) psi(a)
    const a = this.shape;
    return tf.sub(tf.add(tf.add(a, tf.log(this.scale)), lgamma(a)), tf.mul(tf.add(a, 1), digamma(a)));
  }
}

export const InverseGamma = distributionFactory(InverseGammaDefinition, (args, options) => new InverseGammaDistribution(args, options));
