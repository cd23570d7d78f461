import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { digamma, lbeta, log1p } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { clampUnit, drawEach, inSupport, mask, safeWhere, valuesAt, valueTerm } from "./core/math.js";
import type { Rng } from "./core/random.js";

export const BetaDefinition = defineDistribution({
  name: "Beta",
  params: [
    { name: "a", constraint: constraints.positive, eventRank: 0 },
    { name: "b", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.unitInterval,
  eventRank: 0,
  discrete: false,
  // Built from two gammas: no implicit reparameterisation in tfjs.
  reparameterizable: false,
  expfam: true,
  doc: "Beta(a, b): the beta on [0, 1] with prior counts a and b, mean a / (a + b) (Stan's beta(alpha, beta)).",
});

/** The log density is -Infinity at 0 and 1 themselves (where it is 0 or infinite for most a, b). */
export class BetaDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(BetaDefinition, args, options);
    const self = this;
    const open = (xt: tf.Tensor) => tf.logicalAnd(tf.greater(xt, 0), tf.less(xt, 1));
    // T(x) = (log x, log(1 - x)), eta = (a - 1, b - 1), A = lbeta(a, b).
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0, 0],
      naturalParams: () => tf.tidy(() => [tf.sub(self.a, 1), tf.sub(self.b, 1)]),
      sufficientStats: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        const xs = safeWhere(open(xt), xt, 0.5);
        return [tf.log(xs), log1p(tf.neg(xs))];
      }),
      logNormalizer: () => tf.tidy(() => lbeta(self.a, self.b)),
      expectedSufficientStats: () => tf.tidy(() => {
        const dab = digamma(tf.add(self.a, self.b));
        return [tf.sub(digamma(self.a), dab), tf.sub(digamma(self.b), dab)];
      }),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        return inSupport(open(xt), tf.zerosLike(xt));
      }),
    };
  }

  get a(): tf.Tensor {
    return this.param("a");
  }
  get b(): tf.Tensor {
    return this.param("b");
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = mask(() => tf.logicalAnd(tf.greater(x, 0), tf.less(x, 1)));
    const xs = valueTerm("x01", () => clampUnit(x));
    const am1 = this.constant("a-1", () => tf.sub(this.a, 1));
    const bm1 = this.constant("b-1", () => tf.sub(this.b, 1));
    const lp = tf.sub(tf.add(tf.mul(am1, valueTerm("log x", () => tf.log(xs))), tf.mul(bm1, valueTerm("log1p(-x)", () => log1p(tf.neg(xs))))), this.constant("lbeta", () => lbeta(this.a, this.b)));
    return inSupport(ok, lp);
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    const full = this.drawShape(shape);
    const a = valuesAt(this.a, full);
    const b = valuesAt(this.b, full);
    return drawEach(full, (i) => rng.nextBeta(a[i]!, b[i]!));
  }
  protected meanImpl(): tf.Tensor {
    return tf.div(this.a, tf.add(this.a, this.b));
  }
  protected varianceImpl(): tf.Tensor {
    const s = tf.add(this.a, this.b);
    return tf.div(tf.mul(this.a, this.b), tf.mul(tf.square(s), tf.add(s, 1)));
  }
  protected override entropyImpl(): tf.Tensor {
    // lbeta - (a - 1) psi(a) - (b - 1) psi(b) + (a + b - 2) psi(a + b)
    const { a, b } = this;
    const s = tf.add(a, b);
    return tf.add(
      tf.sub(tf.sub(lbeta(a, b), tf.mul(tf.sub(a, 1), digamma(a))), tf.mul(tf.sub(b, 1), digamma(b))),
      tf.mul(tf.sub(s, 2), digamma(s)),
    );
  }
}

export const Beta = distributionFactory(BetaDefinition, (args, options) => new BetaDistribution(args, options));
