import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { inSupport, mask, uniformNoise } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const ExponentialDefinition = defineDistribution({
  name: "Exponential",
  params: [{ name: "rate", constraint: constraints.positive, eventRank: 0 }],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: true,
  doc: "Exponential(rate): the exponential with rate rate, mean 1 / rate (Stan's exponential(beta)).",
});

export class ExponentialDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(ExponentialDefinition, args, options);
    const rate = () => this.rate;
    // T(x) = x, eta = -rate, A = -log rate.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0],
      naturalParams: () => tf.tidy(() => [tf.neg(rate())]),
      sufficientStats: (x) => tf.tidy(() => [tf.clone(toFloat(x))]),
      logNormalizer: () => tf.tidy(() => tf.neg(tf.log(rate()))),
      expectedSufficientStats: () => tf.tidy(() => [tf.reciprocal(rate())]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(tf.greaterEqual(xt, 0), tf.zerosLike(xt));
      }),
    };
  }

  get rate(): tf.Tensor {
    return this.param("rate");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    return inSupport(mask(() => tf.greaterEqual(x, 0)), tf.sub(tf.log(this.rate), tf.mul(this.rate, x)));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return tf.div(tf.neg(tf.log(uniformNoise(rng, this.drawShape(shape)))), this.rate);
  }
  protected meanImpl(): tf.Tensor {
    return tf.reciprocal(this.rate);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.reciprocal(tf.square(this.rate));
  }
  protected override entropyImpl(): tf.Tensor {
    return tf.sub(1, tf.log(this.rate));
  }
}

export const Exponential = distributionFactory(ExponentialDefinition, (args, options) => new ExponentialDistribution(args, options));
