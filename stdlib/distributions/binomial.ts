import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { lgamma, log1p, logit, xlogy } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { drawEach, inSupport, safeWhere, valuesAt } from "./core/math.js";
import { integerIn } from "./core/discrete.js";
import type { Rng } from "./core/random.js";

export const BinomialDefinition = defineDistribution({
  name: "Binomial",
  params: [
    { name: "n", constraint: constraints.nonnegativeInteger, eventRank: 0, integer: true },
    { name: "p", constraint: constraints.unitInterval, eventRank: 0 },
  ],
  support: constraints.integer(0, { param: "n" }),
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Binomial(n, p): successes in n independent trials each succeeding with probability p (Stan's binomial(N, theta)).",
});

/** No closed-form entropy: `entropy()` throws `NoClosedFormError` (use `entropyEstimate`). */
export class BinomialDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(BinomialDefinition, args, options);
    const self = this;
    // T(k) = k, eta = logit p, A = -n log(1 - p), h(k) = C(n, k) (n fixed).
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0],
      naturalParams: () => tf.tidy(() => [logit(self.p)]),
      sufficientStats: (x) => tf.tidy(() => [tf.clone(toFloat(x))]),
      logNormalizer: () => tf.tidy(() => tf.neg(tf.mul(self.n, log1p(tf.neg(self.p))))),
      expectedSufficientStats: () => tf.tidy(() => [tf.mul(self.n, self.p)]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        const ok = integerIn(xt, 0, self.n);
        return inSupport(ok, self.logChoose(safeWhere(ok, xt, 0)));
      }),
    };
  }

  get n(): tf.Tensor {
    return this.param("n");
  }
  get p(): tf.Tensor {
    return this.param("p");
  }

  /** log C(n, k) for 0 <= k <= n. */
  private logChoose(k: tf.Tensor): tf.Tensor {
    const n = this.n;
    return tf.sub(lgamma(tf.add(n, 1)), tf.add(lgamma(tf.add(k, 1)), lgamma(tf.add(tf.sub(n, k), 1))));
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = integerIn(x, 0, this.n);
    const k = safeWhere(ok, x, 0);
    const lp = tf.add(this.logChoose(k), tf.add(xlogy(k, this.p), xlogy(tf.sub(this.n, k), tf.sub(1, this.p))));
    return inSupport(ok, lp);
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const full = this.drawShape(shape);
    const n = valuesAt(this.n, full);
    const p = valuesAt(this.p, full);
    return drawEach(full, (i) => rng.nextBinomial(n[i]!, p[i]!));
  }
  protected meanImpl(): tf.Tensor {
    return tf.mul(this.n, this.p);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.mul(tf.mul(this.n, this.p), tf.sub(1, this.p));
  }
}

export const Binomial = distributionFactory(BinomialDefinition, (args, options) => new BinomialDistribution(args, options));
