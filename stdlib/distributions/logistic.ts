import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { log1pexp } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { type DistributionOptions, type ParamInput } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { LOCATION_SCALE_PARAMS, LocationScaleDistribution } from "./core/location-scale.js";
import { uniformNoise } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const LogisticDefinition = defineDistribution({
  name: "Logistic",
  params: LOCATION_SCALE_PARAMS,
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: false,
  doc: "Logistic(loc, scale): the logistic distribution with location loc and scale scale (Stan's logistic(mu, sigma)).",
});

export class LogisticDistribution extends LocationScaleDistribution {
  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(LogisticDefinition, args, options);
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    // -z - log scale - 2 log(1 + e^-z)
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    return tf.sub(tf.sub(tf.neg(z), tf.log(this.scale)), tf.mul(log1pexp(tf.neg(z)), 2));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const u = uniformNoise(rng, this.drawShape(shape));
    return tf.add(this.loc, tf.mul(this.scale, tf.sub(tf.log(u), tf.log(tf.sub(1, u)))));
  }
  protected meanImpl(): tf.Tensor {
    return tf.clone(this.loc);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.mul(tf.square(this.scale), (Math.PI * Math.PI) / 3);
  }
  protected override entropyImpl(): tf.Tensor {
    return tf.add(tf.log(this.scale), 2);
  }
}

export const Logistic = distributionFactory(LogisticDefinition, (args, options) => new LogisticDistribution(args, options));
