import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const InverseGamma = defineDistribution({
  name: "InverseGamma",
  params: [
    { name: "shape", constraint: constraints.positive, eventRank: 0 },
    { name: "scale", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  // 1 / Gamma(shape, scale): as Gamma, no implicit reparameterisation in tfjs.
  reparameterizable: false,
  expfam: true,
  doc: "InverseGamma(shape, scale): 1 / x for x ~ Gamma(shape, scale), mean scale / (shape - 1) (Stan's inv_gamma(alpha, beta)).",
});
