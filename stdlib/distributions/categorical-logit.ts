import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { inSupport, safeWhere } from "./core/math.js";
import { categoricalDraws, integerIn, oneHot } from "./core/discrete.js";
import type { Rng } from "./core/random.js";

export const CategoricalLogitDefinition = defineDistribution({
  name: "CategoricalLogit",
  params: [{ name: "logits", constraint: constraints.real, eventRank: 1 }],
  support: constraints.integer(0, { sizeOf: "logits", offset: -1 }),
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "CategoricalLogit(logits): k in 0 .. K-1 with probability softmax(logits)[k] (Stan's categorical_logit(beta), 0-based).",
});

/** Mean and variance are those of the index k as a number. */
export class CategoricalLogitDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(CategoricalLogitDefinition, args, options);
    const self = this;
    // T(x) = one_hot(x), eta = logits, A = logsumexp(logits).
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [1],
      naturalParams: () => tf.tidy(() => [tf.clone(self.logits)]),
      sufficientStats: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return [oneHot(safeWhere(integerIn(xt, 0, self.k - 1), xt, 0), self.k)];
      }),
      logNormalizer: () => tf.tidy(() => tf.logSumExp(self.logits, -1)),
      expectedSufficientStats: () => tf.tidy(() => [tf.softmax(self.logits)]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(integerIn(xt, 0, self.k - 1), tf.zerosLike(xt));
      }),
    };
  }

  get logits(): tf.Tensor {
    return this.param("logits");
  }
  get k(): number {
    return this.logits.shape[this.logits.rank - 1]!;
  }
  private logProbs(): tf.Tensor {
    return tf.sub(this.logits, tf.logSumExp(this.logits, -1, true));
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = integerIn(x, 0, this.k - 1);
    const h = oneHot(safeWhere(ok, x, 0), this.k);
    return inSupport(ok, tf.sum(tf.mul(h, this.logProbs()), -1));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    return categoricalDraws(tf.softmax(this.logits), shape, rng);
  }
  protected meanImpl(): tf.Tensor {
    return tf.sum(tf.mul(tf.softmax(this.logits), tf.range(0, this.k, 1, "float32")), -1);
  }
  protected varianceImpl(): tf.Tensor {
    const p = tf.softmax(this.logits);
    const ks = tf.range(0, this.k, 1, "float32");
    const m = tf.sum(tf.mul(p, ks), -1);
    return tf.sub(tf.sum(tf.mul(p, tf.square(ks)), -1), tf.square(m));
  }
  protected override entropyImpl(): tf.Tensor {
    const lp = this.logProbs();
    return tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), -1));
  }
}

export const CategoricalLogit = distributionFactory(CategoricalLogitDefinition, (args, options) => new CategoricalLogitDistribution(args, options));
