import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Binomial = defineDistribution({
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
