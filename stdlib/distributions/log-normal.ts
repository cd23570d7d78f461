import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const LogNormal = defineDistribution({
  name: "LogNormal",
  params: [
    { name: "mu", constraint: constraints.real, eventRank: 0 },
    { name: "sigma", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  // Sufficient statistics log x and (log x)^2.
  expfam: true,
  doc: "LogNormal(mu, sigma): exp(x) for x ~ Normal(mu, sigma) (Stan's lognormal(mu, sigma)).",
});
