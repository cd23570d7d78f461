import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { HALF_LOG_2PI, clampPositive, inSupport, mask, normalNoise, safeWhere, valueTerm } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const LogNormalDefinition = defineDistribution({
  name: "LogNormal",
  params: [
    { name: "mu", constraint: constraints.real, eventRank: 0 },
    { name: "sigma", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  // Sufficient statistics log x and (log x)^2.
  expfam: true,
  doc: "LogNormal(mu, sigma): exp(x) for x ~ Normal(mu, sigma) (Stan's lognormal(mu, sigma)).",
});

export class LogNormalDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(LogNormalDefinition, args, options);
    const self = this;
    const logx = (x: tf.Tensor | ParamInput) => {
      const xt = toFloat(x);
      return tf.log(safeWhere(tf.greater(xt, 0), xt, 1));
    };
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0, 0],
      naturalParams: () => tf.tidy(() => {
        const prec = tf.reciprocal(tf.square(self.sigma));
        return [tf.mul(self.mu, prec), tf.mul(prec, -0.5)];
      }),
      sufficientStats: (x) => tf.tidy(() => {
        const l = logx(x);
        return [l, tf.square(l)];
      }),
      logNormalizer: () => tf.tidy(() => tf.add(tf.div(tf.square(self.mu), tf.mul(tf.square(self.sigma), 2)), tf.log(self.sigma))),
      expectedSufficientStats: () => tf.tidy(() => [tf.clone(self.mu), tf.add(tf.square(self.mu), tf.square(self.sigma))]),
      logBaseMeasure: (x) => tf.tidy(() => inSupport(tf.greater(toFloat(x), 0), tf.sub(tf.neg(logx(x)), HALF_LOG_2PI))),
    };
  }

  get mu(): tf.Tensor {
    return this.param("mu");
  }
  get sigma(): tf.Tensor {
    return this.param("sigma");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = mask(() => tf.greater(x, 0));
    const lx = valueTerm("log x", () => tf.log(clampPositive(x)));
    const z = tf.div(tf.sub(lx, this.mu), this.sigma);
    const lp = tf.sub(tf.sub(tf.sub(tf.mul(tf.square(z), -0.5), tf.log(this.sigma)), lx), HALF_LOG_2PI);
    return inSupport(ok, lp);
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return this.rsampleImpl(shape, rng);
  }
  protected override rsampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return tf.exp(tf.add(this.mu, tf.mul(this.sigma, normalNoise(rng, this.drawShape(shape)))));
  }
  protected override fromNormalImpl(eps: tf.Tensor): tf.Tensor {
    return tf.exp(tf.add(this.mu, tf.mul(this.sigma, eps)));
  }
  protected meanImpl(): tf.Tensor {
    return tf.exp(tf.add(this.mu, tf.mul(tf.square(this.sigma), 0.5)));
  }
  protected varianceImpl(): tf.Tensor {
    const s2 = tf.square(this.sigma);
    return tf.mul(tf.expm1(s2), tf.exp(tf.add(tf.mul(this.mu, 2), s2)));
  }
  protected override entropyImpl(): tf.Tensor {
    return tf.add(tf.add(this.mu, tf.log(this.sigma)), 0.5 + HALF_LOG_2PI);
  }
}

export const LogNormal = distributionFactory(LogNormalDefinition, (args, options) => new LogNormalDistribution(args, options));
