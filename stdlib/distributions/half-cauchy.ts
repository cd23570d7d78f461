import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { log1p } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { type DistributionOptions, type ParamInput } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { LOCATION_SCALE_PARAMS, LocationScaleDistribution } from "./core/location-scale.js";
import { LOG_PI, filled, inSupport, mask, uniformNoise, where } from "./core/math.js";
import type { Rng } from "./core/random.js";

/**
 * Two arguments, as Stan writes it (`tau ~ cauchy(0, 5)` on a `real<lower=0>` in eight
 * schools): Cauchy(loc, scale) restricted to x > 0 and renormalised. With loc = 0 it is the
 * usual half-Cauchy of scale `scale`.
 */
export const HalfCauchyDefinition = defineDistribution({
  name: "HalfCauchy",
  params: LOCATION_SCALE_PARAMS,
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  // By the inverse CDF of the truncated Cauchy, which is differentiable in loc and scale.
  reparameterizable: true,
  expfam: false,
  doc: "HalfCauchy(loc, scale): Cauchy(loc, scale) restricted to positive values and renormalised, as Stan's cauchy(mu, sigma) on a real<lower=0>; HalfCauchy(0, s) is the half-Cauchy of scale s.",
});

/**
 * Mean and variance are infinite (Infinity). The entropy has no closed form once loc != 0, so
 * `entropy()` throws `NoClosedFormError`; use `entropyEstimate`.
 */
export class HalfCauchyDistribution extends LocationScaleDistribution {
  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(HalfCauchyDefinition, args, options);
  }


  /** P(X > 0) for X ~ Cauchy(loc, scale): 1/2 + atan(loc / scale) / pi, without cancellation for loc << 0. */
  private massAboveZero(): tf.Tensor {
    const t = tf.div(this.loc, this.scale);
    // t < -1: 1/2 + atan(t)/pi = atan(-1/t)/pi, which keeps its digits far into the left tail;
    // elsewhere the direct form is at least 1/4, so no cancellation (and no 1/t overflow near 0).
    const neg = tf.less(t, -1);
    const tn = where(neg, t, -1);
    const left = tf.div(tf.atan(tf.div(-1, tn)), Math.PI);
    const right = tf.add(tf.div(tf.atan(t), Math.PI), 0.5);
    return where(neg, left, right);
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    // log(pi scale P(X > 0)): parameters only (kept across calls for constant parameters).
    const norm = this.constant("norm", () => tf.add(tf.add(tf.log(this.scale), LOG_PI), tf.log(this.massAboveZero())));
    return inSupport(mask(() => tf.greaterEqual(x, 0)), tf.neg(tf.add(log1p(tf.square(z)), norm)));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    // Inverse CDF of the truncated Cauchy: x = loc + scale / tan(pi S v), S = P(X > 0), v ~ U(0, 1).
    const v = uniformNoise(rng, this.drawShape(shape));
    const s = this.massAboveZero();
    const x = tf.add(this.loc, tf.div(this.scale, tf.tan(tf.mul(tf.mul(s, v), Math.PI))));
    return tf.relu(x);
  }
  protected meanImpl(): tf.Tensor {
    return filled(this.batchShape, Infinity);
  }
  protected varianceImpl(): tf.Tensor {
    return filled(this.batchShape, Infinity);
  }
}

export const HalfCauchy = distributionFactory(HalfCauchyDefinition, (args, options) => new HalfCauchyDistribution(args, options));
