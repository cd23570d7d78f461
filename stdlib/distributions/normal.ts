import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";
import { type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { LOCATION_SCALE_PARAMS, LocationScaleDistribution } from "./core/location-scale.js";
import { HALF_LOG_2PI, normalNoise } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const NormalDefinition = defineDistribution({
  name: "Normal",
  params: LOCATION_SCALE_PARAMS,
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: true,
  doc: "Normal(loc, scale): the Gaussian with mean loc and standard deviation scale (Stan's normal(mu, sigma)).",
});

export class NormalDistribution extends LocationScaleDistribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(NormalDefinition, args, options);
    const self = this;
    // T(x) = (x, x^2), eta = (loc / scale^2, -1 / (2 scale^2)), A = loc^2 / (2 scale^2) + log scale.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0, 0],
      naturalParams: () => tf.tidy(() => {
        const prec = tf.reciprocal(tf.square(self.scale));
        return [tf.mul(self.loc, prec), tf.mul(prec, -0.5)];
      }),
      sufficientStats: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return [tf.clone(xt), tf.square(xt)];
      }),
      logNormalizer: () => tf.tidy(() => tf.add(tf.div(tf.square(self.loc), tf.mul(tf.square(self.scale), 2)), tf.log(self.scale))),
      expectedSufficientStats: () => tf.tidy(() => [tf.clone(self.loc), tf.add(tf.square(self.loc), tf.square(self.scale))]),
      logBaseMeasure: (x) => tf.tidy(() => tf.fill(toFloat(x).shape, -HALF_LOG_2PI)),
    };
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    return tf.sub(tf.mul(tf.square(z), -0.5), this.constant("norm", () => tf.add(tf.log(this.scale), HALF_LOG_2PI)));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, normalNoise(rng, this.drawShape(shape))));
  }
  protected override fromNormalImpl(eps: tf.Tensor): tf.Tensor {
    return tf.add(this.loc, tf.mul(this.scale, eps));
  }
  protected meanImpl(): tf.Tensor {
    return tf.clone(this.loc);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.square(this.scale);
  }
  protected override entropyImpl(): tf.Tensor {
    return tf.add(tf.log(this.scale), 0.5 + HALF_LOG_2PI);
  }
}

export const Normal = distributionFactory(NormalDefinition, (args, options) => new NormalDistribution(args, options));
