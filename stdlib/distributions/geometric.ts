import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { log1p, xlogy } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { drawEach, inSupport, mask, safeWhere, valuesAt } from "./core/math.js";
import { integerIn } from "./core/discrete.js";
import type { Rng } from "./core/random.js";

export const GeometricDefinition = defineDistribution({
  name: "Geometric",
  params: [{ name: "p", constraint: constraints.unitInterval, eventRank: 0 }],
  support: constraints.nonnegativeInteger,
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Geometric(p): the number of failures before the first success, each trial succeeding with probability p (P(k) = (1 - p)^k p, k = 0, 1, ...).",
});

/** Counts failures: P(k) = (1 - p)^k p. p = 0 (never a success) is a degenerate argument. */
export class GeometricDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(GeometricDefinition, args, options);
    const p = () => this.p;
    // T(k) = k, eta = log(1 - p), A = -log p.
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0],
      naturalParams: () => tf.tidy(() => [log1p(tf.neg(p()))]),
      sufficientStats: (x) => tf.tidy(() => [tf.clone(toFloat(x))]),
      logNormalizer: () => tf.tidy(() => tf.neg(tf.log(p()))),
      expectedSufficientStats: () => tf.tidy(() => [tf.div(tf.sub(1, p()), p())]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(integerIn(xt, 0), tf.zerosLike(xt));
      }),
    };
  }

  get p(): tf.Tensor {
    return this.param("p");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = mask(() => integerIn(x, 0));
    const k = safeWhere(ok, x, 0);
    return inSupport(ok, tf.add(xlogy(k, tf.sub(1, this.p)), tf.log(this.p)));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const full = this.drawShape(shape);
    const p = valuesAt(this.p, full);
    // Inversion: floor(log U / log(1 - p)).
    return drawEach(full, (i) => (p[i]! >= 1 ? 0 : Math.floor(Math.log(rng.nextUniform()) / Math.log1p(-p[i]!))));
  }
  protected meanImpl(): tf.Tensor {
    return tf.div(tf.sub(1, this.p), this.p);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.div(tf.sub(1, this.p), tf.square(this.p));
  }
  protected override entropyImpl(): tf.Tensor {
    // (-(1 - p) log(1 - p) - p log p) / p
    const q = tf.sub(1, this.p);
    return tf.div(tf.neg(tf.add(xlogy(q, q), xlogy(this.p, this.p))), this.p);
  }
}

export const Geometric = distributionFactory(GeometricDefinition, (args, options) => new GeometricDistribution(args, options));
