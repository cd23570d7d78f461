import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Laplace = defineDistribution({
  name: "Laplace",
  params: [
    { name: "loc", constraint: constraints.real, eventRank: 0 },
    { name: "scale", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  // An exponential family only for a fixed loc; not usable by CAVI as a prior on loc.
  expfam: false,
  doc: "Laplace(loc, scale): the double exponential with location loc and scale scale (Stan's double_exponential(mu, sigma)).",
});
