import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Poisson = defineDistribution({
  name: "Poisson",
  params: [{ name: "rate", constraint: constraints.positive, eventRank: 0 }],
  support: constraints.nonnegativeInteger,
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Poisson(rate): counts with mean rate (Stan's poisson(lambda)).",
});
