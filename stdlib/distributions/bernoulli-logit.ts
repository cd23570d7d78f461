import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { log1pexp } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { inSupport, safeWhere, uniformNoise } from "./core/math.js";
import { integerIn } from "./core/discrete.js";
import type { Rng } from "./core/random.js";

export const BernoulliLogitDefinition = defineDistribution({
  name: "BernoulliLogit",
  params: [{ name: "logit", constraint: constraints.real, eventRank: 0 }],
  support: constraints.integer(0, 1),
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "BernoulliLogit(logit): 1 with probability sigmoid(logit), else 0 (Stan's bernoulli_logit(alpha)).",
});

export class BernoulliLogitDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(BernoulliLogitDefinition, args, options);
    const l = () => this.logit;
    // T(x) = x, eta = logit, A = log(1 + e^logit).
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0],
      naturalParams: () => tf.tidy(() => [tf.clone(l())]),
      sufficientStats: (x) => tf.tidy(() => [tf.clone(toFloat(x))]),
      logNormalizer: () => tf.tidy(() => log1pexp(l())),
      expectedSufficientStats: () => tf.tidy(() => [tf.sigmoid(l())]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(integerIn(xt, 0, 1), tf.zerosLike(xt));
      }),
    };
  }

  get logit(): tf.Tensor {
    return this.param("logit");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = integerIn(x, 0, 1);
    const xs = safeWhere(ok, x, 0);
    return inSupport(ok, tf.sub(tf.mul(xs, this.logit), log1pexp(this.logit)));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return tf.cast(tf.less(uniformNoise(rng, this.drawShape(shape)), tf.sigmoid(this.logit)), "float32");
  }
  protected meanImpl(): tf.Tensor {
    return tf.sigmoid(this.logit);
  }
  protected varianceImpl(): tf.Tensor {
    const p = tf.sigmoid(this.logit);
    return tf.mul(p, tf.sub(1, p));
  }
  protected override entropyImpl(): tf.Tensor {
    // log(1 + e^l) - l sigmoid(l)
    return tf.sub(log1pexp(this.logit), tf.mul(this.logit, tf.sigmoid(this.logit)));
  }
}

export const BernoulliLogit = distributionFactory(BernoulliLogitDefinition, (args, options) => new BernoulliLogitDistribution(args, options));
