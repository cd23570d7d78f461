import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { log1p } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { type DistributionOptions, type ParamInput } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { LOCATION_SCALE_PARAMS, LocationScaleDistribution } from "./core/location-scale.js";
import { LN2, uniformNoise } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const LaplaceDefinition = defineDistribution({
  name: "Laplace",
  params: LOCATION_SCALE_PARAMS,
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  // An exponential family only for a fixed loc; not usable by CAVI as a prior on loc.
  expfam: false,
  doc: "Laplace(loc, scale): the double exponential with location loc and scale scale (Stan's double_exponential(mu, sigma)).",
});

export class LaplaceDistribution extends LocationScaleDistribution {
  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(LaplaceDefinition, args, options);
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    return tf.sub(tf.neg(tf.div(tf.abs(tf.sub(x, this.loc)), this.scale)), tf.add(tf.log(this.scale), LN2));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    // Inverse CDF: loc - scale sign(w) log(1 - 2|w|), w = u - 1/2.
    const w = tf.sub(uniformNoise(rng, this.drawShape(shape)), 0.5);
    const e = log1p(tf.mul(tf.abs(w), -2));
    return tf.sub(this.loc, tf.mul(this.scale, tf.mul(tf.sign(w), e)));
  }
  protected meanImpl(): tf.Tensor {
    return tf.clone(this.loc);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.mul(tf.square(this.scale), 2);
  }
  protected override entropyImpl(): tf.Tensor {
    return tf.add(tf.log(this.scale), 1 + LN2);
  }
}

export const Laplace = distributionFactory(LaplaceDefinition, (args, options) => new LaplaceDistribution(args, options));
