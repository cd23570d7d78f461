import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Bernoulli = defineDistribution({
  name: "Bernoulli",
  params: [{ name: "p", constraint: constraints.unitInterval, eventRank: 0 }],
  // 0 or 1; bool data (true/false) is accepted as the same set.
  support: constraints.integer(0, 1),
  eventRank: 0,
  discrete: true,
  reparameterizable: false,
  expfam: true,
  doc: "Bernoulli(p): 1 with probability p, else 0 (Stan's bernoulli(theta)).",
});
