import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ParamInput } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { inSupport, uniformNoise } from "./core/math.js";
import type { Rng } from "./core/random.js";

/**
 * The support depends on the arguments' values, which a ConstraintSpec cannot say (its interval
 * bounds are numbers): statically it is `real`, and `supportFromParams` names the arguments that
 * bound it, for the log density and the data check.
 */
export const UniformDefinition = defineDistribution({
  name: "Uniform",
  params: [
    { name: "lower", constraint: constraints.real, eventRank: 0 },
    { name: "upper", constraint: constraints.real, eventRank: 0 },
  ],
  support: constraints.real,
  supportFromParams: { lower: "lower", upper: "upper" },
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: false,
  doc: "Uniform(lower, upper): uniform on [lower, upper], lower < upper (Stan's uniform(alpha, beta)); declare the variable real<lower=..., upper=...> to match.",
});

export class UniformDistribution extends Distribution {
  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(UniformDefinition, args, options);
  }

  get lower(): tf.Tensor {
    return this.param("lower");
  }
  get upper(): tf.Tensor {
    return this.param("upper");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = tf.logicalAnd(tf.greaterEqual(x, this.lower), tf.lessEqual(x, this.upper));
    return inSupport(ok, tf.neg(tf.log(tf.sub(this.upper, this.lower))));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const u = uniformNoise(rng, this.drawShape(shape));
    return tf.add(this.lower, tf.mul(tf.sub(this.upper, this.lower), u));
  }
  protected meanImpl(): tf.Tensor {
    return tf.mul(tf.add(this.lower, this.upper), 0.5);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.div(tf.square(tf.sub(this.upper, this.lower)), 12);
  }
  protected override entropyImpl(): tf.Tensor {
    return tf.log(tf.sub(this.upper, this.lower));
  }
}

export const Uniform = distributionFactory(UniformDefinition, (args, options) => new UniformDistribution(args, options));
