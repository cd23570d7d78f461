import { constraints } from "../constraints.js";
import { defineDistribution } from "./define.js";

export const Cauchy = defineDistribution({
  name: "Cauchy",
  params: [
    { name: "loc", constraint: constraints.real, eventRank: 0 },
    { name: "scale", constraint: constraints.positive, eventRank: 0 },
  ],
  support: constraints.real,
  eventRank: 0,
  discrete: false,
  reparameterizable: true,
  expfam: false,
  doc: "Cauchy(loc, scale): the Cauchy distribution with location loc and scale scale (Stan's cauchy(mu, sigma)).",
});
