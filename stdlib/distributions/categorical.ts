import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { xlogy } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { inSupport, safeWhere } from "./core/math.js";
import { categoricalDraws, integerIn, oneHot } from "./core/discrete.js";
import type { Rng } from "./core/random.js";

export const CategoricalDefinition = defineDistribution({
  name: "Categorical",
  params: [{ name: "probs", constraint: constraints.simplex, eventRank: 1 }],
  // 0-based, as every index in vippl: 0 .. K-1 for K = the size of probs' last axis.
  support: constraints.integer(0, { sizeOf: "probs", offset: -1 }),
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Categorical(probs): k in 0 .. K-1 with probability probs[k], K the size of probs' last axis (Stan's categorical(theta), 0-based).",
});

/** Mean and variance are those of the index k as a number. */
export class CategoricalDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(CategoricalDefinition, args, options);
    const self = this;
    // T(x) = one_hot(x), eta = log probs, A = log sum probs (= 0), h = 1 on 0 .. K-1.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [1],
      naturalParams: () => tf.tidy(() => [tf.log(self.probs)]),
      sufficientStats: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return [oneHot(safeWhere(integerIn(xt, 0, self.k - 1), xt, 0), self.k)];
      }),
      logNormalizer: () => tf.tidy(() => tf.log(tf.sum(self.probs, -1))),
      expectedSufficientStats: () => tf.tidy(() => [tf.clone(self.probs)]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(integerIn(xt, 0, self.k - 1), tf.zerosLike(xt));
      }),
    };
  }

  get probs(): tf.Tensor {
    return this.param("probs");
  }
  /** The number of categories. */
  get k(): number {
    return this.probs.shape[this.probs.rank - 1]!;
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = integerIn(x, 0, this.k - 1);
    const h = oneHot(safeWhere(ok, x, 0), this.k);
    return inSupport(ok, tf.sum(xlogy(h, this.probs), -1));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return categoricalDraws(this.probs, shape, rng);
  }
  protected meanImpl(): tf.Tensor {
    return tf.sum(tf.mul(this.probs, tf.range(0, this.k, 1, "float32")), -1);
  }
  protected varianceImpl(): tf.Tensor {
    const ks = tf.range(0, this.k, 1, "float32");
    const m = tf.sum(tf.mul(this.probs, ks), -1);
    return tf.sub(tf.sum(tf.mul(this.probs, tf.square(ks)), -1), tf.square(m));
  }
  protected override entropyImpl(): tf.Tensor {
    return tf.neg(tf.sum(xlogy(this.probs, this.probs), -1));
  }
}

export const Categorical = distributionFactory(CategoricalDefinition, (args, options) => new CategoricalDistribution(args, options));
