import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Geometric = defineDistribution({
  name: "Geometric",
  params: [{ name: "p", constraint: constraints.unitInterval, eventRank: 0 }],
  support: constraints.nonnegativeInteger,
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Geometric(p): the number of failures before the first success, each trial succeeding with probability p (P(k) = (1 - p)^k p, k = 0, 1, ...).",
});
