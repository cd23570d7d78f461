import * as tf from "@tensorflow/tfjs";
import { constraints } from "../constraints.js";
import { lgamma, log1p } from "../tensor/special.js";
import { defineDistribution } from "./define.js";
import { Distribution, type DistributionOptions, type ExpFamForm, type ParamInput, toFloat } from "./core/distribution.js";
import { distributionFactory } from "./core/factory.js";
import { drawEach, inSupport, mask, safeWhere, valuesAt, valueTerm } from "./core/math.js";
import { integerIn } from "./core/discrete.js";
import type { Rng } from "./core/random.js";

/**
 * Mean-dispersion form, Stan's neg_binomial_2(mu, phi): mean mu, variance mu + mu^2 / phi.
 * (Stan's neg_binomial(alpha, beta) is the same family with mu = alpha / beta, phi = alpha.)
 */
export const NegativeBinomialDefinition = defineDistribution({
  name: "NegativeBinomial",
  params: [
    { name: "mu", constraint: constraints.positive, eventRank: 0 },
    { name: "phi", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.nonnegativeInteger,
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  // An exponential family in the count for a fixed phi.
  expfam: true,
  doc: "NegativeBinomial(mu, phi): counts with mean mu and variance mu + mu^2 / phi, Stan's neg_binomial_2(mu, phi); large phi approaches Poisson(mu).",
});

/**
 * The exponential-family form is for a fixed phi (T(k) = k, eta = log(mu / (mu + phi))). No
 * closed-form entropy: `entropy()` throws `NoClosedFormError` (use `entropyEstimate`).
 */
export class NegativeBinomialDistribution extends Distribution {
  declare readonly expfam: ExpFamForm;

  constructor(args: Readonly<Record<string, ParamInput>>, options?: DistributionOptions) {
    super(NegativeBinomialDefinition, args, options);
    const self = this;
    (this as { expfam: ExpFamForm }).expfam = {
      statRanks: [0],
      naturalParams: () => tf.tidy(() => [tf.sub(tf.log(self.mu), tf.log(tf.add(self.mu, self.phi)))]),
      sufficientStats: (x) => tf.tidy(() => [tf.clone(toFloat(x))]),
      // A = phi log(1 + mu / phi)
      logNormalizer: () => tf.tidy(() => tf.mul(self.phi, log1p(tf.div(self.mu, self.phi)))),
      expectedSufficientStats: () => tf.tidy(() => [tf.clone(self.mu)]),
      logBaseMeasure: (x) => tf.tidy(() => {
        const xt = toFloat(x);
        const ok = integerIn(xt, 0);
        return inSupport(ok, self.logBase(safeWhere(ok, xt, 0)));
      }),
    };
  }

  get mu(): tf.Tensor {
    return this.param("mu");
  }
  get phi(): tf.Tensor {
    return this.param("phi");
  }

  /** log C(k + phi - 1, k) = lgamma(k + phi) - lgamma(k + 1) - lgamma(phi). */
  private logBase(k: tf.Tensor): tf.Tensor {
    return tf.sub(lgamma(tf.add(k, this.phi)), tf.add(valueTerm("lgamma(x+1)", () => lgamma(tf.add(k, 1))), lgamma(this.phi)));
  }

  protected logProbImpl(x: tf.Tensor): tf.Tensor {
    const ok = mask(() => integerIn(x, 0));
    const k = safeWhere(ok, x, 0);
    const { mu, phi } = this;
    const logMuPhi = tf.log(tf.add(mu, phi));
    // k log(mu / (mu + phi)) + phi log(phi / (mu + phi))
    const lp = tf.add(tf.mul(k, tf.sub(tf.log(mu), logMuPhi)), tf.mul(phi, tf.sub(tf.log(phi), logMuPhi)));
    return inSupport(ok, tf.add(this.logBase(k), lp));
  }
  protected sampleImpl(shape: number[], rng: Rng): tf.Tensor {
    // A Poisson draw whose rate is Gamma(phi, phi / mu).
    const full = this.drawShape(shape);
    const mu = valuesAt(this.mu, full);
    const phi = valuesAt(this.phi, full);
    return drawEach(full, (i) => rng.nextPoisson(Math.exp(rng.nextLogGamma(phi[i]!) + Math.log(mu[i]! / phi[i]!))));
  }
  protected meanImpl(): tf.Tensor {
    return tf.clone(this.mu);
  }
  protected varianceImpl(): tf.Tensor {
    return tf.add(this.mu, tf.div(tf.square(this.mu), this.phi));
  }
}

export const NegativeBinomial = distributionFactory(NegativeBinomialDefinition, (args, options) => new NegativeBinomialDistribution(args, options));
