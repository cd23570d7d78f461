import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Gamma = defineDistribution({
  name: "Gamma",
  params: [
    { name: "shape", constraint: constraints.positive, eventRank: 0 },
    { name: "rate", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.positive,
  eventRank: 0,
  discrete: false,
  // Needs implicit reparameterisation gradients, which tfjs does not have; guides use a
  // Gaussian through a bijector instead.
  reparameterizable: false,
  expfam: true,
  doc: "Gamma(shape, rate): the gamma with shape shape and rate rate, mean shape / rate (Stan's gamma(alpha, beta)).",
});
