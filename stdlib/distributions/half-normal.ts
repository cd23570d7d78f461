import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { HALF_LOG_2PI, LN2, inSupport, mask, normalNoise } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const HalfNormalDefinition = defineDistribution({
  name: "HalfNormal",
  params: [{ name: "scale", constraint: constraints.positive, eventRank: 0 }],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  // Sufficient statistic x^2, natural parameter -1 / (2 scale^2).
  expfam: true,
  doc: "HalfNormal(scale): |x| for x ~ Normal(0, scale); Stan's normal(0, sigma) on a real<lower=0>.",
});

export class HalfNormalDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(HalfNormalDefinition, args, options);
    const scale = () => this.scale;
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0],
      naturalParams: () => tf.tidy(() => [tf.div(-0.5, tf.square(scale()))]),
      sufficientStats: (x) => tf.tidy(() => [tf.square(toFloat(x))]),
      logNormalizer: () => tf.tidy(() => tf.log(scale())),
      expectedSufficientStats: () => tf.tidy(() => [tf.square(scale())]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(tf.greaterEqual(xt, 0), tf.fill(xt.shape, LN2 - HALF_LOG_2PI));
      }),
    };
  }

  get scale(): tf.Tensor {
    return this.param("scale");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const z = tf.div(x, this.scale);
    const norm = this.constant("norm", () => tf.sub(LN2 - HALF_LOG_2PI, tf.log(this.scale)));
    return inSupport(mask(() => tf.greaterEqual(x, 0)), tf.add(tf.mul(tf.square(z), -0.5), norm));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return tf.mul(this.scale, tf.abs(normalNoise(rng, this.drawShape(shape))));
  }
  protected meanImpl(): tf.Tensor {
    return tf.mul(this.scale, Math.sqrt(2 / Math.PI));
  }
  protected varianceImpl(): tf.Tensor {
    return tf.mul(tf.square(this.scale), 1 - 2 / Math.PI);
  }
  protected override entropyImpl(): tf.Tensor {
    // 0.5 log(pi scale^2 / 2) + 0.5
    return tf.add(tf.log(this.scale), 0.5 * Math.log(Math.PI / 2) + 0.5);
  }
}

export const HalfNormal = distributionFactory(HalfNormalDefinition, (args, options) => new HalfNormalDistribution(args, options));
