import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

/**
 * Mean-dispersion form, Stan's neg_binomial_2(mu, phi): mean mu, variance mu + mu^2 / phi.
 * (Stan's neg_binomial(alpha, beta) is the same family with mu = alpha / beta, phi = alpha.)
 */
export const NegativeBinomial = defineDistribution({
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
