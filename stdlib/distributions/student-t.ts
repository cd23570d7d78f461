import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { digamma, lbeta, lgamma, log1p } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ParamInput } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { LOG_PI, drawEach, valuesAt, where } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const StudentTDefinition = defineDistribution({
  name: "StudentT",
  params: [
    { name: "df", constraint: constraints.positive, eventRank: 0 },
    { name: "loc", constraint: constraints.real, eventRank: 0 },
    { name: "scale", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  // A draw is loc + scale * Z / sqrt(G / df) with G ~ Gamma(df / 2, 1/2): differentiable in loc and
  // scale but not in df, which needs implicit gradients tfjs does not have. So not reparameterisable.
  reparameterizable: false,
  expfam: false,
  doc: "StudentT(df, loc, scale): Student's t with df degrees of freedom, location loc and scale scale (Stan's student_t(nu, mu, sigma)).",
});

/** Mean: loc for df > 1, else NaN. Variance: scale^2 df / (df - 2) for df > 2, Infinity for 1 < df <= 2, NaN for df <= 1. */
export class StudentTDistribution extends Distribution {
  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(StudentTDefinition, args, options);
  }

  get df(): tf.Tensor {
    return this.param("df");
  }
  get loc(): tf.Tensor {
    return this.param("loc");
  }
  get scale(): tf.Tensor {
    return this.param("scale");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const nu = this.df;
    const z = tf.div(tf.sub(x, this.loc), this.scale);
    const norm = this.constant("norm", () =>
      tf.sub(tf.sub(lgamma(tf.mul(tf.add(nu, 1), 0.5)), lgamma(tf.mul(nu, 0.5))), tf.add(tf.mul(tf.add(tf.log(nu), LOG_PI), 0.5), tf.log(this.scale))),
    );
    const half = this.constant("(nu+1)/2", () => tf.mul(tf.add(nu, 1), 0.5));
    return tf.sub(norm, tf.mul(half, log1p(tf.div(tf.square(z), nu))));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const full = this.drawShape(shape);
    const nu = valuesAt(this.df, full);
    const t = drawEach(full, (i) => {
      const v = nu[i]!;
      // Z / sqrt(G / nu), G = 2 Gamma(nu / 2).
      return rng.nextNormal() / Math.sqrt((2 * rng.nextGamma(v / 2)) / v);
    });
    return tf.add(this.loc, tf.mul(this.scale, t));
  }
  protected meanImpl(): tf.Tensor {
    return where(tf.greater(this.df, 1), this.loc, NaN);
  }
  protected varianceImpl(): tf.Tensor {
    const nu = this.df;
    const finite = tf.div(tf.mul(tf.square(this.scale), nu), tf.sub(nu, 2));
    return where(tf.greater(nu, 2), finite, where(tf.greater(nu, 1), Infinity, NaN));
  }
  protected override entropyImpl(): tf.Tensor {
    // (nu+1)/2 (psi((nu+1)/2) - psi(nu/2)) + log(sqrt(nu) B(nu/2, 1/2)) + log scale
    const nu = this.df;
    const h = tf.mul(tf.mul(tf.add(nu, 1), 0.5), tf.sub(digamma(tf.mul(tf.add(nu, 1), 0.5)), digamma(tf.mul(nu, 0.5))));
    return tf.add(tf.add(h, tf.add(tf.mul(tf.log(nu), 0.5), lbeta(tf.mul(nu, 0.5), 0.5))), tf.log(this.scale));
  }
}

export const StudentT = distributionFactory(StudentTDefinition, (args, options) => new StudentTDistribution(args, options));
