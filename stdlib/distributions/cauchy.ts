import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { log1p } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { type DistributionOptions, type ParamInput } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { LOCATION_SCALE_PARAMS, LocationScaleDistribution } from "./core/location-scale.js";
import { LOG_PI, filled, uniformNoise } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const CauchyDefinition = defineDistribution({
  name: "Cauchy",
  params: LOCATION_SCALE_PARAMS,
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: false,
  doc: "Cauchy(loc, scale): the Cauchy distribution with location loc and scale scale (Stan's cauchy(mu, sigma)).",
});

/** Mean and variance are undefined: both are NaN. */
export class CauchyDistribution extends LocationScaleDistribution {
  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(CauchyDefinition, args, options);
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    return tf.neg(tf.add(log1p(tf.square(z)), this.constant("norm", () => tf.add(tf.log(this.scale), LOG_PI))));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const u = uniformNoise(rng, this.drawShape(shape));
    return tf.add(this.loc, tf.mul(this.scale, tf.tan(tf.mul(tf.sub(u, 0.5), Math.PI))));
  }
  protected meanImpl(): tf.Tensor {
    return filled(this.batchShape, NaN);
  }
  protected varianceImpl(): tf.Tensor {
    return filled(this.batchShape, NaN);
  }
  protected override entropyImpl(): tf.Tensor {
    return tf.add(tf.log(this.scale), Math.log(4 * Math.PI));
  }
}

export const Cauchy = distributionFactory(CauchyDefinition, (args, options) => new CauchyDistribution(args, options));
