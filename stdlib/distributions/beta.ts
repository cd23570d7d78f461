import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Beta = defineDistribution({
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
