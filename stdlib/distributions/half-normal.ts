import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const HalfNormal = defineDistribution({
  name: "HalfNormal",
  params: [{ name: "scale", constraint: constraints.positive, eventRank: 0 }],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  // Sufficient statistic x^2, natural parameter -1 / (2 scale^2).
  expfam: true,
  doc: "HalfNormal(scale): |x| for x ~ Normal(0, scale); Stan's normal(0, sigma) on a real<lower=0>.",
});
