import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

/**
 * Two arguments, as Stan writes it (`tau ~ cauchy(0, 5)` on a `real<lower=0>` in eight
 * schools): Cauchy(loc, scale) restricted to x > 0 and renormalised. With loc = 0 it is the
 * usual half-Cauchy of scale `scale`.
 */
export const HalfCauchy = defineDistribution({
  name: "HalfCauchy",
  params: [
    { name: "loc", constraint: constraints.real, eventRank: 0 },
    { name: "scale", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  // By the inverse CDF of the truncated Cauchy, which is differentiable in loc and scale.
  reparameterizable: true,
  expfam: false,
  doc: "HalfCauchy(loc, scale): Cauchy(loc, scale) restricted to positive values and renormalised, as Stan's cauchy(mu, sigma) on a real<lower=0>; HalfCauchy(0, s) is the half-Cauchy of scale s.",
});
