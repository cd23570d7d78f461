import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { lgamma, xlogy } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { drawEach, inSupport, mask, safeWhere, valuesAt, valueTerm } from "./core/math.js";
import { integerIn } from "./core/discrete.js";
import type { Rng } from "./core/random.js";

export const PoissonDefinition = defineDistribution({
  name: "Poisson",
  params: [{ name: "rate", constraint: constraints.positive, eventRank: 0 }],
  support: constraints.nonnegativeInteger,
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Poisson(rate): counts with mean rate (Stan's poisson(lambda)).",
});

/** No closed-form entropy: `entropy()` throws `NoClosedFormError` (use `entropyEstimate`). */
export class PoissonDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(PoissonDefinition, args, options);
    const rate = () => this.rate;
    // T(k) = k, eta = log rate, A = rate, h(k) = 1 / k!.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0],
      naturalParams: () => tf.tidy(() => [tf.log(rate())]),
      sufficientStats: (x) => tf.tidy(() => [tf.clone(toFloat(x))]),
      logNormalizer: () => tf.tidy(() => tf.clone(rate())),
      expectedSufficientStats: () => tf.tidy(() => [tf.clone(rate())]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        const ok = integerIn(xt, 0);
        return inSupport(ok, tf.neg(lgamma(tf.add(safeWhere(ok, xt, 0), 1))));
      }),
    };
  }

  get rate(): tf.Tensor {
    return this.param("rate");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = mask(() => integerIn(x, 0));
    const k = safeWhere(ok, x, 0);
    return inSupport(ok, tf.sub(tf.sub(xlogy(k, this.rate), this.rate), valueTerm("lgamma(x+1)", () => lgamma(tf.add(k, 1)))));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const full = this.drawShape(shape);
    const r = valuesAt(this.rate, full);
    return drawEach(full, (i) => rng.nextPoisson(r[i]!));
  }
  protected meanImpl(): tf.Tensor {
    return tf.clone(this.rate);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.clone(this.rate);
  }
}

export const Poisson = distributionFactory(PoissonDefinition, (args, options) => new PoissonDistribution(args, options));
