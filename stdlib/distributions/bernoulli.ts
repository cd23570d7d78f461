import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { log1p, logit, xlogy } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { inSupport, mask, safeWhere, uniformNoise, valueTerm } from "./core/math.js";
import { integerIn } from "./core/discrete.js";
import type { Rng } from "./core/random.js";

export const BernoulliDefinition = defineDistribution({
  name: "Bernoulli",
  params: [{ name: "p", constraint: constraints.unitInterval, eventRank: 0 }],
  // 0 or 1; bool data (true/false) is accepted as the same set.
  support: constraints.integer(0, 1),
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Bernoulli(p): 1 with probability p, else 0 (Stan's bernoulli(theta)).",
});

export class BernoulliDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(BernoulliDefinition, args, options);
    const p = () => this.p;
    // T(x) = x, eta = logit p, A = -log(1 - p), h = 1 on {0, 1}.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0],
      naturalParams: () => tf.tidy(() => [logit(p())]),
      sufficientStats: (x) => tf.tidy(() => [tf.clone(toFloat(x))]),
      logNormalizer: () => tf.tidy(() => tf.neg(log1p(tf.neg(p())))),
      expectedSufficientStats: () => tf.tidy(() => [tf.clone(p())]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(integerIn(xt, 0, 1), tf.zerosLike(xt));
      }),
    };
  }

  get p(): tf.Tensor {
    return this.param("p");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    // p^x (1 - p)^(1 - x) = (1 - x) + (2x - 1) p on {0, 1}: one log, exact at p = 0 and 1
    // (log 0 = -Infinity where that outcome is impossible), and the x-only work stays at x's
    // shape (data), with p broadcast once. log(1 - p) loses < 6e-8 absolute for tiny p.
    const ok = mask(() => integerIn(x, 0, 1));
    const xs = safeWhere(ok, x, 0);
    const q = tf.add(valueTerm("1-x", () => tf.sub(1, xs)), tf.mul(valueTerm("2x-1", () => tf.sub(tf.mul(xs, 2), 1)), this.p));
    return inSupport(ok, tf.log(q));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return tf.cast(tf.less(uniformNoise(rng, this.drawShape(shape)), this.p), "float32");
  }
  protected meanImpl(): tf.Tensor {
    return tf.clone(this.p);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.mul(this.p, tf.sub(1, this.p));
  }
  protected override entropyImpl(): tf.Tensor {
    const q = tf.sub(1, this.p);
    return tf.neg(tf.add(xlogy(this.p, this.p), xlogy(q, q)));
  }
}

export const Bernoulli = distributionFactory(BernoulliDefinition, (args, options) => new BernoulliDistribution(args, options));
